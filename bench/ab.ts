/**
 * npm run bench:ab [-- --ref COMMIT] [--trials N] [--cases 0,1,2] [--out FILE.md] [--render-only]
 *
 * Runs two engines' own benches on the single-page skin, case by case in turn, on this machine and in
 * this hour: the engine at --ref (default f034d07, the version whose "p95 19-24 ms above the floor"
 * issue 11 quotes) and the engine in this checkout. A p95 that rose for both is the machine; a p95
 * that rose for one is that engine. The older commit is checked out as a git worktree in a temporary
 * folder (it needs the repository's history: in a shallow clone, `git fetch --unshallow` first) and
 * runs with this checkout's node_modules. Writes bench/ab.json (every sample, and all the table says)
 * and bench/ab.md from it, or --out FILE.md and FILE.json; --render-only rebuilds the .md from the .json.
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../src/browser/launch.ts';
import { raceSamples, renderAbRecord, type AbRecord, type AbTrial } from './ab/compare.ts';
import { loadAverage1, machine } from './lib/proc.ts';
import { writeFormatted } from './lib/write.ts';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const DEFAULT_REF = 'f034d07';
const TARGET_OVERHEAD_MS = 20;

const { values } = parseArgs({
  options: {
    ref: { type: 'string', default: DEFAULT_REF },
    trials: { type: 'string', default: '20' },
    cases: { type: 'string', default: '0,1,2' },
    out: { type: 'string', default: join('bench', 'ab.md') },
    'render-only': { type: 'boolean' },
  },
  strict: true,
});
const trials = Number(values.trials);
const cases = values.cases.split(',').map(Number);
if (!Number.isInteger(trials) || trials < 1 || !cases.every((c) => Number.isInteger(c) && c >= 0)) {
  console.error('--trials takes a whole number ≥ 1, --cases a list of case numbers such as 0,1,2');
  process.exit(2);
}

const mdPath = resolve(ROOT, values.out);
const jsonPath = mdPath.replace(/\.md$/, '') + '.json';
if (values['render-only']) {
  const record = JSON.parse(await readFile(jsonPath, 'utf8')) as AbRecord;
  await writeFormatted(mdPath, renderAbRecord(record));
  console.error(`re-rendered ${values.out} from ${jsonPath}`);
  process.exit(0);
}

const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const log = (line: string) => console.error(`[ab ${new Date().toISOString().slice(11, 19)}] ${line}`);

function run(cwd: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bench.ts', ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`bench in ${cwd} exited ${code} (args: ${args.join(' ')})`)),
    );
  });
}

async function trialsIn(dir: string): Promise<{ trials: AbTrial[]; json: Record<string, unknown> }> {
  const json = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
  return { trials: json.trials as AbTrial[], json };
}

let ref: string;
try {
  ref = git('rev-parse', '--verify', `${values.ref}^{commit}`);
} catch {
  console.error(
    `bench:ab: commit ${values.ref} is not in this clone's history (a shallow clone? run \`git fetch --unshallow\`).`,
  );
  process.exit(2);
}
const head = git('rev-parse', 'HEAD');
// What decides this engine's figures: its code, the sandbox it meets and the bench that measures it.
const ENGINE_PATHS = [
  'src',
  'test/sandbox',
  'bench/bench.ts',
  'bench/bots',
  'bench/lib',
  'bench/report.ts',
  'package-lock.json',
];
const dirty = git('status', '--porcelain', '--untracked-files=no', '--', ...ENGINE_PATHS) !== '';
const started = Date.now();
const work = await mkdtemp(join(tmpdir(), 'bench-ab-'));
const worktree = join(work, 'engine');
const probe = await launchBrowser();
const chromium = probe.version();
await probe.close();
const host = machine();
const loads: number[] = [];
const tidy = async () => {
  await rm(work, { recursive: true, force: true }).catch(() => undefined);
  try {
    git('worktree', 'prune');
  } catch {
    /* the folder is gone; nothing else to tidy */
  }
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void tidy().then(() => process.exit(130)));
try {
  git('worktree', 'add', '--detach', worktree, ref);
  await symlink(join(ROOT, 'node_modules'), join(worktree, 'node_modules'), 'dir');
  const refOut = (i: number) => join(work, `ref-${i}`);
  const oursOut = (i: number) => join(work, `ours-${i}`);
  for (const [n, i] of cases.entries()) {
    // Both benches: this case, our trials only (the older bench knows no skins or extra trial sets).
    const only = ['--cases', String(i), '--trials', String(trials), '--baseline-trials', '0', '--cold', '0'];
    const runRef = () => run(worktree, [...only, '--out', refOut(i)]);
    const extra = ['--h2h-trials', '0', '--retry-trials', '0', '--two-row-trials', '0'];
    const runOurs = () => run(ROOT, ['--skins', 'estelle', ...only, ...extra, '--out', oursOut(i)]);
    await mkdir(refOut(i), { recursive: true });
    await mkdir(oursOut(i), { recursive: true });
    // Alternate who goes first, so neither engine always meets the machine warmer.
    for (const [label, go] of n % 2 === 0
      ? ([
          [ref.slice(0, 7), runRef],
          ['this checkout', runOurs],
        ] as const)
      : ([
          ['this checkout', runOurs],
          [ref.slice(0, 7), runRef],
        ] as const)) {
      log(`case ${i}: ${label}`);
      const load = loadAverage1();
      if (load !== null) loads.push(load);
      await go();
    }
  }
  const measured: AbRecord['cases'] = [];
  for (const i of cases) {
    const ours = await trialsIn(oursOut(i));
    const old = await trialsIn(refOut(i));
    const skins = ours.json.skins as { name: string; cases: { name: string; floorMs: number }[] }[];
    const figures = skins.find((s) => s.name === 'estelle')!.cases[0]!;
    measured.push({
      caseName: figures.name,
      floorMs: figures.floorMs,
      samples: [raceSamples(old.trials, figures.name), raceSamples(ours.trials, figures.name)],
    });
  }
  const sortedLoads = [...loads].sort((a, b) => a - b);
  const record: AbRecord = {
    generatedAt: new Date().toISOString(),
    command: 'npm run bench:ab',
    machineLine: `Machine: ${host.cpuModel}, ${host.cores} cores, ${host.memoryGiB} GiB (${host.platform}; 1-min load average ${host.loadAverageAtStart[0] ?? '?'} at the start, ${sortedLoads[Math.floor(sortedLoads.length / 2)] ?? '?'} median before each run) · Node ${host.node} · Chromium ${chromium}`,
    durationMin: (Date.now() - started) / 60_000,
    trialsPerCase: trials,
    targetOverheadMs: TARGET_OVERHEAD_MS,
    engines: [
      { label: `issue's engine (${ref.slice(0, 7)})`, ref },
      { label: 'this engine', ref: dirty ? `${head} with uncommitted changes` : head },
    ],
    cases: measured,
  };
  // Every sample behind the figures, and all the Markdown says: `--render-only` rebuilds it from this.
  await mkdir(dirname(jsonPath), { recursive: true });
  await writeFormatted(jsonPath, JSON.stringify(record));
  const markdown = renderAbRecord(record);
  await writeFormatted(mdPath, markdown);
  console.log(markdown);
  log(`wrote ${values.out} and its samples, ${jsonPath}`);
} finally {
  await tidy();
}
