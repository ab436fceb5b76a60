import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import type { BookingRow } from '../../src/bookings/csv.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { bookingWindows, checkRehearsal } from '../../src/calendar/rehearsal.ts';

const zone = 'Europe/London';
const row = (date: string, book = true): BookingRow =>
  ({
    key: `${date} 19:00`,
    date,
    time1: '19:00',
    book,
    status: book ? 'Book' : 'Skip',
    line: 2,
  }) as BookingRow;
const empty = { version: 1, bookings: {} } as never;

function plan(nowLondon: string, rows: BookingRow[], waits = false, status = empty) {
  return checkRehearsal({
    clock: fixedClock(DateTime.fromISO(nowLondon, { zone })),
    waits,
    windows: bookingWindows(rows, status, DEFAULT_CONFIG),
    leadMinutes: DEFAULT_CONFIG.runWindow.leadMinutes,
    retryWindowSeconds: DEFAULT_CONFIG.retry.windowSeconds,
    timeZone: zone,
  });
}

describe('bookingWindows', () => {
  it('runs from the login lead before each release to the end of the retry window, in GMT and in BST', () => {
    for (const [date, offsetMinutes] of [
      ['2026-02-15', 0], // released Sun 1 Feb, GMT
      ['2026-07-15', 60], // released Wed 1 Jul, BST
      ['2026-04-12', 0], // released Sun 29 Mar at 00:00 GMT, an hour before the clocks go forward
      ['2026-11-08', 60], // released Sun 25 Oct at 00:00 BST, two hours before the clocks go back
    ] as const) {
      const [w] = bookingWindows([row(date)], empty, DEFAULT_CONFIG);
      expect(w!.start.setZone(zone).toFormat('HH:mm'), date).toBe('23:50');
      expect(w!.releaseAt.setZone(zone).toFormat('HH:mm:ss'), date).toBe('00:00:00');
      expect(w!.releaseAt.setZone(zone).offset, date).toBe(offsetMinutes);
      expect(w!.end.setZone(zone).toFormat('HH:mm:ss'), date).toBe('00:03:00');
      expect(w!.end.diff(w!.start, 'minutes').minutes).toBe(13);
    }
  });

  it('leaves out skipped rows and rows already booked', () => {
    const status = { version: 1, bookings: { '2026-02-16 19:00': { state: 'booked' } } } as never;
    const windows = bookingWindows(
      [row('2026-02-15', false), row('2026-02-16'), row('2026-02-17')],
      status,
      DEFAULT_CONFIG,
    );
    expect(windows.map((w) => w.key)).toEqual(['2026-02-17 19:00']);
  });
});

describe('checkRehearsal', () => {
  const winter = [row('2026-02-15')]; // released 00:00 GMT on Sun 1 Feb
  const summer = [row('2026-07-15')]; // released 00:00 BST on Wed 1 Jul

  it.each([
    ['20:00 on the release evening, at once (GMT)', '2026-01-31T20:00', winter, false, true],
    ['23:39, at once: done by 23:49', '2026-01-31T23:39', winter, false, true],
    ['23:41, at once: it could still be busy at 23:50', '2026-01-31T23:41', winter, false, false],
    ['23:55, at once', '2026-01-31T23:55', winter, false, false],
    ['00:02, at once: still in the retry window', '2026-02-01T00:02', winter, false, false],
    ['00:04, at once: the window is over', '2026-02-01T00:04', winter, false, true],
    ['20:00, waiting for the release', '2026-01-31T20:00', winter, true, false],
    [
      'the evening before, waiting (nothing released within the run window)',
      '2026-01-30T12:00',
      winter,
      true,
      true,
    ],
    ['20:00 on the release evening, at once (BST)', '2026-06-30T20:00', summer, false, true],
    ['23:55, at once (BST)', '2026-06-30T23:55', summer, false, false],
  ])('%s → allowed %s', (_, now, rows, waits, ok) => {
    expect(plan(now, rows, waits).ok).toBe(ok);
  });

  it('says when to try again, in London time, in GMT and in BST', () => {
    const w = plan('2026-01-31T23:55', winter);
    expect(!w.ok && w.message).toContain('logs in at 23:50 and keeps trying until 00:03');
    expect(!w.ok && w.tryAfter.toFormat('yyyy-MM-dd HH:mm ZZZZ')).toBe('2026-02-01 00:04 GMT');
    const s = plan('2026-06-30T23:55', summer);
    expect(!s.ok && s.tryAfter.toFormat('yyyy-MM-dd HH:mm ZZZZ')).toBe('2026-07-01 00:04 GMT+1');
    expect(!s.ok && s.message).toContain('Try it again after Wed 1 Jul 2026 00:04 GMT+1.');
    const waiting = plan('2026-01-31T20:00', winter, true);
    expect(!waiting.ok && waiting.message).toMatch(/^A dry run that waits for the release would overlap/);
    expect(!waiting.ok && waiting.message).toContain('or without waiting for the release.');
  });

  it('steps past back-to-back windows to the first free instant', () => {
    const at = (t: string) => DateTime.fromISO(t, { zone });
    const window = (key: string, start: string, release: string, end: string) => ({
      key,
      start: at(start),
      releaseAt: at(release),
      end: at(end),
    });
    const r = checkRehearsal({
      clock: fixedClock(at('2026-01-31T23:55')),
      waits: false,
      windows: [
        window('a', '2026-01-31T23:50', '2026-02-01T00:00', '2026-02-01T00:03'),
        window('b', '2026-02-01T00:08', '2026-02-01T00:10', '2026-02-01T00:20'),
      ],
      leadMinutes: 300,
      retryWindowSeconds: 180,
      timeZone: zone,
    });
    // Free of "a" from 00:03, but ten minutes from then would reach "b": the first free start is after 00:20.
    expect(!r.ok && r.clash.key).toBe('a');
    expect(!r.ok && r.tryAfter.toFormat('HH:mm')).toBe('00:21');
  });
});
