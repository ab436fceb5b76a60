import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/bookings/config.ts';
import { formatProblem, loadBookings, parseBookings } from '../../src/bookings/csv.ts';
import { fixedClock } from '../../src/calendar/clock.ts';

const FILE = 'bookings/bookings.csv';
const parse = (text: string, config: Config = DEFAULT_CONFIG) => parseBookings(text, FILE, config);
const messages = (text: string, config?: Config) => parse(text, config).problems.map(formatProblem);

describe('the members’ format', () => {
  it('reads the format from the issue', () => {
    const { rows, problems } = parse(
      'Date, Time1, Time2, Status\n2026-12-15, 7pm, 8pm, Book\n2026-12-16, 11am, 12pm, Book\n',
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        key: '2026-12-15 19:00',
        date: '2026-12-15',
        time1: '19:00',
        time2: '20:00',
        book: true,
        status: 'Book',
        court: undefined,
        note: undefined,
      },
      {
        line: 3,
        key: '2026-12-16 11:00',
        date: '2026-12-16',
        time1: '11:00',
        time2: '12:00',
        book: true,
        status: 'Book',
        court: undefined,
        note: undefined,
      },
    ]);
  });

  it('accepts what spreadsheets export: BOM, CRLF, quotes, spaces, blank lines, no final newline', () => {
    const text =
      '\uFEFFDate,Time1,Time2,Status,Court,Note\r\n' +
      '\r\n' +
      '"2026-12-15", "7:30pm" ,"8.30pm",Book,"Court 1, indoor","say ""hi"""\r\n' +
      ',,,,,\r\n' +
      '   \r\n' +
      '2026-12-16,7 PM,,book,,"two, ""quoted"", words"\r\n' +
      '2026-12-17,19:00,,BOOK,,';
    const { rows, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.line, r.key, r.time2, r.court, r.note])).toEqual([
      [3, '2026-12-15 19:30', '20:30', 'Court 1, indoor', 'say "hi"'],
      [6, '2026-12-16 19:00', undefined, undefined, 'two, "quoted", words'],
      [7, '2026-12-17 19:00', undefined, undefined, undefined],
    ]);
  });

  it('reads a file whose last line ends with a newline or not, and old Mac CR line ends', () => {
    expect(parse('Date,Time1,Status\n2026-12-15,7pm,Book').rows).toHaveLength(1);
    expect(parse('Date,Time1,Status\n2026-12-15,7pm,Book\n').rows).toHaveLength(1);
    expect(
      parse('Date,Time1,Status\r2026-12-15,7pm,Book\r2026-12-16,7pm,Book\r').rows.map((r) => r.line),
    ).toEqual([2, 3]);
  });

  it('matches header names case-insensitively and trimmed, in any order', () => {
    const { rows, problems } = parse(' status ,DATE, time1 ,NOTE\nBook,2026-12-15,7pm,hello\n');
    expect(problems).toEqual([]);
    expect(rows[0]).toMatchObject({ date: '2026-12-15', time1: '19:00', book: true, note: 'hello' });
  });

  it('books only Status Book, in any case; every other row is kept as skipped', () => {
    const { rows } = parse(
      'Date,Time1,Status\n2026-12-15,7pm,Book\n2026-12-16,7pm,bOoK\n2026-12-17,7pm,Skip\n2026-12-18,7pm,\n2026-12-19,7pm,Booked\n',
    );
    expect(rows.map((r) => [r.date, r.book, r.status])).toEqual([
      ['2026-12-15', true, 'Book'],
      ['2026-12-16', true, 'bOoK'],
      ['2026-12-17', false, 'Skip'],
      ['2026-12-18', false, ''],
      ['2026-12-19', false, 'Booked'],
    ]);
  });

  it('books Status Watch too, in any case, and marks it watched', () => {
    const { rows, problems } = parse(
      'Date,Time1,Status\n2026-12-15,7pm,Watch\n2026-12-16,7pm,wATCH\n2026-12-17,7pm,Book\n',
    );
    expect(rows.map((r) => [r.date, r.book, r.watch, r.status])).toEqual([
      ['2026-12-15', true, true, 'Watch'],
      ['2026-12-16', true, true, 'wATCH'],
      ['2026-12-17', true, undefined, 'Book'],
    ]);
    expect(problems).toEqual([]);
  });

  it('accepts 29 February in a leap year and the last days of months and years', () => {
    const { rows, problems } = parse(
      'Date,Time1,Status\n2028-02-29,7pm,Book\n2026-12-31,7pm,Book\n2027-01-01,7am,Book\n2026-04-30,9pm,Book\n',
    );
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(4);
  });
});

describe('errors: file, line, field, what is expected — all in one go', () => {
  it('reports every error in the file at once', () => {
    const text = [
      'Date, Time1, Time2, Status',
      '2026-12-15, 7pm, 8pm, Book',
      '2026-12-16, 25pm, 8pm, Book',
      '2026-02-30, 7pm, , Book',
      '2027-02-29, 7pm, , Book',
      '15/12/2026, 7pm, , Book',
      '2026-12-17, , 8pm, Book',
      ', 7pm, , Book',
      '2026-12-18, 6am, 10pm, Book',
      '2026-12-19, 7pm, 8pm, Book, extra',
      '2026-12-20, 9pm, seven, Book',
    ].join('\n');
    expect(messages(text)).toEqual([
      'bookings/bookings.csv:3: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
      'bookings/bookings.csv:4: Date "2026-02-30" is not a real calendar date (expected YYYY-MM-DD, e.g. 2026-12-05)',
      'bookings/bookings.csv:5: Date "2027-02-29" is not a real calendar date (expected YYYY-MM-DD, e.g. 2026-12-05)',
      'bookings/bookings.csv:6: Date "15/12/2026" is not a date (expected YYYY-MM-DD, e.g. 2026-12-05)',
      'bookings/bookings.csv:7: Time1 is missing (expected the start time you want, e.g. 7pm)',
      'bookings/bookings.csv:8: Date is missing (expected YYYY-MM-DD, e.g. 2026-12-05)',
      'bookings/bookings.csv:9: Time1 "6am" is outside opening hours (expected a start between 07:00 and 21:00: the venue is open 07:00–22:00 and a slot lasts 60 minutes)',
      'bookings/bookings.csv:9: Time2 "10pm" is outside opening hours (expected a start between 07:00 and 21:00: the venue is open 07:00–22:00 and a slot lasts 60 minutes)',
      'bookings/bookings.csv:10: this line has 5 fields but the header has 4 (expected one value per column: put a value that contains a comma in double quotes)',
      'bookings/bookings.csv:11: Time2 "seven" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
    ]);
    const problems = parse(text).problems;
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
    expect(problems.find((p) => p.line === 3)?.field).toBe('Time1');
    expect(parse(text).rows.map((r) => r.line)).toEqual([2]);
  });

  it('names an unknown column and suggests the nearest known one', () => {
    expect(
      messages('Date, Time1, Time2, Stauts, Cort, Colour\n2026-12-15, 7pm, 8pm, Book, 1, red\n'),
    ).toEqual([
      'bookings/bookings.csv:1: unknown column "Stauts" (did you mean "Status"?) (expected one of Date, Time1, Time2, Status, Court, Note)',
      'bookings/bookings.csv:1: unknown column "Cort" (did you mean "Court"?) (expected one of Date, Time1, Time2, Status, Court, Note)',
      'bookings/bookings.csv:1: unknown column "Colour" (expected one of Date, Time1, Time2, Status, Court, Note)',
      'bookings/bookings.csv:1: the header has no "Status" column (expected at least Date, Time1, Status)',
    ]);
  });

  it('still checks every cell when a required column is missing, but keeps no rows', () => {
    const { rows, problems } = parse('Date,Time1,Stat\n2026-12-15,25pm,Book\n2026-12-16,7pm,Book\n');
    expect(rows).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:1: unknown column "Stat" (did you mean "Status"?) (expected one of Date, Time1, Time2, Status, Court, Note)',
      'bookings/bookings.csv:1: the header has no "Status" column (expected at least Date, Time1, Status)',
      'bookings/bookings.csv:2: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
    ]);
  });

  it('still checks the rows when an unknown optional column is present', () => {
    expect(messages('Date,Time1,Status,Notes\n2026-12-15,25pm,Book,x\n')).toEqual([
      'bookings/bookings.csv:1: unknown column "Notes" (did you mean "Note"?) (expected one of Date, Time1, Time2, Status, Court, Note)',
      'bookings/bookings.csv:2: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
    ]);
  });

  it('reports a column named twice, an empty file and a broken quote', () => {
    expect(messages('Date,Time1,Status,date\n')).toEqual([
      'bookings/bookings.csv:1: column "date" appears twice (expected each column once)',
    ]);
    expect(messages('')).toEqual([
      'bookings/bookings.csv: the file is empty (expected a header line "Date, Time1, Time2, Status" and one line per booking)',
    ]);
    expect(messages('Date,Time1,Status\n2026-12-15,"7pm,Book\n2026-12-16,7pm,Book\n')).toEqual([
      'bookings/bookings.csv:2: a double quote (") opens a value that is never closed (expected quotes only around a whole value, e.g. "Court 1, indoor") (the rest of the file is checked once this line can be read)',
    ]);
    expect(messages('Date,Time1,Status\n2026-12-15,7p"m,Book\n')).toEqual([
      'bookings/bookings.csv:2: a double quote (") in the middle of a value (expected quotes only around a whole value, e.g. "Court 1, indoor") (the rest of the file is checked once this line can be read)',
    ]);
    expect(messages('Date,Time1,Status\n2026-12-15,7pm,Book\n2026-12-15,"7pm" x,Book\n')).toEqual([
      'bookings/bookings.csv:3: text after a closing double quote (") (expected quotes only around a whole value, e.g. "Court 1, indoor") (the rest of the file is checked once this line can be read)',
    ]);
  });

  it('follows the configured opening hours and slot length', () => {
    const config = { ...DEFAULT_CONFIG, slotMinutes: 90, openingHours: { open: '06:30', close: '23:00' } };
    expect(
      messages(
        'Date,Time1,Status\n2026-12-15,6:30am,Book\n2026-12-16,9:30pm,Book\n2026-12-17,9:31pm,Book\n',
        config,
      ),
    ).toEqual([
      'bookings/bookings.csv:4: Time1 "9:31pm" is outside opening hours (expected a start between 06:30 and 21:30: the venue is open 06:30–23:00 and a slot lasts 90 minutes)',
    ]);
  });
});

describe('one line of plain text per value: nothing that could forge a log line or hide', () => {
  it('refuses a line break in any field, quoted across lines, naming the line and the field', () => {
    const text =
      'Date,Time1,Time2,Status,Court,Note\n' +
      '2026-12-15,"7pm\n::error title=X::forged",8pm,Book,,\n' +
      '2026-12-16,7pm,,Book,,"::add-mask::\r\n::stop-commands::tok"\n' +
      '2026-12-17,7pm,,Book,"Court 1\r##[error]x",\n' +
      '2026-12-18,7pm,,Book,,fine\n';
    const { rows, problems } = parse(text);
    expect(rows.map((r) => [r.line, r.date])).toEqual([[8, '2026-12-18']]);
    expect(problems.map((p) => [p.line, p.field, p.severity])).toEqual([
      [2, 'Time1', 'error'],
      [4, 'Note', 'error'],
      [6, 'Court', 'error'],
    ]);
    expect(formatProblem(problems[0]!)).toBe(
      'bookings/bookings.csv:2: Time1 "7pm\\n::error title=X::forged" runs onto more than one line (U+000A LINE FEED) (expected a value on one line: remove the line break, and check that every double quote is closed on the same line)',
    );
    // Nothing in a message starts a new line.
    for (const p of problems) expect(formatProblem(p)).not.toMatch(/[\r\n]/);
  });

  it('refuses other control characters, in any column, known or not', () => {
    const { problems } = parse('Date,Time1,Status,Extra\n2026-12-15,7\tpm,Book,\u001b[31mred\n');
    expect(problems.filter((p) => p.line === 2).map((p) => [p.field, p.message])).toEqual([
      [
        'Time1',
        'Time1 "7\\tpm" contains the control character U+0009 CHARACTER TABULATION (expected plain text: delete it and retype the value)',
      ],
      [
        'column 4',
        'column 4 "<U+001B>[31mred" contains the control character U+001B ESCAPE (expected plain text: delete it and retype the value)',
      ],
    ]);
  });

  it('names invisible characters in the fields the bot reads, and allows them in a Note', () => {
    // (Unicode spaces at either end of a value are trimmed like spaces, by csv-parse.)
    expect(parse('Date,Time1,Status\n2026-12-15,7pm,Book\u00a0\u3000\n').rows[0]?.book).toBe(true);
    const text =
      'Date,Time1,Status,Court,Note\n' +
      '2026-12-15\u200b,7pm,Book,,\n' +
      '2026-12-16,7pm,Bo\u00a0ok,,\n' +
      '2026-12-17,7pm,Book,\u200fPadel Court 1,\n' +
      '2026-12-18,7pm,Book,,\u200bemoji 👩\u200d👩\u200d👧 note\n';
    const { rows, problems } = parse(text);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:2: Date "2026-12-15<U+200B>" contains the invisible character U+200B ZERO WIDTH SPACE (expected plain text: delete it, or retype the value)',
      'bookings/bookings.csv:3: Status "Bo<U+00A0>ok" contains the invisible character U+00A0 NO-BREAK SPACE (expected plain text: delete it, or retype the value)',
      'bookings/bookings.csv:4: Court "<U+200F>Padel Court 1" contains the invisible character U+200F RIGHT-TO-LEFT MARK (expected plain text: delete it, or retype the value)',
    ]);
    expect(rows.map((r) => r.line)).toEqual([5]);
  });

  it('names an invisible character in a header name, and still reads the column', () => {
    const { rows, problems } = parse('\u200bDate,Time1,Status\n2026-12-15,7pm,Book\n2026-12-16,25pm,Book\n');
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:1: column 1\'s name "<U+200B>Date" contains the invisible character U+200B ZERO WIDTH SPACE (expected plain text: delete it, or retype the value)',
      'bookings/bookings.csv:3: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
    ]);
    expect(rows).toHaveLength(1);
  });
});

describe('warnings do not fail the file', () => {
  it('warns about Time2 equal to Time1 and the same date and time twice', () => {
    const { rows, problems } = parse(
      'Date,Time1,Time2,Status\n2026-12-15,7pm,19:00,Book\n2026-12-16,8pm,,Book\n2026-12-16,20:00,,Book\n2026-12-16,8pm,,Skip\n',
    );
    expect(rows).toHaveLength(4);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:2: warning: Time2 "19:00" is the same as Time1, so there is no fallback (expected a different time, or leave Time2 blank)',
      'bookings/bookings.csv:4: warning: 2026-12-16 at 20:00 is also on line 3; both lines are one booking, so only one court will be booked (expected each date and time once)',
    ]);
  });

  it('warns, with a clock, about a booked row whose window has passed (but not a skipped one)', () => {
    const text = 'Date,Time1,Status\n2026-12-01,7pm,Book\n2026-12-01,8pm,Skip\n2026-12-09,7pm,Book\n';
    // 24 Nov 2026 14:00 London: the release for 1 Dec (17 Nov) has passed, the one for 9 Dec (25 Nov) has not.
    const { rows, problems } = parseBookings(text, FILE, DEFAULT_CONFIG, fixedClock('2026-11-24T14:00:00Z'));
    expect(rows).toHaveLength(3);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:2: warning: the booking window for 2026-12-01 opened Tuesday 17 November 2026 at 00:00 (Europe/London) and has passed, so the nightly run will not try this row (book it by hand, or remove the line)',
    ]);
    // Inside the grace period after the release it is not yet "passed".
    expect(parseBookings(text, FILE, DEFAULT_CONFIG, fixedClock('2026-11-17T00:29:00Z')).problems).toEqual(
      [],
    );
  });
});

it('does not warn about a Watch row whose release has passed (the watch is for that), only one whose date has', () => {
  const text = 'Date,Time1,Status\n2026-12-01,7pm,Watch\n2026-11-23,7pm,Watch\n2026-11-24,7pm,Watch\n';
  const { problems } = parseBookings(text, FILE, DEFAULT_CONFIG, fixedClock('2026-11-24T14:00:00Z'));
  expect(problems.map(formatProblem)).toEqual([
    'bookings/bookings.csv:3: warning: 2026-11-23 has passed, so there is nothing left to book or watch (remove the line)',
  ]);
});

describe('loadBookings', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('the committed sample bookings/bookings.csv is valid, with a skipped row', async () => {
    const { rows, problems } = await loadBookings('bookings/bookings.csv', DEFAULT_CONFIG);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(rows.some((r) => r.book)).toBe(true);
    expect(rows.some((r) => !r.book && r.status === 'Skip')).toBe(true);
  });

  it('reads a real file', async () => {
    const file = join(dir, 'bookings.csv');
    await writeFile(file, 'Date,Time1,Status\n2026-12-15,7pm,Book\n');
    const { rows, problems } = await loadBookings(file, DEFAULT_CONFIG);
    expect(problems).toEqual([]);
    expect(rows[0]?.key).toBe('2026-12-15 19:00');
  });

  it('reports a missing file as an error problem', async () => {
    const file = join(dir, 'nope.csv');
    const { problems } = await loadBookings(file, DEFAULT_CONFIG);
    expect(problems.map(formatProblem)).toEqual([
      `${file}: file not found (expected a CSV file with the header "Date, Time1, Time2, Status")`,
    ]);
  });
});

describe('what a member meant, and files saved the wrong way', () => {
  it('warns when Status reads as a wish to book but is not Book (the row is still skipped)', () => {
    const statuses = [
      'Booked',
      'yes',
      'book it',
      'Bok',
      'BOOKING',
      '✓',
      'Skip',
      'no',
      "don't book",
      '',
      'later',
    ];
    const text = ['Date,Time1,Status', ...statuses.map((s, i) => `2026-12-${10 + i},7pm,${s}`), ''].join(
      '\n',
    );
    const { rows, problems } = parse(text);
    expect(rows.every((r) => !r.book)).toBe(true);
    expect(problems.map((p) => [p.line, p.field, p.severity])).toEqual(
      [2, 3, 4, 5, 6, 7].map((line) => [line, 'Status', 'warning']),
    );
    expect(formatProblem(problems[0]!)).toBe(
      'bookings/bookings.csv:2: warning: Status "Booked" is not "Book", so this row is skipped (did you mean "Book"? Write Book to book it; Skip, or a blank, skips it without this warning)',
    );
  });

  it('warns when two Book rows share a date at different times (a skipped one does not count)', () => {
    const { problems } = parse(
      'Date,Time1,Status\n2026-12-15,7pm,Book\n2026-12-15,10am,Skip\n2026-12-15,9am,Book\n2026-12-16,9am,Book\n',
    );
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:4: warning: 2026-12-15 is also booked on line 2 (at 19:00): venues often allow one court a day, so the booking that runs second may find the first one held and book nothing (expected one Book row per date, or check that the venue allows two)',
    ]);
  });

  it('says which encoding a UTF-16 or Windows-1252 (Latin-1) file is in, and what to save it as', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'encodings-'));
    try {
      const csv = 'Date,Time1,Status,Note\n2026-12-15,7pm,Book,café\n';
      const files: Record<string, Buffer> = {
        'utf16le-bom.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]),
        'utf16be-bom.csv': Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(csv, 'utf16le').swap16()]),
        'utf16le-no-bom.csv': Buffer.from(csv, 'utf16le'),
        'windows-1252.csv': Buffer.from(csv, 'latin1'),
        'utf8-bom.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv, 'utf8')]),
      };
      const found: Record<string, string[]> = {};
      for (const [name, bytes] of Object.entries(files)) {
        await writeFile(join(dir, name), bytes);
        const { rows, problems } = await loadBookings(join(dir, name), DEFAULT_CONFIG);
        found[name] = problems.map((p) => `${p.line}: ${p.message}`);
        if (name === 'utf8-bom.csv') expect(rows[0]?.note).toBe('café');
      }
      const saveAs =
        'expected UTF-8: in Excel use Save As → "CSV UTF-8 (Comma delimited)"; in Google Sheets, Numbers or LibreOffice export CSV with the UTF-8 character set';
      expect(found).toEqual({
        'utf16le-bom.csv': [
          `0: the file is saved as UTF-16 (little-endian), not UTF-8, so every character would be read wrong (${saveAs})`,
        ],
        'utf16be-bom.csv': [
          `0: the file is saved as UTF-16 (big-endian), not UTF-8, so every character would be read wrong (${saveAs})`,
        ],
        'utf16le-no-bom.csv': [
          `0: the file is saved as UTF-16 (little-endian), not UTF-8, so every character would be read wrong (${saveAs})`,
        ],
        'windows-1252.csv': [
          `2: the file is not UTF-8: byte 0xE9 here is "é" in Windows-1252 (Latin-1), the encoding it was probably saved in (${saveAs})`,
        ],
        'utf8-bom.csv': [],
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
