import { DateTime } from 'luxon';
import type { BookingRow } from '../bookings/csv.ts';
import type { Config } from '../bookings/config.ts';
import { ruleCovers, type WeeklyRule } from '../bookings/recurring.ts';
import type { Clock } from './clock.ts';
import { courtDateReleasedOn, releaseInstant } from './release.ts';

/** How far ahead weekly rules are expanded by default: the releases of the next 4 weeks. */
export const DEFAULT_HORIZON_DAYS = 28;

/** Court dates, YYYY-MM-DD, both ends inclusive; empty when `from` is after `until`. */
export type CourtDateRange = { from: string; until: string };

/**
 * The court dates weekly rules are expanded for, at the clock's now: from today (the calendar date in
 * `config.timeZone`) until the last court date whose release is at most `horizonDays` calendar days ahead
 * (the same wall-clock time that many days later, so a clock change in between moves nothing), and at least
 * as far as a run started now would wait (`runWindow.leadMinutes`), so tonight's release is always there.
 *
 * Today's and the coming days' courts were released already: they are included so a status file's
 * `booked` shows against them and a run for a given date (`--date`, a cancellation watch) finds its row;
 * the run's own window (decideRun) decides what is attempted.
 */
export function expansionRange(clock: Clock, config: Config, horizonDays: number): CourtDateRange {
  if (!Number.isInteger(horizonDays) || horizonDays < 0) {
    throw new RangeError(`horizonDays must be a whole number of days, 0 or more (got ${horizonDays})`);
  }
  const now = DateTime.fromMillis(clock.now(), { zone: config.timeZone });
  // Never short of the releases a run started now would wait for, whatever the horizon.
  const limit = DateTime.max(
    now.plus({ days: horizonDays }),
    now.plus({ minutes: config.runWindow.leadMinutes }),
  );
  const releaseDay = limit.toISODate() as string;
  let until = courtDateReleasedOn(releaseDay, config);
  // The release on the limit's own day may still be later in that day than the limit.
  if (releaseInstant(until, config) > limit) until = addDays(until, -1);
  return { from: now.toISODate() as string, until };
}

/**
 * The dated rows the active rules produce for every court date in `range`, in date order (the rules of one
 * date in file order). Pure: no clock, no I/O. Each row is what the same line of bookings.csv would be
 * (key `${date} ${time1}`, so status.json works unchanged), with `line` the rule's line and
 * `source: { file, line, rule: true }`. Paused rules produce nothing.
 */
export function expandRules(rules: readonly WeeklyRule[], file: string, range: CourtDateRange): BookingRow[] {
  const active = rules.filter((rule) => rule.book);
  const rows: BookingRow[] = [];
  for (let date = range.from; date <= range.until; date = addDays(date, 1)) {
    for (const rule of active) {
      if (ruleCovers(rule, date)) rows.push(ruleRow(rule, date, file));
    }
  }
  return rows;
}

/** The row rule `rule` produces for court date `date`. */
export function ruleRow(rule: WeeklyRule, date: string, file: string): BookingRow {
  const row: BookingRow = {
    line: rule.line,
    key: `${date} ${rule.time1}`,
    date,
    time1: rule.time1,
    book: rule.book,
    status: rule.status,
    source: { file, line: rule.line, rule: true },
  };
  if (rule.time2 !== undefined) row.time2 = rule.time2;
  if (rule.court !== undefined) row.court = rule.court;
  if (rule.note !== undefined) row.note = rule.note;
  return row;
}

/** YYYY-MM-DD plus `days` calendar days. */
function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}
