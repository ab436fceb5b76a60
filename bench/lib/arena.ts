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
import type { LatencySpec } from './stats.ts';

/**
 * One bot's venue for one case: a sandbox started once, and for each trial a fresh court date whose
 * release is placed `leadMs` ahead of now on the bot's clock, with the venue's clock `skewMs` off the
 * bot's. The contested slot is 19:00 on Court 1 (Court 2 at 19:00 is already full), and three
 * competitors book it at +150, +300 and +1000 ms after the release. The slot has room for all four, so
 * every bot's booking lands (its release latency is always measured) and the ledger's order of
 * acceptance decides each race.
 */

export const CONTESTED_TIME = '19:00';
export const CONTESTED_COURT = 'Padel Court 1';
export const OTHER_COURT = 'Padel Court 2';
export const COMPETITOR_DELAYS_MS = [150, 300, 1000] as const;

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

export type TrialPlacement = {
  trial: number;
  date: string;
  /** The bot's clock: reads release − leadMs now. */
  clock: Clock;
  shiftMs: number;
  releaseServerMs: number;
  /** The release instant on the bot's clock (what a bot with a perfect clock would aim at). */
  releaseLocalMs: number;
  slot: ContestedSlot;
  competitors: CompetitorSpec[];
  /** Server clock when the trial was placed: earlier requests belong to earlier trials. */
  placedAtServerMs: number;
};

/** Room for the bot and every competitor: all bookings land, and their order decides the race. */
export const SLOT_CAPACITY = 1 + COMPETITOR_DELAYS_MS.length;

export function benchScenario(latency: LatencySpec): ScenarioPatch {
  return {
    latency,
    capacity: SLOT_CAPACITY,
    requireClickPath: true,
    // Trials jump the server clock a day ahead each; sessions must outlive the run.
    sessionTtlMs: 400 * 24 * 60 * 60 * 1000,
  };
}

export class Arena {
  private constructor(
    readonly venue: Sandbox,
    readonly benchCase: BenchCase,
    readonly label: string,
  ) {}

  static async start(benchCase: BenchCase, label: string): Promise<Arena> {
    return new Arena(await startSandbox(benchScenario(benchCase.latency)), benchCase, label);
  }

  get member(): string {
    return this.venue.members[0]!.email;
  }

  get password(): string {
    return this.venue.members[0]!.password;
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

  place(trial: number, lead: { ms: number; on: 'bot' | 'venue' }): TrialPlacement {
    const date = this.courtDate(trial);
    const release = releaseInstantMs(date);
    const shiftMs = release - lead.ms - (lead.on === 'venue' ? this.benchCase.skewMs : 0) - Date.now();
    const competitors = COMPETITOR_DELAYS_MS.map((afterReleaseMs) => ({
      name: `${this.label}-t${trial}-plus${afterReleaseMs}`,
      afterReleaseMs,
    }));
    this.venue.setScenario({
      clockOffsetMs: shiftMs + this.benchCase.skewMs,
      // The other court at 19:00 is full, so every bot books the contested one.
      preBooked: Array.from({ length: SLOT_CAPACITY }, (_, i) => ({
        date,
        time: CONTESTED_TIME,
        court: OTHER_COURT,
        member: `someone-${i + 1}`,
      })),
      competitors: competitors.map((c) => ({
        ...c,
        date,
        time: CONTESTED_TIME,
        court: CONTESTED_COURT,
      })),
    });
    return {
      trial,
      date,
      clock: shiftedClock(shiftMs),
      shiftMs,
      releaseServerMs: this.venue.releaseInstant(date),
      releaseLocalMs: release,
      slot: { date, time: CONTESTED_TIME, court: CONTESTED_COURT },
      competitors,
      placedAtServerMs: this.venue.clock.now(),
    };
  }

  /** Ground truth for the trial, once the last competitor has acted. */
  async facts(p: TrialPlacement): Promise<TrialFacts> {
    const last = p.releaseServerMs + Math.max(...p.competitors.map((c) => c.afterReleaseMs)) + 50;
    while (this.venue.clock.now() < last) {
      await new Promise((r) => setTimeout(r, Math.max(10, last - this.venue.clock.now())));
    }
    return {
      ledger: this.venue.ledger().filter((e) => e.date === p.date),
      requests: this.venue.requests().filter((r) => r.serverTimeMs >= p.placedAtServerMs),
      releaseServerMs: p.releaseServerMs,
      member: this.member,
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
 * opened, so each trial still gets a fresh context (cookies from the saved session only).
 */
export function borrowedBrowser(browser: Browser): Browser {
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
          return context;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
