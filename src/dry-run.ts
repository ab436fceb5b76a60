/**
 * Whether a run is a rehearsal (a dry run), decided in ONE place from every source, and which
 * concurrency lane it belongs in. Pure: the workflow passes the raw values and this decides.
 *
 * Sources: the repository variable (or local environment variable) DRY_RUN, the workflow_dispatch
 * input `dry_run`, a repository_dispatch `client_payload.dry_run` (boolean, string or number, as
 * schedulers send it) and `--dry-run`. Any of them saying yes makes a dry run, so DRY_RUN=true on
 * the repository wins over every event. A value that cannot be read is a problem: the caller stops
 * before logging in, and the decision meanwhile says "dry run" (never a real booking by accident).
 */

const YES = ['true', '1', 'yes', 'on'];
const NO = ['false', '0', 'no', 'off'];

export type YesNo = { value?: boolean; problem?: string };

/**
 * Reads one yes/no value: true/1/yes/on or false/0/no/off in any case (spaces around ignored),
 * a JSON boolean, or the numbers 1 and 0. Missing, null or blank means "not given".
 */
export function readYesNo(name: string, raw: unknown): YesNo {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === 'boolean') return { value: raw };
  if (typeof raw === 'number') {
    if (raw === 1) return { value: true };
    if (raw === 0) return { value: false };
  } else if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (word === '') return {};
    if (YES.includes(word)) return { value: true };
    if (NO.includes(word)) return { value: false };
  }
  const shown = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw);
  return {
    problem: `${name} is ${shown}, which is not a yes/no value: use true or false (1/0, yes/no and on/off work too, in any case).`,
  };
}

export interface DryRunSources {
  /** DRY_RUN: the repository variable on GitHub Actions, the environment (or .env) locally. */
  variable?: unknown;
  /** The workflow_dispatch input `dry_run`. */
  input?: unknown;
  /** A repository_dispatch `client_payload.dry_run`, as sent (boolean, string, number…). */
  payload?: unknown;
  /** `npm run book -- --dry-run`. */
  flag?: boolean;
}

export interface DryRunDecision {
  dryRun: boolean;
  /** Which sources asked for the dry run (for the log). */
  because: string[];
  /** Values that could not be read: the run must stop before logging in. */
  problems: string[];
}

export const DRY_RUN_SOURCE_NAMES = {
  variable: 'DRY_RUN (the repository variable or the environment)',
  input: 'the dry_run input',
  payload: 'client_payload.dry_run',
  flag: '--dry-run',
} as const;

export function decideDryRun(sources: DryRunSources): DryRunDecision {
  const because: string[] = [];
  const problems: string[] = [];
  for (const key of ['variable', 'input', 'payload', 'flag'] as const) {
    const read = readYesNo(DRY_RUN_SOURCE_NAMES[key], sources[key]);
    if (read.problem) problems.push(read.problem);
    if (read.value) because.push(DRY_RUN_SOURCE_NAMES[key]);
  }
  return { dryRun: because.length > 0 || problems.length > 0, because, problems };
}

/** The two concurrency lanes of book.yml: real bookings queue in one, rehearsals in the other. */
export type Lane = 'booking' | 'rehearsal';

/** The lane a run belongs in. A run whose values could not be read goes with the rehearsals. */
export function laneFor(decision: DryRunDecision): Lane {
  return decision.dryRun ? 'rehearsal' : 'booking';
}

/**
 * Fail safe for the concurrency lanes: a run that would book for real may do so only in the
 * booking lane. On GitHub Actions the workflow tells the run its lane (BOOKING_LANE); a real run
 * that finds itself anywhere else (the rehearsal lane, or a lane it cannot tell) refuses.
 */
export function laneProblem(
  dryRun: boolean,
  lane: string | undefined,
  inActions: boolean,
): string | undefined {
  if (dryRun || !inActions) return undefined;
  if (lane?.trim() === 'booking') return undefined;
  return (
    `This run would book for real, but it runs in the ${lane?.trim() ? `"${lane.trim()}"` : 'unknown'} concurrency lane, not "booking", ` +
    `so a rehearsal could hold the same group or race it. Nothing was booked. ` +
    `Check the lane job and BOOKING_LANE in .github/workflows/book.yml (see docs/nightly-run.md, "Dry runs and the two lanes").`
  );
}

export interface WaitSources {
  dryRun: boolean;
  /** GITHUB_EVENT_NAME, or undefined locally. */
  event?: string;
  /** Asked to wait for the release (the `wait` input or payload field, `--wait`). */
  wait?: boolean;
  /** Asked not to wait (the `no_wait` input or payload field, `--no-wait`). */
  noWait?: boolean;
}

/**
 * Whether the run waits for the release. A real run waits unless told not to; so does the nightly
 * scheduled rehearsal (DRY_RUN=true on the repository). Any other dry run (dispatched, local) acts
 * at once unless asked to wait.
 */
export function decideWaiting(s: WaitSources): { noWait: boolean; reason: string } {
  if (!s.dryRun || s.event === 'schedule') {
    return s.noWait
      ? { noWait: true, reason: 'asked not to wait: acting now' }
      : { noWait: false, reason: 'waits for the release' };
  }
  return s.wait
    ? { noWait: false, reason: 'a dry run asked to wait: waits for the release' }
    : { noWait: true, reason: 'a dry run acts at once (ask it to wait to rehearse the release)' };
}
