import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_ROWS, runFaultRow } from '../../bench/faults/matrix.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';

/**
 * The fault matrix (npm run bench:faults), one test per row, from the same row definitions: the whole
 * nightly pipeline (runOnActions around runBooking in Chromium) against the sandbox at its release.
 * Outcomes are asserted, never speed.
 */

let discord: DiscordStandIn;
beforeAll(async () => {
  discord = await startDiscordStandIn();
});
afterAll(async () => {
  await discord.stop();
});

describe('fault matrix: a clear outcome, the right status, a Discord message, never a double booking', () => {
  for (const row of FAULT_ROWS) {
    it(`${row.scenario} → ${row.expected.outcome}`, async () => {
      const r = await runFaultRow(row, discord);
      expect({ outcome: r.actual, message: r.message }).toMatchObject({ outcome: row.expected.outcome });
      if (row.expected.message) expect(r.message).toMatch(row.expected.message);
      if (row.expected.bookedTime) expect(r.bookedTime).toBe(row.expected.bookedTime);
      expect(r.statusNote).toBe(row.expected.state);
      expect(r.statusOk).toBe(true);
      expect(r.discordSent).toBe(true);
      expect(r.discordViolations).toEqual([]);
      expect(r.doubleBookings).toBe(0);
      expect(r.memberBookings).toBe(row.expected.bookings);
      if (r.actual === 'failed') expect(r.screenshots).toBeGreaterThan(0);
      expect(r.pass).toBe(true);
    }, 90_000);
  }
});
