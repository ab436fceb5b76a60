import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Clock } from '../calendar/clock.ts';
import { releaseInstant } from '../calendar/release.ts';
import type { Config } from './config.ts';
import { decodeText } from './encoding.ts';
import { characterProblem, describeCharacterProblem, visibleText } from './characters.ts';
import { sortProblems, type Problem } from './problem.ts';
import { didYouMean, levenshtein } from './suggest.ts';
import { formatMinutes, isCalendarDate, looksLikeIsoDate, minutesOf, parseTime } from './time.ts';

export { formatProblem, type Problem } from './problem.ts';
export { parseTime } from './time.ts';

export const DEFAULT_BOOKINGS_PATH = 'bookings/bookings.csv';

/** The columns of bookings.csv, as members spell them in the header. */
export const COLUMNS = ['Date', 'Time1', 'Time2', 'Status', 'Court', 'Note'] as const;
export type Column = (typeof COLUMNS)[number];
const REQUIRED: readonly Column[] = ['Date', 'Time1', 'Status'];
const TIME_EXAMPLE = 'expected e.g. 7pm, 7:30pm or 19:00';
const DATE_EXAMPLE = 'expected YYYY-MM-DD, e.g. 2026-12-05';
/** The Status values (any case) that book a row: `Book`, and `Watch` (books, then watches for cancellations). */
const BOOKING_STATUSES = ['book', 'watch'];

/**
 * The schema of one bookings.csv record: the single source of its validation; its output is a BookingRow
 * (less the line number).
 * Built per configuration because valid times depend on the venue's opening hours and slot length.
 * Its messages are written for members: `Time1 "25pm" is not a time (expected ...)`.
 */
export function bookingRecordSchema(config: Config) {
  const time = (field: 'Time1' | 'Time2', missing?: string) => startTimeField(config, field, missing);

  return z
    .object({
      Date: calendarDateField('Date', `Date is missing (${DATE_EXAMPLE})`),
      Time1: time('Time1', 'Time1 is missing (expected the start time you want, e.g. 7pm)'),
      Time2: time('Time2').optional(),
      Status: z.string().default(''),
      Court: z.string().optional(),
      Note: z.string().optional(),
    })
    .transform((r): Omit<BookingRow, 'line'> => {
      const row: Omit<BookingRow, 'line'> = {
        key: `${r.Date} ${r.Time1}`,
        date: r.Date,
        time1: r.Time1,
        // Watch books at the release like Book, and is watched for cancellations after it (src/calendar/watch.ts).
        book: BOOKING_STATUSES.includes(r.Status.toLowerCase()),
        status: r.Status,
      };
      if (r.Status.toLowerCase() === 'watch') row.watch = true;
      if (r.Time2 !== undefined) row.time2 = r.Time2;
      if (r.Court !== undefined) row.court = r.Court;
      if (r.Note !== undefined) row.note = r.Note;
      return row;
    });
}

/**
 * A start time cell (`Time1`, `Time2`) as members write it, checked against the opening hours: the one
 * definition of a valid start, shared by bookings.csv and recurring.csv. Output: `HH:mm`.
 */
export function startTimeField(config: Config, field: string, missing?: string) {
  const open = minutesOf(config.openingHours.open);
  const close = minutesOf(config.openingHours.close);
  const lastStart = formatMinutes(close - config.slotMinutes);
  return z.string(missing ? { error: missing } : {}).transform((text, ctx) => {
    const hhmm = parseTime(text);
    if (hhmm === undefined) {
      ctx.addIssue({ code: 'custom', message: `${field} "${text}" is not a time (${TIME_EXAMPLE})` });
      return z.NEVER;
    }
    const start = minutesOf(hhmm);
    if (start < open || start + config.slotMinutes > close) {
      ctx.addIssue({
        code: 'custom',
        message:
          `${field} "${text}" is outside opening hours (expected a start between ${config.openingHours.open} and ` +
          `${lastStart}: the venue is open ${config.openingHours.open}–${config.openingHours.close} and a slot lasts ${config.slotMinutes} minutes)`,
      });
      return z.NEVER;
    }
    return hhmm;
  });
}

/** A `YYYY-MM-DD` calendar date cell (`Date`, and recurring.csv's `From` / `Until`). */
export function calendarDateField(field: string, missing?: string) {
  return z
    .string(missing ? { error: missing } : {})
    .refine(looksLikeIsoDate, {
      error: (iss) => `${field} "${String(iss.input)}" is not a date (${DATE_EXAMPLE})`,
      abort: true,
    })
    .refine(isCalendarDate, {
      error: (iss) => `${field} "${String(iss.input)}" is not a real calendar date (${DATE_EXAMPLE})`,
    });
}

/** A valid row of bookings.csv: the output of bookingRecordSchema plus the line it starts on. */
export const BookingRowSchema = z.object({
  /** The line of the file the row starts on (1 = the header). */
  line: z.number().int().positive(),
  /** `${date} ${time1}`, e.g. "2026-12-15 19:00": the row's identity in the status file. */
  key: z.string(),
  /** YYYY-MM-DD */
  date: z.string(),
  /** HH:mm, the preferred start. */
  time1: z.string(),
  /** HH:mm, the fallback start. */
  time2: z.string().optional(),
  /** Status is "Book" or "Watch" (any case): the row is booked at its release. */
  book: z.boolean(),
  /** Status is "Watch": after the release, the watch looks for a cancellation until the cut-off. */
  watch: z.literal(true).optional(),
  /** Status as written. */
  status: z.string(),
  /** Preferred court's name; absent = any court. */
  court: z.string().optional(),
  note: z.string().optional(),
  /**
   * Where the row comes from, for messages and plan ("from recurring.csv:3"). Set by loadBookingRows
   * (src/bookings/load.ts); `rule` marks a row a weekly rule expanded to, `line` then being the rule's line.
   */
  source: z.object({ file: z.string(), line: z.number().int(), rule: z.literal(true).optional() }).optional(),
});

export type BookingRow = z.infer<typeof BookingRowSchema>;

/**
 * A line of a member's file whose contents were not used: it has an error, or (no `cells`) the file could not
 * be read as a whole, so the line could hold anything. Weekly rules use this to stay off dates they cannot
 * be sure about.
 */
export type UnreadLine<C extends string = Column> = { line: number; cells?: Partial<Record<C, string>> };

export type ParsedBookings = { rows: BookingRow[]; problems: Problem[]; unread: UnreadLine[] };

/** What one member-edited CSV file holds: bookings.csv and recurring.csv are two of these. */
export type CsvTable<C extends string, T> = {
  /** The columns, as members spell them in the header (matched case-insensitively). */
  columns: readonly C[];
  required: readonly C[];
  /** The header a member should write, for messages: `Date, Time1, Time2, Status`. */
  header: string;
  /** What one line is, for messages: `booking`. */
  each: string;
  /** One record: its cells by column (trimmed, blank cells absent) → the value kept. */
  record: z.ZodType<T>;
};

export type ParsedTable<C extends string, T> = {
  records: { value: T; line: number }[];
  problems: Problem[];
  unread: UnreadLine<C>[];
};

/** bookings.csv as a CsvTable. */
export function bookingsTable(config: Config): CsvTable<Column, Omit<BookingRow, 'line'>> {
  return {
    columns: COLUMNS,
    required: REQUIRED,
    header: 'Date, Time1, Time2, Status',
    each: 'booking',
    record: bookingRecordSchema(config),
  };
}

/** Reads and validates a bookings file; a missing file is an error problem, not an exception. */
export async function loadBookings(file: string, config: Config, clock?: Clock): Promise<ParsedBookings> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return {
      rows: [],
      problems: [
        {
          file,
          line: 0,
          message: `${reason} (expected a CSV file with the header "Date, Time1, Time2, Status")`,
          severity: 'error',
        },
      ],
      unread: [{ line: 0 }],
    };
  }
  const decoded = decodeText(bytes);
  if (!decoded.ok) {
    return {
      rows: [],
      problems: [{ file, line: decoded.line, message: decoded.message, severity: 'error' }],
      unread: [{ line: 0 }],
    };
  }
  return parseBookings(decoded.text, file, config, clock);
}

/**
 * Validates the text of a bookings file and returns its valid rows and every problem found (all in one go).
 * With a clock, rows whose booking window has already passed are warned about.
 */
export function parseBookings(text: string, file: string, config: Config, clock?: Clock): ParsedBookings {
  const { records, problems, unread } = parseCsvTable(text, file, bookingsTable(config));
  const rows: BookingRow[] = records.map(({ value, line }) => ({ ...value, line }));
  for (const warning of rowWarnings(rows, file, config, clock)) problems.push(warning);
  return { rows, problems: sortProblems(problems), unread };
}

/**
 * Reads a member-edited CSV file as `table` describes it: the valid records with their lines, every problem
 * (all in one go, each with its line and field) and the lines whose contents were not used.
 * What spreadsheets export is accepted: a BOM, CRLF or CR line ends, quoted fields, spaces, blank lines.
 */
export function parseCsvTable<C extends string, T>(
  text: string,
  file: string,
  table: CsvTable<C, T>,
): ParsedTable<C, T> {
  const problems: Problem[] = [];
  const error = (line: number, message: string, field?: string) =>
    problems.push({ file, line, message, severity: 'error', ...(field ? { field } : {}) });

  let records: { record: string[]; info: { lines: number } }[];
  try {
    // One line-end convention for the whole file (spreadsheets write CRLF, editors may mix in LF or CR), so
    // the parser's line numbers are the lines a member sees.
    records = parse(text.replace(/\r\n?/g, '\n'), {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as typeof records;
  } catch (e) {
    if (e instanceof CsvError) {
      const { line, message } = describeCsvError(e, text);
      error(line, `${message} (the rest of the file is checked once this line can be read)`);
      return { records: [], problems, unread: [{ line }] };
    }
    throw e;
  }

  const [header, ...body] = records;
  if (!header) {
    error(0, `the file is empty (expected a header line "${table.header}" and one line per ${table.each})`);
    return { records: [], problems, unread: [{ line: 0 }] };
  }

  // Header: map each position to a known column, matched case-insensitively. A name with a character
  // the member cannot see is an error that names it; the column is still matched without it, so that
  // the rest of the file is checked.
  const known = table.columns;
  const columns: (C | undefined)[] = [];
  const seen = new Map<C, number>();
  header.record.forEach((raw, index) => {
    const bad = characterProblem(raw);
    if (bad) error(header.info.lines, describeCharacterProblem(`column ${index + 1}'s name`, raw, bad));
    const name = bad
      ? raw.replace(/[^\P{Cc}]|[^\P{Cf}]|[^\P{Zs}]/gu, (c) => (c === ' ' ? c : '')).trim()
      : raw;
    const column = known.find((c) => c.toLowerCase() === name.toLowerCase());
    if (!column) {
      error(
        header.info.lines,
        name === ''
          ? `column ${index + 1} has no name (expected one of ${known.join(', ')})`
          : `unknown column "${visibleText(name)}"${didYouMean(name, known)} (expected one of ${known.join(', ')})`,
      );
    } else if (seen.has(column)) {
      error(header.info.lines, `column "${visibleText(name)}" appears twice (expected each column once)`);
    } else {
      seen.set(column, index);
    }
    columns.push(column && seen.get(column) === index ? column : undefined);
  });
  const missing = table.required.filter((c) => !seen.has(c));
  for (const column of missing) {
    error(
      header.info.lines,
      `the header has no "${column}" column (expected at least ${table.required.join(', ')})`,
    );
  }

  const schema = table.record;
  const kept: ParsedTable<C, T>['records'] = [];
  const unread: UnreadLine<C>[] = missing.length > 0 ? [{ line: header.info.lines }] : [];
  for (const { record, info } of body) {
    // info.lines is the line a record ends on; a quoted field may span lines.
    const line = info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    if (record.length > header.record.length) {
      error(
        line,
        `this line has ${record.length} fields but the header has ${header.record.length} (expected one value per column: put a value that contains a comma in double quotes)`,
      );
      // Its cells may have slid into the wrong columns: what it holds is not known.
      unread.push({ line });
      continue;
    }
    // A line of only commas is what spreadsheets export for an empty row: treat it as a blank line.
    if (record.every((cell) => cell === '')) continue;
    const raw: Partial<Record<C, string>> = {};
    // Every value is one line of plain text (a line break in a cell could start a forged line in a log);
    // the fields the bot reads (all but Note) also may not hide invisible characters.
    const badFields = new Set<string>();
    record.forEach((cell, index) => {
      const column = columns[index];
      const field = column ?? `column ${index + 1}`;
      const bad = characterProblem(cell, { allowInvisible: column === undefined || column === 'Note' });
      if (bad) {
        error(line, describeCharacterProblem(field, cell, bad), field);
        badFields.add(field);
      }
      if (column && cell !== '') raw[column] = cell;
    });
    const result = schema.safeParse(raw);
    if (!result.success || badFields.size > 0) {
      for (const issue of result.success ? [] : result.error.issues) {
        const field = String(issue.path[0] ?? '');
        // A column missing from the header is reported once, on line 1, not as a blank cell on every row;
        // a value already reported for its characters is not reported again.
        if (!missing.includes(field as C) && !badFields.has(field)) error(line, issue.message, field);
      }
      unread.push({ line, cells: raw });
      continue;
    }
    // Still check every cell when a column is missing, but keep no rows: the file is not usable as it is.
    if (missing.length === 0) kept.push({ value: result.data, line });
  }

  return { records: kept, problems: sortProblems(problems), unread };
}

/** A CSV syntax error (always about double quotes in practice) in a member's words, on the right line. */
function describeCsvError(e: CsvError, text: string): { line: number; message: string } {
  const line = (e as unknown as { lines?: number }).lines ?? 0;
  const example = 'expected quotes only around a whole value, e.g. "Court 1, indoor"';
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED': {
      // The parser notices at the end of the file; the culprit is the first line with an odd number of quotes.
      const lines = text.split(/\r\n?|\n/);
      const index = lines.findIndex((l) => (l.match(/"/g)?.length ?? 0) % 2 === 1);
      return {
        line: index >= 0 ? index + 1 : line,
        message: `a double quote (") opens a value that is never closed (${example})`,
      };
    }
    case 'INVALID_OPENING_QUOTE':
      return { line, message: `a double quote (") in the middle of a value (${example})` };
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
    case 'CSV_INVALID_CLOSING_QUOTE':
      return { line, message: `text after a closing double quote (") (${example})` };
    default:
      return { line, message: `the line is not valid CSV: ${e.message}` };
  }
}

/** Warnings that need more than one cell, or the clock: nothing here stops a valid file. */
function rowWarnings(rows: BookingRow[], file: string, config: Config, clock?: Clock): Problem[] {
  const problems: Problem[] = [];
  const firstLine = new Map<string, number>();
  const firstOnDate = new Map<string, { line: number; key: string; time: string }>();
  // One release per date (a file may repeat a date many times; luxon is the slow part).
  const releases = new Map<string, ReturnType<typeof releaseInstant>>();
  const releaseOf = (date: string) => {
    let release = releases.get(date);
    if (!release) releases.set(date, (release = releaseInstant(date, config)));
    return release;
  };
  for (const row of rows) {
    problems.push(...noFallbackWarning(row, file));
    if (!row.book && looksLikeBook(row.status)) {
      problems.push({
        file,
        line: row.line,
        field: 'Status',
        severity: 'warning',
        message: `Status "${row.status}" is not "Book", so this row is skipped (did you mean "Book"? Write Book to book it; Skip, or a blank, skips it without this warning)`,
      });
    }
    const sameDay = row.book ? firstOnDate.get(row.date) : undefined;
    if (sameDay && sameDay.key !== row.key) {
      problems.push({
        file,
        line: row.line,
        field: 'Date',
        severity: 'warning',
        message: `${row.date} is also booked on line ${sameDay.line} (at ${sameDay.time}): venues often allow one court a day, so the booking that runs second may find the first one held and book nothing (expected one Book row per date, or check that the venue allows two)`,
      });
    } else if (row.book && !sameDay) {
      firstOnDate.set(row.date, { line: row.line, key: row.key, time: row.time1 });
    }
    const earlier = row.book ? firstLine.get(row.key) : undefined;
    if (!row.book) {
      // A skipped row never reaches the status file, so it cannot clash with a booked one.
    } else if (earlier !== undefined) {
      problems.push({
        file,
        line: row.line,
        severity: 'warning',
        message: `${row.date} at ${row.time1} is also on line ${earlier}; both lines are one booking, so only one court will be booked (expected each date and time once)`,
      });
    } else {
      firstLine.set(row.key, row.line);
    }
    if (clock && row.watch) {
      // A Watch row whose release has passed is what the watch is for; only a court date gone is a mistake.
      const today = DateTime.fromMillis(clock.now(), { zone: config.timeZone }).toISODate()!;
      if (row.date < today) {
        problems.push({
          file,
          line: row.line,
          field: 'Date',
          severity: 'warning',
          message: `${row.date} has passed, so there is nothing left to book or watch (remove the line)`,
        });
      }
    } else if (clock && row.book) {
      const releaseAt = releaseOf(row.date);
      const lastChance = releaseAt.plus({ minutes: config.runWindow.graceMinutes });
      if (lastChance.toMillis() < clock.now()) {
        problems.push({
          file,
          line: row.line,
          field: 'Date',
          severity: 'warning',
          message: `the booking window for ${row.date} opened ${releaseAt.setZone(config.timeZone).toFormat("cccc d LLLL yyyy 'at' HH:mm")} (${config.timeZone}) and has passed, so the nightly run will not try this row (book it by hand, or remove the line)`,
        });
      }
    }
  }
  return problems;
}

/**
 * A Status that reads as a wish to book but is not `Book`: `Booked`, `booking`, `yes`, `book it`, `Bok`,
 * `✓`… (a member who booked by hand can write Skip). Words that say no are not.
 */
export function looksLikeBook(status: string): boolean {
  const s = status.trim().toLowerCase();
  if (s === '' || s === 'book') return false;
  if (/\b(no|not|don'?t|do not|skip|cancel\w*|un\w*)\b/.test(s)) return false;
  if (/\bbook/.test(s)) return true;
  if (YES.has(s)) return true;
  return s.length >= 3 && s.length <= 6 && levenshtein(s, 'book') <= 1;
}

const YES = new Set([
  'yes',
  'y',
  'yeah',
  'yep',
  'true',
  '1',
  'x',
  '✓',
  '✔',
  '✅',
  'ok',
  'okay',
  'go',
  'please',
  'reserve',
  'confirm',
  'confirmed',
  'on',
  'do',
  'want',
]);

/** Time2 equal to Time1 (in bookings.csv or a weekly rule): valid, but there is no fallback. */
export function noFallbackWarning(
  row: { line: number; time1: string; time2?: string | undefined },
  file: string,
): Problem[] {
  if (row.time2 === undefined || row.time2 !== row.time1) return [];
  return [
    {
      file,
      line: row.line,
      field: 'Time2',
      severity: 'warning',
      message: `Time2 "${row.time2}" is the same as Time1, so there is no fallback (expected a different time, or leave Time2 blank)`,
    },
  ];
}

/** The court date's release as London wall-clock text, for tables. */
export function describeRelease(row: Pick<BookingRow, 'date'>, config: Config): string {
  return releaseInstant(row.date, config).toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ');
}
