import { DateTime } from 'luxon';
import type { Browser, BrowserContext } from 'playwright';
import { shiftedClock, type Clock } from '../../src/calendar/clock.ts';
import {
  courtDateForTests,
  releaseInstantMs,
  startSandbox,
  type Sandbox,
  type ScenarioPatch,
} from '../../test/sandbox/index.ts';
import type { CompetitorSpec, ContestedSlot, TrialFacts } from './metrics.ts';
import type { BenchSkin } from './skins.ts';
import type { LatencySpec } from './stats.ts';

/**
 * One venue (a sandbox of one skin) for one case, started once, and for each trial a fresh court date
 * whose release is placed `lead` ahead of now, with the venue's clock `skewMs` off the bot's. The
 * contested slot is 19:00 on the skin's first court (the other court at 19:00 is already full).
 *
 * Two kinds of arena:
 * - `race`: three simulated competitors book the slot at +150, +300 and +1000 ms after the release,
 *   and the slot has room for the bot and all three, so every booking lands (its release latency is
 *   always measured) and the ledger's order of acceptance decides each race;
 * - `head-to-head`: two real bots (two members) go for the slot, which has room for one; no simulated
 *   competitors; the ledger says who got it.
 */

export const CONTESTED_TIME = '19:00';
export const COMPETITOR_DELAYS_MS = [150, 300, 1000] as const;
export type ArenaKind = 'race' | 'head-to-head';

export type BenchCase = {
  name: string;
  latency: LatencySpec;
  /** Server clock minus the bot's clock (ms). */
  skewMs: number;
  /** "30 ± 10 ms" etc. */
  latencyLabel: string;
  /** Held to the goals (the 30 ms cases). */
  heldToGoals: boolean;
};

/** Faults of the venue for one trial (the retry case: a 429 on the first request after the release). */
export type TrialFaults = NonNullable<ScenarioPatch['faults']>;

export type TrialPlacement = {
  trial: number;
  date: string;
  /** The bot's clock: reads release − leadMs now. */
  clock: Clock;
  shiftMs: number;
  releaseServerMs: number;
  /** Midnight on the bot's own clock (what a bot that trusts its clock aims at). */
  releaseLocalMs: number;
  /** The venue's clock minus the bot's (the case's skew): what a bot with a correct clock knows. */
  trueOffsetMs: number;
  slot: ContestedSlot;
  competitors: CompetitorSpec[];
  /** Server clock when the trial was placed: earlier requests belong to earlier trials. */
  placedAtServerMs: number;
};

/** Room for the bot and every competitor: all bookings land, and their order decides the race. */
export const SLOT_CAPACITY = 1 + COMPETITOR_DELAYS_MS.length;

export function capacityOf(kind: ArenaKind): number {
  return kind === 'race' ? SLOT_CAPACITY : 1;
}

export function benchScenario(
  skin: BenchSkin,
  latency: LatencySpec,
  kind: ArenaKind = 'race',
): ScenarioPatch {
  return {
    skin: skin.name,
    latency,
    capacity: capacityOf(kind),
    requireClickPath: true,
    // Trials jump the server clock a day ahead each; sessions must outlive the run.
    sessionTtlMs: 400 * 24 * 60 * 60 * 1000,
  };
}

export class Arena {
  private constructor(
    readonly venue: Sandbox,
    readonly skin: BenchSkin,
    readonly benchCase: BenchCase,
    readonly label: string,
    readonly kind: ArenaKind,
  ) {}

  static async start(
    skin: BenchSkin,
    benchCase: BenchCase,
    label: string,
    kind: ArenaKind = 'race',
  ): Promise<Arena> {
    const venue = await startSandbox(benchScenario(skin, benchCase.latency, kind));
    return new Arena(venue, skin, benchCase, label, kind);
  }

  /** The first demo member (ours); a head-to-head's other bot is `members(1)`. */
  get member(): string {
    return this.venue.members[0]!.email;
  }

  get password(): string {
    return this.venue.members[0]!.password;
  }

  /** Demo member `i` as a bot's login. */
  login(i: number): { url: string; member: string; password: string } {
    const m = this.venue.members[i];
    if (!m) throw new Error(`the sandbox has no member ${i}`);
    return { url: this.venue.url, member: m.email, password: m.password };
  }

  /**
   * Places trial `trial`'s release `lead.ms` ahead of now — on the bot's clock (`on: 'bot'`), or in
   * real time on the venue's clock (`on: 'venue'`, so the bot's own clock then reads
   * release − lead − skew) — and arms its competitors.
   */
  /** Trial `trial`'s court date: a fresh one per trial (released on a later day than the last). */
  courtDate(trial: number): string {
    return DateTime.fromISO(courtDateForTests())
      .plus({ days: trial + 1 })
      .toISODate()!;
  }

  /**
   * `faults`: the venue's faults for this trial only (each placement replaces the last trial's; a
   * rate limit's count starts again).
   */
  place(trial: number, lead: { ms: number; on: 'bot' | 'venue' }, faults?: TrialFaults): TrialPlacement {
    const date = this.courtDate(trial);
    const release = releaseInstantMs(date);
    const shiftMs = release - lead.ms - (lead.on === 'venue' ? this.benchCase.skewMs : 0) - Date.now();
    const competitors =
      this.kind === 'race'
        ? COMPETITOR_DELAYS_MS.map((afterReleaseMs) => ({
            name: `${this.label}-t${trial}-plus${afterReleaseMs}`,
            afterReleaseMs,
          }))
        : [];
    this.venue.setScenario({
      clockOffsetMs: shiftMs + this.benchCase.skewMs,
      // The other court at 19:00 is full, so every bot books the contested one.
      preBooked: Array.from({ length: capacityOf(this.kind) }, (_, i) => ({
        date,
        time: CONTESTED_TIME,
        court: this.skin.otherCourt,
        member: `someone-${i + 1}`,
      })),
      competitors: competitors.map((c) => ({
        ...c,
        date,
        time: CONTESTED_TIME,
        court: this.skin.contestedCourt,
      })),
      faults: { rateLimit: null, ...faults },
    });
    return {
      trial,
      date,
      clock: shiftedClock(shiftMs),
      shiftMs,
      releaseServerMs: this.venue.releaseInstant(date),
      releaseLocalMs: release,
      trueOffsetMs: this.benchCase.skewMs,
      slot: { date, time: CONTESTED_TIME, court: this.skin.contestedCourt },
      competitors,
      placedAtServerMs: this.venue.clock.now(),
    };
  }

  /**
   * Ground truth for the trial, for the bot logged in as `member`, once the last competitor has acted
   * (call it after the bots are done: a head-to-head has no competitors to wait for).
   */
  async facts(p: TrialPlacement, member: string = this.member): Promise<TrialFacts> {
    const last = p.releaseServerMs + Math.max(0, ...p.competitors.map((c) => c.afterReleaseMs)) + 50;
    while (this.venue.clock.now() < last) {
      await new Promise((r) => setTimeout(r, Math.max(10, last - this.venue.clock.now())));
    }
    return {
      ledger: this.venue.ledger().filter((e) => e.date === p.date),
      requests: this.venue.requests().filter((r) => r.serverTimeMs >= p.placedAtServerMs),
      releaseServerMs: p.releaseServerMs,
      member,
      slot: p.slot,
      competitors: p.competitors,
    };
  }

  stop(): Promise<void> {
    return this.venue.stop();
  }
}

/**
 * A browser shared across trials: what the engine closes at the end of a run is only the contexts it
 * opened, so each trial still gets a fresh context (cookies from the saved session only). `onContext`
 * sees each new context (to listen to its requests).
 */
export function borrowedBrowser(browser: Browser, onContext?: (context: BrowserContext) => void): Browser {
  const contexts: BrowserContext[] = [];
  return new Proxy(browser, {
    get(target, prop) {
      if (prop === 'close') {
        return async () => {
          await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
        };
      }
      if (prop === 'newContext') {
        return async (...args: Parameters<Browser['newContext']>) => {
          const context = await target.newContext(...args);
          contexts.push(context);
          onContext?.(context);
          return context;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
