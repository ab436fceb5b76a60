/**
 * The demo: the whole nightly run, for real, against the sandbox venue with its release seconds away.
 *
 *   npm run demo [-- --out DIR] [--skin estelle|clubhouse] [--scenario competitor|two-rows|weekly|cancellation|FILE.yml] [--skew-ms N] [--latency-ms N] [--lead-ms N]
 *
 * What is real: the Actions entry (runOnActions: inputs, encrypted session cache, the latest status
 * read from origin, the engine, step outputs, the status commit and push, Discord, the job summary),
 * the engine (src/run.ts) in headless Chromium, bookings.csv, config.yml, status.json and the release
 * calendar. What stands in: the venue (test/sandbox, on 127.0.0.1, its clock placed a few seconds before
 * a midnight release and skewed against ours), Discord (test/support/discord-standin.ts), the GitHub
 * repository (a fresh git repo in the demo folder with a local bare repository as origin) and the
 * Actions cache service (a directory). The member's own bookings/ is never read or written: everything
 * lives in the demo folder, which must be new or empty.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { chooseBrowser } from '../src/browser/launch.ts';
import { DEFAULT_CONFIG, loadConfig } from '../src/bookings/config.ts';
import { shiftedClock } from '../src/calendar/clock.ts';
import { releaseInstant } from '../src/calendar/release.ts';
import { parseCommandLine, UsageError } from '../src/cli/args.ts';
import { BookerError, describeError } from '../src/errors.ts';
import { runOnActions, type ActionsRunReport } from '../src/github/actions-run.ts';
import { gitIn, gitOk } from '../src/github/git.ts';
import type { Reporter } from '../src/github/reporter.ts';
import { sessionCachePrefix } from '../src/cli/session-cache-key.ts';
import { runBooking, type RunResult } from '../src/run.ts';
import { watchOnActions, type WatchRunReport } from '../src/github/watch-run.ts';
import { bookCancellation, isLookDue, runWatch } from '../src/watch.ts';
import {
  loadScenarioFile,
  startSandbox,
  type LedgerEntry,
  type Sandbox,
  type ScenarioPatch,
} from '../test/sandbox/index.ts';
import {
  formatReceived,
  startDiscordStandIn,
  type ReceivedMessage,
} from '../test/support/discord-standin.ts';
import {
  bookSteps,
  cacheFolder,
  cacheStep,
  evaluateCacheStep,
  jobSteps,
} from '../test/support/actions-cache.ts';
import { evaluateCondition } from '../test/support/workflow-expressions.ts';

export const USAGE = `Usage: npm run demo [-- options]

Runs the nightly booking end to end against a local sandbox of the venue whose midnight release is a
few seconds away: the engine in headless Chromium, the status commit (to a local git remote), the job
summary and the Discord message (to a local stand-in that prints what it received). Under a minute.
Never touches bookings/: everything goes to a new folder.

Options:
  --out DIR          the demo folder (default out/demo-<time>); must be new or empty
  --skin NAME        estelle (default): the Estelle-like single-page site (src/venue/profiles/estelle.yml)
                     clubhouse: another club's multi-page site, driven by a hand-written profile
                     (test/sandbox/profiles/clubhouse.yml): the confirm page is opened before midnight
  --scenario NAME    clean (default): a clean booking at 19:00
                     competitor: two other members take both 19:00 courts first; watch the 20:00 fallback
                     two-rows: 19:00 and 20:00 on the same evening, booked back to back in one run
                     weekly: no dated line, a weekly rule in bookings/recurring.csv for the court date's
                     weekday (19:00, else 20:00) books tonight's release
                     cancellation: rivals take every court at 19:00 and 20:00 at midnight; one cancels
                     4 s later; the next morning the watch (watch.yml) finds the court and books it
                     FILE.yml: a sandbox scenario (see test/sandbox/README.md); {date} is the court date,
                     and its clockOffsetMs, if any, is the venue's clock skew
  --skew-ms N        the venue's clock runs N ms ahead of ours (default 1200; negative: behind)
  --latency-ms N     one-way network latency to the venue (default 30)
  --lead-ms N        start this long before the release (default 20000)
  -h, --help`;

const OPTIONS = {
  out: { type: 'string' },
  skin: { type: 'string' },
  scenario: { type: 'string' },
  'skew-ms': { type: 'string' },
  'latency-ms': { type: 'string' },
  'lead-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ZONE = 'Europe/London';

/**
 * How far ahead of the venue's midnight the demo starts: a login, six pages to the day view and the clock
 * measurement (done 1.5 s before the release) with room to spare on a busy 2-core machine.
 */
const DEFAULT_LEAD_MS = 20_000;

/** The built-in scenarios (--scenario NAME). */
export const DEMO_SCENARIOS = ['clean', 'competitor', 'two-rows', 'weekly', 'cancellation'];

/**
 * Engine timings for a run placed seconds (not hours) before the release. The engine schedules them
 * on the venue's clock (its first coarse look at the venue's Date header), whatever the skew.
 */
const DEMO_TIMINGS = {
  loginLeadMs: 60_000, // log in at once
  sessionCheckLeadMs: 3_000,
  clockSyncLeadMs: 6_000,
  stepTimeoutMs: 15_000,
  clockSync: { probesPerRound: 4, rounds: 3 },
};

/** The sandbox's skins, each with the venue profile that describes it. */
export const DEMO_SKINS = {
  estelle: 'estelle',
  clubhouse: join(import.meta.dirname, '..', 'test', 'sandbox', 'profiles', 'clubhouse.yml'),
} as const;
export type DemoSkin = keyof typeof DEMO_SKINS;

export interface DemoOptions {
  /** The demo folder (default out/demo-<time> under cwd). */
  outDir?: string;
  /** The sandbox skin (default estelle). */
  skin?: DemoSkin;
  /** 'clean' (default), 'competitor' or a scenario YAML file. */
  scenario?: string;
  skewMs?: number;
  latencyMs?: number;
  leadMs?: number;
  /** Where narrative lines go (default console.log). */
  print?: (line: string) => void;
}

export interface DemoReport {
  exitCode: number;
  dir: string;
  date: string;
  actions: ActionsRunReport<RunResult>;
  /** --scenario cancellation: watch.yml's look job, and its book job when the look found a court. */
  watch?: { look: WatchRunReport; booking?: WatchRunReport };
  ledger: LedgerEntry[];
  discord: ReceivedMessage[];
}

function integer(name: string, raw: string | undefined, fallback: number, min = -Infinity, why = ''): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n))
    throw new UsageError(`--${name} "${raw}" is not a whole number of milliseconds`, USAGE);
  if (n < min) throw new UsageError(`--${name} ${n} is below ${min}${why}`, USAGE);
  return n;
}

/** The demo folder: new or empty, and never the member's repository (so never its bookings/). */
async function prepareFolder(dir: string): Promise<void> {
  if (existsSync(dir)) {
    const entries = await readdir(dir).catch(() => {
      throw new BookerError(`--out ${dir} is not a folder.`, 'Give a new folder, or leave --out out.');
    });
    if (entries.length > 0) {
      throw new BookerError(
        `--out ${dir} is not empty; the demo only writes to a new or empty folder (it never touches your bookings/).`,
        'Give a new folder, or leave --out out (default out/demo-<time>).',
      );
    }
  }
  await mkdir(dir, { recursive: true });
}

/**
 * The demo's repository: bookings/ committed to main and pushed to a local bare "origin", as a
 * member's fork would be. Artifacts beside it are git-ignored, so the status commit is the only change.
 */
/** The demo's bookings.csv rows (after the header) for a scenario. */
function demoRows(scenario: string, date: string): string[] {
  if (scenario === 'two-rows')
    return [
      `${date},19:00,,Book,,Demo: the first of two hours`,
      `${date},20:00,,Book,,Demo: the second hour`,
    ];
  if (scenario === 'cancellation')
    return [`${date},19:00,20:00,Book,,Demo: lost at the release; watched after it`];
  if (scenario === 'weekly') return [];
  return [`${date},19:00,20:00,Book,,Demo: the release is seconds away`];
}

/** The demo's recurring.csv rules (after the header): --scenario weekly's one rule, for the date's weekday. */
function demoRules(scenario: string, date: string): string[] {
  if (scenario !== 'weekly') return [];
  const day = DateTime.fromISO(date, { zone: ZONE });
  return [
    `${day.toFormat('ccc', { locale: 'en-GB' })},19:00,20:00,Book,,,,Demo: every ${day.toFormat('cccc', { locale: 'en-GB' })}`,
  ];
}

/** The demo's "Bookings" line: what the member asked for, and where. */
function bookingsLine(scenario: string, date: string): string {
  if (scenario === 'two-rows') return `${date}, 19:00 and 20:00 (two rows, one run)  (bookings/bookings.csv)`;
  if (scenario === 'weekly')
    return `every ${DateTime.fromISO(date, { zone: ZONE }).toFormat('cccc', { locale: 'en-GB' })}, 19:00, else 20:00 (bookings/recurring.csv; no dated line): tonight ${date}`;
  const watched = scenario === 'cancellation' ? '; watched after the release if lost' : '';
  return `${date}, 19:00, else 20:00  (bookings/bookings.csv)${watched}`;
}

/** Each skin's two courts, in the venue's order. */
const DEMO_COURTS: Record<DemoSkin, [string, string]> = {
  estelle: ['Padel Court 1', 'Padel Court 2'],
  clubhouse: ['Court A', 'Court B'],
};

/** When the rival's cancellation happens, after the venue's midnight (its clock). */
const CANCELLED_AFTER_MS = 4_000;

async function createRepository(
  dir: string,
  date: string,
  skin: DemoSkin,
  rows: string[],
  rules: string[],
): Promise<void> {
  await mkdir(join(dir, 'bookings'), { recursive: true });
  await writeFile(
    join(dir, 'bookings', 'bookings.csv'),
    ['Date,Time1,Time2,Status,Court,Note', ...rows, ''].join('\n'),
  );
  if (rules.length > 0)
    await writeFile(
      join(dir, 'bookings', 'recurring.csv'),
      ['Day,Time1,Time2,Status,Court,From,Until,Note', ...rules, ''].join('\n'),
    );
  await writeFile(
    join(dir, 'bookings', 'config.yml'),
    [
      '# The demo uses the defaults (src/bookings/config.ts) but retries for 20 s, not 3 minutes, after the release.',
      'timeZone: Europe/London',
      'advanceDays: 14',
      "releaseTime: '00:00:00'",
      'retry:',
      '  windowSeconds: 20',
      '  maxPerSecond: 4',
      'venue:',
      `  profile: ${JSON.stringify(DEMO_SKINS[skin])}`,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'bookings', 'status.json'),
    `${JSON.stringify({ version: 1, bookings: {} }, null, 2)}\n`,
  );
  // Only bookings/ is tracked; screenshots, logs, the session and origin.git are not.
  await writeFile(join(dir, '.gitignore'), '/*\n!/bookings/\n!/.gitignore\n');
  const git = gitIn(dir);
  const identity = ['-c', 'user.name=Demo member', '-c', 'user.email=member@example.com'];
  await gitOk(gitIn(dir), ['init', '--quiet', '--bare', '--initial-branch=main', 'origin.git']);
  await gitOk(git, ['init', '--quiet', '--initial-branch=main']);
  await gitOk(git, ['add', '.gitignore', 'bookings']);
  await gitOk(git, [...identity, 'commit', '--quiet', '-m', `bookings: ${rows.length} row(s) for ${date}`]);
  await gitOk(git, ['remote', 'add', 'origin', join(dir, 'origin.git')]);
  await gitOk(git, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
}

/**
 * book.yml's two cache steps (actions/cache/restore before the Book step, actions/cache/save after
 * it), their inputs evaluated from book.yml itself, with a folder standing in for GitHub's cache.
 */
const BOOK_YML = join(import.meta.dirname, '..', '.github', 'workflows', 'book.yml');

async function cacheSteps(
  dir: string,
  env: NodeJS.ProcessEnv,
  print: (line: string) => void,
  job?: { steps: ReturnType<typeof bookSteps>; outputs: Record<string, { outputs: Record<string, string> }> },
) {
  const folder = cacheFolder(join(dir, '.cache'));
  const steps = job?.steps ?? bookSteps(await readFile(BOOK_YML, 'utf8'));
  const contexts = (matchedKey = '') => ({
    github: { run_id: env.GITHUB_RUN_ID, run_attempt: env.GITHUB_RUN_ATTEMPT },
    steps: {
      ...job?.outputs,
      'session-key': { outputs: { prefix: sessionCachePrefix(env) } },
      'session-restore': { outputs: { 'cache-matched-key': matchedKey } },
    },
  });
  return {
    async restore(): Promise<string | undefined> {
      print('\n▸ Restore the saved session (actions/cache/restore; a folder stands in for the cache)');
      const written = cacheStep(steps, 'restore');
      const step = evaluateCacheStep(written, contexts(), dir);
      if (!step.runs) return (print(`  skipped: its if: (${written.if ?? ''}) is false`), undefined);
      const restored = await folder.restore(dir, step.inputs);
      print(`  ${restored.log}`);
      return restored.matchedKey;
    },
    async save(matchedKey: string | undefined): Promise<void> {
      print('\n▸ Save the session for the next run (actions/cache/save)');
      const step = evaluateCacheStep(cacheStep(steps, 'save'), contexts(matchedKey), dir);
      if (!step.runs) return print('  skipped: the Book step left no encrypted session');
      print(`  ${(await folder.save(dir, step.inputs)).log}`);
    },
  };
}

/**
 * @actions/core writes workflow commands (::group::, ::add-mask::) to stdout for the runner. Here
 * there is no runner: a group becomes a heading, the rest is dropped. Returns the undo.
 */
function translateWorkflowCommands(
  print: (line: string) => void,
  onGroupEnd: (name: string) => void = () => undefined,
): () => void {
  const original = process.stdout.write;
  let group = '';
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/s.exec(text.trimEnd());
    if (!command) return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    if (command[1] === 'group') {
      group = command[2] ?? '';
      print(`\n▸ ${group}`);
    } else if (command[1] === 'endgroup') onGroupEnd(group);
    return true;
  } as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
  };
}

/** One engine step as a short line, or undefined to leave it to steps.log. */
function describeStep(step: string, data: Record<string, unknown> = {}): string | undefined {
  const at = (iso: unknown) => (typeof iso === 'string' ? londonTime(Date.parse(iso)) : '?');
  switch (step) {
    case 'started':
    case 'result':
      return undefined;
    case 'picked':
      return `picked ${String(data.key)} (times ${(data.times as string[]).join(', then ')}), released at ${at(data.releaseAt)}`;
    case 'offset-coarse':
      return `venue clock at a glance: ${signed(Number(data.offsetMs))} ±${String(data.uncertaintyMs)} ms (one probe; the schedule follows the venue's clock)`;
    case 'logged-in':
      return data.restored ? 'logged in (saved session)' : 'logged in (new session) in headless Chromium';
    case 'armed':
      return data.confirmPage
        ? `armed: the confirm page for ${String(data.confirmPage)} is open${data.again ? ' again' : ''}, waiting (it is addressable before the release)`
        : `armed: the day view is open${data.again ? ' again' : ''}, waiting`;
    case 'session-checked':
      return 'session still valid';
    case 'offset-measured':
      return `venue clock measured: ${signed(Number(data.offsetMs))} ±${String(data.uncertaintyMs)} ms (${String(data.probes)} probes, one way ${String(data.oneWayMs)} ms)`;
    case 'waiting-for-release':
      return `will send at ${at(data.sendAt)} (our clock)`;
    case 'fired':
      return `fired: ${data.strategy === 'page-by-page' ? 'the first request' : 'Show Availability'}${typeof data.estimatedServerMs === 'number' ? ` (${afterOrBefore(data.estimatedServerMs)} the venue's midnight, to arrive just after it)` : ''}`;
    case 'confirm-sent':
      return `confirm sent${typeof data.estimatedServerMs === 'number' ? ` (${afterOrBefore(data.estimatedServerMs)} the venue's midnight)` : ''}`;
    case 'fire-result':
      return `${String(data.kind)} after ${String(data.applies)} availability and ${String(data.bookings)} booking request(s)`;
    case 'confirmed':
      return `confirmed ${String(data.court)} ${String(data.time)}, ref ${String(data.reference)}`;
    case 'verified':
      return 'verified on My bookings';
    case 'recorded':
      return `recorded "${String(data.state)}" in bookings/status.json`;
    case 'watch-started':
      return `the watch looks at ${(data.due as string[]).join(', ')}`;
    case 'looked':
      return `looked at ${String(data.key)}: ${String(data.seen)} (look ${String(data.looks)}, counted in bookings/status.json)`;
    case 'found':
      return `found ${String(data.court)} free at ${String(data.time)}`;
    default: {
      const details = Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : '';
      return `${step}${details.length > 140 ? `${details.slice(0, 139)}…` : details}`;
    }
  }
}

/** "53 ms after" / "12 ms before". */
function afterOrBefore(ms: number): string {
  return `${Math.abs(Math.round(ms))} ms ${ms >= 0 ? 'after' : 'before'}`;
}

function londonTime(ms: number): string {
  return DateTime.fromMillis(ms, { zone: ZONE }).toFormat('HH:mm:ss.SSS');
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${Math.abs(Math.round(ms))} ms`;
}

/** The sandbox scenario for --scenario. */
async function scenarioFor(
  name: string,
  date: string,
  dir: string,
  skin: DemoSkin,
): Promise<{ patch: ScenarioPatch; label: string }> {
  if (name === 'clean') return { patch: {}, label: 'a clean booking' };
  if (name === 'cancellation') {
    const courts = DEMO_COURTS[skin];
    return {
      label: `rivals take every court at 19:00 and 20:00; one cancels ${CANCELLED_AFTER_MS / 1000} s later, and the watch books it`,
      patch: {
        competitors: ['19:00', '20:00'].flatMap((time, t) =>
          courts.map((court, c) => ({
            name: `Rival ${t * 2 + c + 1}`,
            date,
            time,
            court,
            afterReleaseMs: 5 + t * 2 + c,
          })),
        ),
        cancellations: [{ date, time: '19:00', court: courts[1], afterReleaseMs: CANCELLED_AFTER_MS }],
      },
    };
  }
  if (name === 'two-rows')
    return { patch: {}, label: 'two rows released tonight, booked back to back in one run' };
  if (name === 'weekly') return { patch: {}, label: 'a weekly rule books the night, no dated line' };
  if (name === 'competitor') {
    return {
      label: 'two other members take both 19:00 courts 5 ms after midnight',
      patch: {
        competitors: [
          { name: 'Rival 1', date, time: '19:00', afterReleaseMs: 5 },
          { name: 'Rival 2', date, time: '19:00', afterReleaseMs: 6 },
        ],
      },
    };
  }
  // {date} → the demo's court date, so one file works whatever day it is; the copy stays in the folder.
  const copy = join(dir, 'scenario.yml');
  await writeFile(copy, (await readFile(name, 'utf8')).replaceAll('{date}', date));
  return { patch: await loadScenarioFile(copy), label: `scenario ${name}` };
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const print = options.print ?? ((line: string) => console.log(line));
  const skewMs = options.skewMs ?? 1200;
  const latencyMs = options.latencyMs ?? 30;
  const leadMs = options.leadMs ?? DEFAULT_LEAD_MS;
  const started = Date.now();

  // The browser first: without one there is nothing to show.
  try {
    chooseBrowser();
  } catch (error) {
    const problem = describeError(error);
    throw new BookerError(
      problem.startsWith('No browser found') ? 'No browser found for the demo.' : problem,
      'Run `npm run setup` (it installs Chromium), then `npm run demo` again.',
    );
  }

  const scenarioName = options.scenario ?? 'clean';
  if (!DEMO_SCENARIOS.includes(scenarioName) && !existsSync(scenarioName)) {
    throw new UsageError(
      `--scenario "${scenarioName}" is neither ${DEMO_SCENARIOS.join(', ')} nor a scenario file`,
      USAGE,
    );
  }

  const stamp = DateTime.now().setZone(ZONE).toFormat("yyyyMMdd'-'HHmmss");
  const dir = resolve(options.outDir ?? join('out', `demo-${stamp}`));
  await prepareFolder(dir);

  // The court date: the first one whose release is still to come (today + advanceDays + 1, London).
  const date = DateTime.now()
    .setZone(DEFAULT_CONFIG.timeZone)
    .plus({ days: DEFAULT_CONFIG.advanceDays + 1 })
    .toISODate()!;
  const skin = options.skin ?? 'estelle';
  const rows = demoRows(scenarioName, date);
  const rules = demoRules(scenarioName, date);
  await createRepository(dir, date, skin, rows, rules);
  const demoConfig = await loadConfig(join(dir, 'bookings', 'config.yml'));
  const scenario = await scenarioFor(scenarioName, date, dir, skin);
  const skew = typeof scenario.patch.clockOffsetMs === 'number' ? scenario.patch.clockOffsetMs : skewMs;

  // The venue's midnight is leadMs away on its clock, which runs `skew` ahead of ours.
  const releaseMs = releaseInstant(date, demoConfig).toMillis();
  const shiftMs = releaseMs - leadMs - skew - Date.now();
  const clock = shiftedClock(shiftMs);
  const discord = await startDiscordStandIn();
  let venue: Sandbox | undefined;
  const restore: (() => void)[] = [];
  try {
    venue = await startSandbox({
      skin,
      latency: { oneWayMs: latencyMs, jitterMs: 10 },
      ...scenario.patch,
      clockOffsetMs: shiftMs + skew,
    });
    const member = venue.members[0]!;
    const releaseServerMs = venue.releaseInstant(date);

    print(
      `Demo: booking a padel court at the sandbox venue (${skin} skin) at its midnight release (${scenario.label}).`,
    );
    print(
      `  Folder        ${relative(process.cwd(), dir) || dir}  (a git repo; origin = ${join(basename(dir), 'origin.git')})`,
    );
    print(`  Bookings      ${bookingsLine(scenarioName, date)}`);
    print(
      `  Release       ${DateTime.fromMillis(releaseServerMs, { zone: ZONE }).toFormat('ccc d LLL yyyy HH:mm:ss.SSS')} London, on the venue's clock`,
    );
    print(
      `  Clocks        the venue's reads ${londonTime(venue.clock.now())} (${((releaseServerMs - venue.clock.now()) / 1000).toFixed(1)} s to its midnight); ours reads ${londonTime(clock.now())}: the venue's is ${signed(skew)} off ours`,
    );
    print(
      `  Venue         ${venue.url} (sandbox, ${latencyMs} ms each way)   Discord: ${new URL(discord.url).host} (stand-in)`,
    );

    // What GitHub would give the job: a dispatched run, not a dry run.
    const env: NodeJS.ProcessEnv = {
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_REF_NAME: 'main',
      GITHUB_RUN_ID: `demo-${stamp}`,
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
      GITHUB_OUTPUT: join(dir, 'outputs.txt'),
      // The event as GitHub writes it for a private copy (what the README recommends): relay off.
      GITHUB_EVENT_PATH: join(dir, 'event.json'),
      DRY_RUN: 'false',
      BOOKING_LANE: 'booking',
      ESTELLE_USERNAME: member.email,
      ESTELLE_PASSWORD: member.password,
      DISCORD_WEBHOOK_URL: discord.url,
      SESSION_CACHE_KEY: 'demo session cache key',
    };
    await writeFile(env.GITHUB_STEP_SUMMARY!, '');
    await writeFile(env.GITHUB_OUTPUT!, '');
    await writeFile(
      env.GITHUB_EVENT_PATH!,
      `${JSON.stringify({ inputs: {}, repository: { full_name: 'member/padel', private: true } }, null, 2)}\n`,
    );
    // @actions/core's setOutput reads GITHUB_OUTPUT from process.env.
    const savedOutput = process.env.GITHUB_OUTPUT;
    process.env.GITHUB_OUTPUT = env.GITHUB_OUTPUT;
    restore.push(() => {
      if (savedOutput === undefined) delete process.env.GITHUB_OUTPUT;
      else process.env.GITHUB_OUTPUT = savedOutput;
    });

    const reporter: Reporter = {
      info: (m) => print(`  ${m}`),
      notice: (m) => print(`  notice: ${m}`),
      warning: (m) => print(`  warning: ${m}`),
      error: (m) => print(`  error: ${m}`),
    };
    // The engine's log: its steps (steps.log lines: "<ISO time> +<ms> ms  <step>  <JSON>") as short
    // lines at the time the engine gives them; anything else (CSV problems...) as it is.
    let measured: Record<string, unknown> | undefined;
    const engineLog = (line: string) => {
      const m = /^(\S+) \+\s*[\d.]+ ms {2}(\S+)(?: {2}(.*))?$/.exec(line);
      if (!m) return print(`  ${line}`);
      let data: Record<string, unknown> | undefined;
      try {
        data = m[3] ? (JSON.parse(m[3]) as Record<string, unknown>) : undefined;
      } catch {
        data = { details: m[3] };
      }
      if (m[2] === 'offset-measured') measured = data;
      const text = describeStep(m[2]!, data);
      if (text) print(`  ${londonTime(Date.parse(m[1]!))}  ${text}`);
    };
    restore.push(
      translateWorkflowCommands(print, (group) => {
        const last = discord.messages().at(-1);
        if (group === 'Notify Discord' && last) {
          print(
            `  The stand-in answered ${last.status}: "${last.payload.embeds?.[0]?.title ?? ''}" (printed below)`,
          );
        }
      }),
    );
    const cache = await cacheSteps(dir, env, print);
    const matchedKey = await cache.restore();
    if (matchedKey) env.SESSION_CACHE_MATCHED_KEY = matchedKey;
    const actions = await runOnActions<RunResult>({
      env,
      clock,
      repoDir: dir,
      outDir: dir,
      reporter,
      runBooking: (engine) =>
        runBooking({
          ...engine,
          ...DEMO_TIMINGS,
          clock,
          env: {
            username: member.email,
            password: member.password,
            dryRun: engine.dryRun,
            logLevel: 'info',
            baseUrl: venue!.url,
          },
          paths: {
            bookings: join(dir, 'bookings', 'bookings.csv'),
            config: join(dir, 'bookings', 'config.yml'),
            status: join(dir, 'bookings', 'status.json'),
            storageState: join(dir, '.auth', 'estelle.json'),
          },
          log: engineLog,
        }),
    });
    for (const undo of restore.splice(0).reverse()) undo();
    await cache.save(matchedKey);

    let watch: DemoReport['watch'];
    if (scenarioName === 'cancellation') {
      watch = await demoWatch({
        dir,
        date,
        env,
        venue,
        print,
        reporter,
        engineLog,
        shiftMs,
        releaseServerMs,
        member,
        discord,
      });
    }

    const ledger = venue.ledger();
    const received = discord.messages();
    await writeFile(join(dir, 'sandbox-ledger.json'), `${JSON.stringify(ledger, null, 2)}\n`);
    await writeFile(
      join(dir, 'discord.json'),
      `${JSON.stringify(
        received.map((m) => ({
          status: m.status,
          violations: m.violations,
          payload: m.payload,
          files: m.files.map((f) => ({ filename: f.filename, contentType: f.contentType, size: f.size })),
        })),
        null,
        2,
      )}\n`,
    );
    // The venue's own log: when the first availability request after the wait reached it.
    const firstLook = venue
      .requests()
      .find(
        (r) =>
          r.client === member.email && /\/slots\b/.test(r.path) && r.serverTimeMs >= releaseServerMs - 2_000,
      );
    const early = venue.requests().filter((r) => r.outcome === 'not-open').length;
    await narrate({
      print,
      dir,
      date,
      skew,
      releaseServerMs,
      actions,
      ...(watch ? { watch } : {}),
      ledger,
      received,
      started,
      ...(measured ? { measured } : {}),
      ...(firstLook ? { firstLookServerMs: firstLook.serverTimeMs } : {}),
      early,
    });
    const exitCode = watch ? (watch.booking?.exitCode ?? watch.look.exitCode) : actions.exitCode;
    return { exitCode, dir, date, actions, ...(watch ? { watch } : {}), ledger, discord: received };
  } finally {
    for (const undo of restore.reverse()) undo();
    await venue?.stop();
    await discord.stop();
  }
}

const WATCH_YML = join(import.meta.dirname, '..', '.github', 'workflows', 'watch.yml');

/**
 * --scenario cancellation, after the night: the rival's cancellation, then watch.yml the next morning
 * as GitHub runs it: its look job (`npm run watch -- --look`: Anything to look at?, the cache steps, the
 * look, its outputs), then its book job when the job's own `if:` (evaluated from watch.yml) says so
 * (`npm run watch -- --book DATE`, in the booking lane the look decided).
 */
async function demoWatch(d: {
  dir: string;
  date: string;
  env: NodeJS.ProcessEnv;
  venue: Sandbox;
  print: (line: string) => void;
  reporter: Reporter;
  engineLog: (line: string) => void;
  shiftMs: number;
  releaseServerMs: number;
  member: { email: string; password: string };
  discord: Awaited<ReturnType<typeof startDiscordStandIn>>;
}): Promise<NonNullable<DemoReport['watch']>> {
  const { print, venue, dir } = d;
  // The rival's cancellation, on the venue's own schedule (a few seconds after its midnight).
  const until = Date.now() + CANCELLED_AFTER_MS + 5_000;
  while (!venue.ledger().some((e) => e.cancelled) && Date.now() < until)
    await new Promise((r) => setTimeout(r, 100));
  const cancelled = venue.ledger().find((e) => e.cancelled);
  print('\n▸ A cancellation');
  print(
    cancelled
      ? `  ${cancelled.client.replace(/^competitor:/, '')} cancels ${cancelled.court} at ${cancelled.time}, ${((cancelled.cancelledAtServerMs! - d.releaseServerMs) / 1000).toFixed(1)} s after the venue's midnight: free again`
      : '  (the sandbox did not cancel in time)',
  );

  // The next morning at 10:07, when watch.yml's first line of the day starts: both clocks move on.
  const ours = shiftedClock(d.shiftMs);
  const morning = DateTime.fromMillis(d.releaseServerMs, { zone: ZONE }).plus({
    hours: 10,
    minutes: 7,
    seconds: 5,
  });
  const jumpMs = morning.toMillis() - ours.now();
  venue.setScenario({ clockOffsetMs: venue.scenario.clockOffsetMs + jumpMs });
  const clock = shiftedClock(d.shiftMs + jumpMs);
  print(`\n▸ 10:07 the next morning: watch.yml starts (the repository variable WATCH is true)`);

  const text = await readFile(WATCH_YML, 'utf8');
  const engineEnv = {
    username: d.member.email,
    password: d.member.password,
    dryRun: false,
    logLevel: 'info' as const,
    baseUrl: venue.url,
  };
  const paths = {
    bookings: join(dir, 'bookings', 'bookings.csv'),
    config: join(dir, 'bookings', 'config.yml'),
    status: join(dir, 'bookings', 'status.json'),
    storageState: join(dir, '.auth', 'estelle.json'),
  };
  const env: NodeJS.ProcessEnv = {
    ...d.env,
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_RUN_ID: `${d.env.GITHUB_RUN_ID}-watch`,
    SCHEDULED_CRON: '7 7-18 * * *',
    SCHEDULE_TIMEZONE: ZONE,
    GITHUB_STEP_SUMMARY: join(dir, 'watch-summary.md'),
    GITHUB_OUTPUT: join(dir, 'watch-outputs.txt'),
  };
  delete env.BOOKING_LANE; // the look job has no lane: a look books nothing
  await writeFile(env.GITHUB_STEP_SUMMARY!, '');
  await writeFile(env.GITHUB_OUTPUT!, '');
  const savedOutput = process.env.GITHUB_OUTPUT;
  process.env.GITHUB_OUTPUT = env.GITHUB_OUTPUT;
  const untranslate = translateWorkflowCommands(print, (group) => {
    const last = d.discord.messages().at(-1);
    if (group === 'Notify Discord' && last)
      print(
        `  The stand-in answered ${last.status}: "${last.payload.embeds?.[0]?.title ?? ''}" (printed below)`,
      );
  });
  try {
    // The look job.
    print('\n▸ Anything to look at? (npm run watch -- --due: no browser)');
    const due = await isLookDue({ clock, env: engineEnv, paths });
    print(`  ${due.due ? 'Due' : 'Nothing to look at'}: ${due.summary}.`);
    const lookCache = await cacheSteps(dir, env, print, {
      steps: jobSteps(text, 'look'),
      outputs: { due: { outputs: { due: String(due.due) } } },
    });
    const lookMatched = await lookCache.restore();
    const look = await watchOnActions({
      lookOnly: true,
      env: { ...env, ...(lookMatched ? { SESSION_CACHE_MATCHED_KEY: lookMatched } : {}) },
      clock,
      repoDir: dir,
      outDir: join(dir, 'watch'),
      reporter: d.reporter,
      runWatch: (options) =>
        runWatch({ ...options, clock, env: engineEnv, paths, log: d.engineLog, stepTimeoutMs: 15_000 }),
      bookCancellation: () => Promise.reject(new Error('the look job books nothing')),
    });
    await lookCache.save(lookMatched);
    print(
      `  Step outputs: ${Object.entries(look.outputs ?? {})
        .map(([k, v]) => `${k}=${v || "''"}`)
        .join(', ')}`,
    );

    // The book job, when its own if: says so.
    const book = (parse(text) as { jobs: { book: { if: string } } }).jobs.book;
    const needs = { needs: { look: { outputs: look.outputs ?? {} } } };
    if (!evaluateCondition(book.if, needs)) {
      print(`\n▸ The book job is skipped (${book.if})`);
      return { look };
    }
    const lane = look.outputs?.lane ?? 'booking';
    print(`\n▸ The book job (needs: look; concurrency group ${lane}-<repository>, the nightly booking's)`);
    const bookEnv = { ...env, BOOKING_LANE: lane };
    const bookCache = await cacheSteps(dir, bookEnv, print, { steps: jobSteps(text, 'book'), outputs: {} });
    const bookMatched = await bookCache.restore();
    const booking = await watchOnActions({
      bookDate: look.outputs!.found_date!,
      env: { ...bookEnv, ...(bookMatched ? { SESSION_CACHE_MATCHED_KEY: bookMatched } : {}) },
      clock,
      repoDir: dir,
      outDir: join(dir, 'watch', 'booking'),
      reporter: d.reporter,
      runWatch: () => Promise.reject(new Error('the book job does not look')),
      bookCancellation: (engine) =>
        bookCancellation({ ...engine, ...DEMO_TIMINGS, clock, env: engineEnv, paths, log: d.engineLog }),
    });
    await bookCache.save(bookMatched);
    return { look, booking };
  } finally {
    untranslate();
    if (savedOutput === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = savedOutput;
  }
}

async function narrate(d: {
  print: (line: string) => void;
  dir: string;
  date: string;
  skew: number;
  releaseServerMs: number;
  actions: ActionsRunReport<RunResult>;
  ledger: LedgerEntry[];
  received: ReceivedMessage[];
  started: number;
  measured?: Record<string, unknown>;
  firstLookServerMs?: number;
  early: number;
  watch?: DemoReport['watch'];
}): Promise<void> {
  const { print, actions } = d;
  const result = actions.result;
  print('\nWhat happened');
  if (!result) {
    print(`  The run stopped before the engine (exit ${actions.exitCode}).`);
    return;
  }
  print(`  Outcome       ${result.outcome}: ${result.message}`);
  if (result.serverClockOffsetMs !== undefined) {
    const m = d.measured ?? {};
    print(
      `  Clock sync    the venue's clock measured at ${signed(result.serverClockOffsetMs)}` +
        (typeof m.uncertaintyMs === 'number' ? ` ±${m.uncertaintyMs} ms` : '') +
        ` (true skew ${signed(d.skew)})` +
        (typeof m.oneWayMs === 'number' ? `, one way ${m.oneWayMs} ms, ${String(m.probes)} probes` : ''),
    );
  }
  if (result.firedAt) {
    // The engine reports firedAt on the venue's clock (it measured the offset before firing).
    const firedOnVenue = Date.parse(result.firedAt);
    print(
      `  Fired         ${londonTime(firedOnVenue)} on the venue's clock (${afterOrBefore(firedOnVenue - d.releaseServerMs)} its midnight; timed to arrive just after it)`,
    );
  }
  if (result.latencyMs !== undefined) {
    print(
      `  Estimated     the engine reckons its booking reached the venue ${afterOrBefore(result.latencyMs)} its midnight`,
    );
  }
  if (d.firstLookServerMs !== undefined) {
    print(
      `  Arrived       first availability request reached the venue ${afterOrBefore(d.firstLookServerMs - d.releaseServerMs)} its midnight; ${d.early} request(s) refused as early`,
    );
  }
  const look = d.watch?.look.look;
  const watchBooking = d.watch?.booking?.booking?.result;
  if (look) print(`  Watch look    ${look.kind}: ${look.message}`);
  if (watchBooking) print(`  Watch booked  ${watchBooking.outcome}: ${watchBooking.message}`);
  const mine = d.ledger.filter((e) => e.client === 'member' && !e.cancelled);
  /** "6 ms after the venue's midnight", or the venue's time of day for what happened hours later. */
  const when = (serverMs: number) =>
    serverMs - d.releaseServerMs < 60_000
      ? `${serverMs - d.releaseServerMs} ms after the venue's midnight`
      : `at ${DateTime.fromMillis(serverMs, { zone: ZONE }).toFormat('HH:mm:ss')} on the venue's clock`;
  for (const e of d.ledger) {
    const who = e.client === 'member' ? 'us' : e.client.replace(/^competitor:/, '');
    print(
      `  Ledger        ${e.reference}  ${e.court} ${e.time} for ${who}, accepted ${when(e.acceptedAtServerMs)}${e.cancelled && e.cancelledAtServerMs ? `, cancelled ${when(e.cancelledAtServerMs)}` : ''}`,
    );
  }
  if (mine.length === 0) print('  Ledger        no booking of ours (see the steps and screenshots)');
  const reference = result.reference ?? watchBooking?.reference;
  if (reference) {
    print(
      `  Reference     ${reference} ${mine.some((e) => e.reference === reference) ? '(in the sandbox ledger ✓)' : '(NOT in the sandbox ledger ✗)'}`,
    );
  }
  const status = JSON.parse(await readFile(join(d.dir, 'bookings', 'status.json'), 'utf8')) as {
    bookings: Record<
      string,
      { state: string; watch?: { looks: number }; attempts: { outcome: string; trigger?: string }[] }
    >;
  };
  const entry = status.bookings[`${d.date} 19:00`];
  const watched = entry?.watch
    ? ` (${entry.watch.looks} look${entry.watch.looks === 1 ? '' : 's'} counted; attempt lines: ${entry.attempts.map((a) => `${a.outcome}${a.trigger === 'watch' ? ' by the watch' : ''}`).join(', ')})`
    : '';
  print(`  Status file   bookings/status.json says ${entry?.state ?? 'nothing'}${watched}`);
  const commit = actions.statusCommit;
  if (commit?.ok) {
    const origin = gitIn(join(d.dir, 'origin.git'));
    const count = d.watch ? 3 : 1;
    const log = await gitOk(origin, ['log', `-${count}`, '--reverse', '--format=%h %s', 'main']).catch(
      () => '?',
    );
    for (const line of log.trim().split('\n')) print(`  Status commit pushed to origin/main: ${line}`);
  } else if (commit) print(`  Status commit NOT pushed: ${commit.error}`);
  const outputs = await readFile(join(d.dir, 'outputs.txt'), 'utf8').catch(() => '');
  const names = [...outputs.matchAll(/^([a-z_]+)<</gm)].map((m) => m[1]);
  if (names.length > 0) print(`  Step outputs  ${names.join(', ')} (outputs.txt)`);
  print(`  Job summary   summary.md (${(actions.summary ?? '').split('\n').length} lines)`);
  for (const message of d.received) {
    print('');
    print(formatReceived(message));
  }
  if (d.received.length === 0) print('  Discord       nothing received');
  const files = (await readdir(d.dir)).filter((f) => !f.startsWith('.') && f !== 'origin.git').sort();
  const shown = relative(process.cwd(), d.dir) || d.dir;
  print(`\nFolder ${shown}: ${files.join(', ')}`);
  const confirmation = result.screenshots.find((f) => /confirmation/.test(basename(f)));
  if (confirmation) print(`  The confirmation page: ${join(shown, basename(confirmation))}`);
  print(`  The status commit:     git -C ${join(shown, 'origin.git')} log --stat -1`);
  const exitCode = d.watch ? (d.watch.booking?.exitCode ?? d.watch.look.exitCode) : actions.exitCode;
  print(`Done in ${((Date.now() - d.started) / 1000).toFixed(1)} s, exit code ${exitCode}.`);
}

/** `--skew-ms -4300` → `--skew-ms=-4300` (parseArgs would take -4300 for an option). */
export function joinNegativeNumbers(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (/^--(skew|latency|lead)-ms$/.test(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseCommandLine(joinNegativeNumbers(argv), OPTIONS, USAGE, 0);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.skin !== undefined && !(values.skin in DEMO_SKINS))
      throw new UsageError(
        `--skin "${values.skin}" is not a sandbox skin (expected estelle or clubhouse)`,
        USAGE,
      );
    const report = await runDemo({
      ...(values.out ? { outDir: values.out } : {}),
      ...(values.skin ? { skin: values.skin as DemoSkin } : {}),
      ...(values.scenario ? { scenario: values.scenario } : {}),
      skewMs: integer('skew-ms', values['skew-ms'], 1200),
      latencyMs: integer('latency-ms', values['latency-ms'], 30, 0),
      leadMs: integer(
        'lead-ms',
        values['lead-ms'],
        DEFAULT_LEAD_MS,
        5_000,
        ': the engine needs a few seconds to log in, open the day view and measure the clock',
      ),
    });
    return report.exitCode;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`npm run demo: ${error.message}\n\n${error.usage}`);
      return 2;
    }
    console.error(describeError(error));
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
