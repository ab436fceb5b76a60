import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinNegativeNumbers, runDemo } from '../../scripts/demo.ts';
import { DEMO_PASSWORD } from '../sandbox/index.ts';

/**
 * The demo as a member runs it (`npm run demo`, a child process from the repository root) and
 * in-process for the fallback scenario. Real Chromium, the real sandbox, a real git remote, the
 * Discord stand-in. What must hold: a booked court the sandbox's ledger knows, the demo folder's
 * status/summary/Discord message saying so, and the repository's own bookings/ untouched.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** sha256 over every file (name and bytes) under `dir`; '' when it does not exist. */
async function hashTree(dir: string): Promise<string> {
  if (!existsSync(dir)) return '';
  const hash = createHash('sha256');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(await readFile(file));
  return hash.digest('hex');
}

const json = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

type DiscordRecord = {
  status: number;
  violations: string[];
  payload: { embeds?: { title?: string; fields?: { name: string; value: string }[] }[] };
  files: { filename: string; contentType: string; size: number }[];
};
type Ledger = { reference: string; client: string; date: string; time: string; acceptedAtServerMs: number }[];

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'demo-test-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('books a court at the sandbox release through the whole pipeline, and leaves bookings/ alone', async () => {
    const before = await hashTree(join(ROOT, 'bookings'));
    const authBefore = await hashTree(join(ROOT, '.auth'));
    const out = join(tmp, 'clean');
    const started = Date.now();
    // A member's real settings in the environment must not leak into the demo.
    const { code, stdout, stderr } = await run('npm', ['run', '--silent', 'demo', '--', '--out', out], {
      ESTELLE_USERNAME: 'real-member@example.com',
      ESTELLE_PASSWORD: 'real password',
      ESTELLE_BASE_URL: 'http://127.0.0.1:9',
      DISCORD_WEBHOOK_URL: 'http://127.0.0.1:9/api/webhooks/1/real',
      DRY_RUN: 'true',
    });
    const tookMs = Date.now() - started;
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    expect(tookMs).toBeLessThan(60_000);

    // The narrative.
    expect(stdout).toMatch(/Release\s+\w{3} \d+ \w{3} \d{4} 00:00:00\.000 London, on the venue's clock/);
    expect(stdout).toMatch(/Clock sync\s+the venue's clock measured at \+1\d{3} ms/);
    expect(stdout).toMatch(/Outcome\s+booked: Booked Padel Court \d/);
    expect(stdout).toContain('(in the sandbox ledger ✓)');
    expect(stdout).toContain('Discord ← 200');
    expect(stdout).toMatch(/\d{2}:\d{2}:\d{2}\.\d{3} {2}fired: Show Availability/);
    expect(stdout).not.toMatch(/\+\s*[\d.]+ ms {2}\S+/); // engine steps shown as short lines, not raw log lines
    expect(stdout).not.toMatch(/^::/m); // no raw workflow commands (::add-mask:: would print the password)
    expect(stdout).not.toContain(DEMO_PASSWORD);

    // The sandbox's ground truth: one booking of ours, just after its midnight, with the reference.
    const ledger = await json<Ledger>(join(out, 'sandbox-ledger.json'));
    const ours = ledger.filter((e) => e.client === 'member');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.time).toBe('19:00');
    const reference = ours[0]!.reference;
    expect(stdout).toContain(`Reference     ${reference}`);

    // The status file in the demo folder, committed and pushed to the demo's origin.
    const status = await json<{ bookings: Record<string, { state: string; reference: string }> }>(
      join(out, 'bookings', 'status.json'),
    );
    const [key, entry] = Object.entries(status.bookings)[0]!;
    expect(key).toBe(`${ours[0]!.date} 19:00`);
    expect(entry).toMatchObject({ state: 'booked', reference });
    const pushed = await run('git', ['-C', join(out, 'origin.git'), 'log', '-1', '--format=%s', 'main']);
    expect(pushed.stdout.trim()).toBe(
      `status: booked ${ours[0]!.date} 19:00 ${(entry as { court?: string }).court}`,
    );

    // The job summary with its table, and the step outputs.
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    expect(summary).toContain('## ✅ Court booking: booked');
    expect(summary).toContain('| Date | Requested times | Booked time | Court | Reference |');
    expect(summary).toContain(`\`${reference}\``);
    expect(await readFile(join(out, 'outputs.txt'), 'utf8')).toMatch(
      new RegExp(`reference<<.*\\n${reference}\\n`),
    );

    // What Discord received: one valid message with the screenshot and the invite.
    const discord = await json<DiscordRecord[]>(join(out, 'discord.json'));
    expect(discord).toHaveLength(1);
    expect(discord[0]!.status).toBe(200);
    expect(discord[0]!.violations).toEqual([]);
    expect(discord[0]!.payload.embeds?.[0]?.title).toBe('✅ Court booked');
    expect(JSON.stringify(discord[0]!.payload)).toContain(reference);
    const files = discord[0]!.files;
    expect(files.some((f) => f.filename.endsWith('.ics') && f.contentType.startsWith('text/calendar'))).toBe(
      true,
    );
    expect(files.some((f) => f.filename.endsWith('.png') && f.size > 1000)).toBe(true);

    // Screenshots and the step log stay in the folder.
    const names = await readdir(out);
    expect(names.filter((n) => n.endsWith('.png')).length).toBeGreaterThanOrEqual(3);
    expect(names).toContain('steps.log');

    // The member's own files: untouched.
    expect(await hashTree(join(ROOT, 'bookings'))).toBe(before);
    expect(await hashTree(join(ROOT, '.auth'))).toBe(authBefore);
  }, 90_000);

  it('shows the fallback when competitors take both 19:00 courts first', async () => {
    const lines: string[] = [];
    const report = await runDemo({
      outDir: join(tmp, 'competitor'),
      scenario: 'competitor',
      print: (l) => lines.push(l),
    });
    expect(report.exitCode, lines.join('\n')).toBe(0);
    expect(report.actions.result).toMatchObject({ outcome: 'booked-fallback', bookedTime: '20:00' });
    const rivals = report.ledger.filter((e) => e.client.startsWith('competitor:'));
    expect(rivals.map((e) => e.time)).toEqual(['19:00', '19:00']);
    const ours = report.ledger.filter((e) => e.client === 'member');
    expect(ours).toMatchObject([{ time: '20:00', reference: report.actions.result!.reference }]);
    expect(report.discord[0]?.payload.embeds?.[0]?.title).toBe('✅ Court booked on the fallback time');
    expect(lines.join('\n')).toContain('second choice');
  }, 90_000);

  it('books on the multi-page clubhouse skin (--skin clubhouse) from a hand-written profile, the confirm page armed early', async () => {
    const lines: string[] = [];
    const report = await runDemo({
      outDir: join(tmp, 'clubhouse'),
      skin: 'clubhouse',
      print: (l) => lines.push(l),
    });
    expect(report.exitCode, lines.join('\n')).toBe(0);
    expect(report.actions.result).toMatchObject({ outcome: 'booked', bookedTime: '19:00', court: 'Court A' });
    expect(report.actions.result!.reference).toMatch(/^CH-\d{4}-[A-Z]$/);
    const ours = report.ledger.filter((e) => e.client === 'member');
    expect(ours).toMatchObject([
      { time: '19:00', court: 'Court A', reference: report.actions.result!.reference },
    ]);
    const text = lines.join('\n');
    expect(text).toContain('(clubhouse skin)');
    expect(text).toMatch(/armed: the confirm page for 19:00 Court A is open/);
  }, 90_000);

  it('books two rows of the same evening in one run (--scenario two-rows): one commit, one Discord message, a summary line each', async () => {
    const lines: string[] = [];
    const report = await runDemo({
      outDir: join(tmp, 'two-rows'),
      scenario: 'two-rows',
      print: (l) => lines.push(l),
    });
    expect(report.exitCode, lines.join('\n')).toBe(0);
    expect(report.actions.result?.rows.map((r) => [r.row.time1, r.outcome])).toEqual([
      ['19:00', 'booked'],
      ['20:00', 'booked'],
    ]);
    expect(report.ledger.filter((e) => e.client === 'member').map((e) => e.time)).toEqual(['19:00', '20:00']);
    expect(report.discord).toHaveLength(1);
    expect(report.discord[0]?.payload.embeds?.[0]?.description).toMatch(/^2 of 2 courts booked tonight/);
    expect(report.actions.statusCommit).toMatchObject({ ok: true, pushed: true });
    expect(lines.join('\n')).toMatch(
      /status: \d{4}-\d{2}-\d{2} booked 19:00 Padel Court \d, booked 20:00 Padel Court \d/,
    );
    const summary = report.actions.summary ?? '';
    expect(summary.split('\n').filter((l) => /^\| \d{4}-\d{2}-\d{2} \|/.test(l))).toHaveLength(2);
  }, 90_000);

  it('books the night a weekly rule in recurring.csv releases, with no dated line (--scenario weekly)', async () => {
    const lines: string[] = [];
    const report = await runDemo({
      outDir: join(tmp, 'weekly'),
      scenario: 'weekly',
      print: (l) => lines.push(l),
    });
    expect(report.exitCode, lines.join('\n')).toBe(0);
    const dated = await readFile(join(tmp, 'weekly', 'bookings', 'bookings.csv'), 'utf8');
    expect(dated.trim().split('\n')).toHaveLength(1); // the header only
    const row = report.actions.result?.rows[0]?.row;
    expect(row?.source).toMatchObject({ rule: true, line: 2 });
    expect(report.actions.result?.outcome).toBe('booked');
    expect(report.ledger.filter((e) => e.client === 'member').map((e) => [e.date, e.time])).toEqual([
      [row!.date, '19:00'],
    ]);
    expect(lines.join('\n')).toMatch(/Bookings +every \w+day, 19:00, else 20:00 \(bookings\/recurring\.csv/);
    expect(report.actions.statusCommit).toMatchObject({ ok: true, pushed: true });
  }, 90_000);

  it('loses the release to rivals, then the watch books the court one cancels (--scenario cancellation), under a minute', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const report = await runDemo({
      outDir: join(tmp, 'cancellation'),
      scenario: 'cancellation',
      print: (l) => lines.push(l),
    });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(report.exitCode, lines.join('\n')).toBe(0);
    // The night: every court at 19:00 and 20:00 taken by rivals; nothing of ours.
    expect(report.actions.result?.outcome).toBe('unavailable');
    // The look job found the cancelled court and said so in its outputs; the book job booked it.
    const look = report.watch?.look;
    expect(look?.outputs).toEqual({ found_date: report.date, lane: 'booking', outcome: 'found' });
    const booked = report.watch?.booking?.booking?.result;
    expect(booked).toMatchObject({ outcome: 'booked', bookedTime: '19:00', court: 'Padel Court 2' });
    // The venue: the rival's booking cancelled, ours on that court-hour, and nothing of ours twice.
    const cancelled = report.ledger.filter((e) => e.cancelled);
    expect(cancelled).toMatchObject([
      { client: 'competitor:Rival 2', time: '19:00', court: 'Padel Court 2' },
    ]);
    expect(report.ledger.filter((e) => e.client === 'member')).toMatchObject([
      { time: '19:00', court: 'Padel Court 2', reference: booked!.reference },
    ]);
    expect(report.ledger.find((e) => e.client === 'member')?.cancelled).toBeFalsy();
    // The status file: booked, one look counted, two attempt lines (the night's, the watch's).
    const status = await json<{
      bookings: Record<
        string,
        { state: string; watch: { looks: number }; attempts: { outcome: string; trigger?: string }[] }
      >;
    }>(join(report.dir, 'bookings', 'status.json'));
    const entry = status.bookings[`${report.date} 19:00`]!;
    expect(entry.state).toBe('booked');
    expect(entry.watch.looks).toBe(1);
    expect(entry.attempts.map((a) => [a.outcome, a.trigger])).toEqual([
      ['unavailable', 'manual'],
      ['booked', 'watch'],
    ]);
    // Three status commits on origin: the night, the look, the booking.
    const log = await run('git', ['-C', join(report.dir, 'origin.git'), 'log', '-3', '--format=%s', 'main']);
    expect(log.stdout.trim().split('\n')).toEqual([
      `status: booked ${report.date} 19:00 Padel Court 2`,
      `status: watch ${report.date} 19:00 found 19:00 (look 1)`,
      `status: unavailable ${report.date} 19:00`,
    ]);
    // Discord: the night's message, then the booking, said to be the watch's; no message for the look.
    expect(report.discord.map((m) => m.payload.embeds?.[0]?.title)).toEqual([
      '⚠️ No court available',
      '✅ Court booked',
    ]);
    expect(report.discord[1]!.payload.embeds?.[0]?.fields).toContainEqual(
      expect.objectContaining({
        name: 'Found by',
        value: expect.stringContaining('the watch for cancellations'),
      }),
    );
    expect(report.discord.every((m) => m.violations.length === 0)).toBe(true);
    const text = lines.join('\n');
    expect(text).toContain("Rival 2 cancels Padel Court 2 at 19:00, 4.0 s after the venue's midnight");
    expect(text).toContain('Step outputs: found_date=');
    expect(text).toContain('(1 look counted; attempt lines: unavailable, booked by the watch)');
    expect(await readFile(join(report.dir, 'watch-summary.md'), 'utf8')).toContain(
      '## 🎾 Watch for cancellations: a court came free',
    );
  }, 90_000);

  it('loads a sandbox scenario file with {date} filled in', async () => {
    const file = join(tmp, 'taken.yml');
    await writeFile(
      file,
      [
        'clockOffsetMs: -800',
        'preBooked:',
        "  - { date: '{date}', time: '19:00', court: Padel Court 1 }",
        "  - { date: '{date}', time: '19:00', court: Padel Court 2 }",
        "  - { date: '{date}', time: '20:00', court: Padel Court 1 }",
        "  - { date: '{date}', time: '20:00', court: Padel Court 2 }",
        '',
      ].join('\n'),
    );
    const lines: string[] = [];
    const report = await runDemo({ outDir: join(tmp, 'file'), scenario: file, print: (l) => lines.push(l) });
    expect(report.actions.result?.outcome).toBe('unavailable');
    expect(report.exitCode).toBe(2);
    expect(report.ledger.filter((e) => e.client === 'member')).toHaveLength(0);
    expect(lines.join('\n')).toContain("the venue's is −800 ms off ours");
    expect(report.discord[0]?.payload.embeds?.[0]?.title).toBe('⚠️ No court available');
  }, 90_000);
});

describe('npm run demo refuses', () => {
  it('a folder that is not empty (so never the repository or its bookings/)', async () => {
    const before = await hashTree(join(ROOT, 'bookings'));
    for (const out of ['.', 'bookings']) {
      const { code, stderr } = await run('npm', ['run', '--silent', 'demo', '--', '--out', out]);
      expect(code).toBe(1);
      expect(stderr).toContain('is not empty');
    }
    expect(await hashTree(join(ROOT, 'bookings'))).toBe(before);
    expect(existsSync(join(ROOT, '.git', 'origin.git'))).toBe(false);
  });

  it('to start without a browser, and says the one command that fixes it', async () => {
    const { code, stdout, stderr } = await run(
      'npm',
      ['run', '--silent', 'demo', '--', '--out', join(tmp, 'nb')],
      {
        CHROMIUM_PATH: join(tmp, 'no-such-chromium'),
      },
    );
    expect(code).toBe(1);
    expect(stderr).toContain('npm run setup');
    expect(stdout).toBe('');
    expect(existsSync(join(tmp, 'nb'))).toBe(false);
  });

  it('nothing when a skew is negative (parseArgs alone would take -4300 for an option)', () => {
    expect(joinNegativeNumbers(['--skew-ms', '-4300', '--latency-ms', '20', '--out', 'x'])).toEqual([
      '--skew-ms=-4300',
      '--latency-ms',
      '20',
      '--out',
      'x',
    ]);
  });

  it('an unknown option, with the usage', async () => {
    const { code, stderr } = await run('npm', ['run', '--silent', 'demo', '--', '--skew', '5']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option "--skew"');
    expect(stderr).toContain('Usage: npm run demo');
  });
});
