import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../calendar/clock.ts';
import {
  DEFAULT_HORIZON_DAYS,
  expandRules,
  expansionRange,
  type CourtDateRange,
} from '../calendar/weekly.ts';
import type { Config } from './config.ts';
import { loadBookings, type BookingRow, type UnreadLine } from './csv.ts';
import { sortProblems, type Problem } from './problem.ts';
import {
  parseRules,
  ruleCovers,
  RULES_FILE_NAME,
  WEEKDAYS,
  type ParsedRules,
  type WeeklyRule,
} from './recurring.ts';
import { isCalendarDate } from './time.ts';

/**
 * A date on which a weekly rule is not applied, and why:
 * - `skipped`: a dated line that does not book (Skip, …) cancels that week;
 * - `replaced`: a dated Book line with other times or court is booked instead (a warning says so);
 * - `same`: a dated Book line asks for exactly what the rule would;
 * - `unread`: a bookings.csv line that may be for that date has an error, so the rule stays off it.
 */
export type RuleException = {
  date: string;
  rule: WeeklyRule;
  kind: 'skipped' | 'replaced' | 'same' | 'unread';
  /** The bookings.csv line that decides the date instead. */
  line: number;
  /** That line's row (absent for `unread`). */
  row?: BookingRow;
};

export type MergedBookings = {
  /** Every dated row of bookings.csv and the rows the rules produce in `range`, in date order. */
  rows: BookingRow[];
  /** Warnings about dated lines and rules that meet (the problems of each file are the files' own). */
  problems: Problem[];
  exceptions: RuleException[];
};

/**
 * Puts the dated rows of bookings.csv and the rows weekly rules expand to together. Pure.
 *
 * A date that has a line in bookings.csv is that line's alone: a rule adds nothing to it (a dated Skip
 * cancels the rule that week, a dated Book with other times replaces it, with a warning saying which wins).
 * Fail safe: a rule is not applied on a date a broken bookings.csv line may be for (its Date, or any date
 * when the date cannot be read), since that line may have been the member's Skip.
 * Rows are in date order; the rows of one date keep their file order.
 */
export function mergeWithRules(input: {
  dated: readonly BookingRow[];
  datedFile: string;
  /** bookings.csv lines whose contents were not used (ParsedBookings.unread). */
  unread: readonly UnreadLine[];
  rules: readonly WeeklyRule[];
  rulesFile: string;
  range: CourtDateRange;
}): MergedBookings {
  const { dated, datedFile, unread, rules, rulesFile, range } = input;
  const active = rules.filter((r) => r.book);
  const problems: Problem[] = [];
  const exceptions: RuleException[] = [];
  const where = (rule: WeeklyRule) => `${rulesFile}:${rule.line}`;

  // Dated lines on a rule's date, from today on: they win.
  const datedDates = new Set<string>();
  for (const row of dated) {
    datedDates.add(row.date);
    if (row.date < range.from) continue;
    for (const rule of active.filter((r) => ruleCovers(r, row.date))) {
      const same =
        row.book && row.time1 === rule.time1 && row.time2 === rule.time2 && row.court === rule.court;
      const kind = !row.book ? 'skipped' : same ? 'same' : 'replaced';
      exceptions.push({ date: row.date, rule, kind, line: row.line, row });
      if (kind === 'replaced') {
        const wanted = row.time2 ? `${row.time1} / ${row.time2}` : row.time1;
        const ruleTimes = rule.time2 ? `${rule.time1} / ${rule.time2}` : rule.time1;
        const courts =
          row.court === rule.court
            ? ''
            : ` (${row.court ?? 'any court'} instead of ${rule.court ?? 'any court'})`;
        problems.push({
          file: datedFile,
          line: row.line,
          severity: 'warning',
          message:
            `${row.date} is a ${WEEKDAYS[rule.weekday - 1]}, when the weekly rule on ${where(rule)} books ${ruleTimes}; ` +
            `this line wins for that date, so ${wanted}${courts} is booked and the rule is not ` +
            `(to book both, add a line for ${row.date} at ${rule.time1} too; to keep the rule, remove this line)`,
        });
      }
    }
  }

  // Broken bookings.csv lines: a rule stays off the dates they may be for.
  const unreadDate = (u: UnreadLine) => {
    const date = u.cells?.Date;
    return date !== undefined && isCalendarDate(date) ? date : undefined;
  };
  const anyDate = unread.find((u) => unreadDate(u) === undefined);
  const unreadOn = new Map<string, number>();
  for (const u of unread) {
    const date = unreadDate(u);
    if (date !== undefined && !unreadOn.has(date)) unreadOn.set(date, u.line);
  }
  if (active.length > 0) {
    if (anyDate) {
      problems.push({
        file: datedFile,
        line: anyDate.line,
        severity: 'warning',
        message: `no weekly rule of ${rulesFile} is applied while ${anyDate.line > 0 ? 'this line' : 'this file'} has an error: it could be an exception for any date (fix the error above; the rules then apply again)`,
      });
    }
    for (const [date, line] of unreadOn) {
      const covering = active.filter((r) => ruleCovers(r, date));
      if (anyDate || date < range.from || covering.length === 0) continue;
      problems.push({
        file: datedFile,
        line,
        severity: 'warning',
        message: `the weekly rule${covering.length === 1 ? '' : 's'} on ${covering.map(where).join(', ')} ${covering.length === 1 ? 'is' : 'are'} not applied on ${date} while this line has an error: it may be an exception for that date (fix the error above)`,
      });
    }
  }

  const rows: BookingRow[] = [...dated];
  const keys = new Set<string>();
  for (const row of expandRules(rules, rulesFile, range)) {
    const rule = active.find((r) => r.line === row.line) as WeeklyRule;
    const brokenLine = anyDate?.line ?? unreadOn.get(row.date);
    if (datedDates.has(row.date)) {
      // Its exception was recorded with the dated line above.
    } else if (brokenLine !== undefined) {
      exceptions.push({ date: row.date, rule, kind: 'unread', line: brokenLine });
    } else if (!keys.has(row.key)) {
      // A second rule for the same day and time is one booking (recurring.csv's own warning says so).
      keys.add(row.key);
      rows.push(row);
    }
  }
  // Stable: the rows of one date keep their order (bookings.csv's, or the rules' file order).
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  exceptions.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.rule.line - b.rule.line));
  return { rows, problems, exceptions };
}

export type LoadedBookings = MergedBookings & {
  /** Every problem of bookings.csv, recurring.csv and of the two together, in file and line order. */
  problems: Problem[];
  bookingsFile: string;
  /** The dated rows of bookings.csv alone (with their source). */
  dated: BookingRow[];
  /** The valid rules of the rules file, active and paused; none when the file does not exist. */
  rules: WeeklyRule[];
  rulesFile: string;
  /** Whether the rules file exists. */
  rulesFound: boolean;
  /** The court dates the rules were expanded for. */
  range: CourtDateRange;
};

export type LoadOptions = {
  /** The rules file; default `recurring.csv` next to the bookings file. */
  rules?: string;
  /** Expand rules for the releases of this many days ahead (default DEFAULT_HORIZON_DAYS, 28). */
  horizonDays?: number;
};

/** `bookings/recurring.csv` for `bookings/bookings.csv`: the rules file next to a bookings file. */
export function rulesFileFor(bookingsFile: string): string {
  return join(dirname(bookingsFile), RULES_FILE_NAME);
}

/**
 * The one way to load what to book: bookings.csv and the weekly rules file (a missing rules file means no
 * rules), the rules expanded for the releases of the next `horizonDays` days, merged with the dated rows
 * (dated wins), with every problem of both files and of the two together. Like loadBookings, problems are
 * returned, not thrown; rows with errors are left out.
 */
export async function loadBookingRows(
  bookingsFile: string,
  config: Config,
  clock: Clock,
  options: LoadOptions = {},
): Promise<LoadedBookings> {
  const rulesFile = options.rules ?? rulesFileFor(bookingsFile);
  const range = expansionRange(clock, config, options.horizonDays ?? DEFAULT_HORIZON_DAYS);
  const parsed = await loadBookings(bookingsFile, config, clock);
  const dated = parsed.rows.map((row) => ({ ...row, source: { file: bookingsFile, line: row.line } }));
  const { rules, problems: ruleProblems, found } = await loadRules(rulesFile, config, clock);
  const merged = mergeWithRules({
    dated,
    datedFile: bookingsFile,
    unread: parsed.unread,
    rules,
    rulesFile,
    range,
  });
  return {
    ...merged,
    problems: sortProblems([...parsed.problems, ...ruleProblems, ...merged.problems]),
    bookingsFile,
    dated,
    rules,
    rulesFile,
    rulesFound: found,
    range,
  };
}

/** Reads and validates a rules file; a missing file is no rules, any other read failure an error problem. */
export async function loadRules(
  file: string,
  config: Config,
  clock?: Clock,
): Promise<ParsedRules & { found: boolean }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { rules: [], problems: [], unread: [], found: false };
    }
    return {
      rules: [],
      problems: [
        {
          file,
          line: 0,
          message: `${(error as Error).message} (expected a CSV file with the header "Day, Time1, Time2, Status", or no file for no weekly rules)`,
          severity: 'error',
        },
      ],
      unread: [{ line: 0 }],
      found: true,
    };
  }
  return { ...parseRules(text, file, config, clock), found: true };
}
