import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** `npm run book` as a member runs it: a real process, its own files, no GitHub Actions. */
async function book(args: string[], env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'book-cli-'));
  const bookings = join(dir, 'bookings.csv');
  await writeFile(bookings, 'Date, Time1, Time2, Status\n2027-03-10, 7pm, 8pm, Book\n');
  const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  try {
    const { stdout, stderr } = await run(
      tsx,
      [
        join(process.cwd(), 'src/cli/book.ts'),
        '--bookings',
        bookings,
        '--status',
        join(dir, 'status.json'),
        '--config',
        join(dir, 'config.yml'),
        '--out',
        join(dir, 'out'),
        ...args,
      ],
      { cwd: dir, env: childEnv },
    );
    return { code: 0, stdout, stderr, dir };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, dir };
  }
}

describe('npm run book', () => {
  it('with nothing due exits 0 at once with one line saying why, and writes nothing', async () => {
    // 2027-03-10 opens at 2027-02-24 00:00 London; at noon on 2027-02-01 nothing is due.
    const { code, stdout, dir } = await book([], { BOOKER_NOW: '2027-02-01T12:00:00Z' });
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      'nothing-due: Nothing to book: nothing due; next release Wed 24 Feb 2027 00:00:00 GMT for 2027-03-10 19:00.',
    ]);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect(existsSync(join(dir, 'status.json'))).toBe(false);
  });

  it('refuses a malformed --date with what is expected', async () => {
    const { code, stderr } = await book(['--date', '10/03/2027'], {});
    expect(code).not.toBe(0);
    expect(stderr).toContain('--date "10/03/2027" is not a date (expected YYYY-MM-DD');
  });
});
