import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright';
import type { BookingRow } from '../bookings/csv.ts';
import type { Config } from '../bookings/config.ts';
import {
  formatStatus,
  readStatus,
  recordAttempt,
  writeStatus,
  type Attempt,
  type StatusFile,
} from '../bookings/status.ts';
import type { Clock } from '../calendar/clock.ts';
import type { RunDecision } from '../calendar/release.ts';
import type { Environment } from '../env.ts';
import { describeError } from '../errors.ts';
import { EXIT_CODE, STATE_AFTER, UNRECORDED_EXIT_CODE, type RunOutcome } from '../outcome.ts';
import type { ClockEstimate } from '../venue/clock-sync.ts';
import type { Target } from '../venue/fire/plan.ts';
import type { Volley } from '../venue/fire/volley.ts';
import type { Lock } from '../venue/lock.ts';
import type { VenueContext } from '../venue/page-tools.ts';
import type { VenueProfile } from '../venue/profile.ts';
import type { Screenshots } from '../venue/screenshots.ts';
import type { Session, Tracer } from '../venue/session.ts';
import type { StepLog } from '../venue/step-log.ts';
import type { RowResult, RunOptions, RunPaths, RunResult } from './types.ts';

/** What the phases of one night share: the run's settings, its artifacts, and what it has learnt so far. */
export type Night = {
  options: RunOptions;
  clock: Clock;
  log: (line: string) => void;
  paths: RunPaths;
  outDir: string;
  startedAt: string;
  steps: StepLog;
  shots: Screenshots;
  ctx: VenueContext;
  env: Environment;
  config: Config;
  profile: VenueProfile;
  dryRun: boolean;
  pick: RunDecision<BookingRow>;
  /** The first row this run books. */
  row: BookingRow;
  /** Every row this run books tonight (released at the same instant), in the file's order. */
  rows: BookingRow[];
  /** The status file as this run means to leave it (read at the start, then each row recorded). */
  intendedStatus: StatusFile;
  /** What the fire books: one target per row of `rows` not already settled. */
  targets: Target[];
  /** The rows recorded so far, each with its result. */
  settled: RowResult[];
  /** The release on the venue's clock (ms). */
  releaseMs: number;
  /** The same instant on the run's clock, once the venue's clock has been looked at. */
  releaseLocal: number;
  /** How far off releaseLocal may be (± ms): the first, coarse look's, then the precise measurement's. */
  releaseUncertaintyMs?: number;
  releaseAt?: string;
  retryWindowMs: number;
  minGapMs: number;
  browser?: Browser;
  session?: Session;
  tracer?: Tracer;
  /** Set once the run has logged in a second time after the venue ended the session before the release. */
  loggedInAgain?: boolean;
  estimate?: ClockEstimate;
  /** The first shot as a volley (syncWithVenue decides; volley.ts). */
  volley?: Volley;
  /** The page's HTTP cache, turned off for the volley until the fire ends. */
  uncached?: { restore: () => Promise<void> };
  lock?: Lock;
};

/**
 * The earliest the release can be on the run's clock, as far as the looks at the venue's clock tell:
 * what every deadline before the release keys on, so that a wide look (a slow first answer) makes the
 * run early, never late.
 */
export function earliestRelease(night: Pick<Night, 'releaseLocal' | 'releaseUncertaintyMs'>): number {
  return night.releaseLocal - (night.releaseUncertaintyMs ?? 0);
}

export async function step(
  night: Night,
  name: string,
  data?: Record<string, unknown>,
  atMs?: number,
): Promise<void> {
  night.steps.step(name, data, atMs);
  await night.options.onStep?.(name, data);
}

/** What a phase reports for the row: the outcome and what goes into its attempt line. */
export type Recorded = Partial<Omit<Attempt, 'outcome'>> & {
  outcome: RunOutcome;
  /** The status entry's state when it is not the outcome's usual one (a court held at another time: held-elsewhere). */
  state?: Attempt['outcome'];
  message: string;
  attempts?: number;
  serverClockOffsetMs?: number;
};

/** The result, with what the step log and the Actions layer need; calls onResult. */
export async function finish(
  night: Pick<Night, 'options' | 'outDir' | 'steps'> & Partial<Pick<Night, 'releaseAt' | 'shots'>>,
  partial: Omit<RunResult, 'exitCode' | 'outDir' | 'stepLog' | 'screenshots' | 'attempts' | 'rows'> & {
    attempts?: number;
    screenshots?: string[];
    rows?: RowResult[];
  },
): Promise<RunResult> {
  const result: RunResult = {
    attempts: 0,
    rows: [],
    screenshots: [...(night.shots?.files ?? [])],
    ...(night.releaseAt ? { releaseAt: night.releaseAt } : {}),
    ...partial,
    stepLog: night.steps.textPath,
    outDir: night.outDir,
    exitCode: exitCodeOf(partial.outcome, Boolean(partial.unrecorded)),
  };
  night.steps.step('result', { outcome: result.outcome, exitCode: result.exitCode, message: result.message });
  await night.options.onStep?.('result', { outcome: result.outcome, exitCode: result.exitCode });
  await night.options.onResult?.(result);
  return result;
}

function exitCodeOf(outcome: RunOutcome, unrecorded: boolean): number {
  return unrecorded && isBooked(outcome) ? UNRECORDED_EXIT_CODE : EXIT_CODE[outcome];
}

function isBooked(outcome: RunOutcome): boolean {
  return outcome === 'booked' || outcome === 'booked-fallback' || outcome === 'already-booked';
}

/** Which outcome a run of several rows reports: the one the member must look at first. */
const OUTCOME_RANK: RunOutcome[] = [
  'failed',
  'unverified',
  'unavailable',
  'booked-fallback',
  'booked',
  'already-booked',
  'dry-run',
  'nothing-due',
];

/** The run's outcome from its rows' (pure): a single row's own, else the one that needs attention first. */
export function overallOutcome(outcomes: readonly RunOutcome[]): RunOutcome {
  return [...outcomes].sort((a, b) => OUTCOME_RANK.indexOf(a) - OUTCOME_RANK.indexOf(b))[0] ?? 'nothing-due';
}

/**
 * Records one row's attempt in the status file (re-read first, written atomically). A court the member
 * now holds is never lost to a failure to write it down: the row still says booked, with a loud warning
 * and the status file's intended text (kept beside the artifacts when the disk allows).
 */
export async function recordRow(night: Night, row: BookingRow, details: Recorded): Promise<RowResult> {
  const state = details.state ?? STATE_AFTER[details.outcome];
  let unrecorded: RunResult['unrecorded'];
  let message = details.message;
  if (state) {
    const attempt: Attempt = {
      ...night.options.attempt,
      startedAt: night.startedAt,
      ...(details.firedAt ? { firedAt: details.firedAt } : {}),
      ...(details.latencyMs !== undefined ? { latencyMs: details.latencyMs } : {}),
      outcome: state,
      ...(details.bookedTime ? { bookedTime: details.bookedTime } : {}),
      ...(details.court ? { court: details.court } : {}),
      ...(details.reference ? { reference: details.reference } : {}),
      ...(details.error ? { error: details.error } : {}),
    };
    try {
      // The latest file (another run may have written it meanwhile); when it cannot even be read, what
      // this run meant to write, so that what the member is told to commit is complete.
      const latest = await readStatus(night.paths.status).catch((error: unknown) => {
        night.intendedStatus = recordAttempt(night.intendedStatus, row, attempt);
        throw error;
      });
      night.intendedStatus = recordAttempt(latest, row, attempt);
      await writeStatus(night.paths.status, night.intendedStatus);
      await step(night, 'recorded', { key: row.key, state, file: night.paths.status });
    } catch (error) {
      const why = describeError(error).split('\n')[0]!;
      const statusText = formatStatus(night.intendedStatus);
      const keptAt = await keep(night.outDir, statusText);
      unrecorded = {
        error: why,
        statusFile: night.paths.status,
        statusText,
        ...(keptAt ? { keptAt } : {}),
      };
      await step(night, 'record-failed', { key: row.key, error: why, ...(keptAt ? { keptAt } : {}) });
      message =
        `${message}\n  ⚠ The status file ${night.paths.status} could NOT be written (${why}), so the next run does not know this.` +
        ` Commit ${keptAt ? `${keptAt} (kept with the run's artifacts)` : 'the status shown in the job summary'} as ${night.paths.status}.`;
    }
  }
  const result: RowResult = {
    row,
    outcome: details.outcome,
    ...(details.bookedTime ? { bookedTime: details.bookedTime } : {}),
    ...(details.court ? { court: details.court } : {}),
    ...(details.reference ? { reference: details.reference } : {}),
    ...(details.firedAt ? { firedAt: details.firedAt } : {}),
    ...(details.latencyMs !== undefined ? { latencyMs: details.latencyMs } : {}),
    attempts: details.attempts ?? 0,
    message,
    exitCode: exitCodeOf(details.outcome, Boolean(unrecorded)),
    ...(unrecorded ? { unrecorded } : {}),
  };
  night.settled.push(result);
  return result;
}

/** Settles a row without writing to the status file (another run already recorded it). */
export function settle(night: Night, row: BookingRow, details: Recorded): void {
  night.settled.push({
    row,
    outcome: details.outcome,
    ...(details.bookedTime ? { bookedTime: details.bookedTime } : {}),
    ...(details.court ? { court: details.court } : {}),
    ...(details.reference ? { reference: details.reference } : {}),
    attempts: 0,
    message: details.message,
    exitCode: exitCodeOf(details.outcome, false),
  });
}

/** The run's result from its rows (in the file's order): the first row's details, the outcome that needs attention first. */
export function finishRows(night: Night, extra: { serverClockOffsetMs?: number } = {}): Promise<RunResult> {
  const rows = night.rows
    .map((row) => night.settled.find((r) => r.row.key === row.key))
    .filter((r): r is RowResult => Boolean(r));
  const first = rows[0]!;
  const outcome = overallOutcome(rows.map((r) => r.outcome));
  const unrecorded = rows
    .map((r) => r.unrecorded)
    .filter(Boolean)
    .at(-1);
  return finish(night, {
    outcome,
    row: first.row,
    ...(first.bookedTime ? { bookedTime: first.bookedTime } : {}),
    ...(first.court ? { court: first.court } : {}),
    ...(first.reference ? { reference: first.reference } : {}),
    ...(first.firedAt ? { firedAt: first.firedAt } : {}),
    ...(first.latencyMs !== undefined ? { latencyMs: first.latencyMs } : {}),
    ...(extra.serverClockOffsetMs !== undefined ? { serverClockOffsetMs: extra.serverClockOffsetMs } : {}),
    attempts: Math.max(...rows.map((r) => r.attempts)),
    message:
      rows.length === 1
        ? first.message
        : rows.map((r) => `${r.row.date} ${r.row.time1}: ${r.message}`).join('\n'),
    rows,
    ...(unrecorded ? { unrecorded } : {}),
  });
}

/** Records the same outcome for every row not settled yet (a failure before or during the fire), and finishes. */
export async function record(night: Night, details: Recorded): Promise<RunResult> {
  for (const row of night.rows) {
    if (!night.settled.some((r) => r.row.key === row.key)) await recordRow(night, row, details);
  }
  return finishRows(
    night,
    details.serverClockOffsetMs !== undefined ? { serverClockOffsetMs: details.serverClockOffsetMs } : {},
  );
}

/** Keeps the status text that could not be written in the artifacts folder; undefined when that fails too. */
async function keep(outDir: string, text: string): Promise<string | undefined> {
  const file = join(outDir, 'status-unrecorded.json');
  try {
    await mkdir(outDir, { recursive: true });
    await writeFile(file, text, 'utf8');
    return file;
  } catch {
    return undefined;
  }
}
