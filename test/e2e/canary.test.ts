import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as canary } from '../../src/cli/canary.ts';
import { shiftedClock } from '../../src/calendar/clock.ts';
import {
  courtDateForTests,
  offsetForRelease,
  releaseInstantMs,
  startSandbox,
  type Sandbox,
  type ScenarioPatch,
} from '../sandbox/index.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';

let venue: Sandbox | undefined;
let discord: DiscordStandIn | undefined;
let dir: string | undefined;
afterEach(async () => {
  await venue?.stop();
  await discord?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  venue = discord = dir = undefined;
  vi.restoreAllMocks();
});

/** The canary against a sandbox whose court date was released an hour ago (or `releaseInMs` from now). */
async function runCanary(
  scenario: ScenarioPatch,
  options: { bookRow?: string; hoursAfterRelease?: number } = {},
) {
  const date = courtDateForTests();
  const sinceMs = (options.hoursAfterRelease ?? 14) * 3600_000;
  venue = await startSandbox({ clockOffsetMs: offsetForRelease(date, -sinceMs), ...scenario });
  discord = await startDiscordStandIn();
  dir = await mkdtemp(join(tmpdir(), 'canary-'));
  await mkdir(join(dir, 'bookings'));
  const files = {
    bookings: join(dir, 'bookings', 'bookings.csv'),
    config: join(dir, 'bookings', 'config.yml'),
    status: join(dir, 'bookings', 'status.json'),
  };
  await writeFile(files.bookings, `Date,Time1,Time2,Status,Court,Note\n${options.bookRow ?? ''}\n`);
  await writeFile(files.config, 'venue:\n  profile: estelle\n');
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  // The canary's clock: the sandbox's (the release an hour or more ago).
  const clock = shiftedClock(releaseInstantMs(date) + sinceMs - Date.now());
  const code = await canary(
    [
      '--out',
      join(dir, 'out'),
      '--bookings',
      files.bookings,
      '--config',
      files.config,
      '--status',
      files.status,
    ],
    {
      ESTELLE_USERNAME: 'member@example.com',
      ESTELLE_PASSWORD: 'correct-horse-battery',
      ESTELLE_BASE_URL: venue.url,
      DISCORD_WEBHOOK_URL: discord.url,
    },
    clock,
  );
  return { code, date };
}

describe('the weekly canary: npm run doctor against the live site, Discord only on drift', () => {
  it('says nothing when every key still matches', async () => {
    const { code } = await runCanary({});
    expect(code).toBe(0);
    expect(discord!.messages()).toHaveLength(0);
    expect(venue!.ledger()).toHaveLength(0);
  }, 60_000);

  it('posts the drifted keys with the annotated screenshot of the page where they broke', async () => {
    const { code } = await runCanary({ faults: { markupDrift: true } });
    expect(code).toBe(1);
    const [message] = discord!.messages();
    expect(message?.violations).toEqual([]);
    expect(message?.payload.embeds?.[0]?.title).toBe('🔧 Venue profile drifted');
    expect(message?.payload.embeds?.[0]?.fields?.map((f) => f.name)).toContain('slots.time');
    expect(message?.files.map((f) => f.filename)).toEqual(['doctor.png']);
    expect(venue!.ledger()).toHaveLength(0); // never books
  }, 60_000);

  it('does not run (no login) when a real booking of this repository is due around now', async () => {
    const date = courtDateForTests();
    // A Book row whose release is in 5 minutes: the canary would log the member in during its window.
    const nextDate = new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const { code } = await runCanary(
      {},
      { bookRow: `${nextDate},19:00,,Book,,`, hoursAfterRelease: 24 - 5 / 60 },
    );
    expect(code).toBe(0);
    expect(venue!.requests().filter((r) => r.outcome === 'logged-in')).toHaveLength(0);
    expect(discord!.messages()).toHaveLength(0);
  }, 60_000);
});
