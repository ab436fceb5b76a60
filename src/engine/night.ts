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
import type { Lock } from '../venue/lock.ts';
import type { VenueContext } from '../venue/page-tools.ts';
import type { VenueProfile } from '../venue/profile.ts';
import type { Screenshots } from '../venue/screenshots.ts';
import type { Session, Tracer } from '../venue/session.ts';
import type { StepLog } from '../venue/step-log.ts';
import type { RunOptions, RunPaths, RunResult } from './types.ts';

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
  row: BookingRow;
  /** The status file as this run read it at the start. */
  statusAtStart: StatusFile;
  /** The rows this run books (the picked one first). */
  targets: Target[];
  /** The release on the venue's clock (ms). */
  releaseMs: number;
  /** The same instant on the run's clock, once the venue's clock has been looked at. */
  releaseLocal: number;
  releaseAt?: string;
  retryWindowMs: number;
  minGapMs: number;
  browser?: Browser;
  session?: Session;
  tracer?: Tracer;
  estimate?: ClockEstimate;
  lock?: Lock;
};

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
  partial: Omit<RunResult, 'exitCode' | 'outDir' | 'stepLog' | 'screenshots' | 'attempts'> & {
    attempts?: number;
    screenshots?: string[];
  },
): Promise<RunResult> {
  const result: RunResult = {
    attempts: 0,
    screenshots: [...(night.shots?.files ?? [])],
    ...(night.releaseAt ? { releaseAt: night.releaseAt } : {}),
    ...partial,
    stepLog: night.steps.textPath,
    outDir: night.outDir,
    exitCode:
      partial.unrecorded && isBooked(partial.outcome) ? UNRECORDED_EXIT_CODE : EXIT_CODE[partial.outcome],
  };
  night.steps.step('result', { outcome: result.outcome, exitCode: result.exitCode, message: result.message });
  await night.options.onStep?.('result', { outcome: result.outcome, exitCode: result.exitCode });
  await night.options.onResult?.(result);
  return result;
}

function isBooked(outcome: RunOutcome): boolean {
  return outcome === 'booked' || outcome === 'booked-fallback' || outcome === 'already-booked';
}

/**
 * Re-reads the status file, records the attempt, writes it (atomically), and finishes. A court the
 * member now holds is never lost to a failure to write it down: the result still says booked, with a
 * loud warning, the status file's intended text (kept beside the artifacts when the disk allows), and
 * an exit code of its own.
 */
export async function record(night: Night, row: BookingRow, details: Recorded): Promise<RunResult> {
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
    let statusText: string | undefined;
    try {
      // The latest file (another run may have written it meanwhile); when it cannot even be read, the one
      // read at the start, so that what the member is told to commit is complete.
      const latest = await readStatus(night.paths.status).catch((error: unknown) => {
        statusText = formatStatus(recordAttempt(night.statusAtStart, row, attempt));
        throw error;
      });
      const next = recordAttempt(latest, row, attempt);
      statusText = formatStatus(next);
      await writeStatus(night.paths.status, next);
      await step(night, 'recorded', { state, file: night.paths.status });
    } catch (error) {
      const why = describeError(error).split('\n')[0]!;
      const keptAt = statusText ? await keep(night.outDir, statusText) : undefined;
      unrecorded = {
        error: why,
        statusFile: night.paths.status,
        ...(statusText ? { statusText } : {}),
        ...(keptAt ? { keptAt } : {}),
      };
      await step(night, 'record-failed', { error: why, ...(keptAt ? { keptAt } : {}) });
      message =
        `${message}\n  ⚠ The status file ${night.paths.status} could NOT be written (${why}), so the next run does not know this.` +
        ` Commit ${keptAt ? `${keptAt} (kept with the run's artifacts)` : 'the status shown in the job summary'} as ${night.paths.status}.`;
    }
  }
  return finish(night, {
    outcome: details.outcome,
    row,
    ...(details.bookedTime ? { bookedTime: details.bookedTime } : {}),
    ...(details.court ? { court: details.court } : {}),
    ...(details.reference ? { reference: details.reference } : {}),
    ...(details.firedAt ? { firedAt: details.firedAt } : {}),
    ...(details.latencyMs !== undefined ? { latencyMs: details.latencyMs } : {}),
    ...(details.serverClockOffsetMs !== undefined
      ? { serverClockOffsetMs: details.serverClockOffsetMs }
      : {}),
    attempts: details.attempts ?? 0,
    message,
    ...(unrecorded ? { unrecorded } : {}),
  });
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
