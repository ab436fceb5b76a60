import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { launchBrowser } from '../browser/launch.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../bookings/config.ts';
import type { Clock } from '../calendar/clock.ts';
import { courtDateReleasedOn, releaseInstant } from '../calendar/release.ts';
import { loadDotEnv, readEnvironment } from '../env.ts';
import { formatDoctorReport, runDoctor, type DoctorReport } from '../venue/doctor.ts';
import { formatTodoReport } from '../venue/profile-todos.ts';
import { DraftProfileError, loadProfile, profilePath, type VenueProfile } from '../venue/profile.ts';
import { Screenshots } from '../venue/screenshots.ts';
import { venueContext } from '../venue/session.ts';
import { clockFrom, parseCommandLine, runCli, UsageError } from './args.ts';
import { jsonForActions, printLine } from '../github/workflow-commands.ts';

const USAGE = `Usage: npm run doctor [-- --profile NAME|FILE] [--date YYYY-MM-DD] [--out DIR] [--json]

Checks a venue profile against the live site, and never books: logs in (ESTELLE_USERNAME and
ESTELLE_PASSWORD, from .env locally), walks the click path to the day view of a released date
(default: the latest one), opens the confirm step without submitting it, and reads My bookings.
Prints every profile key with how many elements it matched, a sample of their text and the value
parsed from it; writes annotated screenshots (a box and the key's name around each match) to --out
(default out/doctor-<time>). Exits 1 naming each key that matched nothing or parsed wrong.
A draft profile (npm run profile:from-recording) with keys still TODO: lists those keys with their hints
and exits 1 without opening the site.
  --profile   a profile name in src/venue/profiles/ or a path (default: venue.profile in ${DEFAULT_CONFIG_PATH})
  ESTELLE_BASE_URL points it at another copy of the site (the sandbox, a staging site).`;

/** The latest court date whose slots are released by `clock` (pure). */
export function latestReleasedDate(clock: Clock, config: Parameters<typeof releaseInstant>[1]): string {
  const today = DateTime.fromMillis(clock.now(), { zone: config.timeZone }).toISODate()!;
  const date = courtDateReleasedOn(today, config);
  return releaseInstant(date, config).toMillis() <= clock.now()
    ? date
    : courtDateReleasedOn(DateTime.fromISO(today).minus({ days: 1 }).toISODate()!, config);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      profile: { type: 'string' },
      date: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
    0,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.date !== undefined && !DateTime.fromFormat(values.date, 'yyyy-MM-dd').isValid)
    throw new UsageError(`--date "${values.date}" is not a date (expected YYYY-MM-DD)`, USAGE);
  loadDotEnv('.env', env);
  const environment = readEnvironment(env);
  const config = await loadConfig(values.config ?? DEFAULT_CONFIG_PATH);
  const name = values.profile ?? config.venue.profile;
  let profile: VenueProfile;
  try {
    profile = await loadProfile(name, environment.baseUrl);
  } catch (error) {
    // A draft from the recorder import: name its TODO keys, and check nothing on the site.
    if (!(error instanceof DraftProfileError)) throw error;
    const todos = error.todos;
    if (values.json) {
      const keys = todos.map((t) => ({
        key: t.key,
        line: t.line,
        verdict: 'broken',
        note: `TODO: ${t.hint}`,
      }));
      console.log(JSON.stringify({ draft: true, profile: error.file, todos, keys }, null, 2));
    } else for (const line of formatTodoReport(todos, error.file)) console.log(line);
    return 1;
  }
  const clock = clockFrom(env.BOOKER_NOW, config.timeZone, 'BOOKER_NOW');
  const date = values.date ?? latestReleasedDate(clock, config);
  const outDir = resolve(
    values.out ?? join('out', `doctor-${new Date().toISOString().replace(/[:.]/g, '-')}`),
  );
  const shots = new Screenshots(outDir, profile);
  const ctx = { profile, shots, timeoutMs: 20_000 };
  const browser = await launchBrowser();
  let report: DoctorReport;
  try {
    const context = await venueContext(browser, ctx);
    report = await runDoctor(await context.newPage(), ctx, {
      date,
      credentials: { username: environment.username, password: environment.password },
    });
  } finally {
    await browser.close();
  }
  // The report quotes the venue's pages: neutralised as it is printed (no workflow command from site text).
  if (values.json) printLine(jsonForActions(report));
  else for (const line of formatDoctorReport(report, profilePath(name))) printLine(line);
  return report.keys.some((k) => k.verdict === 'broken') ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
