import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/bookings/config.ts';
import type { BookingRow } from '../../src/bookings/csv.ts';
import { emptyStatus } from '../../src/bookings/status.ts';
import { parseRules, type WeeklyRule } from '../../src/bookings/recurring.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { decideRun, releaseInstant } from '../../src/calendar/release.ts';
import { expandRules, expansionRange } from '../../src/calendar/weekly.ts';

// Every expected date and instant below was worked out by hand from the calendar: in 2026 British Summer Time
// ends on Sunday 25 October (02:00 BST → 01:00 GMT); in 2027 it starts on Sunday 28 March (01:00 GMT → 02:00
// BST). A court for date D opens at 00:00 London on D − 14: 23:00Z the day before in BST, 00:00Z in GMT.

const FILE = 'bookings/recurring.csv';

function rules(csv: string, config: Config = DEFAULT_CONFIG): WeeklyRule[] {
  const parsed = parseRules(`Day,Time1,Time2,Status,Court,From,Until\n${csv}`, FILE, config);
  expect(parsed.problems).toEqual([]);
  return parsed.rules;
}

/** The rows a rule file expands to at `now` (London time unless it has an offset) for `days` of releases. */
function expand(csv: string, now: string, days = 28, config: Config = DEFAULT_CONFIG): BookingRow[] {
  return expandRules(rules(csv, config), FILE, expansionRange(fixedClock(now), config, days));
}

/** date, key and the release as a UTC instant and as London wall-clock text. */
const releases = (rows: BookingRow[], config: Config = DEFAULT_CONFIG) =>
  rows.map((r) => [
    r.date,
    r.key,
    releaseInstant(r.date, config).toUTC().toISO({ suppressMilliseconds: true }),
    releaseInstant(r.date, config).toFormat('HH:mm ZZ'),
  ]);

describe('expansionRange: the court dates rules are expanded for', () => {
  it('runs from today (London) to the last court date released within the horizon', () => {
    // Tue 13 Oct 2026 12:00 BST + 28 days = Tue 10 Nov 12:00 GMT: the release that day (00:00) is inside,
    // and it is for 24 Nov.
    expect(expansionRange(fixedClock('2026-10-13T12:00:00+01:00'), DEFAULT_CONFIG, 28)).toEqual({
      from: '2026-10-13',
      until: '2026-11-24',
    });
    // At 00:30 BST it is already 14 October in London though still 13 October in UTC.
    expect(expansionRange(fixedClock('2026-10-13T23:30:00Z'), DEFAULT_CONFIG, 7).from).toBe('2026-10-14');
  });

  it('counts the horizon in calendar days at the same wall-clock time, across the clock change', () => {
    // A venue that releases at 23:00: Sat 24 Oct 23:30 BST + 1 day is Sun 25 Oct 23:30 GMT (25 hours later),
    // so the release at 23:00 GMT that Sunday (for 8 Nov) is inside; 24 hours would have stopped at 22:30.
    const config = { ...DEFAULT_CONFIG, releaseTime: '23:00:00' };
    expect(expansionRange(fixedClock('2026-10-24T23:30:00+01:00'), config, 1)).toEqual({
      from: '2026-10-24',
      until: '2026-11-08',
    });
    // An hour earlier the limit is 22:30 GMT that Sunday, before its 23:00 release: the range ends a day sooner.
    expect(expansionRange(fixedClock('2026-10-24T22:30:00+01:00'), config, 1).until).toBe('2026-11-07');
  });

  it('always reaches the release a run started now would wait for, even with no horizon', () => {
    // 23:40 GMT: tonight's release (00:00, for 10 Dec) is 20 minutes away, inside runWindow.leadMinutes.
    expect(expansionRange(fixedClock('2026-11-25T23:40:00Z'), DEFAULT_CONFIG, 0)).toEqual({
      from: '2026-11-25',
      until: '2026-12-10',
    });
    const noLead = { ...DEFAULT_CONFIG, runWindow: { leadMinutes: 0, graceMinutes: 30 } };
    expect(expansionRange(fixedClock('2026-11-25T23:40:00Z'), noLead, 0).until).toBe('2026-12-09');
  });

  it('refuses a horizon that is not a whole number of days', () => {
    expect(() => expansionRange(fixedClock('2026-11-25T12:00:00Z'), DEFAULT_CONFIG, 1.5)).toThrow(
      /whole number of days/,
    );
  });
});

describe('expandRules: the dated rows of a weekly rule', () => {
  it('a Tuesday rule across the October clock change: every Tuesday, each release at local midnight', () => {
    const rows = expand('Tuesday,7pm,8pm,Book,,,', '2026-10-13T12:00');
    expect(releases(rows)).toEqual([
      ['2026-10-13', '2026-10-13 19:00', '2026-09-28T23:00:00Z', '00:00 +01:00'],
      ['2026-10-20', '2026-10-20 19:00', '2026-10-05T23:00:00Z', '00:00 +01:00'],
      // After the change, but released before it.
      ['2026-10-27', '2026-10-27 19:00', '2026-10-12T23:00:00Z', '00:00 +01:00'],
      ['2026-11-03', '2026-11-03 19:00', '2026-10-19T23:00:00Z', '00:00 +01:00'],
      // The first release after the change: midnight GMT.
      ['2026-11-10', '2026-11-10 19:00', '2026-10-27T00:00:00Z', '00:00 +00:00'],
      ['2026-11-17', '2026-11-17 19:00', '2026-11-03T00:00:00Z', '00:00 +00:00'],
      ['2026-11-24', '2026-11-24 19:00', '2026-11-10T00:00:00Z', '00:00 +00:00'],
    ]);
    // Each row is what the same line of bookings.csv would be, plus where it comes from.
    expect(rows[4]).toEqual({
      line: 2,
      key: '2026-11-10 19:00',
      date: '2026-11-10',
      time1: '19:00',
      time2: '20:00',
      book: true,
      status: 'Book',
      source: { file: FILE, line: 2, rule: true },
    });
  });

  it('a Sunday rule: the court on the clock-change Sunday, and a release on it', () => {
    const rows = expand('sun,10am,,Book,Padel Court 1,,', '2026-10-10T12:00');
    expect(releases(rows)).toEqual([
      ['2026-10-11', '2026-10-11 10:00', '2026-09-26T23:00:00Z', '00:00 +01:00'],
      ['2026-10-18', '2026-10-18 10:00', '2026-10-03T23:00:00Z', '00:00 +01:00'],
      // The court date is the clock-change Sunday itself.
      ['2026-10-25', '2026-10-25 10:00', '2026-10-10T23:00:00Z', '00:00 +01:00'],
      ['2026-11-01', '2026-11-01 10:00', '2026-10-17T23:00:00Z', '00:00 +01:00'],
      // Released on the clock-change Sunday: its midnight comes before 02:00, so it is still BST.
      ['2026-11-08', '2026-11-08 10:00', '2026-10-24T23:00:00Z', '00:00 +01:00'],
      ['2026-11-15', '2026-11-15 10:00', '2026-11-01T00:00:00Z', '00:00 +00:00'],
    ]);
    expect(rows.every((r) => r.court === 'Padel Court 1')).toBe(true);
  });

  it('a Tuesday and a Sunday rule across the March clock change', () => {
    const rows = expand('TUE,7pm,,Book,,,\nSundays,9am,,Book,,,', '2027-03-16T12:00');
    expect(releases(rows)).toEqual([
      ['2027-03-16', '2027-03-16 19:00', '2027-03-02T00:00:00Z', '00:00 +00:00'],
      ['2027-03-21', '2027-03-21 09:00', '2027-03-07T00:00:00Z', '00:00 +00:00'],
      ['2027-03-23', '2027-03-23 19:00', '2027-03-09T00:00:00Z', '00:00 +00:00'],
      // The court date is the clock-change Sunday.
      ['2027-03-28', '2027-03-28 09:00', '2027-03-14T00:00:00Z', '00:00 +00:00'],
      ['2027-03-30', '2027-03-30 19:00', '2027-03-16T00:00:00Z', '00:00 +00:00'],
      ['2027-04-04', '2027-04-04 09:00', '2027-03-21T00:00:00Z', '00:00 +00:00'],
      ['2027-04-06', '2027-04-06 19:00', '2027-03-23T00:00:00Z', '00:00 +00:00'],
      // Released on the clock-change Sunday: midnight comes before 01:00, so it is still GMT.
      ['2027-04-11', '2027-04-11 09:00', '2027-03-28T00:00:00Z', '00:00 +00:00'],
      // The first release after the change: midnight BST.
      ['2027-04-13', '2027-04-13 19:00', '2027-03-29T23:00:00Z', '00:00 +01:00'],
      ['2027-04-18', '2027-04-18 09:00', '2027-04-03T23:00:00Z', '00:00 +01:00'],
      ['2027-04-20', '2027-04-20 19:00', '2027-04-05T23:00:00Z', '00:00 +01:00'],
      ['2027-04-25', '2027-04-25 09:00', '2027-04-10T23:00:00Z', '00:00 +01:00'],
      ['2027-04-27', '2027-04-27 19:00', '2027-04-12T23:00:00Z', '00:00 +01:00'],
    ]);
  });

  it('From and Until cut the range, inclusive, whatever weekday they fall on', () => {
    expect(expand('Tuesday,7pm,,Book,,2026-10-20,2026-11-10', '2026-10-13T12:00').map((r) => r.date)).toEqual(
      ['2026-10-20', '2026-10-27', '2026-11-03', '2026-11-10'],
    );
    // From a Wednesday until a Monday.
    expect(expand('Tuesday,7pm,,Book,,2026-10-21,2026-11-16', '2026-10-13T12:00').map((r) => r.date)).toEqual(
      ['2026-10-27', '2026-11-03', '2026-11-10'],
    );
    // Until before today, From after the horizon: nothing.
    expect(expand('Tuesday,7pm,,Book,,,2026-10-12', '2026-10-13T12:00')).toEqual([]);
    expect(expand('Tuesday,7pm,,Book,,2026-12-01,', '2026-10-13T12:00')).toEqual([]);
  });

  it('a paused rule produces nothing; two rules on one day keep their file order', () => {
    expect(expand('Tuesday,7pm,,Paused,,,\nTuesday,8pm,,,,,', '2026-10-13T12:00')).toEqual([]);
    const rows = expand('Tuesday,8pm,,Book,,,\nTuesday,7pm,,book,,,', '2026-10-13T12:00', 0);
    expect(rows.map((r) => [r.date, r.time1, r.line])).toEqual([
      ['2026-10-13', '20:00', 2],
      ['2026-10-13', '19:00', 3],
      ['2026-10-20', '20:00', 2],
      ['2026-10-20', '19:00', 3],
      ['2026-10-27', '20:00', 2],
      ['2026-10-27', '19:00', 3],
    ]);
  });

  it('the run decides on rule rows like dated ones: the night after the clock change it waits for 10 Nov', () => {
    // Mon 26 Oct 2026 23:40 GMT: the release at 00:00 GMT on 27 Oct is for Tuesday 10 November.
    const clock = fixedClock('2026-10-26T23:40:00Z');
    const rows = expandRules(
      rules('Tuesday,7pm,8pm,Book,,,'),
      FILE,
      expansionRange(clock, DEFAULT_CONFIG, 28),
    );
    const { due, summary } = decideRun(rows, emptyStatus(), clock, DEFAULT_CONFIG);
    expect(due.map((d) => [d.row.key, d.action, d.releaseAt.toUTC().toISO()])).toEqual([
      ['2026-11-10 19:00', 'wait', '2026-10-27T00:00:00.000Z'],
    ]);
    expect(summary).toBe('1 booking due: 2026-11-10 19:00 (waiting)');
  });
});
