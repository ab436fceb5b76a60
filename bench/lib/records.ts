import type { BaselineName } from '../baselines/common.ts';
import type { BrowserRequest } from '../bots/ours.ts';
import type { TrialMetrics } from './metrics.ts';
import type { SkinName } from './skins.ts';

/**
 * What one run of the bench keeps per trial (results.json's raw part): everything the figures and the
 * tables are computed from, so `--render-only` can rebuild them.
 */

export type BotName = 'ours' | BaselineName;
export const BOT_NAMES: readonly BotName[] = ['ours', 'old-way', 'poller', 'fast-poller', 'sniper'];

/** One of the bot's requests as the venue processed it, ms after the venue's midnight. */
export type VenueRequest = { method: string; path: string; status: number; outcome: string; atMs: number };

export type TrialRecord = {
  bot: BotName;
  /** Absent in results written before the second skin: estelle. */
  skin?: SkinName;
  caseName: string;
  trial: number;
  /**
   * 'race' (the normal trial), 'retry' (ours, with a 429 on the first request after midnight), or
   * 'two-rows' (ours, with a second row an hour later on the same date, booked by the same run).
   */
  set?: 'race' | 'retry' | 'two-rows';
  /** Two-row trials: the second row's booking, from the ledger (ms after the venue's midnight). */
  secondRow?: { time: string; releaseLatencyMs: number | null };
  outcome: string;
  metrics: TrialMetrics;
  /** |estimated − true| venue clock offset (baselines that assume their clock: |true offset|). */
  offsetErrorMs: number | null;
  /** The engine's own latency figure (RunResult.latencyMs), for comparison with the ledger. */
  engineLatencyMs: number | null;
  armedBeforeReleaseMs: number | null;
  fireEvents: { ms: number; event: string }[];
  /** What the fire did (the engine's fire-result step). */
  fire?: { applies?: number; bookings?: number; heldChecks?: number };
  /** 1-minute load average of the machine when the trial ended. */
  load1?: number | null;
  /** The engine's steps, ms relative to the venue's midnight in real time (negative: before). */
  steps?: [string, number][];
  /** The bot's requests around midnight as the venue processed them, and as the browser timed them. */
  venue?: VenueRequest[];
  network?: BrowserRequest[];
  reloads?: number;
  message?: string | undefined;
};

/** One head-to-head trial: ours and one baseline (two members) for the one free court. */
export type HeadToHeadRecord = {
  skin: SkinName;
  caseName: string;
  baseline: BaselineName;
  trial: number;
  /** Which bot was started first in this trial (they alternate). */
  firstStarted: 'ours' | 'baseline';
  /** Who holds the court, from the ledger. */
  winner: 'ours' | 'baseline' | 'nobody';
  ours: {
    outcome: string;
    metrics: TrialMetrics;
    message?: string | undefined;
    /** Its steps and its requests around midnight, as for a trial alone. */
    steps?: [string, number][];
    venue?: VenueRequest[];
  };
  theirs: { outcome: string; metrics: TrialMetrics; detail?: string | undefined; venue?: VenueRequest[] };
  load1: number | null;
};

export type ColdRecord = {
  bot: BotName;
  run: number;
  startToArmedMs: number | null;
  peakRssMiB: number;
  peakPssMiB: number;
  processes: number;
  outcome: string;
  releaseLatencyMs: number | null;
};

export const skinOf = (r: { skin?: SkinName }): SkinName => r.skin ?? 'estelle';
