import { DateTime, type Duration } from 'luxon';
import type { Clock } from './clock.ts';

/**
 * The calendar is the pure core: it imports nothing from the files' modules (bookings/*), only what it
 * needs of them, structurally, so the bookings modules may use it without an import circle.
 */
export type CalendarConfig = {
  timeZone: string;
  advanceDays: number;
  /** HH:mm:ss */
  releaseTime: string;
  runWindow: { leadMinutes: number; graceMinutes: number };
};

/** What a decision needs of a bookings row. */
export type RowLike = { key: string; date: string; book: boolean; status: string };

/** What a decision needs of the status file. */
export type StatusLike = {
  bookings: Record<
    string,
    { state: string; bookedTime?: string | undefined; court?: string | undefined } | undefined
  >;
};

/**
 * The instant bookings for court date `date` (YYYY-MM-DD) open: `config.releaseTime` as wall-clock time in
 * `config.timeZone` on the calendar day `date − advanceDays`, returned in that zone.
 *
 * The subtraction is done on calendar days, not 24-hour periods, so a clock change between the release and
 * the court date does not move the release off midnight. A release time that does not exist on its day (the
 * hour skipped when clocks go forward, 01:00–01:59 London on the last Sunday of March) is moved forward by the
 * length of the gap (01:30 → 02:30 BST); one that exists twice (01:00–01:59 on the last Sunday of October)
 * is the second occurrence (GMT). Both are luxon's rules, deterministic and tested. Midnight, the default,
 * exists exactly once on every day in London.
 */
export function releaseInstant(
  date: string,
  config: Pick<CalendarConfig, 'timeZone' | 'advanceDays' | 'releaseTime'>,
): DateTime {
  const court = DateTime.fromISO(date, { zone: 'UTC' });
  if (!court.isValid) throw new Error(`"${date}" is not a YYYY-MM-DD calendar date`);
  const day = court.minus({ days: config.advanceDays });
  const [hour, minute, second] = config.releaseTime.split(':').map(Number);
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour, minute, second: second ?? 0 },
    { zone: config.timeZone },
  );
}

/** The court date whose bookings open at the release on calendar day `releaseDate` (the inverse). */
export function courtDateReleasedOn(
  releaseDate: string,
  config: Pick<CalendarConfig, 'advanceDays'>,
): string {
  return DateTime.fromISO(releaseDate, { zone: 'UTC' })
    .plus({ days: config.advanceDays })
    .toISODate() as string;
}

export type RunAction = 'wait' | 'now' | 'none';

export type RunDecision<R extends RowLike = RowLike> = {
  row: R;
  releaseAt: DateTime;
  action: RunAction;
  reason: string;
};

/**
 * Which rows a run started now owns.
 * - 'wait': the row's release is at most `runWindow.leadMinutes` ahead: the run waits for it.
 * - 'now': the release passed at most `runWindow.graceMinutes` ago (a late start): try at once.
 * - 'none': skipped rows, rows the status file says are booked, and releases outside that window.
 *
 * Only `booked` and `held-elsewhere` block a row. `unavailable`, `failed`, `unverified` and `dry-run` may be tried again by a second
 * run the same night while still inside the window: a court can come back, and a failed run should not lose
 * it. (The engine checks the member's bookings before firing, so a retried `unverified` row cannot double-book.)
 * Two runs started the same night decide the same rows; the one that runs second re-reads the status file and
 * sees `booked`.
 */
export function decideRun<R extends RowLike>(
  rows: readonly R[],
  status: StatusLike,
  clock: Clock,
  config: CalendarConfig,
): { due: RunDecision<R>[]; all: RunDecision<R>[]; summary: string } {
  const now = DateTime.fromMillis(clock.now(), { zone: config.timeZone });
  const { leadMinutes, graceMinutes } = config.runWindow;
  const all = rows.map((row): RunDecision<R> => {
    const releaseAt = releaseInstant(row.date, config);
    const opens = releaseAt.toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ');
    if (!row.book) {
      return { row, releaseAt, action: 'none', reason: `skipped (Status is "${row.status}", not "Book")` };
    }
    const entry = status.bookings[row.key];
    if (entry?.state === 'booked' || entry?.state === 'held-elsewhere') {
      const what = [entry.bookedTime, entry.court].filter(Boolean).join(', ');
      const why = entry.state === 'booked' ? 'already booked' : 'you hold another court that day';
      return { row, releaseAt, action: 'none', reason: `${why}${what ? ` (${what})` : ''}` };
    }
    const aheadMs = releaseAt.toMillis() - now.toMillis();
    if (aheadMs > leadMinutes * 60_000) {
      return {
        row,
        releaseAt,
        action: 'none',
        reason: `opens in ${human(releaseAt.diff(now))}, at ${opens}`,
      };
    }
    if (aheadMs > 0) {
      return {
        row,
        releaseAt,
        action: 'wait',
        reason: `opens in ${human(releaseAt.diff(now))}: waiting for it`,
      };
    }
    if (-aheadMs <= graceMinutes * 60_000) {
      return {
        row,
        releaseAt,
        action: 'now',
        reason: `opened ${human(now.diff(releaseAt))} ago: trying at once`,
      };
    }
    return {
      row,
      releaseAt,
      action: 'none',
      reason: `window passed: opened ${human(now.diff(releaseAt))} ago, more than ${graceMinutes} min grace`,
    };
  });
  const due = all
    .filter((d) => d.action !== 'none')
    .sort((a, b) => a.releaseAt.toMillis() - b.releaseAt.toMillis());
  return { due, all, summary: summarize(due, all, now) };
}

function summarize(due: RunDecision[], all: RunDecision[], now: DateTime): string {
  if (due.length > 0) {
    const list = due.map((d) => `${d.row.key} (${d.action === 'wait' ? 'waiting' : 'now'})`).join(', ');
    return `${due.length} booking${due.length === 1 ? '' : 's'} due: ${list}`;
  }
  const next = all
    .filter((d) => d.row.book && !d.reason.startsWith('already') && d.releaseAt > now)
    .sort((a, b) => a.releaseAt.toMillis() - b.releaseAt.toMillis())[0];
  return next
    ? `nothing due; next release ${next.releaseAt.toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ')} for ${next.row.key}`
    : 'nothing due; no future releases in the bookings file';
}

/** "2 days 3 h", "4 h 5 min", "12 min", "40 s". */
export function human(duration: Duration): string {
  const ms = Math.abs(duration.toMillis());
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} day${d === 1 ? '' : 's'}${h ? ` ${h} h` : ''}`;
  if (h > 0) return `${h} h${m ? ` ${m} min` : ''}`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}
