import { basename } from 'node:path';
import type { BookingRow } from '../bookings/csv.ts';
import type { LoadedBookings, RuleException } from '../bookings/load.ts';
import { WEEKDAYS, type WeeklyRule } from '../bookings/recurring.ts';
import { DEFAULT_HORIZON_DAYS } from '../calendar/weekly.ts';
import { plural, UsageError } from './args.ts';

/** `--weeks N`: how many weeks of releases plan and validate expand the rules for (default 4), in days. */
export function horizonDaysFrom(weeks: string | undefined, usage: string): number {
  if (weeks === undefined) return DEFAULT_HORIZON_DAYS;
  const n = Number(weeks.trim());
  if (!/^\d+$/.test(weeks.trim()) || n < 1 || n > 52) {
    throw new UsageError(
      `--weeks "${weeks}" is not a number of weeks (expected a whole number from 1 to 52, e.g. 4)`,
      usage,
    );
  }
  return n * 7;
}

/** The plan's and summary's Line cell: the line of bookings.csv, or `recurring.csv:3` for a rule's row. */
export function rowLabel(row: BookingRow): string {
  return row.source?.rule ? `${basename(row.source.file)}:${row.source.line}` : String(row.line);
}

const EXCEPTION_LABEL: Record<RuleException['kind'], string> = {
  skipped: 'skipped by',
  replaced: 'replaced by',
  same: 'as on',
  unread: 'held back: an error on',
};

export const RULE_HEADERS = ['Line', 'Every', 'Times', 'Court', 'From', 'Until', 'Status', 'Court dates'];

/**
 * One line per rule: what it asks for and the court dates it books in the loaded range, with the dates
 * a bookings.csv line decides instead ("2026-12-08 skipped by bookings.csv:5"). Plain strings: the caller
 * escapes them for Markdown (markdownTable) or pads them (textTable).
 */
export function ruleTableRows(loaded: LoadedBookings): string[][] {
  const datedName = basename(loaded.bookingsFile);
  return loaded.rules.map((rule) => [
    String(rule.line),
    WEEKDAYS[rule.weekday - 1] as string,
    rule.time2 ? `${rule.time1} / ${rule.time2}` : rule.time1,
    rule.court ?? 'any',
    rule.from ?? '',
    rule.until ?? '',
    rule.book ? rule.status : `paused (${rule.status || 'blank'})`,
    rule.book ? courtDates(rule, loaded, datedName) : '',
  ]);
}

function courtDates(rule: WeeklyRule, loaded: LoadedBookings, datedName: string): string {
  const { from, until } = loaded.range;
  const entries = [
    ...loaded.rows
      .filter((r) => r.source?.rule && r.source.line === rule.line)
      .map((r) => ({ date: r.date, text: r.date })),
    ...loaded.exceptions
      .filter((e) => e.rule.line === rule.line && e.date >= from && e.date <= until)
      .map((e) => ({ date: e.date, text: `${e.date} ${EXCEPTION_LABEL[e.kind]} ${datedName}:${e.line}` })),
  ].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return entries.length > 0 ? entries.map((e) => e.text).join(', ') : 'none in these weeks';
}

/** `Weekly rules in bookings/recurring.csv (2 rules, 1 paused): court dates 2026-11-25 to 2027-01-06, …` */
export function rulesHeading(loaded: LoadedBookings, horizonDays: number): string {
  const paused = loaded.rules.filter((r) => !r.book).length;
  return (
    `Weekly rules in ${loaded.rulesFile} (${plural(loaded.rules.length, 'rule')}${paused ? `, ${paused} paused` : ''}): ` +
    `court dates ${loaded.range.from} to ${loaded.range.until}, the releases of the next ${plural(horizonDays / 7, 'week')}`
  );
}
