import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import { launchBrowser } from '../../src/browser/launch.ts';
import { DateTime } from 'luxon';
import { fileExists, isBooking, memberBookings, scene, type Scene } from './harness.ts';
import type { RunResult } from '../../src/run.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** Every failure leaves: a failed (or stated) status entry with the error, a message, and a screenshot. */
async function expectRecordedFailure(s: Scene, result: RunResult, message: RegExp) {
  expect(result.outcome).toBe('failed');
  expect(result.exitCode).not.toBe(0);
  expect(result.message).toMatch(message);
  expect(result.message).toContain('→'); // what to do next
  const entry = (await s.status()).bookings[`${s.date} 19:00`]!;
  expect(entry.state).toBe('failed');
  expect(entry.attempts.at(-1)?.error).toBeTruthy();
  expect(result.screenshots.length).toBeGreaterThan(0);
  for (const shot of result.screenshots) expect(await fileExists(shot)).toBe(true);
  expect(memberBookings(s.venue)).toHaveLength(0);
}

describe('faults end with a clear state, a message and screenshots', () => {
  it('nothing due: exits 0 at once with one line saying why, without opening the venue', async () => {
    current = await scene({ leadMs: 10 * 60 * 60_000 });
    const result = await current.run();
    expect(result.outcome).toBe('nothing-due');
    expect(result.exitCode).toBe(0);
    expect(result.message).toMatch(
      /^Nothing to book: nothing due; next release .* for \d{4}-\d{2}-\d{2} 19:00\.$/,
    );
    expect(current.venue.requests()).toHaveLength(0);
    expect(existsSync(current.paths.status)).toBe(false);
  }, 45_000);

  it('a corrupt status file: failed with what to do, and the file left as it was', async () => {
    current = await scene({});
    await writeFile(current.paths.status, '{ not json');
    const result = await current.run();
    expect(result.outcome).toBe('failed');
    expect(result.exitCode).not.toBe(0);
    expect(result.message).toMatch(/status\.json[\s\S]*git/);
    expect(await readFile(current.paths.status, 'utf8')).toBe('{ not json');
    expect(current.venue.requests()).toHaveLength(0);
  }, 45_000);

  it('wrong password', async () => {
    current = await scene({ password: 'not-the-password' });
    const result = await current.run();
    await expectRecordedFailure(current, result, /refused the login[\s\S]*ESTELLE_PASSWORD/);
    expect(result.screenshots.some((f) => f.includes('login-refused'))).toBe(true);
    // the password never reaches the artifacts' text
    const log = await readFile(result.stepLog, 'utf8');
    expect(log).not.toContain('not-the-password');
  }, 45_000);

  it('locked account', async () => {
    current = await scene({ password: 'wrong', scenario: { faults: { lockAfterFailures: 1 } } });
    const result = await current.run();
    await expectRecordedFailure(current, result, /locked[\s\S]*Unlock the account/);
  }, 45_000);

  it('no credentials and no saved session', async () => {
    current = await scene({});
    const result = await current.run({ env: { ...current.env, username: undefined, password: undefined } });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/ESTELLE_USERNAME/);
  }, 45_000);

  it('site down for maintenance', async () => {
    current = await scene({ scenario: { faults: { maintenance: true } } });
    const result = await current.run();
    await expectRecordedFailure(current, result, /not working[\s\S]*maintenance/);
  }, 45_000);

  it('site failing at midnight past the retry window', async () => {
    current = await scene({
      config: { retry: { windowSeconds: 2, maxPerSecond: 4 } },
      scenario: {
        faults: { serverErrors: { fromMs: -1000, toMs: 60_000, status: 503, scope: 'availability' } },
      },
    });
    const result = await current.run();
    await expectRecordedFailure(current, result, /did not appear within 2 s[\s\S]*HTTP status 503/);
    const tries = current.venue.requests().filter((r) => r.path.includes('/slots'));
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries.length).toBeLessThanOrEqual(14);
  }, 45_000);

  it("a selector that finds nothing names the profile key, the selector and the page, and when the shot went on the venue's clock", async () => {
    // The venue's clock 1.5 s ahead: a fire time on the run's own clock would read 1.5 s early.
    current = await scene({ skewMs: 1_500, scenario: { faults: { markupDrift: true } } });
    const result = await current.run();
    expect(Math.abs(Date.parse(result.firedAt!) - current.releaseServerMs)).toBeLessThan(200);
    await expectRecordedFailure(
      current,
      result,
      /slots\.time\.read \("span\.slot_start"\) found nothing on http:\/\/127\.0\.0\.1:\d+\/spa\/\d+/,
    );
    expect(
      result.screenshots.some(
        (f) => f.includes('missing-slots.time.read') || f.includes('missing-slots-time-read'),
      ),
    ).toBe(true);
    expect(current.venue.requests().filter((r) => isBooking(r.path))).toHaveLength(0);
  }, 45_000);

  it('session expired at midnight: logs in again and books', async () => {
    current = await scene({ scenario: { faults: { revokeSessionsAt: '00:00:00' } } });
    const steps: string[] = [];
    const result = await current.run({ onStep: (s) => void steps.push(s) });
    expect(steps).toContain('session-lost');
    expect(result.outcome).toBe('booked');
    expect(memberBookings(current.venue)).toHaveLength(1);
  }, 50_000);

  it('a confirmation that My bookings does not back up is "unverified", loudly', async () => {
    current = await scene({});
    let browser: Browser | undefined;
    // Right after the confirmation, My bookings shows a (logged-in) page without the booking.
    const result = await current.run({
      browserFactory: async () => (browser = await launchBrowser()),
      onStep: async (step) => {
        if (step !== 'confirmed') return;
        await browser!.contexts()[0]!.route('**/page/my-bookings', (route) =>
          route.fulfill({
            contentType: 'text/html',
            body: '<html><body><span data-member-email="member@example.com">Alex</span><p class="no-bookings">None</p></body></html>',
          }),
        );
      },
    });
    expect(result.outcome).toBe('unverified');
    expect(result.exitCode).not.toBe(0);
    expect(result.message).toMatch(/^UNVERIFIED: .*not listed on My bookings/);
    const entry = (await current.status()).bookings[`${current.date} 19:00`]!;
    expect(entry).toMatchObject({ state: 'unverified', reference: result.reference });
    expect(result.screenshots.some((f) => f.includes('my-bookings'))).toBe(true);
    expect(result.screenshots.some((f) => f.includes('confirmation'))).toBe(true);
  }, 45_000);

  it('logs in again to verify when the venue drops the session right after booking', async () => {
    current = await scene({});
    const venue = current.venue;
    const result = await current.run({
      onStep: (step) => {
        if (step === 'confirmed') venue.revokeSessions();
      },
    });
    expect(result.outcome).toBe('booked');
    expect(memberBookings(venue)).toHaveLength(1);
  }, 45_000);

  it('the browser crashing', async () => {
    current = await scene({});
    let browser: Browser | undefined;
    const result = await current.run({
      browserFactory: async () => (browser = await launchBrowser()),
      onStep: async (step) => {
        if (step === 'armed') await browser?.close();
      },
    });
    await expectRecordedFailure(current, result, /browser stopped unexpectedly/);
  }, 45_000);

  it('killed mid-run: the status file is left intact', async () => {
    current = await scene({ leadMs: 120_000 });
    const before =
      JSON.stringify(
        {
          version: 1,
          bookings: {
            '2026-01-01 19:00': {
              key: '2026-01-01 19:00',
              date: '2026-01-01',
              state: 'booked',
              bookedTime: '19:00',
              court: 'Padel Court 1',
              reference: 'EM-AAAAAA',
              updatedAt: '2025-12-18T00:00:00.120Z',
              attempts: [{ startedAt: '2025-12-17T23:50:00.000Z', outcome: 'booked' }],
            },
          },
        },
        null,
        2,
      ) + '\n';
    await writeFile(current.paths.status, before);
    const out = join(current.dir, 'killed');
    const now = DateTime.fromMillis(current.clock.now()).toISO()!;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/book.ts',
        '--out',
        out,
        '--bookings',
        current.paths.bookings,
        '--status',
        current.paths.status,
        '--config',
        current.paths.config,
        '--session',
        current.paths.storageState,
      ],
      {
        env: {
          ...process.env,
          BOOKER_NOW: now,
          ESTELLE_BASE_URL: current.venue.url,
          ESTELLE_USERNAME: current.env.username,
          ESTELLE_PASSWORD: current.env.password,
        },
        stdio: 'pipe',
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never armed:\n${output}`)), 25_000);
      child.stdout.on('data', () => {
        if (/ armed /.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(await readFile(current.paths.status, 'utf8')).toBe(before);
    expect(existsSync(join(out, 'steps.jsonl'))).toBe(true);
    // The next run takes over the dead run's lock and carries on (here: a dry run, right away).
    const next = await current.run({ dryRun: true, noWait: true, date: current.date });
    expect(next.outcome).toBe('dry-run');
  }, 45_000);
});

describe('a court booked is never lost to a failure to write it down', () => {
  it('the status file cannot be written after the booking: still booked, loudly, with exit code 4 and the status kept', async () => {
    current = await scene({});
    const stateDir = join(current.dir, 'state');
    await mkdir(stateDir, { recursive: true });
    const status = join(stateDir, 'status.json');
    const result = await current.run({
      paths: { ...current.paths, status },
      onStep: async (step) => {
        // Right after arming, the status folder becomes unwritable (here: a file where the folder was,
        // which even root cannot write through; a read-only folder or a full disk fail the same way).
        if (step !== 'armed') return;
        await rm(stateDir, { recursive: true, force: true });
        await writeFile(stateDir, 'not a folder');
      },
    });
    expect(result.outcome).toBe('booked');
    expect(result.exitCode).toBe(4);
    expect(result.message).toMatch(
      /^Booked Padel Court 1[\s\S]*could NOT be written[\s\S]*status-unrecorded\.json/,
    );
    expect(memberBookings(current.venue)).toHaveLength(1);
    expect(result.unrecorded?.statusText).toContain(result.reference!);
    const kept = JSON.parse(await readFile(result.unrecorded!.keptAt!, 'utf8')) as {
      bookings: Record<string, { state: string }>;
    };
    expect(kept.bookings[`${current.date} 19:00`]?.state).toBe('booked');
  }, 45_000);
});
