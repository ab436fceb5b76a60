import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import { formatProblem } from '../../src/bookings/csv.ts';
import { describeRule, parseRules, parseWeekday, WEEKDAYS } from '../../src/bookings/recurring.ts';
import { fixedClock } from '../../src/calendar/clock.ts';

const FILE = 'bookings/recurring.csv';
const parse = (text: string) => parseRules(text, FILE, DEFAULT_CONFIG);
const messages = (text: string) => parse(text).problems.map(formatProblem);

describe('parseWeekday: days as members write them', () => {
  it('reads full names, short names and any unambiguous start, in any case', () => {
    const spellings: [string, number][] = [
      ['Tuesday', 2],
      ['tuesday', 2],
      ['TUESDAY', 2],
      ['Tue', 2],
      ['tues', 2],
      ['Tu', 2],
      ['Tue.', 2],
      ['Tuesdays', 2],
      [' thurs ', 4],
      ['Thu', 4],
      ['Th', 4],
      ['weds', 3],
      ['Wed', 3],
      ['Mon', 1],
      ['fri', 5],
      ['Sa', 6],
      ['sunday', 7],
      ['Sundays', 7],
    ];
    expect(spellings.map(([text]) => [text, parseWeekday(text)])).toEqual(spellings);
  });

  it('refuses what is ambiguous or not a day', () => {
    for (const text of ['T', 's', 'S', '', 'day', 'days', 'Tusday', 'Tuesday evening', '2', 'tomorrow']) {
      expect([text, parseWeekday(text)]).toEqual([text, undefined]);
    }
  });
});

describe('recurring.csv: the format', () => {
  it('reads a rule with every column, in any order and case, with what spreadsheets export', () => {
    const text =
      '\uFEFFnote,DAY, time1 ,Time2,Status,Court,From,Until\r\n' +
      '"doubles, with Sam",Tuesday,7pm,8pm,Book,Padel Court 1,2026-12-01,2027-03-30\r\n' +
      ',,,,,,,\r\n' +
      ',thu,7:30pm,,paused,,,';
    const { rules, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(rules).toEqual([
      {
        line: 2,
        weekday: 2,
        time1: '19:00',
        time2: '20:00',
        book: true,
        status: 'Book',
        court: 'Padel Court 1',
        from: '2026-12-01',
        until: '2027-03-30',
        note: 'doubles, with Sam',
      },
      { line: 4, weekday: 4, time1: '19:30', book: false, status: 'paused' },
    ]);
    expect(describeRule(rules[0]!)).toBe(
      'Tuesday 19:00 / 20:00, Padel Court 1, from 2026-12-01 until 2027-03-30',
    );
    expect(describeRule(rules[1]!)).toBe('Thursday 19:30, any court');
    expect(WEEKDAYS[rules[1]!.weekday - 1]).toBe('Thursday');
  });

  it('books only Status Book, in any case: anything else (blank too) pauses the rule', () => {
    const { rules } = parse('Day,Time1,Status\nTue,7pm,Book\nTue,8pm,BOOK\nWed,7pm,Pause\nThu,7pm,\n');
    expect(rules.map((r) => [r.line, r.book])).toEqual([
      [2, true],
      [3, true],
      [4, false],
      [5, false],
    ]);
  });
});

describe('recurring.csv: errors name the file, line and field, all at once', () => {
  it('reports every bad cell with what is expected, in the words bookings.csv uses', () => {
    const text = [
      'Day, Time1, Time2, Status, From, Until',
      'Tuesday, 7pm, 8pm, Book, ,',
      'Tusday, 7pm, , Book, ,',
      'T, 7pm, , Book, ,',
      ', 7pm, , Book, ,',
      'Wed, 25pm, , Book, ,',
      'Wed, , 8pm, Book, ,',
      'Wed, 6am, 10pm, Book, ,',
      'Thu, 7pm, , Book, 2026-02-30, 01/03/2027',
      'Fri, 7pm, , Book, 2027-03-01, 2027-02-01',
      'Sat, 7pm, , Book, , , extra',
    ].join('\n');
    expect(messages(text)).toEqual([
      'bookings/recurring.csv:3: Day "Tusday" is not a day of the week (did you mean "Tuesday"?) (expected a day of the week, e.g. Tuesday, Tue or tues)',
      'bookings/recurring.csv:4: Day "T" is not a day of the week (expected a day of the week, e.g. Tuesday, Tue or tues)',
      'bookings/recurring.csv:5: Day is missing (expected a day of the week, e.g. Tuesday, Tue or tues)',
      'bookings/recurring.csv:6: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)',
      'bookings/recurring.csv:7: Time1 is missing (expected the start time you want, e.g. 7pm)',
      'bookings/recurring.csv:8: Time1 "6am" is outside opening hours (expected a start between 07:00 and 21:00: the venue is open 07:00–22:00 and a slot lasts 60 minutes)',
      'bookings/recurring.csv:8: Time2 "10pm" is outside opening hours (expected a start between 07:00 and 21:00: the venue is open 07:00–22:00 and a slot lasts 60 minutes)',
      'bookings/recurring.csv:9: From "2026-02-30" is not a real calendar date (expected YYYY-MM-DD, e.g. 2026-12-05)',
      'bookings/recurring.csv:9: Until "01/03/2027" is not a date (expected YYYY-MM-DD, e.g. 2026-12-05)',
      'bookings/recurring.csv:10: Until "2027-02-01" is before From "2027-03-01" (expected the last court date the rule books, on or after From)',
      'bookings/recurring.csv:11: this line has 7 fields but the header has 6 (expected one value per column: put a value that contains a comma in double quotes)',
    ]);
    const { rules, problems } = parse(text);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
    expect(problems.filter((p) => p.line === 9).map((p) => p.field)).toEqual(['From', 'Until']);
    expect(problems.find((p) => p.line === 10)?.field).toBe('Until');
    expect(rules.map((r) => r.line)).toEqual([2]);
  });

  it('checks the header like bookings.csv: unknown columns with a suggestion, required ones', () => {
    expect(messages('Dya, Time1, Stauts, Untill\nTue, 7pm, Book, 2027-01-01\n')).toEqual([
      'bookings/recurring.csv:1: unknown column "Dya" (did you mean "Day"?) (expected one of Day, Time1, Time2, Status, Court, From, Until, Note)',
      'bookings/recurring.csv:1: unknown column "Stauts" (did you mean "Status"?) (expected one of Day, Time1, Time2, Status, Court, From, Until, Note)',
      'bookings/recurring.csv:1: unknown column "Untill" (did you mean "Until"?) (expected one of Day, Time1, Time2, Status, Court, From, Until, Note)',
      'bookings/recurring.csv:1: the header has no "Day" column (expected at least Day, Time1, Status)',
      'bookings/recurring.csv:1: the header has no "Status" column (expected at least Day, Time1, Status)',
    ]);
    expect(messages('')).toEqual([
      'bookings/recurring.csv: the file is empty (expected a header line "Day, Time1, Time2, Status" and one line per weekly rule)',
    ]);
    expect(messages('Day,Time1,Status\nTue,"7pm,Book\n')).toEqual([
      'bookings/recurring.csv:2: a double quote (") opens a value that is never closed (expected quotes only around a whole value, e.g. "Court 1, indoor") (the rest of the file is checked once this line can be read)',
    ]);
  });
});

describe('recurring.csv: warnings do not fail the file', () => {
  it('warns about no fallback, two rules that are one booking, and a range with no such day', () => {
    const text = [
      'Day,Time1,Time2,Status,From,Until',
      'Tue,7pm,19:00,Book,,',
      'Tuesday,7pm,8pm,Book,2026-12-01,',
      'Tue,7pm,,Book,2026-01-01,2026-06-30',
      'Tue,7pm,,Skip,,',
      'Tue,8pm,,Book,,',
      'Wed,7pm,,Book,2026-12-03,2026-12-08',
    ].join('\n');
    const { rules, problems } = parse(text);
    expect(rules).toHaveLength(6);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/recurring.csv:2: warning: Time2 "19:00" is the same as Time1, so there is no fallback (expected a different time, or leave Time2 blank)',
      'bookings/recurring.csv:3: warning: Tuesday at 19:00 is also the rule on line 2, for some of the same dates; both are one booking, so only one court will be booked and this line is ignored on those dates (expected each day and time once, or From/Until that do not overlap)',
      'bookings/recurring.csv:4: warning: Tuesday at 19:00 is also the rule on line 2, for some of the same dates; both are one booking, so only one court will be booked and this line is ignored on those dates (expected each day and time once, or From/Until that do not overlap)',
      'bookings/recurring.csv:7: warning: there is no Wednesday from 2026-12-03 until 2026-12-08, so this rule books nothing (expected From and Until around at least one Wednesday)',
    ]);
  });

  it('two rules for one day and time whose dates do not overlap are fine', () => {
    expect(
      messages('Day,Time1,Status,From,Until\nTue,7pm,Book,,2026-12-31\nTue,7pm,Book,2027-01-01,\n'),
    ).toEqual([]);
  });

  it('warns, with a clock, about an active rule whose Until has passed (but not a paused one)', () => {
    const text =
      'Day,Time1,Status,Until\nTue,7pm,Book,2026-11-17\nTue,8pm,Skip,2026-11-17\nWed,7pm,Book,2026-11-24\n';
    const at = (iso: string) => parseRules(text, FILE, DEFAULT_CONFIG, fixedClock(iso)).problems;
    expect(at('2026-11-24T12:00:00Z').map(formatProblem)).toEqual([
      'bookings/recurring.csv:2: warning: this rule ended on 2026-11-17 (Until), so it books nothing more (remove the line, or move Until later)',
    ]);
    // Until is a court date, inclusive, in London: on the day itself the rule has not ended.
    expect(at('2026-11-17T23:59:00Z')).toEqual([]);
  });
});
