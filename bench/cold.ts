/**
 * One cold run in its own process (spawned by bench/bench.ts): Node starts, loads the bot, starts
 * Chromium, logs in with no saved session, arms, waits for the release and books. The parent times
 * process start → "armed" and samples the memory of this process and its Chromium tree.
 *
 * Input: BENCH_COLD (JSON, see ColdInput). Output: JSON lines on stdout ({"event":"armed"|"done",...}).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../src/browser/launch.ts';
import { ConfigSchema } from '../src/bookings/config.ts';
import { shiftedClock } from '../src/calendar/clock.ts';
import { runBooking } from '../src/run.ts';
import { BaselineSession } from './baselines/common.ts';
import { oldWay } from './baselines/old-way.ts';
import { poller } from './baselines/poller.ts';
import type { TrialPlacement } from './lib/arena.ts';
import { SKINS } from './lib/skins.ts';
import { OURS_RUN } from './bots/ours.ts';

export type BotName = 'ours' | 'old-way' | 'poller';

export type ColdInput = {
  bot: BotName;
  url: string;
  member: string;
  password: string;
  date: string;
  time: string;
  court: string;
  shiftMs: number;
  releaseLocalMs: number;
};

function emit(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ event, at: Date.now(), ...data })}\n`);
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_COLD ?? '') as ColdInput;
  const clock = shiftedClock(input.shiftMs);
  const dir = await mkdtemp(join(tmpdir(), 'bench-cold-'));
  try {
    if (input.bot === 'ours') {
      await mkdir(join(dir, 'bookings'), { recursive: true });
      const bookings = join(dir, 'bookings', 'bookings.csv');
      await writeFile(bookings, `Date,Time1,Time2,Status,Court,Note\n${input.date},${input.time},,Book,,\n`);
      const result = await runBooking({
        clock,
        env: {
          username: input.member,
          password: input.password,
          dryRun: false,
          logLevel: 'info',
          baseUrl: input.url,
        },
        config: ConfigSchema.parse({ retry: { windowSeconds: 20, maxPerSecond: 4 } }),
        paths: {
          bookings,
          status: join(dir, 'bookings', 'status.json'),
          config: join(dir, 'bookings', 'config.yml'),
          storageState: join(dir, 'session.json'),
        },
        outDir: join(dir, 'out'),
        log: () => undefined,
        ...OURS_RUN,
        onStep: (step) => {
          if (step === 'armed') emit('armed');
        },
      });
      emit('done', { outcome: result.outcome });
      return;
    }
    const browser = await launchBrowser();
    try {
      const bot = await BaselineSession.open(input, browser, SKINS.estelle);
      await bot.arm(input.date);
      emit('armed');
      const placement = {
        trial: 0,
        date: input.date,
        clock,
        shiftMs: input.shiftMs,
        trueOffsetMs: 0,
        releaseLocalMs: input.releaseLocalMs,
        slot: { date: input.date, time: input.time, court: input.court },
      } as TrialPlacement;
      const outcome = await (input.bot === 'old-way' ? oldWay : poller)(bot, placement);
      emit('done', { outcome: outcome.outcome });
      await bot.close();
    } finally {
      await browser.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  emit('error', { error: String(error) });
  process.exitCode = 1;
});
