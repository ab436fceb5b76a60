import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIEmbedField } from 'discord-api-types/v10';
import { launchBrowser } from '../browser/launch.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../bookings/config.ts';
import { DEFAULT_BOOKINGS_PATH } from '../bookings/csv.ts';
import { loadBookingRows } from '../bookings/load.ts';
import { DEFAULT_STATUS_PATH, readStatus } from '../bookings/status.ts';
import { systemClock, type Clock } from '../calendar/clock.ts';
import { bookingWindows, checkRehearsal } from '../calendar/rehearsal.ts';
import { loadDotEnv, readEnvironment } from '../env.ts';
import { escapeMarkdown, markdownTable, writeJobSummary } from '../github/annotations.ts';
import { readInputs } from '../github/inputs.ts';
import { printLine } from '../github/workflow-commands.ts';
import { sendDiscord, type DiscordMessage } from '../notify/discord.ts';
import { formatDoctorReport, runDoctor, type DoctorReport, type KeyReport } from '../venue/doctor.ts';
import { loadProfile, profilePath } from '../venue/profile.ts';
import { Screenshots } from '../venue/screenshots.ts';
import { venueContext } from '../venue/session.ts';
import { latestReleasedDate } from './doctor.ts';
import { parseCommandLine, runCli } from './args.ts';

const USAGE = `Usage: npm run canary [-- --out DIR] [--bookings FILE --config FILE --status FILE]

The weekly canary (canary.yml): runs the doctor (npm run doctor) against the venue's live site with the
member's secrets, away from any release window, and posts to Discord only when a profile key drifted,
with the annotated screenshot of the page where it broke. Never books. Exits 1 when something drifted.`;

/** Which annotated screenshot shows a key (the doctor names them doctor-<page>.png). */
export function screenshotFor(key: string, screenshots: readonly string[]): string | undefined {
  const page =
    key.startsWith('login') || key.startsWith('overlays')
      ? 'login'
      : key.startsWith('navigation.')
        ? `step-${Number(key.split('.')[1]) + 1}`
        : key.startsWith('slots') || key.startsWith('dayView')
          ? 'day-view'
          : key.startsWith('confirm')
            ? 'confirm'
            : key.startsWith('myBookings')
              ? 'my-bookings'
              : undefined;
  return screenshots.find((s) => page && basename(s).includes(`doctor-${page}`)) ?? screenshots.at(-1);
}

/** The Discord message for a drifted profile (pure). */
export function driftMessage(report: DoctorReport, profileName: string, runUrl?: string): DiscordMessage {
  const broken = report.keys.filter((k) => k.verdict === 'broken');
  const fields: APIEmbedField[] = broken.slice(0, 20).map((k) => ({
    name: k.key,
    value: (k.note ?? (k.matched === 0 ? 'matched nothing' : 'parsed wrong')).slice(0, 1000),
    inline: false,
  }));
  if (runUrl) fields.push({ name: 'Run', value: `[Open the run](${runUrl})`, inline: false });
  return {
    payload: {
      username: 'Court booker',
      content: `🔧 The venue's site changed: ${broken.length} key(s) of the ${profileName} profile no longer match.`,
      embeds: [
        {
          title: '🔧 Venue profile drifted',
          description:
            `The weekly canary checked the ${profileName} profile against the live site (${report.date}) and found what ` +
            "tonight's booking would trip on. Fix these keys in the profile (npm run doctor shows what each finds), then run the canary again.",
          color: 0xe67e22,
          fields,
          ...(report.screenshots.length > 0 ? { image: { url: 'attachment://doctor.png' } } : {}),
        },
      ],
    },
    attachments: [],
  };
}

/** The job summary for a canary run (pure). */
export function canarySummary(report: DoctorReport, profileName: string): string {
  const broken = report.keys.filter((k) => k.verdict === 'broken');
  const cell = (k: KeyReport) => [
    k.key,
    k.verdict,
    k.matched ?? '',
    (k.sample ?? []).join(' · '),
    (k.parsed ?? []).join(', '),
    k.note ?? '',
  ];
  return [
    `## ${broken.length === 0 ? '✅' : '🔧'} Venue profile ${escapeMarkdown(profileName)}: ${broken.length === 0 ? 'every key the doctor could check works' : `${broken.length} key(s) drifted`}`,
    '',
    markdownTable(['Key', 'Verdict', 'Matched', 'Sample', 'Parsed', 'Note'], report.keys.map(cell)),
    '',
    "Annotated screenshots are in the run's artifact.",
    '',
  ].join('\n');
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  clock: Clock = systemClock,
): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      out: { type: 'string' },
      bookings: { type: 'string' },
      config: { type: 'string' },
      status: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
    0,
  );
  if (values.help) {
    printLine(USAGE);
    return 0;
  }
  loadDotEnv('.env', env);
  // Secrets masked before anything is printed (on Actions).
  const { inputs } = readInputs(env, { clock });
  const environment = readEnvironment(env);
  const config = await loadConfig(values.config ?? DEFAULT_CONFIG_PATH);

  // Away from any release window: a second login of the member near midnight is what the venue may flag.
  const { rows } = await loadBookingRows(values.bookings ?? DEFAULT_BOOKINGS_PATH, config, clock);
  const status = await readStatus(values.status ?? DEFAULT_STATUS_PATH);
  const check = checkRehearsal({
    clock,
    waits: false,
    windows: bookingWindows(rows, status, config),
    leadMinutes: config.runWindow.leadMinutes,
    retryWindowSeconds: config.retry.windowSeconds,
    timeZone: config.timeZone,
  });
  if (!check.ok) {
    printLine(`The canary did not run: ${check.message.replace('A dry run now', 'The canary')}`);
    return 0;
  }

  const name = config.venue.profile;
  const profile = await loadProfile(name, environment.baseUrl);
  const outDir = resolve(values.out ?? join('out', 'canary'));
  const shots = new Screenshots(outDir, profile);
  const ctx = { profile, shots, timeoutMs: 20_000 };
  const browser = await launchBrowser();
  let report: DoctorReport;
  try {
    const page = await (await venueContext(browser, ctx)).newPage();
    report = await runDoctor(page, ctx, {
      date: latestReleasedDate(clock, config),
      credentials: { username: environment.username, password: environment.password },
    });
  } finally {
    await browser.close();
  }
  for (const line of formatDoctorReport(report, profilePath(name))) printLine(line);
  await writeJobSummary(canarySummary(report, profile.name), env);
  const broken = report.keys.filter((k) => k.verdict === 'broken');
  if (broken.length === 0) return 0;

  const message = driftMessage(report, profile.name, inputs.github.runUrl);
  const shot = screenshotFor(broken[0]!.key, report.screenshots);
  if (shot) {
    message.attachments = [
      {
        filename: 'doctor.png',
        contentType: 'image/png',
        data: await readFile(shot),
        description: `Where ${broken[0]!.key} broke`,
      },
    ];
  }
  await sendDiscord(inputs.discordWebhookUrl, message);
  return 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
