import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// 150,000 problems or rows: the commands answer (first problems listed, the rest counted) instead of
// overflowing the stack, and the job summary stays under GitHub's 1 MiB per step.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const N = 150_000;

async function run(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const clean = { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', BOOKER_NOW: '', ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, [join(ROOT, 'src/cli', script), ...args], {
      env: clean,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('huge bookings files', () => {
  let dir: string;
  const files = (name: string) => [
    join(dir, name),
    '--config',
    join(dir, 'none.yml'),
    '--status',
    join(dir, 'none.json'),
  ];
  const actions = (summary: string) => ({
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: join(dir, summary),
    BOOKER_NOW: '2026-11-20T12:00:00Z',
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'huge-'));
    const bad = Array.from(
      { length: N / 2 },
      (_, i) => `2026-13-${String((i % 28) + 1).padStart(2, '0')},25pm,Book`,
    );
    await writeFile(join(dir, 'errors.csv'), ['Date,Time1,Status', ...bad, ''].join('\n'));
    await writeFile(
      join(dir, 'rows.csv'),
      ['Date,Time1,Status', ...Array(N).fill('2026-12-15,7pm,Book'), ''].join('\n'),
    );
    for (const summary of ['errors.md', 'rows.md']) await writeFile(join(dir, summary), '');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`validate: ${N.toLocaleString('en-GB')} errors, the first 100 listed and annotated, the rest counted`, async () => {
    const { code, stdout, stderr } = await run('validate.ts', files('errors.csv'), actions('errors.md'));
    expect(stderr).not.toMatch(/call stack/i);
    expect(code).toBe(1);
    expect(stdout.match(/^::error /gm)).toHaveLength(100);
    expect(stdout).toContain(
      '… and 149,900 more problems (149,900 errors), not listed: fix the first 100 above and run again',
    );
    expect(stdout).toContain('150000 errors. Fix the lines above');
    const summary = await readFile(join(dir, 'errors.md'), 'utf8');
    expect(summary.match(/^- ❌ /gm)).toHaveLength(100);
    expect((await stat(join(dir, 'errors.md'))).size).toBeLessThan(1024 * 1024);
  }, 120_000);

  it(`validate: ${N.toLocaleString('en-GB')} valid rows and as many warnings, the summary under 1 MiB`, async () => {
    const { code, stdout, stderr } = await run('validate.ts', files('rows.csv'), actions('rows.md'));
    expect(stderr).not.toMatch(/call stack/i);
    expect(code).toBe(0);
    expect(stdout).toContain('… and 149,899 more problems (149,899 warnings), not listed');
    const summary = await readFile(join(dir, 'rows.md'), 'utf8');
    expect(summary).toContain('_… and 149,500 more rows, not shown._');
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
  }, 120_000);
});
