import { DateTime } from 'luxon';
import type { Config } from '../bookings/config.ts';
import type { BookingRow } from '../bookings/csv.ts';
import type { ChainLink } from '../bookings/relay-state.ts';
import type { StatusFile } from '../bookings/status.ts';
import { fixedClock } from '../calendar/clock.ts';
import { decideRun, human, type RunDecision } from '../calendar/release.ts';
import { formatInstant, formatTime, nightAt, nightOf, type Night } from './night.ts';
import type { TriggerRecord } from './trigger.ts';

/**
 * The relay's decision for a run, pure: given the clock, the configuration, the bookings, the status file (with
 * the chain so far), how the run was started and the job's limits, say whether the run
 * - `book`s: tonight's release is within this job's reach (the normal booking path: wait, log in, fire), or
 * - `wait-then-hand-over`: waits until a computed instant, then starts its successor with workflow_dispatch and
 *   exits, because GitHub stops a job at 6 hours and the release is further away than one job can wait, or
 * - `stop`s: nothing is due tonight, tonight is booked, another link of tonight's chain is alive, the chain would
 *   outlive the night, too many links, a dry run, or the relay is off.
 *
 * When to hand over: a link that cannot reach the booking window hands over as late as the job safely can
 * (fewest links); a link that can hands over the moment its successor would be inside the window
 * (release − runWindow.leadMinutes + 1 min), so the successor may start up to ~4 h 49 min late and still log
 * in before the release. A link that cannot dispatch at that instant has the rest of its job to retry.
 */

export interface JobLimits {
  /** The Book job's timeout-minutes in book.yml (GitHub's own ceiling is 360 minutes). */
  jobTimeoutMinutes: number;
  /** What the job is assumed to have spent before the script started, when its start is not given. */
  setupAllowanceMinutes: number;
  /** What a link keeps after its hand-over instant: dispatch retries, the status commit, the summary, exit. */
  handOverMarginMinutes: number;
  /** Expected time from the hand-over to the successor's script start (dispatch, queue, install). */
  successorStartMinutes: number;
  /** The most links one night's chain may have (a night is at most 25 hours; a link covers ~5 h 30 min). */
  maxLinks: number;
}

export const DEFAULT_JOB_LIMITS: Readonly<JobLimits> = Object.freeze({
  jobTimeoutMinutes: 350,
  setupAllowanceMinutes: 10,
  handOverMarginMinutes: 10,
  successorStartMinutes: 5,
  maxLinks: 8,
});

export interface RelayInput {
  /** The instant of the decision (ms): the script's start. */
  now: number;
  config: Config;
  /** The rows this run may act on (bookings.csv, after any --date filter). */
  rows: readonly BookingRow[];
  status: StatusFile;
  trigger: Pick<TriggerRecord, 'kind' | 'relay'>;
  /** This run's id (GITHUB_RUN_ID). */
  runId?: string;
  /** The relay setting resolved for this repository (src/relay/visibility.ts). */
  relay: { enabled: boolean; reason: string };
  /** When the job started (ms), if known; else now − setupAllowanceMinutes. */
  jobStartedAt?: number;
  /**
   * Run ids of this workflow in progress now, if the caller asked GitHub; a link that is not among them is not
   * alive whatever its record says. Absent: a link is alive until its record says it ended or its planned
   * hand-over (plus the margin) has passed.
   */
  runningRunIds?: readonly string[];
  dryRun?: boolean;
  noWait?: boolean;
  limits?: Partial<JobLimits>;
}

export type StopCode =
  | 'nothing-due'
  | 'booked'
  | 'dry-run'
  | 'disabled'
  | 'stale-link'
  | 'too-many-links'
  | 'other-link-alive'
  | 'outlives-window';

/** The night a decision is about, with the instants as ISO strings for records and summaries. */
export type NightInfo = Night;

export type RelayDecision =
  | {
      action: 'book';
      reason: string;
      /** The night of the first due row (absent for --no-wait runs, which act on whatever the engine picks). */
      night?: NightInfo;
      due: RunDecision<BookingRow>[];
      /** This run's link number in tonight's chain. */
      link?: number;
    }
  | {
      action: 'wait-then-hand-over';
      reason: string;
      night: NightInfo;
      /** This run's link number; its successor is link + 1. */
      link: number;
      /** When to dispatch the successor. */
      handOverAt: DateTime;
      /** The latest instant this job can still dispatch and exit safely (retries end here). */
      latestHandOverAt: DateTime;
      /** When the successor is expected to start. */
      successorExpectedAt: DateTime;
      /** True when the successor is expected to book (it starts inside the booking window). */
      finalHop: boolean;
      /** The link whose expected successor this run replaces (a scheduled run took its place). */
      takesOverFrom?: number;
    }
  | { action: 'stop'; code: StopCode; reason: string; night?: NightInfo; link?: number };

const MINUTE = 60_000;

export function decideRelay(input: RelayInput): RelayDecision {
  const { now, config, rows, status } = input;
  const zone = config.timeZone;
  const limits: JobLimits = { ...DEFAULT_JOB_LIMITS, ...input.limits };
  const at = (ms: number) => DateTime.fromMillis(ms, { zone });

  // 1. Inside the run window (or --no-wait): the normal booking path, whatever the chain says.
  const decision = decideRun(rows, status, fixedClock(now), config);
  const first = decision.due[0];
  if (input.noWait) {
    return { action: 'book', reason: 'no_wait: acting now, without the relay', due: decision.due };
  }
  if (first) {
    const night = nightOf(first.releaseAt.toISODate() as string, config);
    const relayedHere = input.trigger.relay?.night === night.night ? input.trigger.relay.link : undefined;
    const link = linkNumber(chainLinks(status, night.night), input.runId, relayedHere);
    return { action: 'book', reason: decision.summary, night, due: decision.due, link };
  }

  // 2. Which night this run belongs to, and whether there is anything to do for it.
  const night = nightAt(now, config);
  const release = formatInstant(night.releaseAt, zone);
  const relayed = input.trigger.kind === 'relay' ? input.trigger.relay : undefined;
  if (relayed && relayed.night !== night.night) {
    // Recorded in the chain it was started for (its start shows there), never in tonight's.
    return {
      action: 'stop',
      code: 'stale-link',
      night: nightOf(relayed.night, config),
      link: relayed.link,
      reason: `This relay link was started for the night of ${relayed.night}, which is over (a chain never outlives its night's retry window); it ends here.`,
    };
  }
  const tonight = rows.filter((row) => row.book && row.date === night.courtDate);
  if (tonight.length === 0) {
    return {
      action: 'stop',
      code: 'nothing-due',
      night,
      reason: `Nothing to book tonight: no "Book" row for ${night.courtDate}, released ${release}.`,
    };
  }
  const open = tonight.filter((row) => status.bookings[row.key]?.state !== 'booked');
  if (open.length === 0) {
    return {
      action: 'stop',
      code: 'booked',
      night,
      reason: `Tonight is already booked (${tonight.map((row) => row.key).join(', ')}): the chain ends here.`,
    };
  }
  if (input.dryRun) {
    return {
      action: 'stop',
      code: 'dry-run',
      night,
      reason: `A dry run does not start the relay; the release is ${release}, ${human(night.releaseAt.diff(at(now)))} away.`,
    };
  }
  if (!input.relay.enabled) {
    return {
      action: 'stop',
      code: 'disabled',
      night,
      reason: `Too early for tonight's release (${release}, ${human(night.releaseAt.diff(at(now)))} away) and the relay is ${input.relay.reason}; a run closer to midnight books.`,
    };
  }

  // 3. The chain so far: one chain per night, a bounded number of links, no second link alive.
  const links = chainLinks(status, night.night);
  const link = linkNumber(links, input.runId, relayed?.link);
  if (link > limits.maxLinks) {
    return {
      action: 'stop',
      code: 'too-many-links',
      night,
      link,
      reason: `Tonight's chain already has ${link - 1} links (at most ${limits.maxLinks}); it ends here, and a scheduled run closer to midnight books.`,
    };
  }
  const alive = links.find((other) => other.runId !== input.runId && isAlive(other, input, limits, night));
  if (alive) {
    return {
      action: 'stop',
      code: 'other-link-alive',
      night,
      link,
      reason: `Link ${alive.link} of tonight's chain (run ${alive.runId ?? '?'}, started ${formatTime(DateTime.fromISO(alive.startedAt), zone)}) is still alive; only one chain runs per night, so this run ends here.`,
    };
  }

  // 4. When to hand over.
  const releaseMs = night.releaseAt.toMillis();
  const jobStart = input.jobStartedAt ?? now - limits.setupAllowanceMinutes * MINUTE;
  const latest = Math.max(now, jobStart + (limits.jobTimeoutMinutes - limits.handOverMarginMinutes) * MINUTE);
  const entersWindow = releaseMs - config.runWindow.leadMinutes * MINUTE + MINUTE;
  const finalHop = entersWindow <= latest;
  const handOver = finalHop ? Math.max(now, entersWindow) : latest;
  const successor = handOver + limits.successorStartMinutes * MINUTE;
  if (successor > night.windowEnd.toMillis()) {
    return {
      action: 'stop',
      code: 'outlives-window',
      night,
      link,
      reason: `A successor could not start before tonight's retry window closes (${formatTime(night.windowEnd, zone)}); the chain ends here.`,
    };
  }
  const last = links.filter((other) => other.runId !== input.runId).at(-1);
  const takesOverFrom =
    last?.role === 'relay' && !(relayed && relayed.link === last.link + 1) ? last.link : undefined;
  const late = successor > releaseMs - config.loginLeadMinutes * MINUTE;
  const reason =
    `Tonight's release (${release}) is ${human(night.releaseAt.diff(at(now)))} away, more than one job can wait: ` +
    `waiting until ${formatTime(at(handOver), zone)}, then handing over to link ${link + 1}, expected to start about ${formatTime(at(successor), zone)}` +
    (finalHop ? ' and book.' : ', which hands over again.') +
    (late ? ' It will start after the login lead and log in at once.' : '');
  return {
    action: 'wait-then-hand-over',
    reason,
    night,
    link,
    handOverAt: at(handOver),
    latestHandOverAt: at(latest),
    successorExpectedAt: at(successor),
    finalHop,
    ...(takesOverFrom !== undefined ? { takesOverFrom } : {}),
  };
}

/** Tonight's links, in link order. */
function chainLinks(status: StatusFile, night: string): ChainLink[] {
  const chain = status.relay?.chains.find((c) => c.night === night);
  return [...(chain?.links ?? [])].sort((a, b) => a.link - b.link);
}

/**
 * This run's number in the chain: its own record's, else the next one; a relay link keeps the number its
 * predecessor gave it when the record lacks the predecessor (its status push failed).
 */
function linkNumber(links: readonly ChainLink[], runId: string | undefined, relayed?: number): number {
  const own = runId ? links.find((l) => l.runId === runId) : undefined;
  if (own) return own.link;
  return Math.max(links.reduce((max, l) => Math.max(max, l.link), 0) + 1, relayed ?? 0);
}

function isAlive(other: ChainLink, input: RelayInput, limits: JobLimits, night: Night): boolean {
  if (other.endedAt) return false;
  if (input.runningRunIds) return other.runId !== undefined && input.runningRunIds.includes(other.runId);
  const started = Date.parse(other.startedAt);
  const until =
    other.role === 'relay' && other.handOverAt
      ? Date.parse(other.handOverAt) + limits.handOverMarginMinutes * MINUTE
      : other.role === 'book'
        ? night.windowEnd.toMillis() + limits.handOverMarginMinutes * MINUTE
        : started + limits.jobTimeoutMinutes * MINUTE;
  return input.now < until;
}

export interface DispatchCheck {
  ok: boolean;
  /** Why not, when not. */
  reason?: string;
}

/**
 * The check a link makes just before it dispatches its successor, on the status it has just re-read from the
 * remote: tonight may have been booked meanwhile, or a later link may have started (a second chain must not
 * grow). Pure.
 */
export function checkBeforeDispatch(opts: {
  status: StatusFile;
  rows: readonly BookingRow[];
  night: string;
  link: number;
  runId?: string;
  config: Config;
}): DispatchCheck {
  const night = nightOf(opts.night, opts.config);
  const tonight = opts.rows.filter((row) => row.book && row.date === night.courtDate);
  if (tonight.length > 0 && tonight.every((row) => opts.status.bookings[row.key]?.state === 'booked')) {
    return { ok: false, reason: 'Tonight was booked meanwhile; no successor needed.' };
  }
  const later = chainLinks(opts.status, opts.night).find(
    (other) => other.runId !== opts.runId && other.link >= opts.link,
  );
  if (later) {
    return {
      ok: false,
      reason: `Link ${later.link} (run ${later.runId ?? '?'}) started meanwhile and carries tonight's chain; no second successor.`,
    };
  }
  return { ok: true };
}

/** When to try a failed dispatch again: every 2 minutes until the latest safe hand-over; undefined = give up. */
export function nextDispatchAttempt(failedAtMs: number, latestHandOverMs: number): number | undefined {
  const next = failedAtMs + 2 * MINUTE;
  return next <= latestHandOverMs ? next : undefined;
}
