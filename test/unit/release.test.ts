import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/bookings/config.ts';
import { parseBookings, type BookingRow } from '../../src/bookings/csv.ts';
import {
  emptyStatus,
  readStatus,
  recordAttempt,
  writeStatus,
  type StatusFile,
} from '../../src/bookings/status.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { courtDateReleasedOn, decideRun, releaseInstant } from '../../src/calendar/release.ts';

const utc = (date: string, config: Config = DEFAULT_CONFIG) => releaseInstant(date, config).toUTC().toISO();

function rows(csv: string): BookingRow[] {
  const parsed = parseBookings(`Date,Time1,Time2,Status\n${csv}`, 'bookings.csv', DEFAULT_CONFIG);
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return parsed.rows;
}

describe('releaseInstant', () => {
  it('is midnight London, 14 days before, in GMT and in BST', () => {
    const winter = releaseInstant('2026-12-15', DEFAULT_CONFIG);
    expect(winter.zoneName).toBe('Europe/London');
    expect(winter.toISO()).toBe('2026-12-01T00:00:00.000+00:00');
    expect(releaseInstant('2026-07-15', DEFAULT_CONFIG).toISO()).toBe('2026-07-01T00:00:00.000+01:00');
    expect(utc('2026-07-15')).toBe('2026-06-30T23:00:00.000Z');
  });

  it('is right on both 2026 clock-change Sundays (29 March, 25 October)', () => {
    // Released on the spring-forward Sunday: midnight is still GMT (clocks go forward at 01:00).
    expect(utc('2026-04-12')).toBe('2026-03-29T00:00:00.000Z');
    // The next night is BST: only 23 hours later.
    expect(utc('2026-04-13')).toBe('2026-03-29T23:00:00.000Z');
    // Court dates on the Sunday itself are released at a GMT midnight two weeks earlier.
    expect(utc('2026-03-29')).toBe('2026-03-15T00:00:00.000Z');
    // Released on the fall-back Sunday: midnight is still BST (clocks go back at 02:00 BST).
    expect(utc('2026-11-08')).toBe('2026-10-24T23:00:00.000Z');
    // The next night is GMT: 25 hours later.
    expect(utc('2026-11-09')).toBe('2026-10-26T00:00:00.000Z');
    // Court date on the Sunday itself (14 days across no change) and across the change (BST → GMT).
    expect(utc('2026-10-25')).toBe('2026-10-10T23:00:00.000Z');
    expect(releaseInstant('2026-11-01', DEFAULT_CONFIG).toISO()).toBe('2026-10-18T00:00:00.000+01:00');
  });

  it('is right on both 2027 clock-change Sundays (28 March, 31 October)', () => {
    expect(utc('2027-04-11')).toBe('2027-03-28T00:00:00.000Z');
    expect(utc('2027-04-12')).toBe('2027-03-28T23:00:00.000Z');
    expect(utc('2027-11-14')).toBe('2027-10-30T23:00:00.000Z');
    expect(utc('2027-11-15')).toBe('2027-11-01T00:00:00.000Z');
  });

  it('handles a release time in the skipped and in the repeated hour deterministically', () => {
    const config = { ...DEFAULT_CONFIG, releaseTime: '01:30:00' };
    // 01:30 does not exist on 29 March 2026 in London: moved forward by the gap, to 02:30 BST.
    expect(releaseInstant('2026-04-12', config).toISO()).toBe('2026-03-29T02:30:00.000+01:00');
    // 01:30 happens twice on 25 October 2026: the second one (GMT).
    expect(releaseInstant('2026-11-08', config).toISO()).toBe('2026-10-25T01:30:00.000+00:00');
  });

  it('crosses month and year ends and 29 February', () => {
    expect(releaseInstant('2027-01-05', DEFAULT_CONFIG).toISODate()).toBe('2026-12-22');
    expect(releaseInstant('2027-01-01', DEFAULT_CONFIG).toISODate()).toBe('2026-12-18');
    expect(releaseInstant('2027-01-14', DEFAULT_CONFIG).toISODate()).toBe('2026-12-31');
    expect(releaseInstant('2026-03-01', DEFAULT_CONFIG).toISODate()).toBe('2026-02-15');
    expect(releaseInstant('2027-03-14', DEFAULT_CONFIG).toISODate()).toBe('2027-02-28');
    expect(releaseInstant('2028-03-14', DEFAULT_CONFIG).toISODate()).toBe('2028-02-29');
    expect(releaseInstant('2028-02-29', DEFAULT_CONFIG).toISODate()).toBe('2028-02-15');
    expect(courtDateReleasedOn('2026-12-18', DEFAULT_CONFIG)).toBe('2027-01-01');
    expect(courtDateReleasedOn('2028-02-29', DEFAULT_CONFIG)).toBe('2028-03-14');
  });

  it('follows the configured release time and advance days', () => {
    expect(utc('2026-12-15', { ...DEFAULT_CONFIG, releaseTime: '00:00:05' })).toBe(
      '2026-12-01T00:00:05.000Z',
    );
    expect(utc('2026-12-15', { ...DEFAULT_CONFIG, advanceDays: 7, releaseTime: '07:00:00' })).toBe(
      '2026-12-08T07:00:00.000Z',
    );
  });
});

describe('decideRun', () => {
  // Court 15 Dec 2026 19:00, released Tue 1 Dec 2026 00:00 GMT; the next row's release is a night later.
  const booking = rows('2026-12-15,7pm,8pm,Book\n2026-12-16,7pm,,Book\n2026-12-15,9am,,Skip\n');
  const decide = (iso: string, status: StatusFile = emptyStatus(), config: Config = DEFAULT_CONFIG) =>
    decideRun(booking, status, fixedClock(iso), config);
  const actions = (iso: string, status?: StatusFile) => decide(iso, status).all.map((d) => d.action);

  it('a run started hours early (within the lead) waits; earlier than the lead, nothing is due', () => {
    expect(actions('2026-11-30T19:05:00Z')).toEqual(['wait', 'none', 'none']);
    const early = decide('2026-11-30T18:55:00Z');
    expect(early.due).toEqual([]);
    expect(early.all[0]?.reason).toBe('opens in 5 h 5 min, at Tue 1 Dec 2026 00:00:00 GMT');
    expect(early.summary).toBe('nothing due; next release Tue 1 Dec 2026 00:00:00 GMT for 2026-12-15 19:00');
  });

  it('a run started on schedule (23:40) waits for midnight', () => {
    const onTime = decide('2026-11-30T23:40:00Z');
    expect(onTime.due.map((d) => [d.row.key, d.action, d.reason])).toEqual([
      ['2026-12-15 19:00', 'wait', 'opens in 20 min: waiting for it'],
    ]);
    expect(onTime.due[0]?.releaseAt.toISO()).toBe('2026-12-01T00:00:00.000+00:00');
    expect(onTime.summary).toBe('1 booking due: 2026-12-15 19:00 (waiting)');
  });

  it('a run started exactly at, or late after, the release (past midnight) tries at once within the grace', () => {
    expect(actions('2026-12-01T00:00:00Z')).toEqual(['now', 'none', 'none']);
    const late = decide('2026-12-01T00:20:00Z');
    expect(late.due.map((d) => [d.action, d.reason])).toEqual([['now', 'opened 20 min ago: trying at once']]);
    expect(actions('2026-12-01T00:30:00Z')).toEqual(['now', 'none', 'none']);
  });

  it('a run started after the grace has nothing due', () => {
    const tooLate = decide('2026-12-01T00:31:00Z');
    expect(tooLate.due).toEqual([]);
    expect(tooLate.all[0]?.reason).toBe('window passed: opened 31 min ago, more than 30 min grace');
  });

  it('never attempts a skipped row', () => {
    expect(decide('2026-11-30T23:40:00Z').all[2]).toMatchObject({
      action: 'none',
      reason: 'skipped (Status is "Skip", not "Book")',
    });
  });

  it('never attempts a booked row again, but retries unavailable and failed ones within the window', () => {
    const booked = recordAttempt(emptyStatus(), booking[0]!, {
      startedAt: '2026-11-30T23:40:00Z',
      outcome: 'booked',
      bookedTime: '19:00',
      court: 'Court 2',
    });
    expect(decide('2026-12-01T00:05:00Z', booked).all[0]).toMatchObject({
      action: 'none',
      reason: 'already booked (19:00, Court 2)',
    });
    for (const outcome of ['unavailable', 'failed', 'unverified', 'dry-run'] as const) {
      const status = recordAttempt(emptyStatus(), booking[0]!, {
        startedAt: '2026-11-30T23:40:00Z',
        outcome,
      });
      expect(actions('2026-12-01T00:05:00Z', status)[0]).toBe('now');
    }
  });

  it('two runs in one night: both own the row; the second re-reads the status file and sees it booked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'two-runs-'));
    try {
      const file = join(dir, 'status.json');
      const first = decide('2026-11-30T23:35:00Z', await readStatus(file));
      const second = decide('2026-11-30T23:50:00Z', await readStatus(file));
      expect(first.due.map((d) => d.row.key)).toEqual(['2026-12-15 19:00']);
      expect(second.due.map((d) => d.row.key)).toEqual(['2026-12-15 19:00']);
      // The first run books at midnight and commits the status file.
      await writeStatus(
        file,
        recordAttempt(await readStatus(file), first.due[0]!.row, {
          startedAt: '2026-11-30T23:35:00Z',
          firedAt: '2026-12-01T00:00:00.050Z',
          outcome: 'booked',
        }),
      );
      // The second run, before firing, re-reads it.
      expect(decide('2026-12-01T00:00:01Z', await readStatus(file)).due).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('owns the right row on the night the clocks go forward (a 23-hour night before a BST midnight)', () => {
    // Court 13 Apr 2026: released Mon 30 Mar 00:00 BST = Sun 29 Mar 23:00 UTC.
    const spring = rows('2026-04-12,7pm,,Book\n2026-04-13,7pm,,Book\n');
    const at = (iso: string) =>
      decideRun(spring, emptyStatus(), fixedClock(iso), DEFAULT_CONFIG).all.map((d) => d.action);
    expect(at('2026-03-29T18:00:00Z')).toEqual(['none', 'wait']); // 19:00 BST, 5 h before
    expect(at('2026-03-29T17:59:00Z')).toEqual(['none', 'none']); // 5 h 1 min before
    expect(at('2026-03-29T22:40:00Z')).toEqual(['none', 'wait']); // 23:40 BST
    expect(at('2026-03-29T00:10:00Z')).toEqual(['now', 'none']); // 00:10 GMT, 12 Apr's release
  });

  it('owns the right row on the night the clocks go back (a 25-hour night)', () => {
    // Court 9 Nov 2026: released Mon 26 Oct 00:00 GMT; 8 Nov: Sun 25 Oct 00:00 BST = Sat 24 Oct 23:00 UTC.
    const autumn = rows('2026-11-08,7pm,,Book\n2026-11-09,7pm,,Book\n');
    const at = (iso: string) =>
      decideRun(autumn, emptyStatus(), fixedClock(iso), DEFAULT_CONFIG).all.map((d) => d.action);
    expect(at('2026-10-24T22:40:00Z')).toEqual(['wait', 'none']); // 23:40 BST on Saturday
    expect(at('2026-10-24T23:20:00Z')).toEqual(['now', 'none']); // 00:20 BST on Sunday
    expect(at('2026-10-25T19:00:00Z')).toEqual(['none', 'wait']); // 19:00 GMT, 5 h before
    expect(at('2026-10-25T18:59:00Z')).toEqual(['none', 'none']);
  });

  it('follows the configured lead and grace', () => {
    const config = { ...DEFAULT_CONFIG, runWindow: { leadMinutes: 60, graceMinutes: 5 } };
    expect(decide('2026-11-30T22:59:00Z', emptyStatus(), config).due).toEqual([]);
    expect(decide('2026-11-30T23:00:00Z', emptyStatus(), config).due).toHaveLength(1);
    expect(decide('2026-12-01T00:06:00Z', emptyStatus(), config).due).toEqual([]);
  });
});
