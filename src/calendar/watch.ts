import { DateTime } from 'luxon';
import type { Clock } from './clock.ts';
import { checkRehearsal, type BookingWindow } from './rehearsal.ts';
import { releaseInstant, type CalendarConfig, type RowLike } from './release.ts';

/**
 * The watch for cancellations, decided (pure, over an injected clock, in the venue's time zone, so the
 * same London wall times in GMT and BST): which rows are watched, which are due for a look now, which
 * have reached their cut-off, and whether now is too close to a release to look at all.
 *
 * A row is watched when it books (Status Book or Watch), its release has passed, it is not booked (nor
 * held at another time that day), and one of its times is still before its cut-off; and either its
 * Status is Watch, or its night ended `unavailable` (a Book row keeps being watched once the watch has
 * looked at it, whatever a later try says, until it is booked or cut off).
 */

/** What the watch needs of a bookings row. */
export type WatchRowLike = RowLike & { time1: string; time2?: string; court?: string; watch?: true };

/** What the watch needs of the status file. */
export type WatchStatusLike = {
  bookings: Record<
    string,
    | {
        state: string;
        watch?: { looks: number; lastLookAt: string; lastSeen?: string; cutOffAt?: string } | undefined;
      }
    | undefined
  >;
};

export type WatchConfig = Pick<CalendarConfig, 'timeZone' | 'advanceDays' | 'releaseTime'> & {
  watch: { everyMinutes: number; cutoffMinutes: number };
};

/** The watch's own settings from the venue profile (src/venue/profile.ts `watch`). */
export type VenueWatchLimits = { minIntervalMinutes?: number | undefined } | undefined;

export type WatchKind =
  /** Its last look is at least the interval ago (or it has none): look now. */
  | 'due'
  /** Looked at less than the interval ago: the next look is due at `nextLookAt`. */
  | 'resting'
  /** Every time of the row is past its cut-off: watching it has stopped. */
  | 'cut-off'
  /** Released later: the nightly run books it then (a Watch row is watched after that). */
  | 'before-release'
  /** Booked, or a court held at another time that day: nothing to watch. */
  | 'done'
  /** Not a row the watch is for (skipped, or a Book row whose night did not end unavailable). */
  | 'not-watched';

export type WatchDecision<R extends WatchRowLike = WatchRowLike> = {
  row: R;
  kind: WatchKind;
  /** The times still watched, in order (Time1, then Time2): those before their cut-off. */
  times: string[];
  /** When the last of the row's times reaches its cut-off. */
  cutOffAt: DateTime;
  /** resting: when the next look is due. */
  nextLookAt?: DateTime;
  /** cut-off: the cut-off is new, not yet recorded (the watch records and tells it once). */
  newlyCutOff?: boolean;
  reason: string;
};

/**
 * The interval between two looks at a row: the configured one, never less than the venue allows; and
 * how soon after a look the next one is due. GitHub starts scheduled runs a few minutes late, by a
 * different amount each time, so two runs 30 minutes apart on paper can be 28 apart: a look is due a
 * sixth of the interval early (25 minutes for 30), but never sooner than the profile's minimum, which
 * is the venue's rule, not ours.
 */
export function lookInterval(
  config: Pick<WatchConfig, 'watch'>,
  venue: VenueWatchLimits,
): { minutes: number; dueAfterMinutes: number; note?: string } {
  const asked = config.watch.everyMinutes;
  const floor = venue?.minIntervalMinutes ?? 0;
  const minutes = Math.max(asked, floor);
  const dueAfterMinutes = Math.max(minutes - minutes / 6, floor);
  if (floor <= asked) return { minutes, dueAfterMinutes };
  return {
    minutes,
    dueAfterMinutes,
    note: `watch.everyMinutes is ${asked}, but the venue profile allows a look every ${floor} minutes at most (watch.minIntervalMinutes): looking every ${floor} minutes`,
  };
}

/** The row's wanted times, in order. */
function timesOf(row: WatchRowLike): string[] {
  return row.time2 && row.time2 !== row.time1 ? [row.time1, row.time2] : [row.time1];
}

/** When watching `time` on the court date stops: the court's start, minus the cut-off, in the venue's zone. */
export function cutOffOf(date: string, time: string, config: WatchConfig): DateTime {
  return DateTime.fromISO(`${date}T${time}`, { zone: config.timeZone }).minus({
    minutes: config.watch.cutoffMinutes,
  });
}

const shown = (dt: DateTime, zone: string) => dt.setZone(zone).toFormat('ccc d LLL HH:mm');

/** What the watch does with each row now (pure). */
export function decideWatch<R extends WatchRowLike>(
  rows: readonly R[],
  status: WatchStatusLike,
  clock: Clock,
  config: WatchConfig,
  venue?: VenueWatchLimits,
): { all: WatchDecision<R>[]; due: WatchDecision<R>[]; cutOff: WatchDecision<R>[]; summary: string } {
  const now = DateTime.fromMillis(clock.now(), { zone: config.timeZone });
  const { minutes: interval, dueAfterMinutes } = lookInterval(config, venue);
  const zone = config.timeZone;
  const all = rows.map((row): WatchDecision<R> => {
    const cutOffs = timesOf(row).map((time) => ({ time, at: cutOffOf(row.date, time, config) }));
    const cutOffAt = DateTime.max(...cutOffs.map((c) => c.at))!;
    const times = cutOffs.filter((c) => now < c.at).map((c) => c.time);
    const base = { row, times, cutOffAt };
    const entry = status.bookings[row.key];
    if (!row.book) return { ...base, kind: 'not-watched', reason: `skipped (Status is "${row.status}")` };
    if (entry?.state === 'booked' || entry?.state === 'held-elsewhere') {
      const why = entry.state === 'booked' ? 'booked' : 'you hold another court that day';
      return { ...base, kind: 'done', reason: why };
    }
    const watched = row.watch === true || entry?.state === 'unavailable' || entry?.watch !== undefined;
    if (!watched) {
      return {
        ...base,
        kind: 'not-watched',
        reason: entry
          ? `its last try ended ${entry.state}, not unavailable (Status Watch watches it whatever happens)`
          : 'not tried yet (Status Watch watches it after its release)',
      };
    }
    const releaseAt = releaseInstant(row.date, config);
    if (now < releaseAt) {
      return {
        ...base,
        kind: 'before-release',
        reason: `released ${shown(releaseAt, zone)}: booked then, watched after that if it is not`,
      };
    }
    if (times.length === 0) {
      return {
        ...base,
        kind: 'cut-off',
        ...(entry?.watch && !entry.watch.cutOffAt ? { newlyCutOff: true } : {}),
        reason: `stopped at its cut-off (${shown(cutOffAt, zone)}, ${config.watch.cutoffMinutes} min before the court)`,
      };
    }
    const last = entry?.watch?.lastLookAt ? DateTime.fromISO(entry.watch.lastLookAt) : undefined;
    const nextLookAt = last?.isValid ? last.plus({ minutes: dueAfterMinutes }) : undefined;
    if (nextLookAt && now < nextLookAt) {
      return {
        ...base,
        kind: 'resting',
        nextLookAt,
        reason: `looked ${shown(last!, zone)}; next look from ${shown(nextLookAt, zone)} (every ${interval} min)`,
      };
    }
    return {
      ...base,
      kind: 'due',
      reason: `${last?.isValid ? `last looked ${shown(last, zone)}` : 'not looked at yet'}; watched until ${shown(cutOffAt, zone)}`,
    };
  });
  const due = all.filter((d) => d.kind === 'due');
  const cutOff = all.filter((d) => d.newlyCutOff);
  return { all, due, cutOff, summary: summarize(all, due, zone) };
}

function summarize(all: WatchDecision[], due: WatchDecision[], zone: string): string {
  if (due.length > 0)
    return `${due.length} row${due.length === 1 ? '' : 's'} to look at: ${due.map((d) => `${d.row.key} (${d.times.join(', then ')})`).join('; ')}`;
  const resting = all
    .filter((d) => d.kind === 'resting')
    .sort((a, b) => a.nextLookAt!.toMillis() - b.nextLookAt!.toMillis());
  if (resting.length > 0) {
    const next = resting[0]!;
    return `nothing to look at now; next look ${shown(next.nextLookAt!, zone)} for ${next.row.key}${resting.length > 1 ? ` (${resting.length} rows watched)` : ''}`;
  }
  const watched = all.filter((d) => d.kind === 'before-release' || d.kind === 'cut-off');
  return watched.length > 0
    ? `nothing to look at now: ${watched.map((d) => `${d.row.key} ${d.reason}`).join('; ')}`
    : 'nothing to watch (no Watch row, and no night ended unavailable)';
}

/** How long a watch run may take, for the release-window check: a look, then a booking. */
export const WATCH_BUSY_MINUTES = 10;

export type WatchWindowCheck = { ok: true } | { ok: false; message: string; tryAfter: DateTime };

/**
 * Never inside a release window: from the login lead before any real booking's release (Book or Watch,
 * not booked yet) to the end of its retry window, and for WATCH_BUSY_MINUTES before that, the watch does
 * nothing (a look is a login, and two logins of one member at the release is what the venue may flag).
 * The same windows and arithmetic as a rehearsal's (src/calendar/rehearsal.ts).
 */
export function checkWatchWindow(plan: {
  clock: Clock;
  windows: readonly BookingWindow[];
  timeZone: string;
}): WatchWindowCheck {
  const check = checkRehearsal({
    clock: plan.clock,
    waits: false,
    windows: plan.windows,
    leadMinutes: 0,
    retryWindowSeconds: 0,
    timeZone: plan.timeZone,
    atOnceMinutes: WATCH_BUSY_MINUTES,
  });
  if (check.ok) return { ok: true };
  const day = (dt: DateTime) => dt.setZone(plan.timeZone).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
  const hm = (dt: DateTime) => dt.setZone(plan.timeZone).toFormat('HH:mm');
  return {
    ok: false,
    tryAfter: check.tryAfter,
    message:
      `The watch does nothing now: the real booking of ${check.clash.key} logs in at ${hm(check.clash.start)} ` +
      `and keeps trying until ${hm(check.clash.end)} (release ${day(check.clash.releaseAt)}), and a look is a ` +
      `login of yours too. It looks again after ${day(check.tryAfter)}.`,
  };
}
