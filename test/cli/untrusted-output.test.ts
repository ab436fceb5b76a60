import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runnerCommands } from '../support/actions-runner.ts';
import { htmlText, renderGitHubMarkdown } from '../support/markdown.ts';

// npm run plan / validate / book as real processes, their stdout and stderr read the way the Actions
// runner reads them. validate.yml runs plan and validate on pull requests from forks: the CSV is the
// attacker's, and so is config.yml.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const HOSTILE_CSV = [
  'Date,Time1,Time2,Status,Court,Note',
  '2027-03-10,"7pm\n::error title=X::forged annotation",8pm,Book,,',
  '2027-03-11,7pm,,Book,##[add-mask]Padel Court 1,"::stop-commands::tok123456"',
  '2027-03-12,##[error]x,,Book,,',
  '2027-03-13,7pm,,::add-mask::Skip,,',
  '2027-03-14,7pm,,Book,,"a\r\n::set-output name=outcome::booked"',
  '',
].join('\n');

async function run(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const clean = { ...process.env, GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', BOOKER_NOW: '', ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, [join(ROOT, 'src/cli', script), ...args], {
      cwd,
      env: clean,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('no workflow command can be forged from data', () => {
  let dir: string;
  let csv: string;
  const onActions = () => ({
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    BOOKER_NOW: '2027-02-01T12:00:00Z',
  });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'untrusted-'));
    csv = join(dir, 'bookings.csv');
    await writeFile(csv, HOSTILE_CSV);
    await writeFile(join(dir, 'summary.md'), '');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const missing = (name: string) => [
    '--config',
    join(dir, `${name}.yml`),
    '--status',
    join(dir, 'none.json'),
  ];

  it('npm run plan on Actions: the hostile cells are errors and no line is a command', async () => {
    const { code, stdout, stderr } = await run('plan.ts', [csv, ...missing('none')], onActions(), dir);
    expect(code).toBe(1);
    expect(runnerCommands(`${stdout}\n${stderr}`)).toEqual([]);
    expect(stderr).toContain(
      `${csv}:2: Time1 "7pm\\n::error title=X::forged annotation" runs onto more than one line`,
    );
    expect(stderr).toContain(`${csv}:5: Time1 "##[\\error]x" is not a time`);
    expect(stdout).toContain('##[\\add-mask]Padel Court 1'); // the row is planned; its court shown, inert
  });

  it('npm run plan --json on Actions: parseable, the same values, no command', async () => {
    const { stdout, stderr } = await run('plan.ts', [csv, '--json', ...missing('none')], onActions(), dir);
    expect(runnerCommands(`${stdout}\n${stderr}`)).toEqual([]);
    const entries = JSON.parse(stdout) as { court: string | null; status: string }[];
    expect(entries.map((e) => e.court)).toContain('##[add-mask]Padel Court 1');
    expect(entries.map((e) => e.status)).toContain('::add-mask::Skip');
  });

  it('npm run plan: a hostile key in config.yml ends in an error line that is not a command', async () => {
    await writeFile(join(dir, 'hostile.yml'), '"x\\n::error title=Y::from config": 1\n"##[add-mask]k": 2\n');
    const { code, stdout, stderr } = await run('plan.ts', [csv, ...missing('hostile')], onActions(), dir);
    expect(code).toBe(1);
    expect(stderr).toContain('unknown setting');
    expect(runnerCommands(`${stdout}\n${stderr}`)).toEqual([]);
  });

  it('npm run validate on Actions: only its own annotations, each on the file', async () => {
    const { code, stdout, stderr } = await run('validate.ts', [csv, ...missing('none')], onActions(), dir);
    expect(code).toBe(1);
    const commands = runnerCommands(`${stdout}\n${stderr}`);
    expect(commands.map((c) => c.command)).toEqual(['error', 'error', 'error']);
    for (const c of commands) {
      expect(c.syntax).toBe('v2');
      // core escapes the properties and the data: the annotation is on the file, the cell's text its message.
      expect(c.line).toMatch(/^::error title=bookings%3A error,file=bookings\.csv,line=\d+::/);
    }
  });

  it('npm run validate outside Actions and npm run book: no line is a command', async () => {
    const validate = await run('validate.ts', [csv, ...missing('none')], {}, dir);
    expect(validate.code).toBe(1);
    expect(runnerCommands(`${validate.stdout}\n${validate.stderr}`)).toEqual([]);
    // book prints the engine's log lines (the file's problems, here) and its final line.
    const book = await run(
      'book.ts',
      ['--bookings', csv, ...missing('none'), '--out', join(dir, 'out')],
      { BOOKER_NOW: '2027-02-01T12:00:00Z' },
      dir,
    );
    expect(book.stdout).toContain('runs onto more than one line');
    expect(book.stdout).toContain('nothing-due:');
    expect(runnerCommands(`${book.stdout}\n${book.stderr}`)).toEqual([]);
  });
});

describe('the job summaries of validate and plan, rendered as GitHub renders them', () => {
  const COURT = 'Court `1` <img src=x onerror=alert(1)> [win](https://evil.example) **b** $x$ | extra';
  const STATUS = 'Skip `x` <b>no</b>';
  const CSV = [
    'Date,Time1,Time2,Status,Court,Note',
    `2027-03-10,7pm,8pm,Book,"${COURT}",`,
    `2027-03-11,7pm,,${STATUS},,`,
    '2027-03-12,"`25pm` <script>x</script> | y",,Book,,',
    '',
  ].join('\n');
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'summaries-'));
    await writeFile(join(dir, 'bookings.csv'), CSV);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const script of ['validate.ts', 'plan.ts']) {
    it(`${script.replace('.ts', '')}: a cell with backticks, HTML, links, math or pipes stays text in its own cell`, async () => {
      const summaryPath = join(dir, `${script}.md`);
      await writeFile(summaryPath, '');
      const csv = join(dir, 'bookings.csv');
      await run(
        script,
        [csv, '--config', join(dir, 'none.yml'), '--status', join(dir, 'none.json')],
        { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summaryPath, BOOKER_NOW: '2027-02-01T12:00:00Z' },
        dir,
      );
      const html = renderGitHubMarkdown(await readFile(summaryPath, 'utf8'));
      // No tag but the table's, the lists', code and headings: nothing injected.
      const tags = new Set([...html.matchAll(/<([a-z0-9]+)[\s>]/g)].map((m) => m[1]));
      expect(
        [...tags].filter((t) => !/^(h2|h3|p|strong|em|table|thead|tbody|tr|th|td|ul|li|code)$/.test(t!)),
      ).toEqual([]);
      expect(html).not.toContain('<em>');
      // The court is one cell, shown as written; every row has as many cells as the header.
      expect(html).toContain(`<td>${htmlText(COURT)}</td>`);
      const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(
        (m) => (m[1]!.match(/<t[dh]>/g) ?? []).length,
      );
      expect(new Set(rows).size).toBe(1);
      if (script === 'validate.ts') {
        // The problem is one code span holding the whole message, backticks and all.
        expect(html).toContain(
          `<code>${htmlText(`${csv}:4: Time1 "\`25pm\` <script>x</script> | y" is not a time (expected e.g. 7pm, 7:30pm or 19:00)`)}</code>`,
        );
        expect(html).toContain(htmlText('skipped (Skip `x` <b>no</b>)'));
      }
    });
  }
});
