import type { BenchCase } from './lib/arena.ts';
import { COMPETITOR_DELAYS_MS } from './lib/arena.ts';
import type { TrialMetrics } from './lib/metrics.ts';
import type { Machine } from './lib/proc.ts';
import {
  checkGoals,
  FLOOR_ONE_WAY_TRIPS,
  meanOneWay,
  median,
  physicalFloorMs,
  rate,
  ratio,
  round,
  summarize,
  type GoalCheck,
  type Summary,
} from './lib/stats.ts';

/**
 * Turns one run's raw trial records into figures (results.json) and renders them as Markdown
 * (results.md, summary.md). Pure: the tables are generated from the JSON, never typed in.
 */

export const BOTS = ['ours', 'old-way', 'poller'] as const;
export type Bot = (typeof BOTS)[number];
export const BOT_LABELS: Record<Bot, string> = {
  ours: 'ours (engine)',
  'old-way': 'old way (local clock, fixed 2 s waits)',
  poller: 'refresh poller (1 s reloads from 23:59:58)',
};

export type TrialRecord = {
  bot: Bot;
  caseName: string;
  trial: number;
  outcome: string;
  metrics: TrialMetrics;
  /** |estimated − true| venue clock offset (baselines: they assume 0, so |true offset|). */
  offsetErrorMs: number | null;
  /** The engine's own latency figure (RunResult.latencyMs), for comparison with the ledger. */
  engineLatencyMs: number | null;
  armedBeforeReleaseMs: number | null;
  fireEvents: { ms: number; event: string }[];
  /** 1-minute load average of the machine when the trial ended. */
  load1?: number | null;
  /** The engine's steps, ms relative to the venue's midnight in real time (negative: before). */
  steps?: [string, number][];
  reloads?: number;
  message?: string | undefined;
};

export type ColdRecord = {
  bot: Bot;
  run: number;
  startToArmedMs: number | null;
  peakRssMiB: number;
  peakPssMiB: number;
  processes: number;
  outcome: string;
  releaseLatencyMs: number | null;
};

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
  offsetAssumed: boolean;
  armedBeforeReleaseMs: Summary;
  reloads?: Summary;
  /** The machine's 1-minute load average over the trials (2 cores: above 2 means queueing). */
  load1: Summary;
};

export type OursProfile = {
  /** The first availability request that showed slots reached the venue this long after midnight. */
  slotsShownMs: Summary;
  /** From that request to the booking request reaching the venue. */
  slotsToBookingMs: Summary;
  /** The part of slotsToBookingMs that is not network: minus the mean round trip. */
  slotsToBookingMinusRttMs: Summary;
  /** In-page (fire script) milestones, median ms after the availability click. */
  inPageMedianMs: Record<string, number | null>;
  /** The engine's own latency figure (RunResult.latencyMs), and it minus the ledger's release latency. */
  engineLatencyMs: Summary;
  engineEstimateErrorMs: Summary;
};

export type CaseFigures = {
  name: string;
  latencyLabel: string;
  latency: { oneWayMs: number; jitterMs: number };
  skewMs: number;
  heldToGoals: boolean;
  meanOneWayMs: number;
  floorMs: number;
  bots: Record<Bot, BotFigures>;
  oursOverheadP95Ms: number | null;
  oursProfile: OursProfile;
  /** ours / theirs for release latency median and p95. */
  ratios: Record<'old-way' | 'poller', { median: number | null; p95: number | null }>;
};

export type ColdFigures = Record<
  Bot,
  { runs: number; startToArmedMs: Summary; peakRssMiB: Summary; peakPssMiB: Summary; outcomes: string[] }
>;

export type BenchResults = {
  generatedAt: string;
  command: string;
  machine: Machine;
  chromium: string;
  trialsPerCase: number;
  baselineTrialsPerCase: number;
  coldTrials: number;
  lanes: number;
  durationS: number;
  floorRule: string;
  cases: CaseFigures[];
  coldCase: string;
  cold: ColdFigures;
  coldRatios: Record<'old-way' | 'poller', { startToArmed: number | null; peakRss: number | null }>;
  goals: GoalCheck[];
  trials: TrialRecord[];
  coldRuns: ColdRecord[];
};

const nums = (values: (number | null | undefined)[]): number[] =>
  values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

function botFigures(records: TrialRecord[], offsetAssumed: boolean): BotFigures {
  const outcomes: Record<string, number> = {};
  for (const r of records) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  const winRate: Record<string, number | null> = {};
  for (const d of COMPETITOR_DELAYS_MS)
    winRate[String(d)] = rate(records.map((r) => r.metrics.wins[String(d)] ?? false));
  const reloads = nums(records.map((r) => r.reloads));
  return {
    trials: records.length,
    gotSlot: records.filter((r) => r.metrics.gotSlot).length,
    outcomes,
    releaseLatencyMs: summarize(nums(records.map((r) => r.metrics.releaseLatencyMs))),
    earlyRequests: records.reduce((s, r) => s + r.metrics.earlyRequests, 0),
    availabilityTooEarly: records.reduce((s, r) => s + r.metrics.availabilityTooEarly, 0),
    winRate,
    offsetErrorMs: summarize(nums(records.map((r) => r.offsetErrorMs))),
    offsetAssumed,
    armedBeforeReleaseMs: summarize(nums(records.map((r) => r.armedBeforeReleaseMs))),
    ...(reloads.length ? { reloads: summarize(reloads) } : {}),
    load1: summarize(nums(records.map((r) => r.load1))),
  };
}

function oursProfile(records: TrialRecord[], meanOneWayMs: number): OursProfile {
  const between = records.map((r) =>
    r.metrics.firstBookingMs !== null && r.metrics.slotsShownMs !== null
      ? r.metrics.firstBookingMs - r.metrics.slotsShownMs
      : null,
  );
  const events = ['cards', 'pick', 'confirm', 'confirmed'];
  const inPage: Record<string, number | null> = {};
  for (const name of events) {
    inPage[name] = median(
      nums(
        records.map((r) => {
          const apply = r.fireEvents.find((e) => e.event === 'apply')?.ms;
          const at = r.fireEvents.find((e) => e.event === name)?.ms;
          return apply === undefined || at === undefined ? null : at - apply;
        }),
      ),
    );
  }
  return {
    slotsShownMs: summarize(nums(records.map((r) => r.metrics.slotsShownMs))),
    slotsToBookingMs: summarize(nums(between)),
    slotsToBookingMinusRttMs: summarize(nums(between).map((v) => v - 2 * meanOneWayMs)),
    inPageMedianMs: inPage,
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

export function buildResults(input: {
  generatedAt: string;
  command: string;
  machine: Machine;
  chromium: string;
  trialsPerCase: number;
  baselineTrialsPerCase: number;
  coldTrials: number;
  lanes: number;
  durationS: number;
  cases: BenchCase[];
  coldCase: string;
  records: TrialRecord[];
  cold: ColdRecord[];
}): BenchResults {
  const cases: CaseFigures[] = input.cases.map((c) => {
    const of = (bot: Bot) => input.records.filter((r) => r.caseName === c.name && r.bot === bot);
    const bots = {
      ours: botFigures(of('ours'), false),
      'old-way': botFigures(of('old-way'), true),
      poller: botFigures(of('poller'), true),
    };
    const floorMs = physicalFloorMs(c.latency);
    const p95 = bots.ours.releaseLatencyMs.p95;
    return {
      name: c.name,
      latencyLabel: c.latencyLabel,
      latency: c.latency,
      skewMs: c.skewMs,
      heldToGoals: c.heldToGoals,
      meanOneWayMs: meanOneWay(c.latency),
      floorMs,
      bots,
      oursOverheadP95Ms: p95 === null ? null : p95 - floorMs,
      oursProfile: oursProfile(of('ours'), meanOneWay(c.latency)),
      ratios: {
        'old-way': {
          median: ratio(bots.ours.releaseLatencyMs.median, bots['old-way'].releaseLatencyMs.median),
          p95: ratio(p95, bots['old-way'].releaseLatencyMs.p95),
        },
        poller: {
          median: ratio(bots.ours.releaseLatencyMs.median, bots.poller.releaseLatencyMs.median),
          p95: ratio(p95, bots.poller.releaseLatencyMs.p95),
        },
      },
    };
  });
  const cold = {} as ColdFigures;
  for (const bot of BOTS) {
    const runs = input.cold.filter((r) => r.bot === bot);
    cold[bot] = {
      runs: runs.length,
      startToArmedMs: summarize(nums(runs.map((r) => r.startToArmedMs))),
      peakRssMiB: summarize(runs.map((r) => r.peakRssMiB)),
      peakPssMiB: summarize(runs.map((r) => r.peakPssMiB)),
      outcomes: runs.map((r) => r.outcome),
    };
  }
  const goals = checkGoals(
    cases.map((c) => ({
      caseName: c.name,
      heldToGoals: c.heldToGoals,
      latencyP95Ms: c.bots.ours.releaseLatencyMs.p95,
      floorMs: c.floorMs,
      earlyRequests: c.bots.ours.earlyRequests,
      winRateVs300: c.bots.ours.winRate['300'] ?? null,
      offsetErrorMaxMs: c.bots.ours.offsetErrorMs.max,
      trials: c.bots.ours.trials,
      booked: c.bots.ours.releaseLatencyMs.n,
    })),
  );
  return {
    generatedAt: input.generatedAt,
    command: input.command,
    machine: input.machine,
    chromium: input.chromium,
    trialsPerCase: input.trialsPerCase,
    baselineTrialsPerCase: input.baselineTrialsPerCase,
    coldTrials: input.coldTrials,
    lanes: input.lanes,
    durationS: input.durationS,
    floorRule: `${FLOOR_ONE_WAY_TRIPS} × mean one-way latency: the venue creates a slot's id only at the release, so after it any client must fetch the availability (one round trip) and then send the booking (one way)`,
    cases,
    coldCase: input.coldCase,
    cold,
    coldRatios: {
      'old-way': {
        startToArmed: ratio(cold.ours.startToArmedMs.median, cold['old-way'].startToArmedMs.median),
        peakRss: ratio(cold.ours.peakRssMiB.median, cold['old-way'].peakRssMiB.median),
      },
      poller: {
        startToArmed: ratio(cold.ours.startToArmedMs.median, cold.poller.startToArmedMs.median),
        peakRss: ratio(cold.ours.peakRssMiB.median, cold.poller.peakRssMiB.median),
      },
    },
    goals,
    trials: input.records,
    coldRuns: input.cold,
  };
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
const triple = (s: Summary): string => (s.n === 0 ? '—' : `${ms(s.median)} / ${ms(s.p95)} / ${ms(s.max)}`);
const signed = (v: number): string => (v > 0 ? `+${v}` : `${v}`);

function header(r: BenchResults, source: string): string[] {
  const m = r.machine;
  const load = summarize(nums(r.trials.filter((t) => t.bot === 'ours').map((t) => t.load1)));
  return [
    `Generated by \`${r.command}\` at ${r.generatedAt} from \`${source}\` — do not edit by hand.`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB (${m.platform}; shared: 1-min load average ${m.loadAverageAtStart[0] ?? '?'} at the start, ${round(load.median, 1) ?? '?'} median / ${round(load.max, 1) ?? '?'} max during our trials) · Node ${m.node} · Chromium ${r.chromium} · per case ${r.trialsPerCase} trials of ours and ${r.baselineTrialsPerCase} of each baseline, ${r.coldTrials} cold runs per bot · the run took ${Math.round(r.durationS / 6) / 10} min`,
  ];
}

export function renderSummaryMarkdown(r: BenchResults, source: string): string {
  const lines = [...header(r, source), ''];
  lines.push(
    '| Case (one-way latency, venue clock vs ours) | Floor | Ours: release latency, median / p95 / max (ms) | Overhead p95 − floor | Early requests | Wins vs +150 / +300 / +1000 ms | Offset error, worst | Old way median / p95 | Poller median / p95 | Ours ÷ old way (p95) | Ours ÷ poller (p95) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const c of r.cases) {
    const o = c.bots.ours;
    lines.push(
      `| ${c.latencyLabel}, ${signed(c.skewMs)} ms | ${ms(c.floorMs)} ms | ${triple(o.releaseLatencyMs)} | ${ms(c.oursOverheadP95Ms)} ms | ${o.earlyRequests} | ${pct(o.winRate['150'])} / ${pct(o.winRate['300'])} / ${pct(o.winRate['1000'])} | ${ms(o.offsetErrorMs.max)} ms | ${ms(c.bots['old-way'].releaseLatencyMs.median)} / ${ms(c.bots['old-way'].releaseLatencyMs.p95)} | ${ms(c.bots.poller.releaseLatencyMs.median)} / ${ms(c.bots.poller.releaseLatencyMs.p95)} | ${x(c.ratios['old-way'].p95)} | ${x(c.ratios.poller.p95)} |`,
    );
  }
  lines.push('');
  lines.push(
    `Cold start (${r.coldCase}; fresh process, no saved session): start → armed median ${ms(r.cold.ours.startToArmedMs.median)} ms (old way ${ms(r.cold['old-way'].startToArmedMs.median)}, poller ${ms(r.cold.poller.startToArmedMs.median)}); peak memory, Node + Chromium, median ${ms(r.cold.ours.peakRssMiB.median)} MiB summed RSS / ${ms(r.cold.ours.peakPssMiB.median)} MiB summed PSS (old way ${ms(r.cold['old-way'].peakRssMiB.median)} / ${ms(r.cold['old-way'].peakPssMiB.median)}, poller ${ms(r.cold.poller.peakRssMiB.median)} / ${ms(r.cold.poller.peakPssMiB.median)}).`,
  );
  lines.push('');
  lines.push(
    '| Goal (30 ms cases) | ' +
      r.cases
        .filter((c) => c.heldToGoals)
        .map((c) => `${signed(c.skewMs)} ms`)
        .join(' | ') +
      ' |',
  );
  lines.push(
    '|---|' +
      r.cases
        .filter((c) => c.heldToGoals)
        .map(() => '---')
        .join('|') +
      '|',
  );
  const goalNames = [...new Set(r.goals.map((g) => g.goal))];
  for (const goal of goalNames) {
    const cells = r.cases
      .filter((c) => c.heldToGoals)
      .map((c) => {
        const g = r.goals.find((k) => k.goal === goal && k.caseName === c.name);
        return g ? `${g.pass ? 'PASS' : 'FALL SHORT'} (${g.value})` : '—';
      });
    const target = r.goals.find((g) => g.goal === goal)?.target ?? '';
    lines.push(`| ${goal} ${target} | ${cells.join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    "Release latency: the sandbox ledger's acceptedAtServerMs for the booking minus the venue's midnight (server clock). Old way / poller columns: the same figure for the two baselines. Floor: " +
      r.floorRule +
      '. All tables and definitions: `bench/results.md`; method: `bench/README.md`.',
  );
  return `${lines.join('\n')}\n`;
}

export function renderResultsMarkdown(r: BenchResults, source: string): string {
  const lines = ['# Benchmark results', '', ...header(r, source), ''];
  lines.push('## Summary', '', ...renderSummaryMarkdown(r, source).split('\n').slice(4), '');
  for (const c of r.cases) {
    lines.push(
      `## ${c.name}`,
      '',
      `One-way latency ${c.latencyLabel} (sandbox: ${c.latency.oneWayMs} ms + uniform 0–${c.latency.jitterMs} ms each way, mean ${ms(c.meanOneWayMs)} ms); venue clock ${signed(c.skewMs)} ms from the bot's clock. Physical floor ${FLOOR_ONE_WAY_TRIPS} × ${ms(c.meanOneWayMs)} = **${ms(c.floorMs)} ms**.`,
      '',
      `| Figure | ${BOTS.map((b) => BOT_LABELS[b]).join(' | ')} | ours ÷ old way | ours ÷ poller |`,
      '|---|---|---|---|---|---|',
    );
    const b = c.bots;
    const row = (label: string, f: (x: BotFigures) => string, ratios = ['', '']) =>
      lines.push(`| ${label} | ${BOTS.map((k) => f(b[k])).join(' | ')} | ${ratios.join(' | ')} |`);
    row(
      'Release latency (accepted, ms after midnight): median / p95 / max',
      (f) => triple(f.releaseLatencyMs),
      [
        `${x(c.ratios['old-way'].median)} / ${x(c.ratios['old-way'].p95)}`,
        `${x(c.ratios.poller.median)} / ${x(c.ratios.poller.p95)}`,
      ],
    );
    row('Accepted ahead of all three competitors', (f) => `${f.gotSlot} of ${f.trials}`);
    for (const d of COMPETITOR_DELAYS_MS) {
      row(`Win rate vs a competitor at +${d} ms`, (f) => pct(f.winRate[String(d)]), [
        x(ratio(b.ours.winRate[String(d)], b['old-way'].winRate[String(d)])),
        x(ratio(b.ours.winRate[String(d)], b.poller.winRate[String(d)])),
      ]);
    }
    row('Booking requests refused as early (total)', (f) => String(f.earlyRequests));
    row('Availability requests before midnight (total)', (f) => String(f.availabilityTooEarly));
    row('Clock-offset error, ms: median / p95 / max', (f) =>
      f.offsetAssumed ? `${ms(f.offsetErrorMs.max)} (assumes 0)` : triple(f.offsetErrorMs),
    );
    row('Armed, ms before midnight (bot clock): median', (f) => ms(f.armedBeforeReleaseMs.median));
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
        `Ours: p95 ${ms(b.ours.releaseLatencyMs.p95)} ms − floor ${ms(c.floorMs)} ms = **overhead ${ms(c.oursOverheadP95Ms)} ms**.`,
        '',
      );
    }
    const p = c.oursProfile;
    lines.push(
      "Where our time goes after midnight (venue ground truth, then the fire script's own marks):",
      '',
      `- availability request that showed the slots reached the venue: ${triple(p.slotsShownMs)} ms after midnight (median / p95 / max)`,
      `- from there to the booking request reaching the venue: ${triple(p.slotsToBookingMs)} ms; minus one mean round trip (${ms(2 * c.meanOneWayMs)} ms): ${triple(p.slotsToBookingMinusRttMs)} ms in the browser`,
      `- in the page, median ms after the availability click: ${Object.entries(p.inPageMedianMs)
        .map(([k, v]) => `${k} ${ms(v)}`)
        .join(', ')}`,
      `- the engine's own figure (RunResult.latencyMs: its estimate of when the booking reached the venue): ${triple(p.engineLatencyMs)} ms; minus the ledger's truth: ${triple(p.engineEstimateErrorMs)} ms`,
      '',
    );
  }
  lines.push(
    `## Cold start and memory (${r.coldCase})`,
    '',
    "A fresh process per run (node --import tsx), no saved session: Node starts, Chromium starts, logs in, arms, waits for the release and books. Start → armed is from spawning the process to the bot being logged in on the day view; memory is the peak over the whole run of the summed VmRSS of the process and all its descendants (Chromium), sampled from /proc every 50 ms (summed RSS counts pages shared between Chromium's processes once per process; summed PSS splits them, closer to what the machine really spends).",
    '',
    '| Bot | Runs | Start → armed, ms: median / p95 / max | Peak memory, summed RSS, MiB: median / max | Peak summed PSS, MiB: median / max | Outcomes |',
    '|---|---|---|---|---|---|',
  );
  for (const bot of BOTS) {
    const f = r.cold[bot];
    lines.push(
      `| ${BOT_LABELS[bot]} | ${f.runs} | ${triple(f.startToArmedMs)} | ${ms(f.peakRssMiB.median)} / ${ms(f.peakRssMiB.max)} | ${ms(f.peakPssMiB.median)} / ${ms(f.peakPssMiB.max)} | ${f.outcomes.join(', ')} |`,
    );
  }
  lines.push(
    '',
    `Ratios (ours ÷ theirs, medians): start → armed ${x(r.coldRatios['old-way'].startToArmed)} the old way, ${x(r.coldRatios.poller.startToArmed)} the poller; peak memory ${x(r.coldRatios['old-way'].peakRss)} the old way, ${x(r.coldRatios.poller.peakRss)} the poller.`,
    '',
    '## Goals',
    '',
    '| Goal | Case | Value | Target | Verdict |',
    '|---|---|---|---|---|',
    ...r.goals.map(
      (g) => `| ${g.goal} | ${g.caseName} | ${g.value} | ${g.target} | ${g.pass ? 'PASS' : 'FALL SHORT'} |`,
    ),
    '',
    '## How the figures are made',
    '',
    "- Every trial uses a fresh court date whose release is placed a few seconds ahead: the bot gets a shifted clock that reads \"release − lead\" now, and the sandbox venue's clock is set to the bot's clock plus the case's offset. The contested slot is 19:00 on Court 1 (Court 2 is already taken); simulated competitors book it at +150, +300 and +1000 ms on the venue's clock, all three in every trial.",
    "- Release latency: the ledger's acceptedAtServerMs for the bot's booking minus the venue's midnight (both on the venue's clock). The contested slot has room for the bot and all three competitors, so every booking lands and is measured; the ledger's order of acceptance decides each race: the bot beats the competitor at +X ms when its booking was accepted before that competitor's.",
    "- Early requests: booking requests the venue processed before its midnight (request log). Offset error: |the engine's estimate of venue − own clock − the true offset|; the baselines assume their clock is the venue's, so their error is the whole offset.",
    "- Ours runs the product path per trial: runBooking() with a fresh bookings directory, the session saved by the previous trial, one Chromium per case (a fresh context per trial), the engine's default clock-sync settings, leads shortened to seconds. The baselines log in once per case and re-arm by the click path per trial; they run after ours in each case, in parallel lanes (each with its own venue), so they never share the machine with a measured release of ours.",
    '- Floor: ' + r.floorRule + '.',
    '',
  );
  return `${lines.join('\n')}\n`;
}
