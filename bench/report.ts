import { BASELINES } from './baselines/index.ts';
import type { BaselineName } from './baselines/common.ts';
import { criticalPath, headToHeadFigures, retryCost, type HeadToHeadFigures } from './lib/analysis.ts';
import { COMPETITOR_DELAYS_MS, CONTESTED_TIME, type BenchCase } from './lib/arena.ts';
import type { Machine } from './lib/proc.ts';
import {
  BOT_NAMES,
  skinOf,
  type BotName,
  type ColdRecord,
  type HeadToHeadRecord,
  type TrialRecord,
} from './lib/records.ts';
import { SKINS, type SkinName } from './lib/skins.ts';
import {
  checkGoals,
  GOALS,
  meanOneWay,
  physicalFloorMs,
  rate,
  ratio,
  round,
  summarize,
  worstCaseFloorMs,
  type GoalCheck,
  type Summary,
} from './lib/stats.ts';

export type { ColdRecord, HeadToHeadRecord, TrialRecord } from './lib/records.ts';

/**
 * Turns one run's raw records (trials, head-to-head trials, cold runs) into figures and renders them as
 * Markdown (results.md, summary.md). Pure: the tables are generated from the records, never typed in,
 * and `--render-only` rebuilds every figure from the records kept in results.json.
 */

export const BOT_LABELS: Record<BotName, string> = {
  ours: 'ours (engine)',
  'old-way': 'old way (local clock, fixed 2 s waits)',
  poller: 'refresh poller (1 s reloads from 23:59:58)',
  'fast-poller': 'fast poller (correct clock, 50 ms in-page polls)',
  sniper: 'sniper (Date-header offset, volley from −200 ms)',
};
const SHORT: Record<BotName, string> = {
  ours: 'Ours',
  'old-way': 'Old way',
  poller: 'Refresh poller',
  'fast-poller': 'Fast poller',
  sniper: 'Sniper',
};

/** The retry case: which case, which request gets the 429, and its Retry-After. */
export type RetrySetup = { caseName: string; retryAfterSeconds: number; scope: Record<SkinName, string> };
/** The two-row case: which case, and the second row's time (the first is the contested slot). */
export type TwoRowSetup = { caseName: string; secondTime: string };

export type BotFigures = {
  trials: number;
  /** Trials in which the bot's booking was accepted first (ahead of all three competitors). */
  gotSlot: number;
  outcomes: Record<string, number>;
  /** Release latency: the ledger's acceptedAtServerMs − the venue's midnight. */
  releaseLatencyMs: Summary;
  earlyRequests: number;
  availabilityTooEarly: number;
  winRate: Record<string, number | null>;
  offsetErrorMs: Summary;
  /** How the bot knows the venue's clock: it measures it, assumes its own, or is given the truth. */
  clock: 'measured' | 'assumed' | 'given';
  armedBeforeReleaseMs: Summary;
  reloads?: Summary;
  /** Trials whose first booking request followed nothing asked again (no retry before it). */
  cleanFirstShots: number;
  /** Looks at My bookings between midnight and the first booking request, over the clean first shots (null: none, or not measured). */
  myBookingsBeforeFirstBooking: number | null;
  /** The machine's 1-minute load average over the trials (2 cores: above 2 means queueing). */
  load1: Summary;
};

/** Our time after midnight, leg by leg (medians / p95 over the trials; see lib/analysis.ts). */
export type OursProfile = {
  kind: 'fetch-then-book' | 'addressed' | 'none';
  trials: number;
  legs: Record<string, Summary>;
  /** The engine's own figure (RunResult.latencyMs), and it minus the ledger's release latency. */
  engineLatencyMs: Summary;
  engineEstimateErrorMs: Summary;
};

export type CaseFigures = {
  skin: SkinName;
  name: string;
  latencyLabel: string;
  latency: { oneWayMs: number; jitterMs: number };
  skewMs: number;
  heldToGoals: boolean;
  meanOneWayMs: number;
  floorMs: number;
  worstCaseFloorMs: number;
  /** Each bot that ran alone in this case (ours always). */
  bots: Partial<Record<BotName, BotFigures>>;
  oursOverheadP95Ms: number | null;
  oursProfile: OursProfile;
  headToHead: Partial<Record<BaselineName, HeadToHeadFigures>>;
};

export type RetryFigures = {
  skin: SkinName;
  caseName: string;
  scope: string;
  retryAfterSeconds: number;
  trials: number;
  booked: number;
  latencyMs: Summary;
  afterRetryAfterMs: Summary;
  /** Looks at My bookings before the second attempt (one per trial expected). */
  checks: number;
  checkMs: Summary;
  venueGapMs: Summary;
  /** The second attempt as it would be without the look: afterRetryAfterMs − checkMs, per trial. */
  withoutCheckMs: Summary;
};

export type TwoRowFigures = {
  caseName: string;
  secondTime: string;
  trials: number;
  /** Trials in which both rows were booked. */
  bothBooked: number;
  /** Release latency of the first row's booking and of the second's (ledger), and the gap between them. */
  firstMs: Summary;
  secondMs: Summary;
  gapMs: Summary;
};

export type ColdFigures = Partial<
  Record<
    BotName,
    { runs: number; startToArmedMs: Summary; peakRssMiB: Summary; peakPssMiB: Summary; outcomes: string[] }
  >
>;

export type SkinFigures = {
  name: SkinName;
  label: string;
  floorTrips: number;
  floorRule: string;
  baselines: BaselineName[];
  cases: CaseFigures[];
  retry?: RetryFigures;
  twoRows?: TwoRowFigures;
};

/** A plain statement that a baseline beat us somewhere (head to head, or alone by median). */
export type Beaten = { skin: SkinName; caseName: string; baseline: BaselineName; how: string };

export type Settings = {
  trialsPerCase: number;
  /** Trials of ours per case not held to the goals (the 120 ms case). */
  trialsPerOtherCase: number;
  baselineTrialsPerCase: number;
  headToHeadTrialsPerCase: number;
  retryTrials: number;
  /** Absent in results written before the two-row trials: 0. */
  twoRowTrials: number;
  coldTrials: number;
  lanes: number;
};

export type BenchResults = Settings & {
  generatedAt: string;
  command: string;
  machine: Machine;
  chromium: string;
  durationS: number;
  benchCases: BenchCase[];
  skinNames: SkinName[];
  retrySetup: RetrySetup | null;
  twoRowSetup: TwoRowSetup | null;
  skins: SkinFigures[];
  coldCase: string;
  cold: ColdFigures;
  goals: GoalCheck[];
  beaten: Beaten[];
  trials: TrialRecord[];
  headToHead: HeadToHeadRecord[];
  coldRuns: ColdRecord[];
};

const nums = (values: (number | null | undefined)[]): number[] =>
  values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function botFigures(records: TrialRecord[], clock: BotFigures['clock']): BotFigures {
  const outcomes: Record<string, number> = {};
  for (const r of records) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const winRate: Record<string, number | null> = {};
  for (const d of COMPETITOR_DELAYS_MS)
    winRate[String(d)] = rate(records.map((r) => r.metrics.wins[String(d)] ?? false));
  const reloads = nums(records.map((r) => r.reloads));
  const clean = records.filter((r) => r.metrics.retriedBeforeFirstBooking === false);
  return {
    trials: records.length,
    gotSlot: records.filter((r) => r.metrics.gotSlot).length,
    outcomes,
    releaseLatencyMs: summarize(nums(records.map((r) => r.metrics.releaseLatencyMs))),
    earlyRequests: records.reduce((s, r) => s + r.metrics.earlyRequests, 0),
    availabilityTooEarly: records.reduce((s, r) => s + r.metrics.availabilityTooEarly, 0),
    winRate,
    offsetErrorMs: summarize(nums(records.map((r) => r.offsetErrorMs))),
    clock,
    armedBeforeReleaseMs: summarize(nums(records.map((r) => r.armedBeforeReleaseMs))),
    ...(reloads.length ? { reloads: summarize(reloads) } : {}),
    // Over the clean first shots only (nothing asked again before the booking); results written before
    // this figure existed did not measure it.
    cleanFirstShots: clean.length,
    myBookingsBeforeFirstBooking:
      clean.length > 0 ? clean.reduce((s, r) => s + (r.metrics.myBookingsBeforeFirstBooking ?? 0), 0) : null,
    load1: summarize(nums(records.map((r) => r.load1))),
  };
}

const CLOCK_OF: Record<BotName, BotFigures['clock']> = {
  ours: 'measured',
  'old-way': 'assumed',
  poller: 'assumed',
  'fast-poller': 'given',
  sniper: 'measured',
};

function oursProfile(records: TrialRecord[]): OursProfile {
  const paths = records.map(criticalPath).filter((p) => p !== null);
  const kind = paths[0]?.kind ?? 'none';
  const legs: Record<string, Summary> = {};
  const leg = (name: string, values: (number | null)[]) => (legs[name] = summarize(nums(values)));
  if (kind === 'fetch-then-book') {
    const f = paths.filter((p) => p.kind === 'fetch-then-book');
    leg(
      'arrivalMs',
      f.map((p) => p.arrivalMs),
    );
    leg(
      'backMs',
      f.map((p) => p.backMs),
    );
    leg(
      'browserMs',
      f.map((p) => p.browserMs),
    );
    for (const k of ['renderMs', 'chooseMs', 'dialogMs', 'dispatchMs'] as const)
      leg(
        k,
        f.map((p) => p[k]),
      );
    leg(
      'inMs',
      f.map((p) => p.inMs),
    );
  } else if (kind === 'addressed') {
    const a = paths.filter((p) => p.kind === 'addressed');
    leg(
      'sentMs',
      a.map((p) => p.sentMs),
    );
    leg(
      'inMs',
      a.map((p) => p.inMs),
    );
  }
  return {
    kind,
    trials: paths.length,
    legs,
    engineLatencyMs: summarize(nums(records.map((r) => r.engineLatencyMs))),
    engineEstimateErrorMs: summarize(
      nums(
        records.map((r) =>
          r.engineLatencyMs !== null && r.metrics.releaseLatencyMs !== null
            ? r.engineLatencyMs - r.metrics.releaseLatencyMs
            : null,
        ),
      ),
    ),
  };
}

/** The two-row trials' figures: each booking's release latency, and the gap where both were booked. */
export function twoRowFigures(setup: TwoRowSetup, records: TrialRecord[]): TwoRowFigures {
  const first = records.map((r) => r.metrics.releaseLatencyMs);
  const second = records.map((r) => r.secondRow?.releaseLatencyMs ?? null);
  const both = first.flatMap((a, i) => {
    const b = second[i] ?? null;
    return a !== null && b !== null ? [b - a] : [];
  });
  return {
    caseName: setup.caseName,
    secondTime: setup.secondTime,
    trials: records.length,
    bothBooked: both.length,
    firstMs: summarize(nums(first)),
    secondMs: summarize(nums(second)),
    gapMs: summarize(both),
  };
}

function retryFigures(skin: SkinName, setup: RetrySetup, records: TrialRecord[]): RetryFigures {
  const costs = records.map((r) => retryCost(r, setup.retryAfterSeconds));
  return {
    skin,
    caseName: setup.caseName,
    scope: setup.scope[skin],
    retryAfterSeconds: setup.retryAfterSeconds,
    trials: records.length,
    booked: records.filter((r) => r.metrics.releaseLatencyMs !== null).length,
    latencyMs: summarize(nums(costs.map((c) => c.latencyMs))),
    afterRetryAfterMs: summarize(nums(costs.map((c) => c.afterRetryAfterMs))),
    checks: costs.reduce((s, c) => s + c.checks, 0),
    checkMs: summarize(nums(costs.map((c) => c.checkMs))),
    venueGapMs: summarize(nums(costs.map((c) => c.venueGapMs))),
    withoutCheckMs: summarize(
      nums(
        costs.map((c) =>
          c.afterRetryAfterMs !== null && c.checkMs !== null ? c.afterRetryAfterMs - c.checkMs : null,
        ),
      ),
    ),
  };
}

/** Where a baseline beat us: it held the court more often head to head, or its median alone was lower. */
export function beatenBy(skins: readonly SkinFigures[]): Beaten[] {
  const out: Beaten[] = [];
  for (const s of skins) {
    for (const c of s.cases) {
      for (const b of s.baselines) {
        const h = c.headToHead[b];
        if (h && h.baselineWon > 0)
          out.push({
            skin: s.name,
            caseName: c.name,
            baseline: b,
            how: `held the court in ${h.baselineWon} of ${h.trials} head-to-head trials`,
          });
        const theirs = c.bots[b]?.releaseLatencyMs.median;
        const ours = c.bots.ours?.releaseLatencyMs.median;
        if (theirs !== null && theirs !== undefined && ours !== null && ours !== undefined && theirs < ours)
          out.push({
            skin: s.name,
            caseName: c.name,
            baseline: b,
            how: `alone, its median release latency was ${Math.round(theirs)} ms against our ${Math.round(ours)} ms`,
          });
      }
    }
  }
  return out;
}

export function buildResults(
  input: Settings & {
    generatedAt: string;
    command: string;
    machine: Machine;
    chromium: string;
    durationS: number;
    cases: BenchCase[];
    skinNames: SkinName[];
    retrySetup: RetrySetup | null;
    twoRowSetup: TwoRowSetup | null;
    coldCase: string;
    records: TrialRecord[];
    headToHead: HeadToHeadRecord[];
    cold: ColdRecord[];
  },
): BenchResults {
  const skins: SkinFigures[] = input.skinNames.map((skinName) => {
    const skin = SKINS[skinName];
    const baselines = BASELINES.filter((b) => b.skins.includes(skinName)).map((b) => b.name);
    const cases: CaseFigures[] = input.cases.map((c) => {
      const of = (bot: BotName) =>
        input.records.filter(
          (r) =>
            skinOf(r) === skinName && r.caseName === c.name && r.bot === bot && (r.set ?? 'race') === 'race',
        );
      const bots: CaseFigures['bots'] = {};
      for (const bot of BOT_NAMES) {
        const records = of(bot);
        if (records.length > 0) bots[bot] = botFigures(records, CLOCK_OF[bot]);
      }
      const headToHead: CaseFigures['headToHead'] = {};
      for (const b of baselines) {
        const records = input.headToHead.filter(
          (h) => h.skin === skinName && h.caseName === c.name && h.baseline === b,
        );
        if (records.length > 0) headToHead[b] = headToHeadFigures(records);
      }
      const floorMs = physicalFloorMs(c.latency, skin.floorTrips);
      const p95 = bots.ours?.releaseLatencyMs.p95 ?? null;
      return {
        skin: skinName,
        name: c.name,
        latencyLabel: c.latencyLabel,
        latency: c.latency,
        skewMs: c.skewMs,
        heldToGoals: c.heldToGoals,
        meanOneWayMs: meanOneWay(c.latency),
        floorMs,
        worstCaseFloorMs: worstCaseFloorMs(c.latency, skin.floorTrips),
        bots,
        oursOverheadP95Ms: p95 === null ? null : p95 - floorMs,
        oursProfile: oursProfile(of('ours')),
        headToHead,
      };
    });
    const retryRecords = input.records.filter(
      (r) => skinOf(r) === skinName && r.bot === 'ours' && r.set === 'retry',
    );
    const twoRowRecords = input.records.filter(
      (r) => skinOf(r) === skinName && r.bot === 'ours' && r.set === 'two-rows',
    );
    return {
      name: skinName,
      label: skin.label,
      floorTrips: skin.floorTrips,
      floorRule: skin.floorRule,
      baselines,
      cases,
      ...(input.retrySetup && retryRecords.length
        ? { retry: retryFigures(skinName, input.retrySetup, retryRecords) }
        : {}),
      ...(input.twoRowSetup && twoRowRecords.length
        ? { twoRows: twoRowFigures(input.twoRowSetup, twoRowRecords) }
        : {}),
    };
  });
  const cold: ColdFigures = {};
  for (const bot of BOT_NAMES) {
    const runs = input.cold.filter((r) => r.bot === bot);
    if (runs.length === 0) continue;
    cold[bot] = {
      runs: runs.length,
      startToArmedMs: summarize(nums(runs.map((r) => r.startToArmedMs))),
      peakRssMiB: summarize(runs.map((r) => r.peakRssMiB)),
      peakPssMiB: summarize(runs.map((r) => r.peakPssMiB)),
      outcomes: runs.map((r) => r.outcome),
    };
  }
  const goals = checkGoals(
    skins.flatMap((s) =>
      s.cases.map((c) => ({
        caseName: c.name,
        skin: s.name,
        heldToGoals: c.heldToGoals,
        latencyP95Ms: c.bots.ours?.releaseLatencyMs.p95 ?? null,
        floorMs: c.floorMs,
        worstCaseFloorMs: c.worstCaseFloorMs,
        earlyRequests: c.bots.ours?.earlyRequests ?? 0,
        winRateVsRival: c.bots.ours?.winRate[String(GOALS.rivalMs)] ?? null,
        offsetErrorMaxMs: c.bots.ours?.offsetErrorMs.max ?? null,
        firstShotHeldChecks: c.bots.ours?.myBookingsBeforeFirstBooking ?? null,
        trials: c.bots.ours?.trials ?? 0,
        booked: c.bots.ours?.releaseLatencyMs.n ?? 0,
      })),
    ),
  );
  return {
    generatedAt: input.generatedAt,
    command: input.command,
    machine: input.machine,
    chromium: input.chromium,
    trialsPerCase: input.trialsPerCase,
    trialsPerOtherCase: input.trialsPerOtherCase,
    baselineTrialsPerCase: input.baselineTrialsPerCase,
    headToHeadTrialsPerCase: input.headToHeadTrialsPerCase,
    retryTrials: input.retryTrials,
    twoRowTrials: input.twoRowTrials,
    coldTrials: input.coldTrials,
    lanes: input.lanes,
    durationS: input.durationS,
    benchCases: input.cases,
    skinNames: input.skinNames,
    retrySetup: input.retrySetup,
    twoRowSetup: input.twoRowSetup,
    skins,
    coldCase: input.coldCase,
    cold,
    goals,
    beaten: beatenBy(skins),
    trials: input.records,
    headToHead: input.headToHead,
    coldRuns: input.cold,
  };
}

/**
 * Rebuilds every figure from the records kept in a results.json (`--render-only`), also one written
 * before the second skin and the head-to-head (its trials then count as the single-page skin's).
 */
export function rebuildResults(saved: Record<string, unknown>): BenchResults {
  const r = saved as Partial<BenchResults> & {
    cases?: {
      name: string;
      latencyLabel: string;
      latency: BenchCase['latency'];
      skewMs: number;
      heldToGoals: boolean;
    }[];
  };
  const benchCases: BenchCase[] =
    r.benchCases ??
    (r.cases ?? []).map((c) => ({
      name: c.name,
      latencyLabel: c.latencyLabel,
      latency: c.latency,
      skewMs: c.skewMs,
      heldToGoals: c.heldToGoals,
    }));
  const trials = r.trials ?? [];
  return buildResults({
    generatedAt: r.generatedAt ?? '?',
    command: r.command ?? '?',
    machine: r.machine!,
    chromium: r.chromium ?? '?',
    durationS: r.durationS ?? 0,
    trialsPerCase: r.trialsPerCase ?? 0,
    trialsPerOtherCase: r.trialsPerOtherCase ?? r.trialsPerCase ?? 0,
    baselineTrialsPerCase: r.baselineTrialsPerCase ?? 0,
    headToHeadTrialsPerCase: r.headToHeadTrialsPerCase ?? 0,
    retryTrials: r.retryTrials ?? 0,
    twoRowTrials: r.twoRowTrials ?? 0,
    coldTrials: r.coldTrials ?? 0,
    lanes: r.lanes ?? 0,
    cases: benchCases,
    skinNames: r.skinNames ?? [...new Set(trials.map(skinOf))],
    retrySetup: r.retrySetup ?? null,
    twoRowSetup: r.twoRowSetup ?? null,
    coldCase: r.coldCase ?? '?',
    records: trials,
    headToHead: r.headToHead ?? [],
    cold: r.coldRuns ?? [],
  });
}

// ------------------------------------------------------------------ Markdown

const ms = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${Math.round(v)}`;
const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`;
const x = (v: number | null | undefined): string => {
  const r = round(v, v !== null && v !== undefined && v < 0.1 ? 3 : 2);
  return r === null ? '—' : `${r}×`;
};
const triple = (s: Summary | undefined): string =>
  !s || s.n === 0 ? '—' : `${ms(s.median)} / ${ms(s.p95)} / ${ms(s.max)}`;
const pair = (s: Summary | undefined): string => (!s || s.n === 0 ? '—' : `${ms(s.median)} / ${ms(s.p95)}`);
const signed = (v: number): string => (v > 0 ? `+${v}` : `${v}`);
const caseLabel = (c: CaseFigures): string => `${c.latencyLabel}, ${signed(c.skewMs)} ms`;
const skinLabel = (s: SkinName): string => SKINS[s].label;

function header(r: BenchResults, source: string): string[] {
  const m = r.machine;
  const load = summarize(nums(r.trials.filter((t) => t.bot === 'ours').map((t) => t.load1)));
  return [
    `Generated by \`${r.command}\` at ${r.generatedAt} from \`${source}\` — do not edit by hand.`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB (${m.platform}; shared: 1-min load average ${m.loadAverageAtStart[0] ?? '?'} at the start, ${round(load.median, 1) ?? '?'} median / ${round(load.max, 1) ?? '?'} max during our trials) · Node ${m.node} · Chromium ${r.chromium} · per skin and case ${r.trialsPerCase} trials of ours (${r.trialsPerOtherCase} in cases not held to the goals), ${r.baselineTrialsPerCase} of each baseline alone and ${r.headToHeadTrialsPerCase} head to head with the fast poller and the sniper (${Math.min(r.headToHeadTrialsPerCase, 2)} with the old way and the refresh poller); ${r.retryTrials} retry and ${r.twoRowTrials} two-row trials per skin; ${r.coldTrials} cold runs per bot · the run took ${Math.round(r.durationS / 6) / 10} min`,
  ];
}

/** One baseline in one case: alone (median / p95 of its release latency) and head to head. */
function baselineCell(c: CaseFigures, b: BaselineName): string {
  const alone = c.bots[b];
  const h = c.headToHead[b];
  if (!alone && !h) return '—';
  const parts: string[] = [];
  if (alone) parts.push(`${pair(alone.releaseLatencyMs)} ms`);
  const early = (alone?.earlyRequests ?? 0) + (h?.baselineEarly ?? 0);
  parts.push(`${early} early`);
  if (h) parts.push(`we won ${h.oursWon}/${h.trials}`);
  return parts.join(' · ');
}

/** Head to head over every case of a skin, per baseline: "we won n of N". */
function headToHeadTotals(r: BenchResults): string[] {
  const out: string[] = [];
  for (const s of r.skins) {
    const parts = s.baselines
      .map((b) => {
        const all = r.headToHead.filter((h) => h.skin === s.name && h.baseline === b);
        if (all.length === 0) return undefined;
        const won = all.filter((h) => h.winner === 'ours').length;
        return `${SHORT[b].toLowerCase()} ${won}/${all.length} (${pct(won / all.length)})`;
      })
      .filter((p) => p !== undefined);
    if (parts.length)
      out.push(`Head to head on ${s.label}, all cases: we held the court against the ${parts.join(', ')}.`);
  }
  return out;
}

function verdictLines(r: BenchResults): string[] {
  const failed = r.goals.filter((g) => !g.pass);
  const lines: string[] = [];
  lines.push(
    failed.length === 0
      ? 'Every goal held in this run.'
      : `**Goals missed in this run:** ${failed.map((g) => `${g.goal} on ${skinLabel(g.skin as SkinName)}, ${g.caseName}: ${g.value} (target ${g.target})`).join('; ')}.`,
  );
  const h2hRan = r.headToHead.length > 0;
  lines.push(
    r.beaten.length > 0
      ? `**Baselines that beat us:** ${r.beaten.map((b) => `${SHORT[b.baseline].toLowerCase()} on ${skinLabel(b.skin)}, ${b.caseName}: ${b.how}`).join('; ')}.`
      : h2hRan
        ? 'No baseline beat us in any case: none held the court in a head-to-head trial, and none had a lower median alone.'
        : 'No baseline had a lower median alone; no head-to-head trials were run.',
  );
  return lines;
}

export function renderSummaryMarkdown(r: BenchResults, source: string): string {
  const lines = [...header(r, source), ''];
  lines.push(
    '| Skin | Case (one-way latency, venue clock vs ours) | Floor | Ours: release latency, median / p95 / max (ms) | Overhead p95 − floor | Early requests | Wins vs +150 / +300 / +1000 ms | Offset error, worst |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const s of r.skins) {
    for (const c of s.cases) {
      const o = c.bots.ours;
      lines.push(
        `| ${s.label} | ${caseLabel(c)} | ${ms(c.floorMs)} ms (${s.floorTrips}×) | ${triple(o?.releaseLatencyMs)} | ${ms(c.oursOverheadP95Ms)} ms | ${o?.earlyRequests ?? '—'} | ${pct(o?.winRate['150'])} / ${pct(o?.winRate['300'])} / ${pct(o?.winRate['1000'])} | ${ms(o?.offsetErrorMs.max)} ms |`,
      );
    }
  }
  lines.push('');
  const shown = BASELINES.filter((b) => r.skins.some((s) => s.baselines.includes(b.name)));
  lines.push(
    `| Skin | Case | ${shown.map((b) => `${SHORT[b.name]}: alone median / p95 · early · head to head`).join(' | ')} |`,
    `|---|---|${shown.map(() => '---').join('|')}|`,
  );
  for (const s of r.skins) {
    for (const c of s.cases) {
      lines.push(
        `| ${s.label} | ${caseLabel(c)} | ${shown.map((b) => (s.baselines.includes(b.name) ? baselineCell(c, b.name) : 'does not run here')).join(' | ')} |`,
      );
    }
  }
  lines.push('');
  for (const s of r.skins) {
    const w = s.twoRows;
    if (!w) continue;
    lines.push(
      `Two rows the same night, ${s.label} (${w.caseName}; ${CONTESTED_TIME} and ${w.secondTime} on one date, one run, ${w.trials} trials, both booked in ${w.bothBooked}): the first booking accepted ${pair(w.firstMs)} ms (median / p95) after midnight, the second ${pair(w.secondMs)} ms, ${pair(w.gapMs)} ms after the first.`,
      '',
    );
  }
  for (const s of r.skins) {
    const t = s.retry;
    if (!t) continue;
    lines.push(
      `Retry path, ${s.label} (${t.caseName}; a 429 with Retry-After ${t.retryAfterSeconds} s on the first ${t.scope} request after midnight, ${t.trials} trials, ${t.booked} booked): the second attempt reached the venue ${pair(t.afterRetryAfterMs)} ms (median / p95) after the Retry-After ran out; the look at My bookings before it (${t.checks} in ${t.trials} trials) cost ${pair(t.checkMs)} ms, so without it ${pair(t.withoutCheckMs)} ms. First shots (trials alone in which nothing was asked again before the booking: ${s.cases.reduce((n, c) => n + (c.bots.ours?.cleanFirstShots ?? 0), 0)} of ${s.cases.reduce((n, c) => n + (c.bots.ours?.trials ?? 0), 0)}) looked at My bookings ${s.cases.reduce((n, c) => n + (c.bots.ours?.myBookingsBeforeFirstBooking ?? 0), 0)} times.`,
    );
    lines.push('');
  }
  const cold = r.cold;
  if (cold.ours) {
    const others = (['old-way', 'poller'] as const).filter((b) => cold[b]);
    lines.push(
      `Cold start (${r.coldCase}; fresh process, no saved session): start → armed median ${ms(cold.ours.startToArmedMs.median)} ms (${others.map((b) => `${SHORT[b].toLowerCase()} ${ms(cold[b]!.startToArmedMs.median)}`).join(', ')}); peak memory, Node + Chromium, median ${ms(cold.ours.peakRssMiB.median)} MiB summed RSS / ${ms(cold.ours.peakPssMiB.median)} MiB summed PSS (${others.map((b) => `${SHORT[b].toLowerCase()} ${ms(cold[b]!.peakRssMiB.median)} / ${ms(cold[b]!.peakPssMiB.median)}`).join(', ')}).`,
      '',
    );
  }
  const held = r.skins.flatMap((s) => s.cases.filter((c) => c.heldToGoals).map((c) => ({ s, c })));
  if (held.length) {
    lines.push(
      `| Goal (30 ms cases) | ${held.map(({ s, c }) => `${s.name}, ${signed(c.skewMs)} ms`).join(' | ')} |`,
      `|---|${held.map(() => '---').join('|')}|`,
    );
    const goalNames = [...new Set(r.goals.map((g) => g.goal))];
    for (const goal of goalNames) {
      const cells = held.map(({ s, c }) => {
        const g = r.goals.find((k) => k.goal === goal && k.caseName === c.name && k.skin === s.name);
        return g ? `${g.pass ? 'PASS' : 'FALL SHORT'} (${g.value}; ${g.target})` : '—';
      });
      lines.push(`| ${goal} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push(...headToHeadTotals(r), ...verdictLines(r), '');
  lines.push(
    `Release latency: the sandbox ledger's acceptedAtServerMs for the booking minus the venue's midnight (server clock). Floor per skin: ${r.skins.map((s) => `${s.label}: ${s.floorRule}`).join('; ')}. Baselines alone: the same figure in their own trials against the same simulated members; early: their booking requests the venue refused as before midnight, alone and head to head; head to head: both bots (two members) go for the one free court, the ledger says who holds it (we won n of N). All tables and definitions: \`bench/results.md\`; method: \`bench/README.md\`.`,
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The README's headline (bench/headline.md): per skin, our median / p95 against the flow's floor in the
 * 30 ms cases, the head-to-head totals and the verdict; everything else is in summary.md.
 */
export function renderHeadlineMarkdown(r: BenchResults, source: string): string {
  const lines = [
    `Generated by \`${r.command}\` at ${r.generatedAt} from \`${source}\` — do not edit by hand. ${r.trialsPerCase} trials per case, on ${r.machine.cores} cores, in ${Math.round(r.durationS / 6) / 10} min.`,
    '',
    '| Skin | Case | Floor | Ours, median / p95 | Overhead p95 − floor | Early requests | Wins vs +150 ms |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of r.skins) {
    for (const c of s.cases.filter((k) => k.heldToGoals)) {
      const o = c.bots.ours;
      lines.push(
        `| ${s.label} | ${caseLabel(c)} | ${ms(c.floorMs)} ms | ${ms(o?.releaseLatencyMs.median)} / ${ms(o?.releaseLatencyMs.p95)} ms | ${ms(c.oursOverheadP95Ms)} ms | ${o?.earlyRequests ?? '—'} | ${pct(o?.winRate['150'])} |`,
      );
    }
  }
  lines.push('', ...headToHeadTotals(r), ...verdictLines(r));
  return `${lines.join('\n')}\n`;
}

const LEG_LABELS: Record<string, string> = {
  arrivalMs: 'the availability request that showed the slots reached the venue (after midnight)',
  backMs: "its answer's trip back to the browser",
  browserMs: 'the browser, from that answer to the booking request leaving',
  renderMs:
    "… of which from the answer's last byte to the fire script seeing the cards (the site renders them)",
  chooseMs: '… choosing the slot (the fire script reads the cards)',
  dialogMs: "… from clicking the slot to pressing Confirm (the site's dialog opens, the terms are ticked)",
  dispatchMs: "… from pressing Confirm to the booking request leaving (the site's click handler sends it)",
  inMs: "the booking request's trip to the venue",
  sentMs: 'the booking request left the browser (ms after midnight; negative: before)',
};

export function renderResultsMarkdown(r: BenchResults, source: string): string {
  const lines = ['# Benchmark results', '', ...header(r, source), ''];
  lines.push('## Summary', '', ...renderSummaryMarkdown(r, source).split('\n').slice(4), '');
  for (const s of r.skins) {
    lines.push(`# ${s.label}`, '', `Floor: ${s.floorRule}.`, '');
    for (const c of s.cases) {
      const ran = BOT_NAMES.filter((b) => c.bots[b]);
      lines.push(
        `## ${s.name}: ${c.name}`,
        '',
        `One-way latency ${c.latencyLabel} (sandbox: ${c.latency.oneWayMs} ms + uniform 0–${c.latency.jitterMs} ms each way, mean ${ms(c.meanOneWayMs)} ms); venue clock ${signed(c.skewMs)} ms from the bot's clock. Floor ${s.floorTrips} × ${ms(c.meanOneWayMs)} = **${ms(c.floorMs)} ms** (${ms(c.worstCaseFloorMs)} ms with every trip at its slowest).`,
        '',
        `| Figure (each bot alone) | ${ran.map((b) => BOT_LABELS[b]).join(' | ')} |`,
        `|---|${ran.map(() => '---').join('|')}|`,
      );
      const row = (label: string, f: (x: BotFigures) => string) =>
        lines.push(`| ${label} | ${ran.map((k) => f(c.bots[k]!)).join(' | ')} |`);
      row('Release latency (accepted, ms after midnight): median / p95 / max', (f) =>
        triple(f.releaseLatencyMs),
      );
      row('Ours ÷ this bot, median / p95', (f) =>
        f === c.bots.ours
          ? '—'
          : `${x(ratio(c.bots.ours?.releaseLatencyMs.median, f.releaseLatencyMs.median))} / ${x(ratio(c.bots.ours?.releaseLatencyMs.p95, f.releaseLatencyMs.p95))}`,
      );
      row('Accepted ahead of all three competitors', (f) => `${f.gotSlot} of ${f.trials}`);
      for (const d of COMPETITOR_DELAYS_MS)
        row(`Win rate vs a competitor at +${d} ms`, (f) => pct(f.winRate[String(d)]));
      row('Booking requests refused as early (total)', (f) => String(f.earlyRequests));
      row('Availability requests before midnight (total)', (f) => String(f.availabilityTooEarly));
      row('Availability requests around midnight (reloads, polls, shots): median', (f) =>
        ms(f.reloads?.median),
      );
      row('Clock-offset error, ms: median / p95 / max', (f) =>
        f.clock === 'assumed'
          ? `${ms(f.offsetErrorMs.max)} (assumes its own clock)`
          : f.clock === 'given'
            ? '0 (given the true offset)'
            : triple(f.offsetErrorMs),
      );
      row('Armed, ms before midnight: median', (f) => ms(f.armedBeforeReleaseMs.median));
      row('Machine load average (1 min) over the trials: median / max', (f) =>
        f.load1.n ? `${round(f.load1.median, 1)} / ${round(f.load1.max, 1)}` : '—',
      );
      row('Outcomes', (f) =>
        Object.entries(f.outcomes)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      );
      lines.push('');
      if (c.oursOverheadP95Ms !== null) {
        lines.push(
          `Ours: p95 ${ms(c.bots.ours?.releaseLatencyMs.p95)} ms − floor ${ms(c.floorMs)} ms = **overhead ${ms(c.oursOverheadP95Ms)} ms**.`,
          '',
        );
      }
      const p = c.oursProfile;
      if (p.kind !== 'none') {
        lines.push(
          `Where our time goes after midnight (${p.trials} trials; the venue's log and the browser's own request timings on one time line; median / p95 / max ms):`,
          '',
          ...Object.entries(p.legs).map(([k, v]) => `- ${LEG_LABELS[k] ?? k}: ${triple(v)}`),
          `- the engine's own figure (RunResult.latencyMs: its estimate of when the booking reached the venue): ${triple(p.engineLatencyMs)}; minus the ledger's truth: ${triple(p.engineEstimateErrorMs)}`,
          '',
        );
      }
      const h2h = s.baselines.filter((b) => c.headToHead[b]);
      if (h2h.length) {
        lines.push(
          '| Head to head (one free court, two members) | ' + h2h.map((b) => SHORT[b]).join(' | ') + ' |',
          `|---|${h2h.map(() => '---').join('|')}|`,
        );
        const hrow = (label: string, f: (h: HeadToHeadFigures) => string) =>
          lines.push(`| ${label} | ${h2h.map((b) => f(c.headToHead[b]!)).join(' | ')} |`);
        hrow('We hold the court', (h) => `${h.oursWon} of ${h.trials} (${pct(h.oursWinRate)})`);
        hrow('It holds the court', (h) => `${h.baselineWon} of ${h.trials}`);
        hrow('Nobody', (h) => String(h.nobody));
        hrow(
          'We won when we were started first / it was',
          (h) =>
            `${h.oursStartedFirst[1]}/${h.oursStartedFirst[0]} · ${h.baselineStartedFirst[1]}/${h.baselineStartedFirst[0]}`,
        );
        hrow('Our first booking request reached the venue, ms: median / p95 / max', (h) =>
          triple(h.oursFirstBookingMs),
        );
        hrow('Its first booking request reached the venue, ms: median / p95 / max', (h) =>
          triple(h.baselineFirstBookingMs),
        );
        hrow('Trials it sent no booking after midnight (saw the court taken, or failed)', (h) =>
          String(h.baselineSentNone),
        );
        hrow('Its booking requests refused as early', (h) => String(h.baselineEarly));
        lines.push('');
      }
    }
    const w = s.twoRows;
    if (w) {
      lines.push(
        `## ${s.name}: two rows the same night (${w.caseName})`,
        '',
        `Ours alone with two rows on one date, ${CONTESTED_TIME} (the contested slot, raced by the same simulated members) and ${w.secondTime} (free), booked by one run: one login, one clock sync, one fire, the second row right after the first (issue 13). ${w.trials} trials, both booked in ${w.bothBooked}. Release latencies from the ledger.`,
        '',
        '| Figure | median / p95 / max, ms |',
        '|---|---|',
        `| First booking (${CONTESTED_TIME}) accepted, after the venue's midnight | ${triple(w.firstMs)} |`,
        `| Second booking (${w.secondTime}) accepted, after the venue's midnight | ${triple(w.secondMs)} |`,
        '| The second after the first | ' + triple(w.gapMs) + ' |',
        '',
      );
    }
    const t = s.retry;
    if (t) {
      lines.push(
        `## ${s.name}: the retry path (${t.caseName})`,
        '',
        `A 429 with Retry-After ${t.retryAfterSeconds} s on the first ${t.scope} request after midnight, ${t.trials} trials (${t.booked} booked). Every booking attempt after a failure or a retry is preceded by a look at My bookings (issue 10, item 7); this is what that look costs.`,
        '',
        '| Figure | median / p95 / max, ms |',
        '|---|---|',
        `| Release latency | ${triple(t.latencyMs)} |`,
        `| The second attempt: booking accepted, after the 429's processing + Retry-After | ${triple(t.afterRetryAfterMs)} |`,
        `| The look at My bookings before it (${t.checks} in ${t.trials} trials) | ${triple(t.checkMs)} |`,
        `| The same seen from the venue: from processing the look to processing our next request | ${triple(t.venueGapMs)} |`,
        `| The second attempt without the look (the two above, per trial) | ${triple(t.withoutCheckMs)} |`,
        '',
      );
    }
  }
  const coldBots = BOT_NAMES.filter((b) => r.cold[b]);
  if (coldBots.length) {
    lines.push(
      `## Cold start and memory (${r.coldCase})`,
      '',
      "A fresh process per run (node --import tsx), no saved session: Node starts, Chromium starts, logs in, arms, waits for the release and books. Start → armed is from spawning the process to the bot being logged in on the day view; memory is the peak over the whole run of the summed VmRSS of the process and all its descendants (Chromium), sampled from /proc every 50 ms (summed RSS counts pages shared between Chromium's processes once per process; summed PSS splits them, closer to what the machine really spends).",
      '',
      '| Bot | Runs | Start → armed, ms: median / p95 / max | Peak memory, summed RSS, MiB: median / max | Peak summed PSS, MiB: median / max | Outcomes |',
      '|---|---|---|---|---|---|',
    );
    for (const bot of coldBots) {
      const f = r.cold[bot]!;
      lines.push(
        `| ${BOT_LABELS[bot]} | ${f.runs} | ${triple(f.startToArmedMs)} | ${ms(f.peakRssMiB.median)} / ${ms(f.peakRssMiB.max)} | ${ms(f.peakPssMiB.median)} / ${ms(f.peakPssMiB.max)} | ${f.outcomes.join(', ')} |`,
      );
    }
    lines.push('');
  }
  lines.push(
    '## Goals',
    '',
    '| Goal | Skin | Case | Value | Target | Verdict |',
    '|---|---|---|---|---|---|',
    ...r.goals.map(
      (g) =>
        `| ${g.goal} | ${g.skin} | ${g.caseName} | ${g.value} | ${g.target} | ${g.pass ? 'PASS' : 'FALL SHORT'} |`,
    ),
    '',
    ...verdictLines(r),
    '',
    '## How the figures are made',
    '',
    "- Every trial uses a fresh court date whose release is placed a few seconds ahead: the bot gets a shifted clock that reads \"release − lead\" now, and the sandbox venue's clock is set to the bot's clock plus the case's offset. The contested slot is 19:00 on the skin's first court (the other court is already taken).",
    "- Alone (race trials): simulated competitors book the slot at +150, +300 and +1000 ms on the venue's clock; the slot has room for the bot and all three, so every booking lands and is measured, and the ledger's order of acceptance decides each race. Release latency: the ledger's acceptedAtServerMs for the bot's booking minus the venue's midnight.",
    '- Head to head: ours and one baseline, logged in as two members, go for the one free court (room for one, no simulated competitors) in the same venue at the same release; the ledger says who holds it. Who is started first alternates from trial to trial. A bot that sees the court already taken sends no booking, so its "first booking request" figure covers only the trials in which it sent one.',
    "- Early requests: booking requests the venue processed before its midnight (request log). Offset error: |the bot's estimate of venue − own clock − the true offset|; the old way and the refresh poller assume their clock is the venue's, the fast poller is given the true offset, ours and the sniper measure it.",
    `- Ours runs the product path per trial: runBooking() with a fresh bookings directory, the session saved by the previous trial, one Chromium per case (a fresh context per trial), the skin's venue profile, the engine's default clock-sync settings, leads shortened to seconds. The baselines log in once per case and re-arm by the click path per trial. Ours runs alone; then the baselines whose figures are seconds (old way, refresh poller) in ${r.lanes} parallel lanes each, each lane its own venue; then the fast poller and the sniper alone, one after the other; then the head-to-head trials.`,
    `- Floor: ${r.skins.map((s) => `${s.label}: ${s.floorRule}`).join('; ')}.`,
    '',
  );
  return `${lines.join('\n')}\n`;
}
