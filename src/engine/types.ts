import type { Browser } from 'playwright';
import type { BookingRow } from '../bookings/csv.ts';
import type { Attempt } from '../bookings/status.ts';
import type { Config } from '../bookings/config.ts';
import type { Clock } from '../calendar/clock.ts';
import type { Environment } from '../env.ts';
import type { RunOutcome } from '../outcome.ts';
import type { ClockSyncOptions } from '../venue/clock-sync.ts';

export type { RunOutcome };

/** What became of one row of the bookings file in this run. */
export type RowResult = {
  row: BookingRow;
  outcome: RunOutcome;
  bookedTime?: string;
  court?: string;
  reference?: string;
  firedAt?: string;
  /** When this row's booking request reached the venue (estimated), minus its midnight (ms). */
  latencyMs?: number;
  attempts: number;
  message: string;
  exitCode: number;
  unrecorded?: RunResult['unrecorded'];
};

/** What one run did, for the member (Discord, summary, exit code) and for the Actions layer. */
export type RunResult = {
  outcome: RunOutcome;
  row?: BookingRow;
  bookedTime?: string;
  court?: string;
  reference?: string;
  /** ISO instant of the first request of the fire, on the venue's clock once measured. */
  firedAt?: string;
  /** ISO instant of the release (venue time zone). */
  releaseAt?: string;
  /** When the booking request reached the venue (estimated: sent on the venue's clock plus one way), minus its midnight (ms). */
  latencyMs?: number;
  serverClockOffsetMs?: number;
  /** Booking (confirm) requests sent. */
  attempts: number;
  /** For the member: what happened and what to do next. */
  message: string;
  screenshots: string[];
  /** Path of the readable step log (steps.log; steps.jsonl beside it). */
  stepLog: string;
  outDir: string;
  exitCode: number;
  /** Each row this run booked (or tried), in the file's order; the fields above are the first row's. */
  rows: RowResult[];
  /**
   * Set when the outcome could not be written to the status file (read-only folder, disk full): the
   * error, and the status file's text as it should now be (also kept in the artifacts when possible).
   */
  unrecorded?: { error: string; statusFile: string; statusText?: string; keptAt?: string };
};

export type RunPaths = {
  bookings: string;
  config: string;
  status: string;
  /** Playwright storageState (the saved session). Git-ignored; cached encrypted by the Actions layer. */
  storageState: string;
};

export const DEFAULT_PATHS: RunPaths = {
  bookings: 'bookings/bookings.csv',
  config: 'bookings/config.yml',
  status: 'bookings/status.json',
  storageState: '.auth/estelle.json',
};

export type RunOptions = {
  clock?: Clock;
  /** Secrets and flags; default readEnvironment(process.env). */
  env?: Environment;
  paths?: Partial<RunPaths>;
  /** Artifacts (screenshots, step log, trace); default out/run-<timestamp>. */
  outDir?: string;
  /** A configuration object instead of reading paths.config. */
  config?: Config;
  /** Only the row for this date (--date). */
  date?: string;
  /** Everything but the final confirm (--dry-run); default env.dryRun. */
  dryRun?: boolean;
  /** Do not wait for the release: act now (--no-wait). */
  noWait?: boolean;
  /** Record a Playwright trace (started after login, paused around any later login). */
  trace?: boolean;
  /** Overrides config.loginLeadMinutes (tests: seconds before a release). */
  loginLeadMs?: number;
  /** When to re-check the session before the release (default 60 s). */
  sessionCheckLeadMs?: number;
  /** When to start measuring the venue's clock before the release (default 20 s). */
  clockSyncLeadMs?: number;
  clockSync?: ClockSyncOptions;
  /** Longest wait for one page or response (default 30 s: pages at midnight can take 10-20 s). */
  stepTimeoutMs?: number;
  /** What this run is, for the status file's attempt line. */
  attempt?: Pick<Attempt, 'runId' | 'runUrl' | 'trigger' | 'scheduledFor'>;
  /** Log lines (the step log is echoed here); default console.log. */
  log?: (line: string) => void;
  /** Starts the browser; default launchBrowser(). */
  browserFactory?: () => Promise<Browser>;
  /** Called with each step as it is logged (tests and the Actions layer hook in here). */
  onStep?: (step: string, data?: Record<string, unknown>) => void | Promise<void>;
  /** Called with the result before runBooking returns (notify, summary). */
  onResult?: (result: RunResult) => void | Promise<void>;
  signal?: AbortSignal;
};
