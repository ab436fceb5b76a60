import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import type { BookingRow } from '../../src/bookings/csv.ts';
import { emptyStatus, type StatusFile } from '../../src/bookings/status.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { bookingWindows } from '../../src/calendar/rehearsal.ts';
import { checkWatchWindow, cutOffOf, decideWatch, lookInterval } from '../../src/calendar/watch.ts';
import { matchSlots } from '../../src/venue/look.ts';
import type { VenueProfile } from '../../src/venue/profile.ts';

const zone = 'Europe/London';
const london = (iso: string) => fixedClock(DateTime.fromISO(iso, { zone }));
const utc = (iso: string) => fixedClock(DateTime.fromISO(iso, { zone: 'UTC' }));

function row(date: string, status = 'Book', times: [string, string?] = ['19:00', '20:00']): BookingRow {
  return {
    line: 2,
    key: `${date} ${times[0]}`,
    date,
    time1: times[0],
    ...(times[1] ? { time2: times[1] } : {}),
    book: ['book', 'watch'].includes(status.toLowerCase()),
    ...(status.toLowerCase() === 'watch' ? { watch: true as const } : {}),
    status,
  };
}

function status(entries: Record<string, Partial<StatusFile['bookings'][string]>>): StatusFile {
  const bookings: StatusFile['bookings'] = {};
  for (const [key, e] of Object.entries(entries)) {
    bookings[key] = {
      key,
      date: key.slice(0, 10),
      state: 'unavailable',
      updatedAt: '2026-01-01T00:00:00.000Z',
      attempts: [],
      ...e,
    } as StatusFile['bookings'][string];
  }
  return { version: 1, bookings };
}

const kinds = (rows: BookingRow[], s: StatusFile, clock = london('2026-02-10T10:00')) =>
  decideWatch(rows, s, clock, DEFAULT_CONFIG).all.map((d) => [d.row.key, d.kind]);

describe('which rows the watch looks at', () => {
  const date = '2026-02-15'; // released Sun 1 Feb 00:00 GMT
  const key = `${date} 19:00`;

  it('watches a Book row whose night ended unavailable, and any Watch row, once released', () => {
    expect(kinds([row(date)], status({ [key]: { state: 'unavailable' } }))).toEqual([[key, 'due']]);
    // A Watch row added after its release: no status entry yet, watched all the same.
    expect(kinds([row(date, 'watch')], emptyStatus())).toEqual([[key, 'due']]);
    expect(kinds([row(date, 'WATCH')], status({ [key]: { state: 'failed' } }))).toEqual([[key, 'due']]);
  });

  it('does not watch a Book row that was never lost, a skipped row, or a row booked or held', () => {
    expect(kinds([row(date)], emptyStatus())).toEqual([[key, 'not-watched']]);
    expect(kinds([row(date)], status({ [key]: { state: 'failed' } }))).toEqual([[key, 'not-watched']]);
    expect(kinds([row(date, 'Skip')], status({ [key]: { state: 'unavailable' } }))).toEqual([
      [key, 'not-watched'],
    ]);
    expect(kinds([row(date, 'watch')], status({ [key]: { state: 'booked' } }))).toEqual([[key, 'done']]);
    expect(kinds([row(date)], status({ [key]: { state: 'held-elsewhere' } }))).toEqual([[key, 'done']]);
  });

  it('keeps watching a Book row it has looked at, whatever a later try ended', () => {
    const watched = { looks: 3, lastLookAt: '2026-02-09T10:00:00.000Z' };
    expect(kinds([row(date)], status({ [key]: { state: 'failed', watch: watched } }))).toEqual([
      [key, 'due'],
    ]);
  });

  it('leaves a row to the nightly run until its release', () => {
    const early = row('2026-02-25', 'watch'); // released Wed 11 Feb 00:00
    const d = decideWatch([early], emptyStatus(), london('2026-02-10T23:59:59'), DEFAULT_CONFIG).all[0]!;
    expect(d.kind).toBe('before-release');
    expect(d.reason).toBe('released Wed 11 Feb 00:00: booked then, watched after that if it is not');
    expect(kinds([early], emptyStatus(), london('2026-02-11T00:00'))).toEqual([[early.key, 'due']]);
  });

  it('looks again once the last look is everyMinutes old (30 by default), less a sixth for the scheduler', () => {
    const last = DateTime.fromISO('2026-02-10T10:00', { zone }).toUTC().toISO()!;
    const s = status({ [key]: { watch: { looks: 1, lastLookAt: last } } });
    const at = (time: string) => decideWatch([row(date)], s, london(`2026-02-10T${time}`), DEFAULT_CONFIG);
    const resting = at('10:24:59').all[0]!;
    expect(resting.kind).toBe('resting');
    expect(resting.nextLookAt!.setZone(zone).toFormat('HH:mm')).toBe('10:25');
    expect(at('10:24:59').summary).toBe(`nothing to look at now; next look Tue 10 Feb 10:25 for ${key}`);
    // GitHub started the :37 run two minutes earlier after the :07 one than on paper: still due.
    expect(at('10:28').all[0]!.kind).toBe('due');
    const hourly = ConfigSchema.parse({ watch: { everyMinutes: 60 } });
    expect(decideWatch([row(date)], s, london('2026-02-10T10:49'), hourly).all[0]!.kind).toBe('resting');
    expect(decideWatch([row(date)], s, london('2026-02-10T10:50'), hourly).all[0]!.kind).toBe('due');
  });

  it('never looks more often than the venue profile allows (its minimum has no slack)', () => {
    const last = DateTime.fromISO('2026-02-10T10:00', { zone }).toUTC().toISO()!;
    const s = status({ [key]: { watch: { looks: 1, lastLookAt: last } } });
    const venue = { minIntervalMinutes: 45 };
    const d = (time: string) => decideWatch([row(date)], s, london(time), DEFAULT_CONFIG, venue).all[0]!;
    expect(d('2026-02-10T10:44:59').kind).toBe('resting');
    expect(d('2026-02-10T10:45').kind).toBe('due');
    expect(lookInterval(DEFAULT_CONFIG, venue)).toEqual({
      minutes: 45,
      dueAfterMinutes: 45,
      note: 'watch.everyMinutes is 30, but the venue profile allows a look every 45 minutes at most (watch.minIntervalMinutes): looking every 45 minutes',
    });
    // A minimum just under the interval still holds: 30 asked, 28 allowed: due after 28, not 25.
    expect(lookInterval(DEFAULT_CONFIG, { minIntervalMinutes: 28 })).toEqual({
      minutes: 30,
      dueAfterMinutes: 28,
    });
    expect(lookInterval(DEFAULT_CONFIG, undefined)).toEqual({ minutes: 30, dueAfterMinutes: 25 });
  });
});

describe('the cut-off, on London wall time in GMT and in BST', () => {
  it.each([
    // [court date, the UTC instant of 17:00 London that day]
    ['2026-02-15', '2026-02-15T17:00:00Z'], // GMT
    ['2026-07-15', '2026-07-15T16:00:00Z'], // BST
    ['2026-03-29', '2026-03-29T16:00:00Z'], // the clocks went forward that morning
    ['2026-10-25', '2026-10-25T17:00:00Z'], // the clocks went back that morning
  ])('%s 19:00 is watched until 17:00 London (%s), 20:00 an hour longer', (date, cutOff) => {
    const r = row(date, 'watch');
    const lost = status({ [r.key]: { watch: { looks: 4, lastLookAt: '2000-01-01T00:00:00Z' } } });
    const instant = DateTime.fromISO(cutOff, { zone: 'UTC' });
    expect(cutOffOf(date, '19:00', DEFAULT_CONFIG).toMillis()).toBe(instant.toMillis());
    const at = (ms: number) => decideWatch([r], lost, fixedClock(ms), DEFAULT_CONFIG).all[0]!;
    expect(at(instant.toMillis() - 1).times).toEqual(['19:00', '20:00']);
    expect(at(instant.toMillis()).times).toEqual(['20:00']);
    const last = at(instant.plus({ hours: 1 }).toMillis());
    expect(last.kind).toBe('cut-off');
    expect(last.newlyCutOff).toBe(true);
    expect(last.cutOffAt.toMillis()).toBe(instant.plus({ hours: 1 }).toMillis());
    expect(last.reason).toMatch(
      /^stopped at its cut-off \(\w{3} \d+ \w{3} 18:00, 120 min before the court\)$/,
    );
  });

  it('records a cut-off once: not again once the status says so, nor for a row never looked at', () => {
    const r = row('2026-02-15', 'watch');
    const clock = utc('2026-02-15T20:00:00Z');
    const told = status({
      [r.key]: { watch: { looks: 2, lastLookAt: '2026-02-15T12:00:00Z', cutOffAt: '2026-02-15T18:05:00Z' } },
    });
    expect(decideWatch([r], told, clock, DEFAULT_CONFIG).cutOff).toEqual([]);
    expect(decideWatch([r], emptyStatus(), clock, DEFAULT_CONFIG).cutOff).toEqual([]);
    expect(decideWatch([r], emptyStatus(), clock, DEFAULT_CONFIG).all[0]!.kind).toBe('cut-off');
  });

  it('takes watch.cutoffMinutes from the configuration', () => {
    const config = ConfigSchema.parse({ watch: { cutoffMinutes: 30 } });
    const r = row('2026-02-15', 'watch', ['19:00']);
    expect(decideWatch([r], emptyStatus(), london('2026-02-15T18:29'), config).all[0]!.kind).toBe('due');
    expect(decideWatch([r], emptyStatus(), london('2026-02-15T18:30'), config).all[0]!.kind).toBe('cut-off');
  });
});

describe('the release windows the watch keeps out of', () => {
  const lost = row('2026-02-15', 'watch');
  const check = (now: ReturnType<typeof fixedClock>, rows: BookingRow[], s = emptyStatus()) =>
    checkWatchWindow({ clock: now, windows: bookingWindows(rows, s, DEFAULT_CONFIG), timeZone: zone });

  it.each([
    ['GMT', '2026-02-20', '2026-02-05'], // released Fri 6 Feb 00:00 GMT
    ['BST', '2026-07-20', '2026-07-05'], // released Mon 6 Jul 00:00 BST
  ])(
    'does nothing from ten minutes before the login lead to the end of the retry window (%s)',
    (_, date, eve) => {
      const rows = [lost, row(date)];
      expect(check(london(`${eve}T23:39:59`), rows).ok).toBe(true);
      const inside = check(london(`${eve}T23:55`), rows);
      expect(inside.ok).toBe(false);
      if (inside.ok) return;
      expect(inside.message).toMatch(
        new RegExp(
          `^The watch does nothing now: the real booking of ${date} 19:00 logs in at 23:50 and keeps trying until 00:03 \\(release .+\\), and a look is a login of yours too\\. It looks again after .+ 00:04 (GMT|BST|GMT\\+1)\\.$`,
        ),
      );
      expect(inside.tryAfter.setZone(zone).toFormat('HH:mm')).toBe('00:04');
      expect(check(london(`${eve}T23:40:01`), rows).ok).toBe(false);
      const next = DateTime.fromISO(`${eve}T00:00`, { zone }).plus({ days: 1 });
      expect(check(fixedClock(next.plus({ seconds: 181 })), rows).ok).toBe(true);
    },
  );

  it('ignores the releases of rows already booked', () => {
    const booked = row('2026-02-20');
    const s = status({ [booked.key]: { state: 'booked' } });
    expect(check(london('2026-02-05T23:55'), [lost, booked], s).ok).toBe(true);
  });
});

describe('matching what a look sees (pure)', () => {
  const profile = {
    timeZone: zone,
    locale: 'en-GB',
    slots: { time: { format: 'HH:mm' } },
  } as unknown as VenueProfile;
  const slot = (index: number, time: string, court: string, free: boolean) => ({ index, time, court, free });
  const wanted = { key: 'k', date: '2026-02-15', times: ['19:00', '20:00'] };

  it('takes Time1 first, the preferred court first, else any court free, else Time2', () => {
    const slots = [
      slot(0, '19:00', 'Court A', false),
      slot(1, '19:00', 'Court B', true),
      slot(2, '20:00', 'Court A', true),
    ];
    expect(matchSlots(slots, wanted, profile)).toEqual({
      key: 'k',
      free: { time: '19:00', court: 'Court B' },
      seen: 'free: Court B at 19:00',
    });
    expect(matchSlots(slots, { ...wanted, preferredCourt: 'court a' }, profile).free).toEqual({
      time: '19:00',
      court: 'Court B',
    });
    const later = [slot(0, '19:00', 'Court A', false), slot(1, '20:00', 'Court A', true)];
    expect(matchSlots(later, wanted, profile)).toMatchObject({
      free: { time: '20:00', court: 'Court A' },
      seen: '19:00 full, free: Court A at 20:00',
    });
  });

  it('says what it saw when nothing matches', () => {
    expect(matchSlots([slot(0, '19:00', 'Court A', false)], wanted, profile)).toEqual({
      key: 'k',
      seen: '19:00 full, 20:00 not shown',
    });
    expect(
      matchSlots([slot(0, '19:00', 'Court A', null as never)], { ...wanted, times: ['19:00'] }, profile),
    ).toEqual({
      key: 'k',
      seen: '19:00 full',
    });
  });
});
