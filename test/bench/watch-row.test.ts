import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWatchRow, WATCH_ROW } from '../../bench/faults/watch-row.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';

/** The fault matrix's watch row (bench/faults/watch-row.ts), on each skin: watch.yml's steps as processes. */
let discord: DiscordStandIn;
beforeAll(async () => {
  discord = await startDiscordStandIn();
});
afterAll(async () => {
  await discord.stop();
});

describe(`fault matrix: ${WATCH_ROW.scenario}`, () => {
  it.each(WATCH_ROW.skins)(
    '%s: looks, finds the cancelled court, books it once, commits each step and tells Discord once',
    async (skin) => {
      const result = await runWatchRow(skin, discord);
      expect(result.failures).toEqual([]);
      expect(result.pass).toBe(true);
      expect(result.outcomes).toEqual(['looked', 'found', 'booked']);
      expect(result.exitCodes).toEqual([0, 0, 0]);
      expect(result.doubleBookings).toBe(0);
      expect(result.told).toBe('✅ Court booked');
    },
    120_000,
  );
});
