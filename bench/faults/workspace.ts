import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { laneFromEnv } from '../../src/cli/lane.ts';
import { sessionCachePrefix } from '../../src/cli/session-cache-key.ts';
import { BOT_IDENTITY, gitIn, gitOk } from '../../src/github/git.ts';
import { accountId, decryptSession, SESSION_CACHE_FILE } from '../../src/github/session-cache.ts';
import { parseStorageState, type StorageState } from '../../src/venue/storage-state.ts';
import { bookSteps, cacheFolder, cacheStep, evaluateCacheStep } from '../../test/support/actions-cache.ts';
import { evaluateValue, type Contexts } from '../../test/support/workflow-expressions.ts';

/**
 * What a GitHub-hosted runner gives one run of book.yml, here on this machine: the member's fork as a
 * bare "origin" (a local git repository), a fresh checkout of it per run (actions/checkout: full
 * history, no credentials kept), the Actions cache service as a folder (the workflow's own restore and
 * save steps, their inputs evaluated from book.yml), the lane job's decision, and the Book step as a
 * process (bench/faults/book-step.ts) with the environment book.yml gives it — its `env:` evaluated
 * with GitHub's expression evaluator — plus the runner's own variables (GITHUB_ACTIONS, the job summary
 * and output files). Everything lives in one folder per row.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const BOOK_YML = join(ROOT, '.github', 'workflows', 'book.yml');
const BOOK_STEP = join(import.meta.dirname, 'book-step.ts');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const MEMBER = ['-c', 'user.name=Member', '-c', 'user.email=member@example.com'];

/** The machine's own variables a step inherits from the runner (where Chromium is, the home folder). */
const MACHINE_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'CHROMIUM_PATH',
  'BROWSER_CHANNEL',
  'PLAYWRIGHT_BROWSERS_PATH',
  'XDG_CACHE_HOME',
];

export type Secrets = {
  ESTELLE_USERNAME: string;
  ESTELLE_PASSWORD: string;
  DISCORD_WEBHOOK_URL: string;
  SESSION_CACHE_KEY?: string;
};

/** The member's fork: a bare origin with one commit holding `files`, as a member pushed them. */
export async function createOrigin(root: string, files: Record<string, string>): Promise<string> {
  const origin = join(root, 'origin.git');
  const seed = join(root, 'seed');
  await gitOk(gitIn(root), ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
  await gitOk(gitIn(root), ['init', '--quiet', '--initial-branch=main', seed]);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(seed, path)), { recursive: true });
    await writeFile(join(seed, path), text);
  }
  const git = gitIn(seed);
  await gitOk(git, ['add', '-A']);
  await gitOk(git, [...MEMBER, 'commit', '--quiet', '-m', 'bookings']);
  await gitOk(git, ['remote', 'add', 'origin', origin]);
  await gitOk(git, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
  return origin;
}

/** A commit on origin/main made elsewhere (another run's status commit, a member's merge). */
export async function pushToOrigin(
  root: string,
  origin: string,
  files: Record<string, string>,
  message: string,
): Promise<void> {
  const dir = join(root, `elsewhere-${Date.now()}`);
  await gitOk(gitIn(root), ['clone', '--quiet', '--branch', 'main', origin, dir]);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  await gitOk(gitIn(dir), ['add', '-A']);
  await gitOk(gitIn(dir), [...MEMBER, 'commit', '--quiet', '-m', message]);
  await gitOk(gitIn(dir), ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
}

/** actions/checkout with fetch-depth 0 and persist-credentials false: a clone on main, nothing else. */
export async function checkout(origin: string, dir: string): Promise<void> {
  await gitOk(gitIn(dirname(dir)), ['clone', '--quiet', '--branch', 'main', origin, dir]);
}

/** The status commits on origin/main that the bot made, newest first, with the files each touched. */
export async function botCommits(
  origin: string,
): Promise<{ sha: string; author: string; message: string; files: string[] }[]> {
  const git = gitIn(origin);
  const log = await gitOk(git, ['log', '--format=%H%x09%an <%ae>%x09%s', 'main']);
  const commits = [];
  for (const line of log.trim().split('\n').filter(Boolean)) {
    const [sha, author, message] = line.split('\t') as [string, string, string];
    if (!author.startsWith(BOT_IDENTITY.name)) continue;
    const files = (await gitOk(git, ['show', '--format=', '--name-only', sha])).trim().split('\n');
    commits.push({ sha, author, message, files });
  }
  return commits;
}

/** bookings/status.json as origin/main has it now. */
export async function originFile(origin: string, path: string): Promise<string | undefined> {
  const shown = await gitIn(origin)(['show', `main:${path}`]);
  return shown.code === 0 ? shown.stdout : undefined;
}

/** The step outputs @actions/core wrote to GITHUB_OUTPUT (`name<<delimiter … delimiter`). */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    outputs[m[1]!] = value.join('\n');
  }
  return outputs;
}

export type CacheStepLog = { restore: string; matchedKey?: string; save?: string; savedKey?: string };

/** book.yml's two cache steps for one run, against a cache folder shared by the runs of one row. */
export async function cacheSteps(cacheDir: string, workspace: string, env: NodeJS.ProcessEnv) {
  const folder = cacheFolder(cacheDir);
  const steps = bookSteps(await readFile(BOOK_YML, 'utf8'));
  const contexts = (matchedKey = '') => ({
    github: { run_id: env.GITHUB_RUN_ID, run_attempt: env.GITHUB_RUN_ATTEMPT },
    steps: {
      'session-key': { outputs: { prefix: sessionCachePrefix(env) } },
      'session-restore': { outputs: { 'cache-matched-key': matchedKey } },
    },
  });
  const log: CacheStepLog = { restore: 'skipped' };
  return {
    log,
    async restore(): Promise<string | undefined> {
      const step = evaluateCacheStep(cacheStep(steps, 'restore'), contexts(), workspace);
      if (!step.runs) return undefined;
      const restored = await folder.restore(workspace, step.inputs);
      log.restore = restored.log;
      if (restored.matchedKey) log.matchedKey = restored.matchedKey;
      return restored.matchedKey;
    },
    async save(matchedKey: string | undefined): Promise<void> {
      const step = evaluateCacheStep(cacheStep(steps, 'save'), contexts(matchedKey), workspace);
      if (!step.runs) {
        log.save = 'skipped: the Book step left no encrypted session';
        return;
      }
      const saved = await folder.save(workspace, step.inputs);
      log.save = saved.log;
      if (saved.saved) log.savedKey = step.inputs.key;
    },
  };
}

/** Decrypts a cache entry (the folder's copy of .auth/estelle.json.enc) and checks it is a session. */
export async function readCachedSession(
  cacheDir: string,
  key: string,
  secrets: Secrets,
): Promise<{ ok: true; state: StorageState } | { ok: false; reason: string }> {
  const file = join(cacheDir, 'entries', encodeURIComponent(key));
  const secret = secrets.SESSION_CACHE_KEY || secrets.ESTELLE_PASSWORD;
  try {
    const plain = decryptSession(
      await readFile(file, 'utf8'),
      secret,
      accountId(secrets.ESTELLE_USERNAME, secret),
    );
    return parseStorageState(plain);
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** Puts an entry into the cache folder as an earlier run's save step would have (a hostile one, here). */
export async function seedCache(cacheDir: string, key: string, encryptedText: string): Promise<void> {
  const manifest = join(cacheDir, 'entries.json');
  const keys = existsSync(manifest) ? (JSON.parse(await readFile(manifest, 'utf8')) as string[]) : [];
  await mkdir(join(cacheDir, 'entries'), { recursive: true });
  await writeFile(join(cacheDir, 'entries', encodeURIComponent(key)), encryptedText);
  await writeFile(manifest, JSON.stringify([...keys, key]));
}

/** The key book.yml's save step uses for this run (prefix + run id + attempt). */
export function cacheKeyFor(env: NodeJS.ProcessEnv): string {
  return `${sessionCachePrefix(env)}${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT}`;
}

export type RunnerEvent = {
  /** The event that started the run, and its payload (repository_dispatch: the client payload). */
  name: 'repository_dispatch' | 'workflow_dispatch' | 'schedule';
  clientPayload?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  schedule?: string;
};

/**
 * The environment of book.yml's Book step: the workflow's `env:` and the step's `env:` evaluated with
 * GitHub's expression evaluator from the secrets, the event, the lane job's output and the restore
 * step's output, over the runner's own variables. `vars` are the repository variables (none by default).
 */
export async function bookStepEnv(o: {
  workspace: string;
  runId: string;
  secrets: Secrets;
  event: RunnerEvent;
  vars?: Record<string, string>;
  matchedKey?: string;
  summaryFile: string;
  outputFile: string;
  githubToken: string;
}): Promise<{ env: NodeJS.ProcessEnv; lane: string }> {
  const workflow = (await import('yaml')).parse(await readFile(BOOK_YML, 'utf8')) as {
    env?: Record<string, string>;
  };
  const book = bookSteps(await readFile(BOOK_YML, 'utf8')).find((s) => s.id === 'book');
  if (!book) throw new Error('book.yml has no step with id "book"');
  const contexts = (lane: string): Contexts => ({
    secrets: o.secrets,
    vars: o.vars ?? {},
    inputs: o.event.inputs ?? null,
    github: {
      event_name: o.event.name,
      event: {
        ...(o.event.clientPayload ? { client_payload: o.event.clientPayload } : {}),
        ...(o.event.schedule ? { schedule: o.event.schedule } : {}),
        ...(o.event.inputs ? { inputs: o.event.inputs } : {}),
      },
      run_id: o.runId,
      run_attempt: '1',
      token: o.githubToken,
      repository: 'member/court-booker',
    },
    needs: { lane: { outputs: { lane } } },
    steps: { 'session-restore': { outputs: { 'cache-matched-key': o.matchedKey ?? '' } } },
  });
  const evaluate = (env: Record<string, string> | undefined, lane: string) =>
    Object.fromEntries(
      Object.entries(env ?? {}).map(([k, v]) => [k, evaluateValue(String(v), contexts(lane))]),
    );
  const workflowEnv = evaluate(workflow.env, '');
  // The lane job: `npm run lane` decides from the workflow's env, one job before the Book step.
  const { lane } = laneFromEnv(workflowEnv);
  const machine = Object.fromEntries(
    MACHINE_ENV.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  const env: NodeJS.ProcessEnv = {
    ...machine,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.event.name,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REPOSITORY: 'member/court-booker',
    GITHUB_RUN_ID: o.runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_STEP_SUMMARY: o.summaryFile,
    GITHUB_OUTPUT: o.outputFile,
    RUNNER_OS: 'Linux',
    ...workflowEnv,
    ...evaluate(book.env, lane),
  };
  return { env, lane };
}

/** A local run (`npm run book` on a member's machine): the secrets from the environment, nothing else. */
export function localEnv(secrets: Secrets): NodeJS.ProcessEnv {
  const machine = Object.fromEntries(
    MACHINE_ENV.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
  );
  return { ...machine, ...secrets };
}

export type StepRun = {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Engine steps as the step log printed them, in order. */
  steps: string[];
};

/**
 * Starts the Book step in `workspace` with `env`. `ready` resolves once its process has loaded; `start`
 * then gives it the clock's shift and the instant to begin; `done` is what it printed and its exit code.
 * `onStep` is called as each engine step appears in its output (a fault that strikes mid-run).
 */
export function startBookStep(o: {
  workspace: string;
  env: NodeJS.ProcessEnv;
  onStep?: (step: string) => void | Promise<void>;
  timeoutMs?: number;
}): {
  ready: Promise<void>;
  start: (shiftMs: number, atMs: number) => void;
  kill: () => void;
  done: Promise<StepRun>;
} {
  const child = spawn(process.execPath, ['--import', TSX, BOOK_STEP], {
    cwd: o.workspace,
    env: o.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  const steps: string[] = [];
  const hooks: Promise<unknown>[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stdout += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      // The step log's echo: "<ISO time> +<ms> ms  <step>  <JSON>".
      const m = /^\S+ \+\s*[\d.]+ ms {2}(\S+)/.exec(line);
      if (!m) continue;
      steps.push(m[1]!);
      if (o.onStep) hooks.push(Promise.resolve(o.onStep(m[1]!)));
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const ready = new Promise<void>((resolve, reject) => {
    (child.stdio[3] as NodeJS.ReadableStream).once('data', () => resolve());
    child.once('close', () =>
      reject(new Error(`the Book step exited before it was ready: ${stderr.trim()}`)),
    );
  });
  ready.catch(() => undefined);
  const done = (async (): Promise<StepRun> => {
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      child.once('close', (code, sig) => r([code, sig])),
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
    const [exitCode, signal] = await closed;
    clearTimeout(timer);
    await Promise.all(hooks);
    return { exitCode, signal, stdout, stderr, steps };
  })();
  return {
    ready,
    start: (shiftMs, atMs) => child.stdin!.end(`${shiftMs} ${atMs}\n`),
    kill: () => child.kill('SIGKILL'),
    done,
  };
}

export { SESSION_CACHE_FILE };
