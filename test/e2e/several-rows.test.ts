import { afterEach, describe, expect, it } from 'vitest';
import {
  bookingRequests,
  memberBookings,
  myBookingsRequests,
  scene,
  SKIN_NAMES,
  type Scene,
} from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe.each(SKIN_NAMES)('every row released tonight, in one run (%s skin)', (skin) => {
  it('books two rows for consecutive hours back to back, in the file order, with one login and one sync', async () => {
    // Two rows arm twice before midnight: 20 s, not 12, so a loaded machine still arms in time (at 12 s
    // the run was seen to start late under CI's load, with no clock sync and the second row 2 s behind).
    current = await scene({ skin, leadMs: 20_000, rows: ['{date},19:00,,Book,,', '{date},20:00,,Book,,'] });
    const steps: string[] = [];
    const result = await current.run({ onStep: (s) => void steps.push(s) });
    expect(result.outcome).toBe('booked');
    expect(result.rows.map((r) => [r.row.time1, r.outcome, r.bookedTime])).toEqual([
      ['19:00', 'booked', '19:00'],
      ['20:00', 'booked', '20:00'],
    ]);
    const ours = memberBookings(current.venue);
    expect(ours.map((b) => b.time)).toEqual(['19:00', '20:00']);
    // Both just after midnight, the second right after the first: two booking requests, no retry, and
    // no look at My bookings between them (the look a retry or a failure brings). The time between
    // them is the second row's own pages (817 ms idle on the clubhouse skin, whose pages each load
    // a script and a style sheet); the bound is coarse so that a loaded machine passes, and still far
    // below a second wait for midnight or a retry paced by Retry-After.
    const [first, second] = ours.map((b) => b.acceptedAtServerMs - current!.releaseServerMs);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(second! - first!).toBeLessThan(5_000);
    expect(bookingRequests(current.venue).map((r) => r.outcome)).toEqual(['booked', 'booked']);
    const [firstPost, secondPost] = bookingRequests(current.venue).map((r) => r.serverTimeMs);
    expect(
      myBookingsRequests(current.venue).filter(
        (r) => r.serverTimeMs > firstPost! && r.serverTimeMs < secondPost!,
      ),
    ).toEqual([]);
    expect(current.venue.requests().filter((r) => r.outcome === 'logged-in')).toHaveLength(1);
    expect(steps.filter((s) => s === 'offset-measured')).toHaveLength(1);
    expect(steps.filter((s) => s === 'fired')).toHaveLength(1);
    const status = await current.status();
    expect(status.bookings[`${current.date} 19:00`]?.state).toBe('booked');
    expect(status.bookings[`${current.date} 20:00`]?.state).toBe('booked');
  }, 50_000);

  it("stops the date's other rows on the venue's one-court-a-day refusal, without a retry storm", async () => {
    current = await scene({
      skin,
      rows: ['{date},19:00,,Book,,', '{date},20:00,,Book,,', '{date},21:00,,Book,,'],
      scenario: { faults: { dailyLimitPerMember: 1 } },
    });
    const result = await current.run();
    expect(result.rows.map((r) => [r.row.time1, r.outcome])).toEqual([
      ['19:00', 'booked'],
      ['20:00', 'failed'],
      ['21:00', 'failed'],
    ]);
    expect(result.rows[1]!.message).toMatch(/allows no more courts for you/);
    expect(result.rows[2]!.message).toMatch(/allows no more courts for you/);
    expect(memberBookings(current.venue)).toHaveLength(1);
    // One refused booking request, not one per retry, and none for the 21:00 row: the date is done.
    expect(bookingRequests(current.venue).filter((r) => r.outcome === 'limit')).toHaveLength(1);
    expect(bookingRequests(current.venue)).toHaveLength(2);
    for (const time of ['20:00', '21:00'])
      expect((await current.status()).bookings[`${current.date} ${time}`]?.state).toBe('failed');
  }, 50_000);
});
