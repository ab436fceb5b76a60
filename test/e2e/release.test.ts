import { afterEach, describe, expect, it } from 'vitest';
import { earlyBookings, fileExists, memberBookings, scene, SKIN_NAMES, type Scene } from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe.each(SKIN_NAMES)('booking at the release, whatever the venue clock says (%s skin)', (skin) => {
  for (const skewMs of [-4300, 0, 2700]) {
    it(`books Time1 just after the venue's midnight with its clock ${skewMs} ms off, no early request`, async () => {
      current = await scene({ skin, skewMs });
      const result = await current.run();
      expect(result.message).toContain('Booked');
      expect(result.outcome).toBe('booked');
      expect(result.exitCode).toBe(0);
      const [booking, ...more] = memberBookings(current.venue);
      expect(more).toHaveLength(0);
      expect(booking).toMatchObject({ date: current.date, time: '19:00', reference: result.reference });
      const afterMidnight = booking!.acceptedAtServerMs - current.releaseServerMs;
      expect(afterMidnight).toBeGreaterThanOrEqual(0);
      expect(afterMidnight).toBeLessThan(300);
      expect(earlyBookings(current.venue)).toHaveLength(0);
      expect(Math.abs(result.serverClockOffsetMs! - skewMs)).toBeLessThan(50);
      // What the member is told (summary, Discord) reads on the venue's clock: fired just before its
      // midnight (to arrive just after), booking judged about when the ledger says it was.
      expect(Math.abs(Date.parse(result.firedAt!) - current.releaseServerMs)).toBeLessThan(200);
      expect(Math.abs(result.latencyMs! - afterMidnight)).toBeLessThan(80);
      const status = await current.status();
      const entry = Object.values(status.bookings)[0]!;
      expect(entry).toMatchObject({ state: 'booked', bookedTime: '19:00', reference: result.reference });
      expect(entry.attempts).toHaveLength(1);
      expect(await fileExists(result.stepLog)).toBe(true);
      console.log(
        `skew ${skewMs}: accepted ${afterMidnight} ms after midnight (estimated ${result.latencyMs}); offset est ${result.serverClockOffsetMs}`,
      );
    }, 30_000);
  }

  it('follows the venue when the runner clock is 90 s behind it (schedule and fire on the venue clock)', async () => {
    current = await scene({ skin, skewMs: 90_000 });
    const started = Date.now();
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    const [booking] = memberBookings(current.venue);
    const afterMidnight = booking!.acceptedAtServerMs - current.releaseServerMs;
    expect(afterMidnight).toBeGreaterThanOrEqual(0);
    expect(afterMidnight).toBeLessThan(300);
    expect(Date.now() - started).toBeLessThan(20_000); // it did not sit out the runner's own 98 s
    expect(earlyBookings(current.venue)).toHaveLength(0);
  }, 30_000);
});
