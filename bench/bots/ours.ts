import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Request } from 'playwright';
import { ConfigSchema } from '../../src/bookings/config.ts';
import { SYNC_DONE_BY_MS } from '../../src/engine/before-release.ts';
import type { Environment } from '../../src/env.ts';
import { runBooking, type RunResult } from '../../src/run.ts';
import { borrowedBrowser, type Arena, type TrialPlacement } from '../lib/arena.ts';

/**
 * Our engine, as the product runs it: runBooking() per trial with a fresh bookings directory, the
 * venue's session saved by the previous trial (as the Actions cache restores it), the browser shared
 * across trials (each trial gets its own context), the skin's venue profile in config.yml. The
 * clock-sync settings are the engine's defaults; only the leads are shortened so that a trial is placed
 * seconds, not minutes, before its release.
 *
 * Read-only observation: the steps (RunOptions.onStep) and the browser's own timing of each request
 * (Playwright's `requestfinished`, which Playwright tracks whether or not anyone listens), so the report
 * can split our time after midnight into network and browser.
 */

export const OURS_RUN = {
  loginLeadMs: 60_000,
  // The engine's default: the clock is measured as soon as the bot is armed (placed < 20 s ahead).
  clockSyncLeadMs: 20_000,
  sessionCheckLeadMs: 2_500,
  stepTimeoutMs: 15_000,
} as const;

/**
 * How far ahead of the venue's release (real time) a trial is placed: arming walks 6 pages (each ≈ 2
 * round trips plus its assets; the clubhouse's pages load theirs as well, so 40 one-way trips in all),
 * then the clock sync takes about 4 s and must be done SYNC_DONE_BY_MS before the release (the engine
 * sends no probe after that; a run that arms minutes ahead, as the product does, never meets the cut-off,
 * so neither may a trial). (The engine schedules on the
 * venue's clock from a first coarse look at it, so the offset needs no extra lead.) The product logs in
 * minutes ahead or restores the cached session; in the bench only a venue's first trial logs in, so
 * only it gets the login's time on top.
 */
export function oursLead(meanOneWayMs: number, trial = 1): { ms: number; on: 'venue' } {
  // The first trial of a venue has no saved session yet: it logs in (about 10 round trips) before it arms.
  const login = trial === 0 ? 1_000 + 15 * meanOneWayMs : 0;
  // The sync's cut-off keys on the earliest release the first look at the clock allows (±0.5 s and half
  // a round trip): a second more keeps it clear of the cut-off.
  return { ms: 6_500 + SYNC_DONE_BY_MS + 40 * meanOneWayMs + login, on: 'venue' };
}

/** One request as the browser timed it, ms relative to the venue's midnight (in real time). */
export type BrowserRequest = { method: string; path: string; startMs: number; endMs: number | null };

export type OursTrial = {
  result: RunResult;
  steps: { step: string; atMs: number; data?: Record<string, unknown> }[];
  network: BrowserRequest[];
};

export class OursBot {
  private readonly storageState: string;
  private constructor(
    private readonly arena: Arena,
    private readonly browser: Browser,
    private readonly dir: string,
    private readonly login: { member: string; password: string },
  ) {
    this.storageState = join(dir, 'session.json');
  }

  /** `memberIndex`: which demo member it logs in as (a head-to-head gives the other bot another). */
  static async create(arena: Arena, browser: Browser, memberIndex = 0): Promise<OursBot> {
    const login = arena.login(memberIndex);
    return new OursBot(arena, browser, await mkdtemp(join(tmpdir(), 'bench-ours-')), login);
  }

  get member(): string {
    return this.login.member;
  }

  /** `secondRowTime`: a second row on the same date (HH:mm), booked by the same run after the first. */
  async trial(p: TrialPlacement, options: { secondRowTime?: string } = {}): Promise<OursTrial> {
    const dir = join(this.dir, `t${p.trial}`);
    await mkdir(join(dir, 'bookings'), { recursive: true });
    const paths = {
      bookings: join(dir, 'bookings', 'bookings.csv'),
      status: join(dir, 'bookings', 'status.json'),
      config: join(dir, 'bookings', 'config.yml'),
      storageState: this.storageState,
    };
    const rows = [`${p.date},${p.slot.time},,Book,,`];
    if (options.secondRowTime) rows.push(`${p.date},${options.secondRowTime},,Book,,`);
    await writeFile(paths.bookings, `Date,Time1,Time2,Status,Court,Note\n${rows.join('\n')}\n`);
    const env: Environment = {
      username: this.login.member,
      password: this.login.password,
      dryRun: false,
      logLevel: 'info',
      baseUrl: this.arena.venue.url,
    };
    const steps: OursTrial['steps'] = [];
    // The venue's midnight in real time: its clock runs shiftMs + skew ahead of the machine's.
    const releaseRealMs = p.releaseServerMs - (p.shiftMs + p.trueOffsetMs);
    const network: BrowserRequest[] = [];
    const origin = new URL(this.arena.venue.url).origin;
    const onRequest = (request: Request) => {
      const url = new URL(request.url());
      if (url.origin !== origin) return;
      const timing = request.timing();
      network.push({
        method: request.method(),
        path: url.pathname + url.search,
        startMs: Math.round((timing.startTime - releaseRealMs) * 10) / 10,
        endMs:
          timing.responseEnd >= 0
            ? Math.round((timing.startTime + timing.responseEnd - releaseRealMs) * 10) / 10
            : null,
      });
    };
    const watch = (context: BrowserContext) => {
      context.on('requestfinished', onRequest);
      context.on('requestfailed', onRequest);
    };
    const result = await runBooking({
      clock: p.clock,
      env,
      config: ConfigSchema.parse({
        retry: { windowSeconds: 20, maxPerSecond: 4 },
        venue: { profile: this.arena.skin.profile },
      }),
      paths,
      outDir: join(dir, 'out'),
      log: () => undefined,
      ...OURS_RUN,
      browserFactory: async () => borrowedBrowser(this.browser, watch),
      onStep: (step, data) => {
        steps.push({ step, atMs: p.clock.now() - p.releaseLocalMs, ...(data ? { data } : {}) });
      },
    });
    await rm(dir, { recursive: true, force: true });
    network.sort((a, b) => a.startMs - b.startMs);
    return { result, steps, network };
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
