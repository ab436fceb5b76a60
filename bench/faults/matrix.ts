import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { stringify } from 'yaml';
import { forMembers } from '../../src/github/actions-run.ts';
import type { FAST_LEADS } from './book-step.ts';
import { BOT_IDENTITY } from '../../src/github/git.ts';
import { statusCommitMessage } from '../../src/github/status-commit.ts';
import { markdownText } from '../../src/github/markdown.ts';
import { describeOutcome } from '../../src/notify/message.ts';
import { EXIT_CODE, UNRECORDED_EXIT_CODE, type RunOutcome } from '../../src/outcome.ts';
import type { BookingState, StatusFile } from '../../src/bookings/status.ts';
import type { RunResult } from '../../src/run.ts';
import { isBooking } from '../../test/e2e/harness.ts';
import {
  courtDateForTests,
  releaseInstantMs,
  startSandbox,
  type LedgerEntry,
  type RequestLogEntry,
  type Sandbox,
  type ScenarioPatch,
} from '../../test/sandbox/index.ts';
import { startDiscordStandIn, type ReceivedMessage } from '../../test/support/discord-standin.ts';
import {
  bookStepEnv,
  botCommits,
  cacheSteps,
  checkout,
  createOrigin,
  localEnv,
  originFile,
  parseOutputs,
  readCachedSession,
  startBookStep,
  type CacheStepLog,
  type RunnerEvent,
  type Secrets,
} from './workspace.ts';

/**
 * The fault matrix: every fault the sandbox venue (and the runner's disk, files and git) can show, run
 * the way GitHub Actions runs the nightly booking — a fresh checkout of the member's fork (a local bare
 * origin), book.yml's cache restore step, the Book step as its own process with GITHUB_ACTIONS=true and
 * book.yml's environment (the lane, the secrets, the job summary and output files), the real engine in
 * Chromium, the status commit pushed to origin, Discord (a local stand-in), the cache save step — on
 * each sandbox skin the fault exists on. Each row asserts, besides the outcome, the behaviour it names
 * (from the venue's request log and ledger, the pushed commit, the summary, the outputs, the cache), so
 * that a change to the product that breaks that behaviour fails the row. The same rows drive
 * `npm run bench:faults` (bench/faults.md) and the vitest suite (test/bench/faults.test.ts).
 */

export const SKIN_PROFILES = {
  estelle: { profile: 'estelle', courts: ['Padel Court 1', 'Padel Court 2'] },
  clubhouse: {
    profile: resolve(import.meta.dirname, '..', '..', 'test', 'sandbox', 'profiles', 'clubhouse.yml'),
    courts: ['Court A', 'Court B'],
  },
} as const;
export type Skin = keyof typeof SKIN_PROFILES;
export const SKINS = Object.keys(SKIN_PROFILES) as Skin[];

export type RowContext = {
  skin: Skin;
  /** The court date of the run (released `leadMs` after the row starts). */
  date: string;
  member: { email: string; password: string };
  /** The skin's two courts, in the venue's order. */
  courts: readonly [string, string];
};

export type Expected = {
  /** The run's outcome; for a row of several runs, one per run (in any order). */
  outcome: RunOutcome | RunOutcome[];
  /**
   * The outcomes, too, when the row's runs can race to the same instant and no order is the right one;
   * the row's `checks` then say what must hold (e.g. the venue answered the later request with the first booking).
   */
  outcomeWhenRacing?: RunOutcome[];
  /** Exit codes in the same order as `outcome` (default: the outcome's own, src/outcome.ts). */
  exitCode?: number | number[];
  /** The row's entry in the status file origin ends with (local runs: the checkout's); undefined: none. */
  state?: BookingState;
  /** Attempt lines in that entry (default 1). */
  attempts?: number;
  bookedTime?: string;
  /** Courts the runs booked (the venue's ledger). */
  bookings: number;
  /** What the member is told (the first run's message), e.g. the profile key that found nothing. */
  message?: RegExp;
  /** Status commits the runs push (default: one per run whose outcome changes the entry). */
  commits?: number;
};

export type RunnerSpec = {
  name: string;
  /** `actions` (default): book.yml on a hosted runner. `local`: `npm run book` on a member's machine. */
  mode?: 'actions' | 'local';
  /** Runs with the same workspace share one checkout (one machine); default: a checkout of its own. */
  workspace?: string;
  /** Starts this long after the row's other runs (default 0: all at once). */
  startDelayMs?: number;
};

export type PrepareContext = RowContext & {
  /** The sandbox venue (a fault that strikes mid-run: `venue.revokeSessions()`). */
  venue: Sandbox;
  root: string;
  origin: string;
  cacheDir: string;
  /** Each runner's workspace folder, by workspace name. */
  workspaces: Record<string, string>;
  secrets: Secrets;
  /** The run id each runner gets (GITHUB_RUN_ID), by runner name. */
  runIds: Record<string, string>;
};

export type RowSpec = {
  expected: Expected;
  /** What the row asserts beyond the outcome (for the table): the behaviour its name promises. */
  asserts: string;
  venue?: ScenarioPatch;
  /** bookings.csv lines after the header; {date} is the court date. Default: `{date},19:00,20:00,Book,,`. */
  csv?: string[];
  /** bookings/recurring.csv lines after its header (weekly rules); {weekday} is the court date's. Default: no file. */
  recurring?: string[];
  /** config.yml settings over the matrix's own (relay off, a 20 s retry window, the skin's profile). */
  config?: Record<string, unknown>;
  /** The whole config.yml instead (hostile files). */
  configText?: string;
  password?: string;
  /** How far before the venue's midnight the row starts (default 18 s; negative: after it, a late start). */
  leadMs?: number;
  latency?: { oneWayMs: number; jitterMs: number };
  /** The engine's leads for this row, over the matrix's (bench/faults/book-step.ts FAST_LEADS). */
  engine?: Partial<typeof FAST_LEADS>;
  runners?: RunnerSpec[];
  /** Repository variables (vars.*). */
  vars?: Record<string, string>;
  /** Before the runs, with every workspace checked out (stale lock files, cache entries …). */
  prepare?: (p: PrepareContext) => Promise<void>;
  /** Called as each engine step of the first run appears in its output (a fault that strikes mid-run). */
  onStep?: (step: string, p: PrepareContext) => Promise<void>;
  /** Undoes what prepare or onStep did to the machine (unmounts), before the folder is removed. */
  cleanup?: () => Promise<void>;
  /** The behaviour the row names: each returned string is a failure. */
  checks?: (run: RowRun) => string[] | Promise<string[]>;
};

export type FaultRow = {
  id: string;
  scenario: string;
  /** The skins the fault exists on. */
  skins: readonly Skin[];
  spec: (ctx: RowContext) => RowSpec;
};

export type RunnerRun = {
  spec: Required<RunnerSpec>;
  workspace: string;
  outDir: string;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Engine steps in order (steps.jsonl), with their data. */
  steps: { step: string; data: Record<string, unknown> }[];
  result?: RunResult;
  summary: string;
  outputs: Record<string, string>;
  cache: CacheStepLog;
  env: NodeJS.ProcessEnv;
  lane?: string;
  /** Files the run left in its artifact folder (out/), relative to it. */
  artifacts: string[];
};

export type RowRun = {
  ctx: RowContext;
  spec: RowSpec;
  ledger: LedgerEntry[];
  requests: RequestLogEntry[];
  releaseServerMs: number;
  runners: RunnerRun[];
  discord: ReceivedMessage[];
  /** origin's bookings/status.json after the runs (parsed), and the bot's commits on it, newest first. */
  originStatus?: StatusFile;
  commits: { sha: string; author: string; message: string; files: string[] }[];
  /** The first workspace's bookings/status.json after the runs (parsed), when readable. */
  localStatus?: StatusFile;
  prepare: PrepareContext;
};

export type FaultResult = {
  row: FaultRow;
  skin: Skin;
  spec: RowSpec;
  outcomes: (RunOutcome | 'crashed')[];
  exitCodes: (number | null)[];
  bookedTime?: string;
  /** What the member was told (the first run's message as Discord and the summary show it). */
  told: string;
  stateNote: string;
  discordTitles: string[];
  doubleBookings: number;
  failures: string[];
  pass: boolean;
  seconds: number;
};

// ---------------------------------------------------------------------------------------------------
// The venue's request log, skin-neutral.

/** Logins that succeeded (the POST comes before the session, so its client is anonymous). */
export const logins = (requests: RequestLogEntry[]) =>
  requests.filter((r) => r.method === 'POST' && r.outcome === 'logged-in');
export const loginAttempts = (requests: RequestLogEntry[]) =>
  requests.filter((r) => r.method === 'POST' && ['logged-in', 'login-failed', 'locked'].includes(r.outcome));
export const bookingsSent = (requests: RequestLogEntry[]) =>
  requests.filter((r) => isBooking(r.path, r.method));
export const availabilityLooks = (requests: RequestLogEntry[]) =>
  requests.filter(
    (r) =>
      r.method === 'GET' && (r.path.includes('/slots') || r.path.startsWith('/members/book/padel/sessions')),
  );
export const myBookingsLooks = (requests: RequestLogEntry[]) =>
  requests.filter((r) => r.path === '/page/my-bookings' || r.path === '/members/reservations');
/** The requests the fire sends after the release: availability and booking. */
export const fireRequests = (requests: RequestLogEntry[]) =>
  requests.filter(
    (r) =>
      isBooking(r.path, r.method) ||
      (r.method === 'GET' &&
        (r.path.includes('/slots') || r.path.startsWith('/members/book/padel/sessions'))),
  );

// ---------------------------------------------------------------------------------------------------

const TITLE_OF: Record<RunOutcome, string> = {
  booked: '✅ Court booked',
  'booked-fallback': '✅ Court booked on the fallback time',
  'already-booked': 'ℹ️ Already booked',
  'dry-run': '🧪 Dry run: nothing was booked',
  'nothing-due': 'Nothing due tonight',
  unavailable: '⚠️ No court available',
  unverified: '❓ Booking not confirmed',
  failed: '❌ Booking failed',
};
const ICON_OF: Record<RunOutcome, string> = {
  booked: '✅',
  'booked-fallback': '✅',
  'already-booked': 'ℹ️',
  'dry-run': '🧪',
  'nothing-due': '💤',
  unavailable: '⚠️',
  unverified: '❓',
  failed: '❌',
};

const GITIGNORE = resolve(import.meta.dirname, '..', '..', '.gitignore');
const EMPTY_STATUS = `${JSON.stringify({ version: 1, bookings: {} }, null, 2)}\n`;
const GITHUB_TOKEN = 'ghs_faultMatrixStandInToken0000000000';

/** config.yml as the matrix writes it: the relay off (no relay inputs), a 20 s retry window, the skin's profile. */
export function matrixConfig(skin: Skin, extra: Record<string, unknown> = {}): string {
  return stringify({
    relay: false,
    retry: { windowSeconds: 20, maxPerSecond: 4 },
    venue: { profile: SKIN_PROFILES[skin].profile },
    ...extra,
  });
}

let runCounter = 0;

/** Runs one row on one skin end to end and checks it. */
export async function runFaultRow(
  row: FaultRow,
  skin: Skin,
  options: { keep?: boolean } = {},
): Promise<FaultResult> {
  const started = Date.now();
  const date = courtDateForTests();
  const courts = SKIN_PROFILES[skin].courts;
  // The venue's member; the sandbox's demo members are the same on every skin.
  const probeCtx: RowContext = {
    skin,
    date,
    member: { email: 'member@example.com', password: 'correct-horse-battery' },
    courts,
  };
  const spec = row.spec(probeCtx);
  // Every run starts `leadMs` before the venue's midnight, on both clocks. The venue's clock is placed
  // for that once every run's process has loaded (see placeClocks); until then it reads a little earlier.
  // 18 s: under CI's load logging in and arming were seen to take 10.6 s, and a run armed after its
  // clock sync's start (6 s ahead) measures less and fires later than the row means to show.
  const leadMs = spec.leadMs ?? 18_000;
  const releaseMs = releaseInstantMs(date);
  const shiftFor = (startAtMs: number) => releaseMs - leadMs - startAtMs;
  const shiftMs = shiftFor(Date.now() + 10_000);
  const root = await mkdtemp(join(tmpdir(), `fault-${row.id}-${skin}-`));
  const venue = await startSandbox({
    skin,
    clockOffsetMs: shiftMs,
    latency: spec.latency ?? { oneWayMs: 20, jitterMs: 20 },
    ...spec.venue,
  });
  const discord = await startDiscordStandIn();
  const member = venue.members[0]!;
  const ctx: RowContext = { ...probeCtx, member: { email: member.email, password: member.password } };
  const runnerSpecs: Required<RunnerSpec>[] = (spec.runners ?? [{ name: 'run' }]).map((r) => ({
    mode: 'actions',
    workspace: r.name,
    startDelayMs: 0,
    ...r,
  }));
  let prepare: PrepareContext | undefined;
  try {
    const secrets: Secrets = {
      ESTELLE_USERNAME: member.email,
      ESTELLE_PASSWORD: spec.password ?? member.password,
      DISCORD_WEBHOOK_URL: discord.url,
      SESSION_CACHE_KEY: 'fault matrix session cache key',
    };
    const csv = (spec.csv ?? ['{date},19:00,20:00,Book,,']).map((l) => l.replaceAll('{date}', date));
    const origin = await createOrigin(root, {
      '.gitignore': await readFile(GITIGNORE, 'utf8'),
      'bookings/bookings.csv': ['Date,Time1,Time2,Status,Court,Note', ...csv].join('\n') + '\n',
      'bookings/config.yml': spec.configText ?? matrixConfig(skin, spec.config),
      ...(spec.recurring
        ? {
            'bookings/recurring.csv':
              [
                'Day,Time1,Time2,Status,Court,From,Until,Note',
                ...spec.recurring.map((l) =>
                  l.replaceAll('{weekday}', DateTime.fromISO(date).toFormat('cccc')),
                ),
              ].join('\n') + '\n',
          }
        : {}),
      'bookings/status.json': EMPTY_STATUS,
    });
    const cacheDir = join(root, 'actions-cache');
    const workspaces: Record<string, string> = {};
    for (const r of runnerSpecs) {
      if (workspaces[r.workspace]) continue;
      workspaces[r.workspace] = join(root, 'work', r.workspace);
      await mkdir(join(root, 'work'), { recursive: true });
      await checkout(origin, workspaces[r.workspace]!);
    }
    const runIds = Object.fromEntries(
      runnerSpecs.map((r) => [r.name, String(9_000_000_000 + process.pid * 1000 + ++runCounter)]),
    );
    prepare = { ...ctx, venue, root, origin, cacheDir, workspaces, secrets, runIds };
    await spec.prepare?.(prepare);

    const pending = await Promise.all(
      runnerSpecs.map((r, index) =>
        startRunner({
          runner: r,
          workspace: workspaces[r.workspace]!,
          runId: runIds[r.name]!,
          secrets,
          cacheDir,
          venueUrl: venue.url,
          dispatchedAt: Date.now() + shiftMs - 5_000,
          root,
          ...(spec.vars ? { vars: spec.vars } : {}),
          ...(spec.engine ? { engine: spec.engine } : {}),
          ...(index === 0 && spec.onStep ? { onStep: (step: string) => spec.onStep!(step, prepare!) } : {}),
        }),
      ),
    );
    // Every process has loaded: the runs start together, `leadMs` before the venue's midnight.
    await Promise.all(pending.map((p) => p.ready)).catch((error: unknown) => {
      for (const p of pending) p.kill();
      throw error;
    });
    const startAt = Date.now() + 200;
    venue.setScenario({ clockOffsetMs: shiftFor(startAt) });
    pending.forEach((p, i) => p.start(shiftFor(startAt), startAt + runnerSpecs[i]!.startDelayMs));
    const runners = await Promise.all(pending.map((p) => p.finish()));
    const originText = await originFile(origin, 'bookings/status.json');
    const localText = await readFile(
      join(workspaces[runnerSpecs[0]!.workspace]!, 'bookings', 'status.json'),
      'utf8',
    ).catch(() => undefined);
    const run: RowRun = {
      ctx,
      spec,
      ledger: venue.ledger(),
      requests: venue.requests(),
      releaseServerMs: venue.releaseInstant(date),
      runners,
      discord: discord.messages(),
      ...(originText ? { originStatus: parseJson(originText) } : {}),
      commits: await botCommits(origin),
      ...(localText ? { localStatus: parseJson(localText) } : {}),
      prepare,
    };
    const failures = [...(await genericChecks(run)), ...((await spec.checks?.(run)) ?? [])];
    const first = runners[0]!;
    const told = runners
      .map((r) => {
        if (!r.result) return `no result (exit ${r.exitCode}): ${lastLines(r.stderr || r.stdout)}`;
        const artifact = `booking-${r.result.row?.date ?? 'none'}-${r.env.GITHUB_RUN_ID ?? r.spec.name}-1`;
        const text = forMembers(r.result.message, r.outDir, artifact).replaceAll(root, '<runner>');
        return runners.length > 1 ? `${r.spec.name}: ${text}` : text;
      })
      .join(' — ');
    const entry = finalStatus(run)?.bookings[`${date} 19:00`];
    return {
      row,
      skin,
      spec,
      outcomes: runners.map((r) => r.result?.outcome ?? 'crashed'),
      exitCodes: runners.map((r) => r.exitCode),
      ...(first.result?.bookedTime ? { bookedTime: first.result.bookedTime } : {}),
      told,
      stateNote: entry ? `${entry.state}, ${entry.attempts.length} attempt(s)` : 'no entry',
      discordTitles: run.discord.map((m) => m.payload.embeds?.[0]?.title ?? '(no embed)'),
      doubleBookings: doubleBookings(run),
      failures,
      pass: failures.length === 0,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await spec.cleanup?.().catch(() => undefined);
    await venue.stop();
    await discord.stop();
    if (!options.keep) await rm(root, { recursive: true, force: true });
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as T;
  } catch {
    return undefined;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' / ');
}

/** One run of book.yml: its environment, the cache restore step, the Book step started (waiting to begin). */
async function startRunner(o: {
  runner: Required<RunnerSpec>;
  workspace: string;
  runId: string;
  secrets: Secrets;
  cacheDir: string;
  venueUrl: string;
  /** When the outside scheduler dispatched the run (on the venue's clock, roughly). */
  dispatchedAt: number;
  root: string;
  vars?: Record<string, string>;
  engine?: Partial<typeof FAST_LEADS>;
  onStep?: (step: string) => Promise<void>;
}): Promise<{
  ready: Promise<void>;
  start: (shiftMs: number, atMs: number) => void;
  kill: () => void;
  finish: () => Promise<RunnerRun>;
}> {
  const { runner, workspace } = o;
  const files = join(o.root, `runner-${runner.name}`);
  await mkdir(files, { recursive: true });
  const summaryFile = join(files, 'step-summary.md');
  const outputFile = join(files, 'output.txt');
  const resultFile = join(files, 'result.json');
  await writeFile(summaryFile, '');
  await writeFile(outputFile, '');
  const harness = {
    ESTELLE_BASE_URL: o.venueUrl,
    FAULT_RESULT_FILE: resultFile,
    ...(o.engine ? { FAULT_ENGINE_LEADS: JSON.stringify(o.engine) } : {}),
  };
  let env: NodeJS.ProcessEnv;
  let lane: string | undefined;
  let cache: Awaited<ReturnType<typeof cacheSteps>> | undefined;
  let matchedKey: string | undefined;
  if (runner.mode === 'actions') {
    const event: RunnerEvent = {
      // An outside scheduler's dispatch (README: "A start to the minute"), a few seconds before.
      name: 'repository_dispatch',
      clientPayload: { dispatched_at: new Date(o.dispatchedAt).toISOString() },
    };
    const stepEnv = (matched?: string) =>
      bookStepEnv({
        workspace,
        runId: o.runId,
        secrets: o.secrets,
        event,
        ...(o.vars ? { vars: o.vars } : {}),
        ...(matched ? { matchedKey: matched } : {}),
        summaryFile,
        outputFile,
        githubToken: GITHUB_TOKEN,
      });
    cache = await cacheSteps(o.cacheDir, workspace, (await stepEnv()).env);
    matchedKey = await cache.restore();
    const book = await stepEnv(matchedKey);
    env = { ...book.env, ...harness };
    lane = book.lane;
  } else {
    env = { ...localEnv(o.secrets), ...harness };
  }
  const step = startBookStep({ workspace, env, ...(o.onStep ? { onStep: o.onStep } : {}) });
  const finish = async (): Promise<RunnerRun> => {
    const done = await step.done;
    await cache?.save(matchedKey);
    // The step's log as the runner would show it (kept with the row's folder by --keep).
    await writeFile(join(files, 'step-log.txt'), `${done.stdout}\n--- stderr ---\n${done.stderr}`);
    const outDir = join(workspace, 'out', 'booking');
    const stepsText = await readFile(join(outDir, 'steps.jsonl'), 'utf8').catch(() => '');
    const written = parseJson<{ exitCode: number; result: RunResult | null }>(
      await readFile(resultFile, 'utf8').catch(() => ''),
    );
    return {
      spec: runner,
      workspace,
      outDir,
      exitCode: done.exitCode,
      stdout: done.stdout,
      stderr: done.stderr,
      steps: stepsText
        .split('\n')
        .filter(Boolean)
        .flatMap((l) => {
          const parsed = parseJson<{ step: string; data?: Record<string, unknown> }>(l);
          return parsed ? [{ step: parsed.step, data: parsed.data ?? {} }] : [];
        }),
      ...(written?.result ? { result: written.result } : {}),
      summary: await readFile(summaryFile, 'utf8'),
      outputs: parseOutputs(await readFile(outputFile, 'utf8')),
      cache: cache?.log ?? { restore: 'not on Actions' },
      env,
      ...(lane ? { lane } : {}),
      artifacts: existsSync(join(workspace, 'out')) ? await listFiles(join(workspace, 'out')) : [],
    };
  };
  return { ready: step.ready, start: step.start, kill: step.kill, finish };
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(join(dir, entry.name), rel)));
    else out.push(rel);
  }
  return out;
}

/** The status the row ends with: origin's when the runs are on Actions, else the checkout's. */
export function finalStatus(run: RowRun): StatusFile | undefined {
  return run.runners.some((r) => r.spec.mode === 'actions') ? run.originStatus : run.localStatus;
}

/** Courts of the member's that day beyond what the rows asked for (one, or each row's), plus any made beyond the expected. */
function doubleBookings(run: RowRun): number {
  const held = run.ledger.filter(
    (e) => e.member === run.ctx.member.email && !e.cancelled && e.date === run.ctx.date,
  ).length;
  const made = run.ledger.filter(
    (e) => e.member === run.ctx.member.email && e.client === 'member' && e.date === run.ctx.date,
  ).length;
  return (
    Math.max(0, held - Math.max(1, run.spec.expected.bookings)) +
    Math.max(0, made - run.spec.expected.bookings)
  );
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** What every row checks, whatever its fault: what the member sees, what the runner keeps, the venue. */
async function genericChecks(run: RowRun): Promise<string[]> {
  const { ctx, spec, runners } = run;
  const failures: string[] = [];
  const fail = (text: string) => failures.push(text);
  const expected = spec.expected;
  const wantOutcomes = list(expected.outcome);
  const actual = runners.map((r) => r.result?.outcome ?? 'crashed');

  // The outcome (several runs: the same outcomes, in any order), the exit code of each.
  const same = (want: RunOutcome[]) => [...actual].sort().join() === [...want].sort().join();
  const racing = expected.outcomeWhenRacing;
  if (!same(wantOutcomes) && !(racing && same(racing)))
    fail(
      `outcome ${actual.join(', ')}, expected ${wantOutcomes.join(', ')}${racing ? ` (or, racing, ${racing.join(', ')})` : ''}`,
    );
  const wantCodes = expected.exitCode !== undefined ? list(expected.exitCode) : undefined;
  runners.forEach((r) => {
    const o = r.result?.outcome;
    const want =
      wantCodes && wantOutcomes.length === 1
        ? wantCodes[0]
        : wantCodes
          ? wantCodes[wantOutcomes.indexOf(o as RunOutcome)]
          : o
            ? EXIT_CODE[o]
            : undefined;
    if (r.exitCode !== want)
      fail(`${r.spec.name}: exit code ${r.exitCode}, expected ${want ?? '?'} (${lastLines(r.stderr)})`);
    if (r.exitCode === null) fail(`${r.spec.name} was killed (${lastLines(r.stdout)})`);
  });
  const first = runners[0]?.result;
  if (expected.message && !expected.message.test(first?.message ?? ''))
    fail(`message ${JSON.stringify(first?.message ?? '')} does not match ${expected.message}`);
  if (expected.bookedTime && first?.bookedTime !== expected.bookedTime)
    fail(`booked ${first?.bookedTime ?? 'nothing'}, expected ${expected.bookedTime}`);

  // The venue: courts booked by the runs, never two on one day.
  const made = run.ledger.filter((e) => e.member === ctx.member.email && e.client === 'member');
  if (made.length !== expected.bookings)
    fail(`the runs booked ${made.length} court(s), expected ${expected.bookings}`);
  const dbl = doubleBookings(run);
  if (dbl > 0) fail(`${dbl} double booking(s)`);

  // The status the row ends with (origin's, after the push).
  const status = finalStatus(run);
  const entry = status?.bookings[`${ctx.date} 19:00`];
  if (!status) fail('no readable status file at the end');
  if (expected.state === undefined) {
    if (entry) fail(`status has an entry (${entry.state}) where none was expected`);
  } else if (!entry) fail(`no status entry for ${ctx.date} 19:00`);
  else {
    if (entry.state !== expected.state) fail(`status ${entry.state}, expected ${expected.state}`);
    const attempts = expected.attempts ?? 1;
    if (entry.attempts.length !== attempts)
      fail(`${entry.attempts.length} attempt line(s), expected ${attempts}`);
    if (expected.bookedTime && entry.bookedTime !== expected.bookedTime)
      fail(`status bookedTime ${entry.bookedTime ?? 'none'}`);
    if (entry.state === 'failed' && !entry.attempts.at(-1)?.error) fail('failed without an error text');
    const refs = runners.flatMap((r) => r.result?.reference ?? []);
    if (entry.reference && !refs.includes(entry.reference) && expected.bookings > 0)
      fail(`status reference ${entry.reference} is none of the runs' (${refs.join(', ')})`);
  }

  // Discord: one message per run that has news, with the outcome's title, as Discord accepts it.
  const notifying = runners.filter((r) => r.result && r.result.outcome !== 'nothing-due');
  const titles = run.discord
    .filter((m) => m.status >= 200 && m.status < 300)
    .map((m) => m.payload.embeds?.[0]?.title);
  const wantTitles = notifying.map((r) => {
    // A night of several rows, some booked and some not, is titled by the count, not the outcome.
    const rows = r.result!.rows ?? [];
    const booked = rows.filter((x) => x.outcome === 'booked' || x.outcome === 'booked-fallback').length;
    return rows.length > 1 && booked > 0 && booked < rows.length
      ? `⚠️ ${booked} of ${rows.length} courts booked`
      : TITLE_OF[r.result!.outcome];
  });
  if ([...titles].sort().join() !== [...wantTitles].sort().join())
    fail(`Discord got ${JSON.stringify(titles)}, expected ${JSON.stringify(wantTitles)}`);
  for (const m of run.discord) for (const v of m.violations) fail(`Discord payload: ${v}`);

  // What a failure leaves: a screenshot in the artifact.
  for (const r of runners) {
    if (r.result?.outcome !== 'failed' || !r.result.row) continue;
    const shots = r.result.screenshots.filter((s) => existsSync(s));
    if (shots.length === 0) fail(`${r.spec.name}: failed without a screenshot`);
  }

  // On Actions: the step outputs, the job summary, the status commit, the session cache.
  const actionsRuns = runners.filter((r) => r.spec.mode === 'actions');
  for (const r of actionsRuns) {
    const res = r.result;
    if (!res) continue;
    if (r.lane !== 'booking') fail(`${r.spec.name}: lane ${r.lane ?? 'none'}, expected booking`);
    const want = {
      outcome: res.outcome,
      court_date: res.row?.date ?? '',
      booked_time: res.bookedTime ?? '',
      court: res.court ?? '',
      reference: res.reference ?? '',
    };
    for (const [name, value] of Object.entries(want))
      if (r.outputs[name] !== value)
        fail(
          `${r.spec.name}: output ${name}=${JSON.stringify(r.outputs[name])}, expected ${JSON.stringify(value)}`,
        );
    const mine = made.find((e) => e.reference === res.reference);
    if ((res.outcome === 'booked' || res.outcome === 'booked-fallback') && !mine)
      fail(`${r.spec.name}: reference ${res.reference ?? 'none'} is not in the venue's ledger`);
    const heading = `## ${ICON_OF[res.outcome]} Court booking: ${res.outcome}`;
    if (!r.summary.startsWith(heading)) fail(`${r.spec.name}: summary does not open with "${heading}"`);
    if (res.reference && !r.summary.includes(res.reference))
      fail(`${r.spec.name}: summary does not show the reference`);
    if (!r.summary.includes(markdownText(describeOutcome(res))))
      fail(`${r.spec.name}: summary does not say "${describeOutcome(res)}"`);
    // The session for tomorrow: saved whenever the run ended with one, and it decrypts to a session.
    const hasSession = existsSync(join(r.workspace, '.auth', 'estelle.json'));
    if (hasSession && !r.cache.savedKey)
      fail(`${r.spec.name}: the session was not saved to the cache (${r.cache.save ?? 'no save step'})`);
    if (r.cache.savedKey) {
      const saved = await readCachedSession(run.prepare.cacheDir, r.cache.savedKey, run.prepare.secrets);
      if (!saved.ok) fail(`${r.spec.name}: the cached session is not a session: ${saved.reason}`);
    }
    // No secret in what the run leaves: summary, outputs, artifacts, and the log but its ::add-mask:: lines.
    const secrets = [
      run.prepare.secrets.ESTELLE_PASSWORD,
      run.prepare.secrets.DISCORD_WEBHOOK_URL,
      GITHUB_TOKEN,
    ];
    const artifactsText = (
      await Promise.all(
        r.artifacts
          .filter((f) => /\.(log|jsonl|json|txt|md|html)$/.test(f))
          .map((f) => readFile(join(r.workspace, 'out', f), 'utf8').catch(() => '')),
      )
    ).join('\n');
    const log = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    for (const secret of secrets) {
      for (const [where, text] of [
        ['summary', r.summary],
        ['outputs', JSON.stringify(r.outputs)],
        ['artifacts', artifactsText],
        ['log', log + r.stderr],
      ] as const) {
        if (text.includes(secret)) fail(`${r.spec.name}: a secret is in the ${where}`);
      }
    }
  }
  if (actionsRuns.length > 0) {
    // The runs that recorded an attempt: a row picked, an outcome with a state, and the file writable.
    const changes = actionsRuns.filter(
      (r) => r.result?.row && r.result.outcome !== 'nothing-due' && !r.result.unrecorded,
    );
    const wantCommits = expected.commits ?? (expected.state ? changes.length : 0);
    if (run.commits.length !== wantCommits)
      fail(`${run.commits.length} status commit(s) on origin, expected ${wantCommits}`);
    for (const c of run.commits) {
      if (c.files.join() !== 'bookings/status.json')
        fail(`status commit ${c.sha.slice(0, 7)} touches ${c.files.join(', ')}`);
      if (!c.author.includes(BOT_IDENTITY.email)) fail(`status commit by ${c.author}`);
    }
    const messages = changes
      .map((r) =>
        statusCommitMessage({
          state: r.result!.outcome,
          ...(r.result!.row
            ? { date: r.result!.row.date, time: r.result!.bookedTime ?? r.result!.row.time1 }
            : {}),
          ...(r.result!.court ? { court: r.result!.court } : {}),
          ...(r.result!.rows.length > 1
            ? {
                rows: r.result!.rows.map((x) => ({
                  state: x.outcome,
                  time: x.bookedTime ?? x.row.time1,
                  ...(x.court ? { court: x.court } : {}),
                })),
              }
            : {}),
        }),
      )
      .sort();
    if (
      expected.commits === undefined &&
      run.commits
        .map((c) => c.message)
        .sort()
        .join('\n') !== messages.join('\n')
    )
      fail(
        `status commits ${JSON.stringify(run.commits.map((c) => c.message))}, expected ${JSON.stringify(messages)}`,
      );
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------------

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function renderFaultTable(results: FaultResult[]): string {
  const lines = [
    '| Skin | Scenario | Expected | Actual | Exit | Status on origin | Discord | Double bookings | Also asserted | Result |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const e = r.spec.expected;
    const expected = `${list(e.outcome).join(' + ')}${e.bookedTime ? ` ${e.bookedTime}` : ''}`;
    const actual = `${r.outcomes.join(' + ')}${r.bookedTime ? ` ${r.bookedTime}` : ''}`;
    lines.push(
      `| ${r.skin} | ${cell(r.row.scenario)} | ${cell(expected)} | ${cell(actual)} | ${r.exitCodes.join(', ')} | ${cell(r.stateNote)} | ${r.discordTitles.length ? cell(r.discordTitles.map((t) => `"${t}"`).join(', ')) : 'none'} | ${r.doubleBookings === 0 ? 'none' : `**${r.doubleBookings}**`} | ${cell(r.spec.asserts)} | ${r.pass ? 'holds' : '**FAILS**'} |`,
    );
  }
  return lines.join('\n');
}

export { UNRECORDED_EXIT_CODE };
