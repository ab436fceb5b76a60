import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Real process runs of validate and plan on a bookings folder with weekly rules (each spawn costs about a second).
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

async function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const cleanEnv = { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', BOOKER_NOW: '', ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, [join(ROOT, 'src/cli', script), ...args], {
      cwd: ROOT,
      env: cleanEnv,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npm run validate / plan with weekly rules', () => {
  let dir: string;
  let bookings: string;
  let rules: string;
  let status: string;
  // Wed 25 Nov 2026 23:40 London: the release at midnight is for Thursday 10 December.
  const NOW = '2026-11-25T23:40';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-rules-'));
    await mkdir(join(dir, 'good'));
    bookings = join(dir, 'good', 'bookings.csv');
    rules = join(dir, 'good', 'recurring.csv');
    status = join(dir, 'none.json');
    await writeFile(
      bookings,
      'Date, Time1, Time2, Status, Court, Note\n' +
        '2026-12-10, 7pm, 8pm, Book, , Thursday doubles\n' +
        '2026-12-15, 10am, , Skip, , away that week\n' +
        '2026-12-22, 9pm, , Book, , late one before Christmas\n',
    );
    await writeFile(
      rules,
      'Day, Time1, Time2, Status, Court, From, Until, Note\n' +
        'Tuesday, 7pm, 8pm, Book, , , , league night\n' +
        'Sat, 10am, 11am, Paused, Padel | 1, 2027-01-02, 2027-03-27, winter\n',
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validate lists each rule with the court dates it books, its exceptions, and flags the clash', async () => {
    const summary = join(dir, 'validate.md');
    await writeFile(summary, '');
    const { code, stdout } = await run('validate.ts', [bookings, '--status', status], {
      BOOKER_NOW: NOW,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(code).toBe(0);
    // The clash, as an annotation on the dated line that wins.
    expect(stdout).toContain(
      `::warning title=bookings%3A warning,file=${bookings},line=4::${bookings}:4: warning: 2026-12-22 is a Tuesday, when the weekly rule on ${rules}:2 books 19:00 / 20:00; this line wins for that date, so 21:00 is booked and the rule is not`,
    );
    expect(stdout).toContain(
      `Weekly rules in ${rules} (2 rules, 1 paused): court dates 2026-11-25 to 2027-01-06, the releases of the next 4 weeks`,
    );
    expect(stdout).toMatch(
      /\n2 +Tuesday +19:00 \/ 20:00 +any +Book +2026-12-01, 2026-12-08, 2026-12-15 skipped by bookings.csv:3, 2026-12-22 replaced by bookings.csv:4, 2026-12-29, 2027-01-05\n/,
    );
    expect(stdout).toMatch(
      /\n3 +Saturday +10:00 \/ 11:00 +Padel \| 1 +2027-01-02 +2027-03-27 +paused \(Paused\)\n/,
    );
    expect(stdout).toContain(
      `✓ ${bookings}: 3 rows (2 to book, 1 skipped) and 2 weekly rules (1 paused) in ${rules} valid, 1 warning.`,
    );

    const md = await readFile(summary, 'utf8');
    // The rows table holds the rule's rows, marked by the rule's file and line, in date order.
    expect(md).toContain(
      '| recurring.csv:2 | 2026-12-08 | 19:00 | 20:00 | any | Book | Tue 24 Nov 2026 00:00:00 GMT |\n' +
        '| 2 | 2026-12-10 | 19:00 | 20:00 | any | Book | Thu 26 Nov 2026 00:00:00 GMT |',
    );
    expect(md).toContain(`### Weekly rules in ${rules} (2 rules, 1 paused)`);
    expect(md).toContain('| Line | Every | Times | Court | From | Until | Status | Court dates |');
    // A member's text is escaped for Markdown.
    expect(md).toContain(
      '| 3 | Saturday | 10:00 / 11:00 | Padel \\| 1 | 2027-01-02 | 2027-03-27 | paused (Paused) | — |',
    );
  });

  it('validate fails on a broken rules file, naming its line and field, and annotates it', async () => {
    await mkdir(join(dir, 'broken'));
    const broken = join(dir, 'broken', 'bookings.csv');
    const brokenRules = join(dir, 'broken', 'recurring.csv');
    await writeFile(broken, 'Date,Time1,Status\n2026-12-10,7pm,Book\n');
    await writeFile(brokenRules, 'Day,Time1,Status\nTue,7pm,Book\nTusday,7pm,Book\n');
    const { code, stdout } = await run('validate.ts', [broken, '--status', status], {
      BOOKER_NOW: NOW,
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: join(dir, 'broken.md'),
    });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `::error title=bookings%3A error,file=${brokenRules},line=3::${brokenRules}:3: Day "Tusday" is not a day of the week (did you mean "Tuesday"?) (expected a day of the week, e.g. Tuesday, Tue or tues)`,
    );
    expect(stdout).toContain(`✗ ${broken} and ${brokenRules}: 1 error.`);
  });

  it('plan --json: rule rows carry their source, dated rows theirs, and the run decides on both', async () => {
    const { code, stdout, stderr } = await run('plan.ts', [
      bookings,
      '--now',
      NOW,
      '--json',
      '--status',
      status,
    ]);
    expect(code).toBe(0);
    expect(stderr).toContain(`${bookings}:4: warning: 2026-12-22 is a Tuesday`);
    const plan = JSON.parse(stdout) as Record<string, unknown>[];
    expect(plan.map((p) => [p.label, p.date, p.line, p.source, p.action])).toEqual([
      ['recurring.csv:2', '2026-12-01', 2, { file: rules, line: 2, rule: true }, 'none'],
      ['recurring.csv:2', '2026-12-08', 2, { file: rules, line: 2, rule: true }, 'none'],
      ['2', '2026-12-10', 2, { file: bookings, line: 2 }, 'wait'],
      ['3', '2026-12-15', 3, { file: bookings, line: 3 }, 'none'],
      ['4', '2026-12-22', 4, { file: bookings, line: 4 }, 'none'],
      ['recurring.csv:2', '2026-12-29', 2, { file: rules, line: 2, rule: true }, 'none'],
      ['recurring.csv:2', '2027-01-05', 2, { file: rules, line: 2, rule: true }, 'none'],
    ]);
    expect(plan[5]).toMatchObject({
      key: '2026-12-29 19:00',
      time2: '20:00',
      releaseAt: '2026-12-15T00:00:00.000+00:00',
    });
  });

  it('plan --weeks widens the rows the rules book; a wrong --weeks is a usage error', async () => {
    const summary = join(dir, 'plan.md');
    await writeFile(summary, '');
    // 1 December 23:30: tonight's release (for 16 December) is a Wednesday; the next Tuesday released is 15 Dec.
    const { code, stdout } = await run('plan.ts', [bookings, '--weeks', '8', '--status', status], {
      BOOKER_NOW: '2026-12-01T23:30',
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`Plan for ${bookings} and ${rules} at Tue 1 Dec 2026 23:30:00 GMT`);
    expect(stdout).toContain('court dates 2026-12-01 to 2027-02-09, the releases of the next 8 weeks');
    expect(stdout).toMatch(
      /\nrecurring.csv:2 +2027-02-09 +19:00 \/ 20:00 +any +pending +Tue 26 Jan 2027 00:00:00 GMT/,
    );
    const md = await readFile(summary, 'utf8');
    expect(md).toContain('| recurring.csv:2 | 2027-02-09 | 19:00 / 20:00 | any | pending |');
    expect(md).toContain(`### Weekly rules in ${rules} (2 rules, 1 paused)`);

    const wrong = await run('plan.ts', [bookings, '--weeks', '0']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      'Error: --weeks "0" is not a number of weeks (expected a whole number from 1 to 52, e.g. 4)',
    );
    expect(wrong.stderr).toContain('Usage: npm run plan');
  });
});
