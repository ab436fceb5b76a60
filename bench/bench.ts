/**
 * npm run bench [-- --quick] [--trials N] [--cold N] [--lanes N] [--out DIR]
 *
 * Races our engine and two baselines against the sandbox venue in real Chromium and writes
 * <out>/results.json, <out>/results.md and <out>/summary.md (default out: bench/). Every figure is read
 * from the sandbox's ledger and request log, in this run. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Browser } from 'playwright';
import { launchBrowser } from '../src/browser/launch.ts';
import { BaselineSession, type BaselineOutcome } from './baselines/common.ts';
import { oldWay } from './baselines/old-way.ts';
import { poller, POLLER_START_BEFORE_MS } from './baselines/poller.ts';
import { OursBot, oursLead } from './bots/ours.ts';
import type { BotName, ColdInput } from './cold.ts';
import { Arena, type BenchCase, type TrialPlacement } from './lib/arena.ts';
import { trialMetrics, type TrialMetrics } from './lib/metrics.ts';
import { loadAverage1, machine, sampleTreeMemory } from './lib/proc.ts';
import { latencyFor, meanOneWay } from './lib/stats.ts';
import { writeFormatted } from './lib/write.ts';
import {
  buildResults,
  type BenchResults,
  renderResultsMarkdown,
  renderSummaryMarkdown,
  type TrialRecord,
  type ColdRecord,
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

const BASELINES = { 'old-way': oldWay, poller } as const;

function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

function fmt(m: TrialMetrics): string {
  const wins = Object.entries(m.wins)
    .map(([k, v]) => `${v ? 'W' : 'L'}${k}`)
    .join(' ');
  return `accepted +${m.releaseLatencyMs ?? '—'} ms, ${m.gotSlot ? 'first' : `after ${m.holder}`}, early ${m.earlyRequests}, ${wins}`;
}

async function runOurs(c: BenchCase, trials: number, records: TrialRecord[]): Promise<void> {
  const arena = await Arena.start(c, 'ours');
  const browser = await launchBrowser();
  const bot = await OursBot.create(arena, browser);
  try {
    for (let t = 0; t < trials; t += 1) {
      const p = arena.place(t, oursLead(meanOneWay(c.latency)));
      const { result, steps } = await bot.trial(p);
      const metrics = trialMetrics(await arena.facts(p));
      const fire = steps.find((s) => s.step === 'fire-result')?.data;
      const armed = steps.filter((s) => s.step === 'armed').at(-1)?.atMs;
      const record: TrialRecord = {
        bot: 'ours',
        caseName: c.name,
        trial: t,
        outcome: result.outcome,
        metrics,
        offsetErrorMs:
          result.serverClockOffsetMs === undefined ? null : Math.abs(result.serverClockOffsetMs - c.skewMs),
        engineLatencyMs: result.latencyMs ?? null,
        load1: loadAverage1(),
        armedBeforeReleaseMs: armed === undefined ? null : -armed,
        fireEvents: (fire?.events as { ms: number; event: string }[] | undefined) ?? [],
        // Bot clock − release on the bot clock = real time to the bot's midnight; shift by the skew to the venue's.
        steps: steps.map((s): [string, number] => [s.step, Math.round(s.atMs + c.skewMs)]),
        message: result.outcome === 'booked' ? undefined : result.message,
      };
      records.push(record);
      log(
        `ours  ${c.name} #${t + 1}: ${result.outcome}; ${fmt(metrics)}; offset err ${record.offsetErrorMs} ms; load ${record.load1}`,
      );
      if (result.outcome !== 'booked') log(`      ${result.message}`);
    }
  } finally {
    await bot.dispose();
    await browser.close();
    await arena.stop();
  }
}

async function runBaselineLane(
  name: keyof typeof BASELINES,
  c: BenchCase,
  browser: Browser,
  trialIds: number[],
  lane: number,
  records: TrialRecord[],
): Promise<void> {
  const arena = await Arena.start(c, `${name}-${lane}`);
  const session = await BaselineSession.open(
    { url: arena.venue.url, member: arena.member, password: arena.password },
    browser,
  );
  // Armed first (the click path to the trial's month, the date set), then the release is placed: the
  // poller starts 2 s before its midnight, the old way at it; 1 s of slack on top.
  const leadMs = 1_000 + (name === 'poller' ? POLLER_START_BEFORE_MS : 0);
  try {
    for (const t of trialIds) {
      await session.arm(arena.courtDate(t));
      const p: TrialPlacement = arena.place(t, { ms: leadMs, on: 'bot' });
      const armedBeforeReleaseMs = p.releaseLocalMs - p.clock.now();
      let outcome: BaselineOutcome;
      try {
        outcome = await BASELINES[name](session, p);
      } catch (error) {
        outcome = { outcome: 'error', detail: String(error).split('\n')[0], reloads: 0 };
      }
      const metrics = trialMetrics(await arena.facts(p));
      records.push({
        bot: name,
        caseName: c.name,
        trial: t,
        outcome: outcome.outcome,
        metrics,
        offsetErrorMs: Math.abs(c.skewMs), // it assumes its own clock is the venue's
        engineLatencyMs: null,
        load1: loadAverage1(),
        armedBeforeReleaseMs,
        fireEvents: [],
        reloads: outcome.reloads,
        message: outcome.detail,
      });
      log(`${name.padEnd(7)} ${c.name} #${t + 1} (lane ${lane}): ${outcome.outcome}; ${fmt(metrics)}`);
    }
  } finally {
    await session.close();
    await arena.stop();
  }
}

async function runBaselines(
  c: BenchCase,
  trials: number,
  lanes: number,
  records: TrialRecord[],
): Promise<void> {
  const browsers = await Promise.all(Object.keys(BASELINES).map(() => launchBrowser()));
  try {
    const jobs: Promise<void>[] = [];
    (Object.keys(BASELINES) as (keyof typeof BASELINES)[]).forEach((name, i) => {
      for (let lane = 0; lane < lanes; lane += 1) {
        const ids = Array.from({ length: trials }, (_, t) => t).filter((t) => t % lanes === lane);
        if (ids.length === 0) continue;
        // Stagger the lanes so their midnights do not coincide.
        jobs.push(
          new Promise((r) => setTimeout(r, (i * lanes + lane) * 700)).then(() =>
            runBaselineLane(name, c, browsers[i]!, ids, lane, records),
          ),
        );
      }
    });
    await Promise.all(jobs);
  } finally {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
  }
}

/** One cold run in a fresh process: start → armed, and the peak RSS of Node + Chromium. */
async function coldRun(bot: BotName, c: BenchCase, n: number): Promise<ColdRecord> {
  const arena = await Arena.start(c, `cold-${bot}-${n}`);
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      trials: { type: 'string' },
      cold: { type: 'string' },
      lanes: { type: 'string' },
      'baseline-trials': { type: 'string' },
      'render-only': { type: 'boolean' },
      out: { type: 'string' },
      cases: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      'Usage: npm run bench [-- --quick] [--trials N] [--baseline-trials N] [--cold N] [--lanes N] [--cases 0,1] [--out DIR] [--render-only]',
    );
    return;
  }
  if (values['render-only']) {
    // Re-renders results.md and summary.md from an existing results.json (the figures are not touched).
    const dir = resolve(values.out ?? HERE);
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as BenchResults;
    const source = relative(ROOT, join(dir, 'results.json'));
    await writeFormatted(join(dir, 'results.md'), renderResultsMarkdown(results, source));
    await writeFormatted(join(dir, 'summary.md'), renderSummaryMarkdown(results, source));
    log(`re-rendered ${relative(ROOT, dir) || '.'}/results.md and summary.md from ${source}`);
    return;
  }
  const trials = Number(values.trials ?? (values.quick ? 3 : 20));
  const coldTrials = Number(values.cold ?? (values.quick ? 1 : 3));
  // The baselines' figures are seconds, not milliseconds: half as many trials tell them apart.
  const baselineTrials = Number(values['baseline-trials'] ?? Math.max(1, Math.ceil(trials / 2)));
  const lanes = Number(values.lanes ?? 2);
  if (![trials, baselineTrials, coldTrials, lanes].every((n) => Number.isInteger(n) && n >= 0) || lanes < 1) {
    throw new Error('--trials, --cold and --lanes take whole numbers (lanes ≥ 1)');
  }
  const caseIds = values.cases ? values.cases.split(',').map(Number) : CASES.map((_, i) => i);
  const cases = caseIds.map((i) => {
    const c = CASES[i];
    if (!c) throw new Error(`--cases: no case ${i} (0-${CASES.length - 1})`);
    return c;
  });
  // Quick runs are for development: they never overwrite the committed figures unless asked to.
  const outDir = resolve(values.out ?? (values.quick ? join(ROOT, 'out', 'bench-quick') : HERE));
  const started = Date.now();
  const probe = await launchBrowser();
  const chromium = probe.version();
  await probe.close();
  const host = machine();
  log(`${host.cpuModel} × ${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, Chromium ${chromium}`);
  log(
    `${trials} trials of ours and ${baselineTrials} of each baseline per case, ${cases.length} cases, ${coldTrials} cold runs per bot, ${lanes} lanes per baseline`,
  );

  const records: TrialRecord[] = [];
  const cold: ColdRecord[] = [];
  for (const c of cases) {
    log(`case ${c.name}: ours`);
    await runOurs(c, trials, records);
    log(`case ${c.name}: baselines`);
    await runBaselines(c, baselineTrials, lanes, records);
  }
  const coldCase = cases.find((c) => c.skewMs === 0 && c.heldToGoals) ?? cases[0]!;
  for (const bot of ['ours', 'old-way', 'poller'] as const) {
    for (let n = 0; n < coldTrials; n += 1) cold.push(await coldRun(bot, coldCase, n));
  }

  const results = buildResults({
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: host,
    chromium,
    trialsPerCase: trials,
    baselineTrialsPerCase: baselineTrials,
    coldTrials,
    lanes,
    durationS: Math.round((Date.now() - started) / 1000),
    cases,
    coldCase: coldCase.name,
    records,
    cold,
  });
  await mkdir(outDir, { recursive: true });
  await writeFormatted(join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  const source = relative(ROOT, join(outDir, 'results.json'));
  await writeFormatted(join(outDir, 'results.md'), renderResultsMarkdown(results, source));
  await writeFormatted(join(outDir, 'summary.md'), renderSummaryMarkdown(results, source));
  console.log(`\n${renderSummaryMarkdown(results, source)}`);
  log(
    `wrote ${relative(ROOT, outDir) || '.'}/results.json, results.md, summary.md in ${results.durationS} s`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
