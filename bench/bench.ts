/**
 * npm run bench [-- --quick] [--trials N] [--baseline-trials N] [--h2h-trials N] [--retry-trials N]
 *               [--two-row-trials N]
 *               [--cold N] [--lanes N] [--skins estelle,clubhouse] [--cases 0,1] [--baselines a,b]
 *               [--out DIR] [--render-only]
 *
 * Races our engine and four baselines against the sandbox venue, on both of its skins, in real Chromium:
 * each bot alone against simulated members, then ours head to head with each baseline for one free
 * court, then ours with a 429 on the first request after midnight (the retry path). Writes
 * <out>/results.json, <out>/results.md and <out>/summary.md (default out: bench/). Every figure is read
 * from the sandbox's ledger and request log (and the browser's own request timings), in this run. See
 * bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright';
import { launchBrowser } from '../src/browser/launch.ts';
import {
  BaselineSession,
  type BaselineName,
  type BaselineOutcome,
  type BaselineSpec,
} from './baselines/common.ts';
import { BASELINE_NAMES, baselinesFor } from './baselines/index.ts';
import { OursBot, oursLead } from './bots/ours.ts';
import type { BotName as ColdBot, ColdInput } from './cold.ts';
import { Arena, type BenchCase, type TrialFaults, type TrialPlacement } from './lib/arena.ts';
import { trialMetrics, type TrialFacts, type TrialMetrics } from './lib/metrics.ts';
import { loadAverage1, machine, sampleTreeMemory } from './lib/proc.ts';
import type { HeadToHeadRecord, VenueRequest } from './lib/records.ts';
import { SKIN_NAMES, SKINS, skinNamed, type BenchSkin, type SkinName } from './lib/skins.ts';
import { latencyFor, meanOneWay } from './lib/stats.ts';
import { writeFormatted } from './lib/write.ts';
import {
  buildResults,
  rebuildResults,
  renderResultsMarkdown,
  renderHeadlineMarkdown,
  renderSummaryMarkdown,
  type ColdRecord,
  type RetrySetup,
  type TrialRecord,
  type TwoRowSetup,
} from './report.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '..');

export const CASES: BenchCase[] = [
  {
    name: '30 ms, venue clock −4.3 s',
    latencyLabel: '30 ± 10 ms',
    latency: latencyFor(30, 10),
    skewMs: -4300,
    heldToGoals: true,
  },
  {
    name: '30 ms, venue clock ±0',
    latencyLabel: '30 ± 10 ms',
    latency: latencyFor(30, 10),
    skewMs: 0,
    heldToGoals: true,
  },
  {
    name: '30 ms, venue clock +2.7 s',
    latencyLabel: '30 ± 10 ms',
    latency: latencyFor(30, 10),
    skewMs: 2700,
    heldToGoals: true,
  },
  {
    name: '120 ms, venue clock ±0',
    latencyLabel: '120 ± 40 ms',
    latency: latencyFor(120, 40),
    skewMs: 0,
    heldToGoals: false,
  },
];

/**
 * The retry case: in the ±0 case at 30 ms, a 429 (Retry-After 1 s) on the first request after midnight
 * that the flow makes — the availability on the single-page skin, the booking POST on the clubhouse
 * (whose first request after midnight is the booking itself).
 */
export const RETRY: RetrySetup = {
  caseName: '30 ms, venue clock ±0',
  retryAfterSeconds: 1,
  scope: { estelle: 'availability', clubhouse: 'booking' },
};

/**
 * The two-row case (issue 13): in the same case, a second row an hour after the contested slot on the
 * same date, booked by the same run right after the first (both free on every court but the contested
 * hour's other court). The figure is the second booking's release latency, beside the first's.
 */
export const TWO_ROWS: TwoRowSetup = { caseName: RETRY.caseName, secondTime: '20:00' };

function retryFaults(skin: SkinName): TrialFaults {
  return {
    rateLimit: {
      fromMs: 0,
      toMs: 10_000,
      count: 1,
      retryAfterSeconds: RETRY.retryAfterSeconds,
      scope: RETRY.scope[skin] as 'availability' | 'booking',
    },
  };
}

function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function fmt(m: TrialMetrics): string {
  const wins = Object.entries(m.wins)
    .map(([k, v]) => `${v ? 'W' : 'L'}${k}`)
    .join(' ');
  const booking =
    m.releaseLatencyMs !== null
      ? `accepted +${m.releaseLatencyMs} ms`
      : m.firstBookingMs !== null
        ? `booking +${m.firstBookingMs} ms ${m.firstBookingOutcome}`
        : 'no booking';
  return `${booking}, ${m.gotSlot ? 'first' : `after ${m.holder}`}, early ${m.earlyRequests}${wins ? `, ${wins}` : ''}`;
}

/** The bot's own requests from 1 s before midnight to 5 s after, as the venue processed them. */
function venueRequests(facts: TrialFacts): VenueRequest[] {
  return facts.requests
    .filter((r) => r.client === facts.member)
    .map((r) => ({
      method: r.method,
      path: r.path,
      status: r.status,
      outcome: r.outcome,
      atMs: r.serverTimeMs - facts.releaseServerMs,
    }))
    .filter((r) => r.atMs >= -1_000 && r.atMs <= 5_000);
}

async function runOurs(
  skin: BenchSkin,
  c: BenchCase,
  trials: number,
  retryTrials: number,
  twoRowTrials: number,
  records: TrialRecord[],
): Promise<void> {
  const arena = await Arena.start(skin, c, 'ours');
  const browser = await launchBrowser();
  const bot = await OursBot.create(arena, browser);
  try {
    for (let t = 0; t < trials + retryTrials + twoRowTrials; t += 1) {
      const set = t < trials ? 'race' : t < trials + retryTrials ? 'retry' : 'two-rows';
      const p = arena.place(
        t,
        oursLead(meanOneWay(c.latency), t),
        set === 'retry' ? retryFaults(skin.name) : undefined,
      );
      const { result, steps, network } = await bot.trial(
        p,
        set === 'two-rows' ? { secondRowTime: TWO_ROWS.secondTime } : {},
      );
      const facts = await arena.facts(p);
      const metrics = trialMetrics(facts);
      const second =
        set === 'two-rows'
          ? facts.ledger.find(
              (e) => e.member === facts.member && e.time === TWO_ROWS.secondTime && !e.cancelled,
            )
          : undefined;
      const fire = steps.find((s) => s.step === 'fire-result')?.data;
      const armed = steps.filter((s) => s.step === 'armed').at(-1)?.atMs;
      const record: TrialRecord = {
        bot: 'ours',
        skin: skin.name,
        caseName: c.name,
        trial: t,
        set,
        outcome: result.outcome,
        metrics,
        offsetErrorMs:
          result.serverClockOffsetMs === undefined ? null : Math.abs(result.serverClockOffsetMs - c.skewMs),
        engineLatencyMs: result.latencyMs ?? null,
        load1: loadAverage1(),
        armedBeforeReleaseMs: armed === undefined ? null : -armed,
        fireEvents: (fire?.events as { ms: number; event: string }[] | undefined) ?? [],
        fire: {
          applies: fire?.applies as number | undefined,
          bookings: fire?.bookings as number | undefined,
          heldChecks: fire?.heldChecks as number | undefined,
        },
        // Bot clock − release on the bot clock = real time to the bot's midnight; shift by the skew to the venue's.
        steps: steps.map((s): [string, number] => [s.step, Math.round(s.atMs + c.skewMs)]),
        venue: venueRequests(facts),
        network: network.filter((n) => n.startMs >= -1_000 && n.startMs <= 5_000),
        message: result.outcome === 'booked' ? undefined : result.message,
        ...(set === 'two-rows'
          ? {
              secondRow: {
                time: TWO_ROWS.secondTime,
                releaseLatencyMs: second ? second.acceptedAtServerMs - facts.releaseServerMs : null,
              },
            }
          : {}),
      };
      records.push(record);
      log(
        `ours  ${skin.name} ${c.name} #${t + 1}${set === 'retry' ? ' (429 first)' : ''}${set === 'two-rows' ? ` (two rows; ${TWO_ROWS.secondTime} accepted +${record.secondRow?.releaseLatencyMs ?? '?'} ms)` : ''}: ${result.outcome}; ${fmt(metrics)}; held checks ${record.fire?.heldChecks ?? '?'}; offset err ${record.offsetErrorMs} ms; load ${record.load1}`,
      );
      if (result.outcome !== 'booked') log(`      ${result.message}`);
    }
  } finally {
    await bot.dispose();
    await browser.close();
    await arena.stop();
  }
}

/** The trial's placement for a baseline alone: armed first, then its release placed ahead of it. */
function baselineLead(spec: BaselineSpec): { ms: number; on: 'bot' | 'venue' } {
  // Bots that trust their own clock act on it; the fast poller (given the truth) and the sniper (its own
  // estimate) act on the venue's.
  return { ms: 1_000 + spec.leadMs, on: spec.scale === 's' ? 'bot' : 'venue' };
}

function baselineOffsetError(spec: BaselineSpec, c: BenchCase, outcome: BaselineOutcome): number | null {
  if (spec.name === 'fast-poller') return 0;
  if (outcome.offsetErrorMs !== undefined) return outcome.offsetErrorMs;
  return spec.name === 'sniper' ? null : Math.abs(c.skewMs); // the others assume their clock is the venue's
}

async function runBaseline(
  spec: BaselineSpec,
  bot: BaselineSession,
  p: TrialPlacement,
): Promise<BaselineOutcome> {
  try {
    return await spec.run(bot, p);
  } catch (error) {
    return { outcome: 'error', detail: String(error).split('\n')[0], reloads: 0 };
  }
}

async function runBaselineLane(
  spec: BaselineSpec,
  skin: BenchSkin,
  c: BenchCase,
  browser: Browser,
  trialIds: number[],
  lane: number,
  records: TrialRecord[],
): Promise<void> {
  const arena = await Arena.start(skin, c, `${spec.name}-${lane}`);
  const session = await BaselineSession.open(arena.login(0), browser, skin);
  try {
    for (const t of trialIds) {
      await session.arm(arena.courtDate(t));
      const p = arena.place(t, baselineLead(spec));
      const armedBeforeReleaseMs = p.releaseServerMs - p.trueOffsetMs - p.clock.now();
      const outcome = await runBaseline(spec, session, p);
      const facts = await arena.facts(p);
      const metrics = trialMetrics(facts);
      records.push({
        bot: spec.name,
        skin: skin.name,
        caseName: c.name,
        trial: t,
        set: 'race',
        outcome: outcome.outcome,
        metrics,
        offsetErrorMs: baselineOffsetError(spec, c, outcome),
        engineLatencyMs: null,
        load1: loadAverage1(),
        armedBeforeReleaseMs,
        fireEvents: [],
        venue: venueRequests(facts),
        reloads: outcome.reloads,
        message: outcome.detail,
      });
      log(
        `${spec.name.padEnd(11)} ${skin.name} ${c.name} #${t + 1}${spec.scale === 's' ? ` (lane ${lane})` : ''}: ${outcome.outcome}; ${fmt(metrics)}${outcome.offsetErrorMs !== undefined ? `; offset err ${outcome.offsetErrorMs} ms` : ''}`,
      );
    }
  } finally {
    await session.close();
    await arena.stop();
  }
}

/** Baselines whose figures are seconds: two lanes each, all at once (staggered so midnights differ). */
async function runSlowBaselines(
  specs: BaselineSpec[],
  skin: BenchSkin,
  c: BenchCase,
  trials: number,
  lanes: number,
  records: TrialRecord[],
): Promise<void> {
  if (specs.length === 0 || trials === 0) return;
  const browsers = await Promise.all(specs.map(() => launchBrowser()));
  try {
    const jobs: Promise<void>[] = [];
    specs.forEach((spec, i) => {
      for (let lane = 0; lane < lanes; lane += 1) {
        const ids = Array.from({ length: trials }, (_, t) => t).filter((t) => t % lanes === lane);
        if (ids.length === 0) continue;
        jobs.push(
          new Promise((r) => setTimeout(r, (i * lanes + lane) * 700)).then(() =>
            runBaselineLane(spec, skin, c, browsers[i]!, ids, lane, records),
          ),
        );
      }
    });
    await Promise.all(jobs);
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  }
}

/** Baselines whose figures are milliseconds: alone, one trial at a time, as ours. */
async function runFastBaselines(
  specs: BaselineSpec[],
  skin: BenchSkin,
  c: BenchCase,
  trials: number,
  records: TrialRecord[],
): Promise<void> {
  if (trials === 0) return;
  for (const spec of specs) {
    const browser = await launchBrowser();
    try {
      await runBaselineLane(
        spec,
        skin,
        c,
        browser,
        Array.from({ length: trials }, (_, t) => t),
        0,
        records,
      );
    } finally {
      await browser.close().catch(() => undefined);
    }
  }
}

/**
 * Head-to-head trials per case: as asked for the baselines whose figures are milliseconds; at most two
 * (one per start order) for those whose figures are seconds, whose result is not in doubt.
 */
export function headToHeadTrialsOf(spec: BaselineSpec, asked: number): number {
  return spec.scale === 'ms' ? asked : Math.min(asked, 2);
}

/** Extra lead for ours in a head-to-head trial: a second Chromium shares the machine while ours arms. */
const HEAD_TO_HEAD_SLACK_MS = 500;

/**
 * Head to head: ours (member 0) and one baseline (member 1), each in its own Chromium, for the one free
 * court of the same venue at the same release; who is started first alternates; the ledger says who
 * holds the court.
 */
async function runHeadToHead(
  spec: BaselineSpec,
  skin: BenchSkin,
  c: BenchCase,
  trials: number,
  records: HeadToHeadRecord[],
): Promise<void> {
  if (trials === 0) return;
  const arena = await Arena.start(skin, c, `h2h-${spec.name}`, 'head-to-head');
  const [oursBrowser, theirBrowser] = await Promise.all([launchBrowser(), launchBrowser()]);
  const ours = await OursBot.create(arena, oursBrowser, 0);
  const them = arena.login(1);
  const session = await BaselineSession.open(them, theirBrowser, skin);
  try {
    for (let t = 0; t < trials; t += 1) {
      // The baseline is armed (logged in, on the day view) before the release is placed, as it would have
      // been for minutes; ours then starts from nothing, as the product does, and arms itself.
      await session.arm(arena.courtDate(t));
      const lead = oursLead(meanOneWay(c.latency), t);
      const p = arena.place(t, { ...lead, ms: lead.ms + HEAD_TO_HEAD_SLACK_MS });
      const firstStarted = t % 2 === 0 ? 'ours' : 'baseline';
      const startOurs = () => ours.trial(p);
      const startTheirs = () => runBaseline(spec, session, p);
      let oursRun: ReturnType<typeof startOurs>;
      let theirRun: ReturnType<typeof startTheirs>;
      if (firstStarted === 'ours') {
        oursRun = startOurs();
        await new Promise((r) => setImmediate(r));
        theirRun = startTheirs();
      } else {
        theirRun = startTheirs();
        await new Promise((r) => setImmediate(r));
        oursRun = startOurs();
      }
      const [o, theirs] = await Promise.all([oursRun, theirRun]);
      const oursFacts = await arena.facts(p, ours.member);
      const theirFacts = await arena.facts(p, them.member);
      const oursMetrics = trialMetrics(oursFacts);
      const theirMetrics = trialMetrics(theirFacts);
      const winner = oursMetrics.gotSlot ? 'ours' : theirMetrics.gotSlot ? 'baseline' : 'nobody';
      records.push({
        skin: skin.name,
        caseName: c.name,
        baseline: spec.name,
        trial: t,
        firstStarted,
        winner,
        ours: {
          outcome: o.result.outcome,
          metrics: oursMetrics,
          message: o.result.outcome === 'booked' ? undefined : o.result.message,
          steps: o.steps.map((s): [string, number] => [s.step, Math.round(s.atMs + c.skewMs)]),
          venue: venueRequests(oursFacts),
        },
        theirs: {
          outcome: theirs.outcome,
          metrics: theirMetrics,
          detail: theirs.detail,
          venue: venueRequests(theirFacts),
        },
        load1: loadAverage1(),
      });
      log(
        `h2h ours vs ${spec.name} ${skin.name} ${c.name} #${t + 1} (${firstStarted} first): ${winner === 'ours' ? 'OURS' : winner === 'baseline' ? spec.name.toUpperCase() : 'nobody'}; ours ${fmt(oursMetrics)}; ${spec.name} ${theirs.outcome}, ${fmt(theirMetrics)}`,
      );
    }
  } finally {
    await ours.dispose();
    await session.close();
    await Promise.all([oursBrowser.close(), theirBrowser.close()].map((p) => p.catch(() => undefined)));
    await arena.stop();
  }
}

/** One cold run in a fresh process: start → armed, and the peak RSS of Node + Chromium. */
async function coldRun(bot: ColdBot, c: BenchCase, n: number): Promise<ColdRecord> {
  const arena = await Arena.start(SKINS.estelle, c, `cold-${bot}-${n}`);
  try {
    // Node, tsx, Chromium and a fresh login come first in a cold run.
    const p = arena.place(0, { ms: bot === 'ours' ? 12_000 : 8_000, on: 'venue' });
    const input: ColdInput = {
      bot,
      url: arena.venue.url,
      member: arena.member,
      password: arena.password,
      date: p.date,
      time: p.slot.time,
      court: p.slot.court,
      shiftMs: p.shiftMs,
      releaseLocalMs: p.releaseLocalMs,
    };
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'cold.ts')], {
      cwd: ROOT,
      env: { ...process.env, BENCH_COLD: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const sampler = sampleTreeMemory(child.pid!, 50);
    let armedAt: number | undefined;
    let outcome: string | undefined;
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { event: string; at: number; outcome?: string; error?: string };
          if (msg.event === 'armed' && armedAt === undefined) armedAt = msg.at;
          if (msg.event === 'done') outcome = msg.outcome;
          if (msg.event === 'error') outcome = `error: ${msg.error}`;
        } catch {
          // not ours
        }
      }
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const { peakRssBytes, peakPssBytes, processes } = sampler.stop();
    const metrics = trialMetrics(await arena.facts(p));
    const record: ColdRecord = {
      bot,
      run: n,
      startToArmedMs: armedAt === undefined ? null : armedAt - startedAt,
      peakRssMiB: Math.round((peakRssBytes / 1024 / 1024) * 10) / 10,
      peakPssMiB: Math.round((peakPssBytes / 1024 / 1024) * 10) / 10,
      processes,
      outcome: outcome ?? `exit ${code}`,
      releaseLatencyMs: metrics.releaseLatencyMs,
    };
    log(
      `cold ${bot} #${n + 1}: start→armed ${record.startToArmedMs} ms, peak RSS ${record.peakRssMiB} MiB (PSS ${record.peakPssMiB}) over ${processes} processes, ${record.outcome}`,
    );
    return record;
  } finally {
    await arena.stop();
  }
}

const USAGE =
  'Usage: npm run bench [-- --quick] [--trials N] [--baseline-trials N] [--h2h-trials N] [--retry-trials N] [--two-row-trials N] [--cold N] [--lanes N] [--skins estelle,clubhouse] [--cases 0,1] [--baselines fast-poller,sniper] [--out DIR] [--render-only]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      trials: { type: 'string' },
      'baseline-trials': { type: 'string' },
      'h2h-trials': { type: 'string' },
      'retry-trials': { type: 'string' },
      'two-row-trials': { type: 'string' },
      cold: { type: 'string' },
      lanes: { type: 'string' },
      skins: { type: 'string' },
      cases: { type: 'string' },
      baselines: { type: 'string' },
      'render-only': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values['render-only']) {
    // Rebuilds every figure from the records in an existing results.json, and re-renders the Markdown.
    const dir = resolve(values.out ?? HERE);
    const saved = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
    const results = rebuildResults(saved);
    const source = relative(ROOT, join(dir, 'results.json'));
    await writeFormatted(join(dir, 'results.md'), renderResultsMarkdown(results, source));
    await writeFormatted(join(dir, 'summary.md'), renderSummaryMarkdown(results, source));
    await writeFormatted(join(dir, 'headline.md'), renderHeadlineMarkdown(results, source));
    log(`re-rendered ${relative(ROOT, dir) || '.'}/results.md, summary.md and headline.md from ${source}`);
    return;
  }
  const quick = !!values.quick;
  const trials = Number(values.trials ?? (quick ? 3 : 20));
  // The 120 ms case is reported, not held to the goals: half as many trials of ours.
  const trialsPerOtherCase = Math.max(1, Math.ceil(trials / 2));
  const baselineTrials = Number(values['baseline-trials'] ?? (quick ? 1 : 5));
  const h2hTrials = Number(values['h2h-trials'] ?? (quick ? 2 : 4));
  const retryTrials = Number(values['retry-trials'] ?? (quick ? 2 : 5));
  const twoRowTrials = Number(values['two-row-trials'] ?? (quick ? 1 : 5));
  const coldTrials = Number(values.cold ?? (quick ? 1 : 3));
  const lanes = Number(values.lanes ?? 2);
  const counts = [trials, baselineTrials, h2hTrials, retryTrials, twoRowTrials, coldTrials, lanes];
  if (!counts.every((n) => Number.isInteger(n) && n >= 0) || lanes < 1) {
    throw new Error(
      '--trials, --baseline-trials, --h2h-trials, --retry-trials, --two-row-trials, --cold and --lanes take whole numbers (lanes ≥ 1)',
    );
  }
  const skins = (values.skins ? values.skins.split(',') : [...SKIN_NAMES]).map(skinNamed);
  const onlyBaselines = values.baselines?.split(',');
  for (const name of onlyBaselines ?? [])
    if (!BASELINE_NAMES.includes(name as BaselineName))
      throw new Error(`--baselines: no baseline "${name}" (${BASELINE_NAMES.join(', ')})`);
  // A quick run takes the ±0 case at 30 ms and the 120 ms case unless told otherwise.
  const caseIds = values.cases
    ? values.cases.split(',').map(Number)
    : quick
      ? [1, 3]
      : CASES.map((_, i) => i);
  const cases = caseIds.map((i) => {
    const c = CASES[i];
    if (!c) throw new Error(`--cases: no case ${i} (0-${CASES.length - 1})`);
    return c;
  });
  // Quick runs are for development: they never overwrite the committed figures unless asked to.
  const outDir = resolve(values.out ?? (quick ? join(ROOT, 'out', 'bench-quick') : HERE));
  const started = Date.now();
  const probe = await launchBrowser();
  const chromium = probe.version();
  await probe.close();
  const host = machine();
  log(`${host.cpuModel} × ${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, Chromium ${chromium}`);
  log(
    `skins ${skins.map((s) => s.name).join(', ')}; ${cases.length} cases; per case ${trials} trials of ours (${trialsPerOtherCase} when not held to the goals), ${baselineTrials} of each baseline alone, ${h2hTrials} head to head with the fast poller and the sniper (${Math.min(h2hTrials, 2)} with the old way and the poller); ${retryTrials} retry and ${twoRowTrials} two-row trials per skin; ${coldTrials} cold runs per bot; ${lanes} lanes for the slow baselines`,
  );

  const records: TrialRecord[] = [];
  const headToHead: HeadToHeadRecord[] = [];
  const cold: ColdRecord[] = [];
  for (const skin of skins) {
    const specs = baselinesFor(skin.name).filter((b) => !onlyBaselines || onlyBaselines.includes(b.name));
    for (const c of cases) {
      const n = c.heldToGoals ? trials : trialsPerOtherCase;
      log(`${skin.name}, ${c.name}: ours alone`);
      await runOurs(
        skin,
        c,
        n,
        c.name === RETRY.caseName ? retryTrials : 0,
        c.name === TWO_ROWS.caseName ? twoRowTrials : 0,
        records,
      );
      log(`${skin.name}, ${c.name}: baselines alone`);
      await runSlowBaselines(
        specs.filter((s) => s.scale === 's'),
        skin,
        c,
        baselineTrials,
        lanes,
        records,
      );
      await runFastBaselines(
        specs.filter((s) => s.scale === 'ms'),
        skin,
        c,
        baselineTrials,
        records,
      );
      for (const spec of specs) {
        log(`${skin.name}, ${c.name}: ours head to head with ${spec.name}`);
        await runHeadToHead(spec, skin, c, headToHeadTrialsOf(spec, h2hTrials), headToHead);
      }
    }
  }
  const coldCase = cases.find((c) => c.skewMs === 0 && c.heldToGoals) ?? cases[0]!;
  if (skins.some((s) => s.name === 'estelle')) {
    for (const bot of ['ours', 'old-way', 'poller'] as const) {
      for (let n = 0; n < coldTrials; n += 1) cold.push(await coldRun(bot, coldCase, n));
    }
  }

  const results = buildResults({
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: host,
    chromium,
    trialsPerCase: trials,
    trialsPerOtherCase,
    baselineTrialsPerCase: baselineTrials,
    headToHeadTrialsPerCase: h2hTrials,
    retryTrials,
    twoRowTrials,
    coldTrials,
    lanes,
    durationS: Math.round((Date.now() - started) / 1000),
    cases,
    skinNames: skins.map((s) => s.name),
    retrySetup: cases.some((c) => c.name === RETRY.caseName) && retryTrials > 0 ? RETRY : null,
    twoRowSetup: cases.some((c) => c.name === TWO_ROWS.caseName) && twoRowTrials > 0 ? TWO_ROWS : null,
    coldCase: `${SKINS.estelle.label}, ${coldCase.name}`,
    records,
    headToHead,
    cold,
  });
  await mkdir(outDir, { recursive: true });
  await writeFormatted(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  const source = relative(ROOT, join(outDir, 'results.json'));
  await writeFormatted(join(outDir, 'results.md'), renderResultsMarkdown(results, source));
  await writeFormatted(join(outDir, 'summary.md'), renderSummaryMarkdown(results, source));
  await writeFormatted(join(outDir, 'headline.md'), renderHeadlineMarkdown(results, source));
  console.log(`\n${renderSummaryMarkdown(results, source)}`);
  log(
    `wrote ${relative(ROOT, outDir) || '.'}/results.json, results.md, summary.md in ${results.durationS} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
