import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runOnActions, type EngineOptions, type EngineResult } from '../../src/github/actions-run.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { SESSION_CACHE_FILE } from '../../src/github/session-cache.ts';
import { parseStorageState } from '../../src/venue/storage-state.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { readInputs } from '../../src/github/inputs.ts';
import { bookSteps, cacheFolder, cacheStep, evaluateCacheStep } from '../support/actions-cache.ts';
import { evaluateValue } from '../support/workflow-expressions.ts';
import { repoWithRemote } from './git-helpers.ts';

/**
 * book.yml's session cache, night after night, as the runner runs it: the "Session cache key" step
 * (the real script, as a process, writing its step output to a GITHUB_OUTPUT file), the restore
 * step and the save step with their inputs and `if:` evaluated from book.yml by GitHub's expression
 * evaluator (a folder stands in for the cache service), and between them the Book step's code
 * (runOnActions) with an engine that reads and writes the storage state where src/run.ts does.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const steps = bookSteps(await readFile(join(ROOT, '.github/workflows/book.yml'), 'utf8'));
const secrets = {
  ESTELLE_USERNAME: 'Member@Example.com',
  ESTELLE_PASSWORD: 'correct horse battery staple',
  SESSION_CACHE_KEY: '',
};

function storageState(value: string) {
  return JSON.stringify({
    cookies: [
      {
        name: 'sid',
        value,
        domain: 'venue.test',
        path: '/',
        expires: -1,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
      },
    ],
    origins: [],
  });
}

/** The "Session cache key" step: book.yml's command, its env from secrets, its GITHUB_OUTPUT. */
async function keyStep(dir: string): Promise<string> {
  const step = steps.find((s) => s.id === 'session-key')!;
  expect(step.run).toBe('npm run --silent session-cache-key');
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(step.env ?? {})) env[name] = evaluateValue(value, { secrets });
  const output = join(dir, `output-${Date.now()}`);
  await writeFile(output, '');
  await run('npm', ['run', '--silent', 'session-cache-key'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
      ...env,
    },
  });
  const text = await readFile(output, 'utf8');
  return /^prefix<<(.+)\n([\s\S]*?)\n\1$/m.exec(text)?.[2] ?? '';
}

describe("book.yml's lane job, as a process", () => {
  async function lane(contexts: Record<string, unknown>) {
    const wf = (await import('yaml')).parse(
      await readFile(join(ROOT, '.github/workflows/book.yml'), 'utf8'),
    ) as {
      env: Record<string, string>;
      jobs: { lane: { steps: { id?: string; run?: string }[] } };
    };
    expect(wf.jobs.lane.steps.find((s) => s.id === 'decide')?.run).toBe('npm run --silent lane');
    const dir = await mkdtemp(join(tmpdir(), 'lane-'));
    const output = join(dir, 'output');
    await writeFile(output, '');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: output,
    };
    for (const [name, value] of Object.entries(wf.env)) env[name] = evaluateValue(value, contexts);
    const result = await run('npm', ['run', '--silent', 'lane'], { cwd: ROOT, env }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    const text = await readFile(output, 'utf8');
    return { ...result, lane: /^lane<<(.+)\n([\s\S]*?)\n\1$/m.exec(text)?.[2] };
  }
  const dispatch = (payload: unknown, vars: Record<string, string> = {}) => ({
    github: { event_name: 'repository_dispatch', event: { client_payload: payload } },
    inputs: {},
    vars,
  });

  it('writes lane=rehearsal for a payload dry_run "TRUE", lane=booking without one, and fails on "maybe"', async () => {
    expect(await lane(dispatch({ dry_run: 'TRUE' }))).toMatchObject({ code: 0, lane: 'rehearsal' });
    expect(await lane(dispatch({}))).toMatchObject({ code: 0, lane: 'booking' });
    expect(await lane(dispatch({}, { DRY_RUN: 'true' }))).toMatchObject({ code: 0, lane: 'rehearsal' });
    const bad = await lane(dispatch({ dry_run: 'maybe' }));
    expect(bad.code).toBe(1);
    expect(bad.lane).toBeUndefined();
    expect(bad.stdout).toContain('::error::client_payload.dry_run is "maybe"');
  });
});

describe("book.yml's first Book step, as bash runs it", () => {
  it("writes JOB_STARTED_AT to GITHUB_ENV in the form the Book step reads as the job's start", async () => {
    const first = steps[0]!;
    expect(first.name).toBe('Note when the job started');
    const dir = await mkdtemp(join(tmpdir(), 'job-start-'));
    const githubEnv = join(dir, 'env');
    await writeFile(githubEnv, '');
    const before = Date.now();
    await run('bash', ['-e', '-c', first.run!], {
      env: { PATH: process.env.PATH, GITHUB_ENV: githubEnv },
    });
    const line = (await readFile(githubEnv, 'utf8')).trim();
    expect(line).toMatch(/^JOB_STARTED_AT=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const value = line.slice('JOB_STARTED_AT='.length);
    // Read a few minutes later, as the Book step would be after install and Chromium.
    const { inputs, warnings } = readInputs(
      { JOB_STARTED_AT: value },
      { clock: fixedClock(before + 4 * 60_000), setSecret: () => {} },
    );
    expect(warnings).toEqual([]);
    const started = Date.parse(inputs.github.jobStartedAt!);
    expect(started).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(started).toBeLessThanOrEqual(Date.now());
  });
});

describe('book.yml session cache: key step → restore → Book step → save, night after night', () => {
  it('saves the session after one night and gives it to the engine the next, never in the clear', async () => {
    // 16 February is released at midnight on 2 February; each night's run starts at 20:00, inside the window.
    const repo = await repoWithRemote({
      'bookings/status.json': '{"version":1,"bookings":{}}\n',
      'bookings/bookings.csv': 'Date,Time1,Status\n2026-02-16,19:00,Book\n',
    });
    const work = repo.clone('runner');
    const files = await mkdtemp(join(tmpdir(), 'book-workflow-'));
    const cache = cacheFolder(join(files, 'cache'));
    const prefix = await keyStep(files);
    expect(prefix).toMatch(/^session-v1-[0-9a-f]{16}-$/);
    expect(prefix.toLowerCase()).not.toContain('member');

    const restoreStep = cacheStep(steps, 'restore');
    const saveStep = cacheStep(steps, 'save');
    const bookStep = steps.find((s) => s.id === 'book')!;
    const seenByEngine: (string | undefined)[] = [];

    async function night(runId: string, writes: string | undefined) {
      const github = { run_id: runId, run_attempt: '1' };
      const restore = evaluateCacheStep(
        restoreStep,
        { github, steps: { 'session-key': { outputs: { prefix } } } },
        work,
      );
      expect(restore.runs).toBe(true);
      // The path the cache steps move is the file the Book step decrypts and encrypts.
      expect(restore.inputs.path).toBe(SESSION_CACHE_FILE);
      expect(restore.inputs.key).toBe(`${prefix}${runId}-1`);
      expect(restore.inputs.restoreKeys).toEqual([prefix]);
      const restored = await cache.restore(work, restore.inputs);

      // The Book step: its env as book.yml writes it, the restore step's output included.
      const stepContexts = {
        secrets,
        github: { token: 'ghs_token', event: {}, run_id: runId },
        vars: {},
        needs: { lane: { outputs: { lane: 'booking' } } },
        steps: { 'session-restore': { outputs: { 'cache-matched-key': restored.matchedKey ?? '' } } },
      };
      const env: NodeJS.ProcessEnv = {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'schedule',
        GITHUB_RUN_ID: runId,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_REPOSITORY: 'member/padel',
      };
      for (const [name, value] of Object.entries(bookStep.env ?? {}))
        env[name] = evaluateValue(value, stepContexts);
      const reporter = memoryReporter();
      await runOnActions({
        env,
        repoDir: work,
        reporter,
        clock: fixedClock('2026-02-01T20:00:00Z'),
        sleep: async () => {},
        runBooking: async (options: EngineOptions): Promise<EngineResult> => {
          // What the engine reads (.auth/estelle.json, checked as readStorageState does), then writes.
          const state = join(work, '.auth', 'estelle.json');
          const text = existsSync(state) ? await readFile(state, 'utf8') : undefined;
          seenByEngine.push(text && parseStorageState(text).ok ? text : undefined);
          if (writes) {
            await mkdir(join(work, '.auth'), { recursive: true });
            await writeFile(state, writes);
          }
          return {
            outcome: 'nothing-due',
            attempts: 0,
            message: 'Nothing to book.',
            screenshots: [],
            outDir: options.outDir,
            exitCode: 0,
          };
        },
      });

      const save = evaluateCacheStep(
        saveStep,
        { github, steps: { 'session-key': { outputs: { prefix } } } },
        work,
      );
      expect(save.inputs.path).toBe(SESSION_CACHE_FILE);
      expect(save.inputs.key).toBe(`${prefix}${runId}-1`);
      const saved = save.runs ? await cache.save(work, save.inputs) : undefined;
      return { restored, saved, lines: reporter.lines.map((l) => l.message) };
    }

    // Night 1: nothing cached yet; the engine logs in and writes a session; it is saved encrypted.
    const one = await night('100', storageState('night-1-token'));
    expect(one.restored.matchedKey).toBeUndefined();
    expect(one.lines).toContain(
      'Session cache: no saved session (a cache miss: the first run, or none saved in the last 7 days); the run will log in',
    );
    expect(one.saved?.saved).toBe(true);
    const entry = await readFile(join(cache.dir, 'entries', encodeURIComponent(`${prefix}100-1`)), 'utf8');
    expect(entry).not.toContain('night-1-token');
    expect(entry).not.toContain('sid');

    // Night 2: the restore step finds it by prefix; the engine gets night 1's session back.
    const two = await night('101', storageState('night-2-token'));
    expect(two.restored.matchedKey).toBe(`${prefix}100-1`);
    expect(two.lines).toContain(
      `Session cache: restored the session saved by an earlier run (cache key ${prefix}100-1)`,
    );
    expect(seenByEngine).toEqual([undefined, storageState('night-1-token')]);

    // Night 3: nothing due, no login: the engine leaves the restored session as it was, and it is
    // saved again under this run's key (so the cache does not evict it after 7 days unused).
    const three = await night('102', undefined);
    expect(three.restored.matchedKey).toBe(`${prefix}101-1`);
    expect(seenByEngine.at(-1)).toBe(storageState('night-2-token'));
    expect(three.saved?.saved).toBe(true);
    expect(await cache.keys()).toEqual([`${prefix}100-1`, `${prefix}101-1`, `${prefix}102-1`]);
  });

  it('skips both cache steps when there is no username to key them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'book-workflow-'));
    const contexts = {
      github: { run_id: '1', run_attempt: '1' },
      steps: { 'session-key': { outputs: { prefix: '' } } },
    };
    expect(evaluateCacheStep(cacheStep(steps, 'restore'), contexts, dir).runs).toBe(false);
    await mkdir(join(dir, '.auth'), { recursive: true });
    await writeFile(join(dir, SESSION_CACHE_FILE), 'x');
    expect(evaluateCacheStep(cacheStep(steps, 'save'), contexts, dir).runs).toBe(false);
  });

  it('saves whatever happened to the Book step, as long as an encrypted session is there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'book-workflow-'));
    const contexts = {
      github: { run_id: '1', run_attempt: '1' },
      steps: { 'session-key': { outputs: { prefix: 'p-' } } },
    };
    const save = cacheStep(steps, 'save');
    expect(evaluateCacheStep(save, contexts, dir).runs).toBe(false); // no file: hashFiles is ''
    await mkdir(join(dir, '.auth'), { recursive: true });
    await writeFile(join(dir, SESSION_CACHE_FILE), 'x');
    expect(evaluateCacheStep(save, contexts, dir).runs).toBe(true);
    // Even after a failed step (always()).
    const { evaluateCondition } = await import('../support/workflow-expressions.ts');
    expect(evaluateCondition(save.if!, contexts, { workspace: dir, status: 'failure' })).toBe(true);
    expect(steps.indexOf(save)).toBeGreaterThan(steps.findIndex((s) => s.id === 'book'));
    expect(steps.indexOf(cacheStep(steps, 'restore'))).toBeLessThan(steps.findIndex((s) => s.id === 'book'));
  });
});
