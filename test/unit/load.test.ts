import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import { formatProblem, loadBookings, parseBookings } from '../../src/bookings/csv.ts';
import { loadBookingRows, mergeWithRules, rulesFileFor } from '../../src/bookings/load.ts';
import { parseRules } from '../../src/bookings/recurring.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { expansionRange } from '../../src/calendar/weekly.ts';

const DATED = 'bookings/bookings.csv';
const RULES = 'bookings/recurring.csv';

/** bookings.csv and recurring.csv texts merged at `now`, as loadBookingRows does without the files. */
function merge(datedCsv: string, rulesCsv: string, now = '2026-10-13T12:00', days = 28) {
  const dated = parseBookings(`Date,Time1,Time2,Status,Court\n${datedCsv}`, DATED, DEFAULT_CONFIG);
  const rules = parseRules(`Day,Time1,Time2,Status,Court,From,Until\n${rulesCsv}`, RULES, DEFAULT_CONFIG);
  expect(rules.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return mergeWithRules({
    dated: dated.rows,
    datedFile: DATED,
    unread: dated.unread,
    rules: rules.rules,
    rulesFile: RULES,
    range: expansionRange(fixedClock(now), DEFAULT_CONFIG, days),
  });
}

const view = (
  rows: { date: string; time1: string; status: string; source?: { file: string; line: number } }[],
) =>
  rows.map((r) => `${r.date} ${r.time1} ${r.status} ${r.source ? `${r.source.file}:${r.source.line}` : '-'}`);

describe('mergeWithRules: dated rows win their date', () => {
  it('a dated Skip cancels the rule that week and a dated Book with other times replaces it, with a warning', () => {
    // A Tuesday rule across the October clock change, with exceptions on both sides of it.
    const { rows, problems, exceptions } = merge(
      '2026-10-27,7pm,,Skip,\n2026-11-10,9pm,,Book,\n2026-11-12,7pm,,Book,',
      'Tuesday,7pm,8pm,Book,,,',
    );
    expect(rows.map((r) => [r.date, r.time1, r.book, r.line, r.source?.rule ?? false])).toEqual([
      ['2026-10-13', '19:00', true, 2, true],
      ['2026-10-20', '19:00', true, 2, true],
      ['2026-10-27', '19:00', false, 2, false],
      ['2026-11-03', '19:00', true, 2, true],
      ['2026-11-10', '21:00', true, 3, false],
      ['2026-11-12', '19:00', true, 4, false],
      ['2026-11-17', '19:00', true, 2, true],
      ['2026-11-24', '19:00', true, 2, true],
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:3: warning: 2026-11-10 is a Tuesday, when the weekly rule on bookings/recurring.csv:2 books 19:00 / 20:00; this line wins for that date, so 21:00 is booked and the rule is not (to book both, add a line for 2026-11-10 at 19:00 too; to keep the rule, remove this line)',
    ]);
    expect(exceptions.map((e) => [e.date, e.kind, e.line, e.rule.line])).toEqual([
      ['2026-10-27', 'skipped', 2, 2],
      ['2026-11-10', 'replaced', 3, 2],
    ]);
  });

  it('a dated line takes the whole date: every rule of that day steps aside', () => {
    const { rows, problems, exceptions } = merge(
      '2026-10-20,7pm,8pm,Book,',
      'Tuesday,7pm,8pm,Book,,,\nTuesday,8pm,,Book,,,',
      '2026-10-13T12:00',
      0,
    );
    expect(view(rows)).toEqual([
      '2026-10-13 19:00 Book bookings/recurring.csv:2',
      '2026-10-13 20:00 Book bookings/recurring.csv:3',
      '2026-10-20 19:00 Book -',
      '2026-10-27 19:00 Book bookings/recurring.csv:2',
      '2026-10-27 20:00 Book bookings/recurring.csv:3',
    ]);
    // The same times as the first rule: no warning for it; the second rule's 20:00 is replaced: warned.
    expect(exceptions.map((e) => [e.date, e.kind, e.rule.line])).toEqual([
      ['2026-10-20', 'same', 2],
      ['2026-10-20', 'replaced', 3],
    ]);
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:2: warning: 2026-10-20 is a Tuesday, when the weekly rule on bookings/recurring.csv:3 books 20:00; this line wins for that date, so 19:00 / 20:00 is booked and the rule is not (to book both, add a line for 2026-10-20 at 20:00 too; to keep the rule, remove this line)',
    ]);
  });

  it('a dated line on a court other than the rule’s says so; lines before today or off the rule are left alone', () => {
    const { problems, exceptions } = merge(
      '2026-10-20,7pm,8pm,Book,Padel Court 2\n2026-10-06,9pm,,Book,\n2026-10-21,9pm,,Book,',
      'Tuesday,7pm,8pm,Book,Padel Court 1,,',
    );
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining(
        'so 19:00 / 20:00 (Padel Court 2 instead of Padel Court 1) is booked and the rule is not',
      ),
    ]);
    expect(exceptions.map((e) => e.date)).toEqual(['2026-10-20']);
  });

  it('a paused rule or one whose From/Until leave the date out does not meet a dated line', () => {
    const { problems, exceptions, rows } = merge(
      '2026-10-20,9pm,,Book,\n2026-11-03,9pm,,Book,',
      'Tuesday,7pm,,Paused,,,\nTuesday,8pm,,Book,,2026-10-27,',
    );
    // 20 Oct: before the active rule's From, and the paused rule does not count. 3 Nov: replaced.
    expect(problems.map((p) => [p.line, p.message.slice(0, 30)])).toEqual([
      [3, '2026-11-03 is a Tuesday, when '],
    ]);
    expect(exceptions.map((e) => [e.date, e.rule.line])).toEqual([['2026-11-03', 3]]);
    expect(rows.filter((r) => r.source?.rule).map((r) => r.date)).toEqual([
      '2026-10-27',
      '2026-11-10',
      '2026-11-17',
      '2026-11-24',
    ]);
  });

  it('two rules for the same day and time are one booking: the first one’s', () => {
    const { rows } = merge(
      '',
      'Tuesday,7pm,8pm,Book,,,\nTue,7pm,,Book,Padel Court 2,,',
      '2026-10-13T12:00',
      0,
    );
    expect(rows.map((r) => [r.key, r.time2, r.court, r.line])).toEqual([
      ['2026-10-13 19:00', '20:00', undefined, 2],
      ['2026-10-20 19:00', '20:00', undefined, 2],
      ['2026-10-27 19:00', '20:00', undefined, 2],
    ]);
  });
});

describe('mergeWithRules: fail safe when bookings.csv has errors', () => {
  it('a broken line for a date keeps the rules off that date (it may have been the Skip)', () => {
    const { rows, problems, exceptions } = merge(
      '2026-10-20,7pn,,Skip,\n2026-10-22,25pm,,Book,',
      'Tuesday,7pm,,Book,,,',
      '2026-10-13T12:00',
      0,
    );
    expect(view(rows)).toEqual([
      '2026-10-13 19:00 Book bookings/recurring.csv:2',
      '2026-10-27 19:00 Book bookings/recurring.csv:2',
    ]);
    // Only the line on the rule's day is flagged; the error itself is bookings.csv's own problem.
    expect(problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:2: warning: the weekly rule on bookings/recurring.csv:2 is not applied on 2026-10-20 while this line has an error: it may be an exception for that date (fix the error above)',
    ]);
    expect(exceptions.map((e) => [e.date, e.kind, e.line])).toEqual([['2026-10-20', 'unread', 2]]);
  });

  it('a broken line whose date cannot be read, or a file that cannot be read, keeps every rule off', () => {
    for (const dated of ['2026-02-30,7pm,,Skip,', ',7pm,,Skip,', '2026-10-20,7pm,,Skip,,,extra']) {
      const { rows, problems } = merge(dated, 'Tuesday,7pm,,Book,,,', '2026-10-13T12:00', 0);
      expect([dated, rows]).toEqual([dated, []]);
      expect(problems.map(formatProblem)).toEqual([
        'bookings/bookings.csv:2: warning: no weekly rule of bookings/recurring.csv is applied while this line has an error: it could be an exception for any date (fix the error above; the rules then apply again)',
      ]);
    }
    const broken = parseBookings('Date,Time1,Stat\n2026-10-20,7pm,Skip\n', DATED, DEFAULT_CONFIG);
    const rules = parseRules('Day,Time1,Status\nTue,7pm,Book\n', RULES, DEFAULT_CONFIG).rules;
    const merged = mergeWithRules({
      dated: broken.rows,
      datedFile: DATED,
      unread: broken.unread,
      rules,
      rulesFile: RULES,
      range: { from: '2026-10-13', until: '2026-10-27' },
    });
    expect(merged.rows).toEqual([]);
    expect(merged.problems.map(formatProblem)).toEqual([
      'bookings/bookings.csv:1: warning: no weekly rule of bookings/recurring.csv is applied while this line has an error: it could be an exception for any date (fix the error above; the rules then apply again)',
    ]);
  });

  it('errors elsewhere in bookings.csv do not stop rules when there are none to stop', () => {
    expect(merge('2026-10-20,7pn,,Skip,', 'Tuesday,7pm,,Paused,,,').problems).toEqual([]);
  });
});

describe('loadBookingRows: the one loader of what to book', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds recurring.csv next to the bookings file', () => {
    expect(rulesFileFor('bookings/bookings.csv')).toBe('bookings/recurring.csv');
    expect(rulesFileFor('bookings.csv')).toBe('recurring.csv');
    expect(rulesFileFor('/tmp/x/mine.csv')).toBe('/tmp/x/recurring.csv');
  });

  it('reads both files, expands, merges and reports the problems of both in file and line order', async () => {
    const folder = join(dir, 'both');
    await mkdir(folder);
    const bookings = join(folder, 'bookings.csv');
    await writeFile(
      bookings,
      'Date,Time1,Status\n2026-11-10,9pm,Book\n2026-11-03,7pm,Skip\n2026-10-30,25pm,Book\n',
    );
    await writeFile(
      join(folder, 'recurring.csv'),
      'Day,Time1,Time2,Status,Note\nTue,7pm,8pm,Book,league\nThu,7pm,7pm,Book,\nFri,8pm,,Paused,\n',
    );
    const loaded = await loadBookingRows(bookings, DEFAULT_CONFIG, fixedClock('2026-10-26T23:40:00Z'), {
      horizonDays: 14,
    });
    const rules = join(folder, 'recurring.csv');
    expect(loaded.rulesFile).toBe(rules);
    expect(loaded.rulesFound).toBe(true);
    expect(loaded.range).toEqual({ from: '2026-10-26', until: '2026-11-23' });
    expect(loaded.rules.map((r) => [r.line, r.book])).toEqual([
      [2, true],
      [3, true],
      [4, false],
    ]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      `${bookings}:2: warning: 2026-11-10 is a Tuesday, when the weekly rule on ${rules}:2 books 19:00 / 20:00; this line wins for that date, so 21:00 is booked and the rule is not (to book both, add a line for 2026-11-10 at 19:00 too; to keep the rule, remove this line)`,
      `${bookings}:4: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)`,
      `${rules}:3: warning: Time2 "19:00" is the same as Time1, so there is no fallback (expected a different time, or leave Time2 blank)`,
    ]);
    expect(
      loaded.rows.map(
        (r) => `${r.key} ${r.book ? 'Book' : 'skip'} ${r.source?.rule ? 'rule' : 'dated'}:${r.source?.line}`,
      ),
    ).toEqual([
      '2026-10-27 19:00 Book rule:2',
      '2026-10-29 19:00 Book rule:3',
      '2026-11-03 19:00 skip dated:3',
      '2026-11-05 19:00 Book rule:3',
      '2026-11-10 21:00 Book dated:2',
      '2026-11-12 19:00 Book rule:3',
      '2026-11-17 19:00 Book rule:2',
      '2026-11-19 19:00 Book rule:3',
    ]);
    expect(loaded.rows[0]).toMatchObject({ note: 'league', source: { file: rules, line: 2, rule: true } });
    expect(loaded.dated.map((r) => r.source)).toEqual([
      { file: bookings, line: 2 },
      { file: bookings, line: 3 },
    ]);
  });

  it('a missing rules file is no rules: the same rows and problems as loadBookings', async () => {
    const folder = join(dir, 'dated-only');
    await mkdir(folder);
    const bookings = join(folder, 'bookings.csv');
    await writeFile(
      bookings,
      'Date,Time1,Time2,Status\n2026-12-15,7pm,7pm,Book\n2026-12-16,11am,12pm,Skip\n',
    );
    const clock = fixedClock('2026-11-20T12:00:00Z');
    const loaded = await loadBookingRows(bookings, DEFAULT_CONFIG, clock);
    const alone = await loadBookings(bookings, DEFAULT_CONFIG, clock);
    expect(loaded.rulesFound).toBe(false);
    expect(loaded.rules).toEqual([]);
    expect(loaded.problems).toEqual(alone.problems);
    expect(loaded.rows.map(({ source, ...row }) => [row, source])).toEqual(
      alone.rows.map((row) => [row, { file: bookings, line: row.line }]),
    );
  });

  it('a rules file given by path, and one that cannot be read, which is an error and not "no rules"', async () => {
    const folder = join(dir, 'unreadable');
    await mkdir(folder);
    const bookings = join(folder, 'bookings.csv');
    await writeFile(bookings, 'Date,Time1,Status\n');
    const elsewhere = join(dir, 'mine.csv');
    await writeFile(elsewhere, 'Day,Time1,Status\nWed,7pm,Book\n');
    const clock = fixedClock('2026-11-20T12:00:00Z');
    const given = await loadBookingRows(bookings, DEFAULT_CONFIG, clock, {
      rules: elsewhere,
      horizonDays: 0,
    });
    expect(given.rows.map((r) => r.key)).toEqual(['2026-11-25 19:00', '2026-12-02 19:00']);

    // A directory where the rules file should be: reading it fails (EISDIR), even as root.
    const rules = join(folder, 'recurring.csv');
    await mkdir(rules);
    const loaded = await loadBookingRows(bookings, DEFAULT_CONFIG, clock);
    expect(loaded.rulesFound).toBe(true);
    expect(loaded.rows).toEqual([]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      `${rules}: EISDIR: illegal operation on a directory, read (expected a CSV file with the header "Day, Time1, Time2, Status", or no file for no weekly rules)`,
    ]);
  });

  it('a missing bookings.csv is an error, and keeps the rules off (its exceptions are not known)', async () => {
    const folder = join(dir, 'rules-only');
    await mkdir(folder);
    const bookings = join(folder, 'bookings.csv');
    await writeFile(join(folder, 'recurring.csv'), 'Day,Time1,Status\nWed,7pm,Book\n');
    const loaded = await loadBookingRows(bookings, DEFAULT_CONFIG, fixedClock('2026-11-20T12:00:00Z'));
    expect(loaded.rows).toEqual([]);
    expect(loaded.problems.map(formatProblem)).toEqual([
      `${bookings}: file not found (expected a CSV file with the header "Date, Time1, Time2, Status")`,
      `${bookings}: warning: no weekly rule of ${join(folder, 'recurring.csv')} is applied while this file has an error: it could be an exception for any date (fix the error above; the rules then apply again)`,
    ]);
  });

  it('the committed bookings/ sample is valid, and its weekly rule is paused', async () => {
    const loaded = await loadBookingRows(
      'bookings/bookings.csv',
      DEFAULT_CONFIG,
      fixedClock('2026-11-25T23:40'),
    );
    expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(loaded.rulesFound).toBe(true);
    expect(loaded.rules.length).toBeGreaterThan(0);
    expect(loaded.rules.every((r) => !r.book)).toBe(true);
    expect(loaded.rows.some((r) => r.source?.rule)).toBe(false);
  });
});
