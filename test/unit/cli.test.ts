import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyStatus, recordAttempt, writeStatus } from '../../src/bookings/status.ts';

// Real process runs of the commands as a member types them (each spawn costs about a second).
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

async function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT) {
  const cleanEnv = { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', BOOKER_NOW: '', ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, [join(ROOT, 'src/cli', script), ...args], {
      cwd,
      env: cleanEnv,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run validate / plan', () => {
  let dir: string;
  let broken: string;
  let good: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-'));
    broken = join(dir, 'broken.csv');
    good = join(dir, 'good.csv');
    await writeFile(
      broken,
      'Date, Time1, Time2, Stauts\r\n2026-12-15, 7pm, 8pm, Book\r\n2026-12-16, 25pm, , Book\r\n2026-02-30, 7pm, 7pm, Book\r\n',
    );
    await writeFile(
      good,
      'Date, Time1, Time2, Status\n2026-12-15, 7pm, 7pm, Book\n2026-12-16, 11am, 12pm, Skip\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validate: exit 1 listing every error a member can act on', async () => {
    const { code, stdout } = await run('validate.ts', [broken]);
    expect(code).toBe(1);
    expect(stdout).toContain(`${broken}:1: unknown column "Stauts" (did you mean "Status"?)`);
    expect(stdout).toContain(`${broken}:3: Time1 "25pm" is not a time (expected e.g. 7pm, 7:30pm or 19:00)`);
    expect(stdout).toContain(
      `${broken}:4: Date "2026-02-30" is not a real calendar date (expected YYYY-MM-DD`,
    );
    expect(stdout).toContain(`✗ ${broken}: 4 errors`);
  });

  it('validate: exit 0 with warnings, and config errors are reported with the bookings', async () => {
    const ok = await run('validate.ts', [good], { BOOKER_NOW: '2026-11-20T12:00:00Z' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${good}:2: warning: Time2 "19:00" is the same as Time1`);
    expect(ok.stdout).toContain(`✓ ${good}: 2 rows (1 to book, 1 skipped) valid, 1 warning.`);

    const config = join(dir, 'config.yml');
    await writeFile(config, 'advanceDays: 14\nrunWindow:\n  leadMinutes: 400\n');
    const status = join(dir, 'status.json');
    await writeFile(status, '{\n  "version": 1,\n  "bookings": {\n}\n');
    const bad = await run('validate.ts', [good, '--config', config, '--status', status]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${config}:3: runWindow.leadMinutes 400 is too large (expected 0 to 330)`);
    expect(bad.stdout).toMatch(
      new RegExp(
        `${status}:\\d: is not valid JSON at line \\d, column \\d+ .*Restore the last good version from git history`,
      ),
    );
    expect(bad.stdout).toContain(`${good}:2: warning: Time2 "19:00" is the same as Time1`);
  });

  it('validate in GitHub Actions: annotations on file and line, and a job summary of the rows', async () => {
    const summary = join(dir, 'summary.md');
    await writeFile(summary, '');
    const { code, stdout } = await run('validate.ts', [broken], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `::error title=bookings%3A error,file=${broken},line=3::${broken}:3: Time1 "25pm" is not a time`,
    );
    expect(stdout).toContain(`::error title=bookings%3A error,file=${broken},line=1::`);
    const md = await readFile(summary, 'utf8');
    expect(md).toContain(`## ❌ ${broken}: 4 errors`);
    expect(md).toContain('- ❌ `' + `${broken}:3: Time1 "25pm" is not a time`);

    await writeFile(summary, '');
    const ok = await run('validate.ts', [good], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      BOOKER_NOW: '2026-11-20T12:00:00Z',
    });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`::warning title=bookings%3A warning,file=${good},line=2::`);
    expect(await readFile(summary, 'utf8')).toContain(
      '| 2 | 2026-12-15 | 19:00 | 19:00 | any | Book | Tue 1 Dec 2026 00:00:00 GMT |',
    );
  });

  it('plan --now --json: date, releaseAt, state and dueNow for scripts, with states from the status file', async () => {
    const status = join(dir, 'plan-status.json');
    const { code, stdout } = await run('plan.ts', [
      good,
      '--now',
      '2026-11-30T23:40',
      '--json',
      '--status',
      status,
    ]);
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Record<string, unknown>[];
    expect(plan.map((p) => [p.date, p.releaseAt, p.state, p.dueNow, p.action])).toEqual([
      ['2026-12-15', '2026-12-01T00:00:00.000+00:00', 'pending', true, 'wait'],
      ['2026-12-16', '2026-12-02T00:00:00.000+00:00', 'skipped', false, 'none'],
    ]);

    const booked = recordAttempt(
      emptyStatus(),
      { key: '2026-12-15 19:00', date: '2026-12-15' },
      {
        startedAt: '2026-11-30T23:35:00Z',
        outcome: 'booked',
      },
    );
    await writeStatus(status, booked);
    const after = await run('plan.ts', [good, '--json', '--status', status], {
      BOOKER_NOW: '2026-12-01T00:00:01Z',
    });
    expect((JSON.parse(after.stdout) as Record<string, unknown>[])[0]).toMatchObject({
      state: 'booked',
      dueNow: false,
      reason: 'already booked',
    });
  });

  it('plan prints a table with London and UTC release times, and refuses an unknown flag with the usage', async () => {
    const table = await run('plan.ts', [good, '--status', join(dir, 'none.json')], {
      BOOKER_NOW: '2026-11-30T23:40:00Z',
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: join(dir, 'plan.md'),
    });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Plan for');
    expect(table.stdout).toMatch(
      /2 +2026-12-15 +19:00 \/ 19:00 +any +pending +Tue 1 Dec 2026 00:00:00 GMT +2026-12-01 00:00:00Z +wait: opens in 20 min/,
    );
    expect(table.stdout).toContain('1 booking due: 2026-12-15 19:00 (waiting)');
    expect(await readFile(join(dir, 'plan.md'), 'utf8')).toContain('| Line | Date | Time1 / Time2 |');

    const wrong = await run('plan.ts', ['--jsn']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Error: unknown option "--jsn" (did you mean "--json"?)');
    expect(wrong.stderr).toContain('Usage: npm run plan');
  });
});
