import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { memberBookings, scene, type Scene } from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('the session, the click path and the page', () => {
  it('reuses the saved session on the next run instead of typing the password again', async () => {
    current = await scene({ leadMs: 3 * 60_000 });
    const steps: Record<string, unknown>[] = [];
    const onStep = (name: string, data?: Record<string, unknown>) => {
      if (name === 'logged-in') steps.push(data ?? {});
    };
    await current.run({ dryRun: true, noWait: true, date: current.date, onStep });
    await current.run({ dryRun: true, noWait: true, date: current.date, onStep });
    expect(steps).toEqual([{ restored: false }, { restored: true }]);
    expect(current.venue.requests().filter((r) => r.outcome === 'logged-in')).toHaveLength(1);
  }, 45_000);

  it('gets through overlays, a hidden date field and a venue that refuses deep links; books past a stale CSRF token', async () => {
    current = await scene({
      scenario: {
        overlays: { cookieBanner: true, marketing: true, marketingDelayMs: 400 },
        hideDateInput: true,
        requireClickPath: true,
        faults: { rotateCsrf: true },
      },
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    const bookingOutcomes = current.venue
      .requests()
      .filter((r) => /\/spa\/\d+\/book$/.test(r.path))
      .map((r) => r.outcome);
    expect(bookingOutcomes).toEqual(['csrf', 'booked']);
    expect(memberBookings(current.venue)).toHaveLength(1);
  }, 45_000);

  it('records a Playwright trace only after login, paused while logging in again: the password is never in it', async () => {
    current = await scene({ scenario: { faults: { revokeSessionsAt: '23:59:56' } } });
    const result = await current.run({ trace: true });
    expect(result.outcome).toBe('booked');
    const traces = (await readdir(result.outDir)).filter((f) => f.startsWith('trace-') && f.endsWith('.zip'));
    expect(traces.length).toBeGreaterThanOrEqual(2); // one chunk before the re-login, one after
    for (const trace of traces) {
      const text = execFileSync('unzip', ['-p', `${result.outDir}/${trace}`], {
        maxBuffer: 200 * 1024 * 1024,
      }).toString('latin1');
      expect(text.length).toBeGreaterThan(1000);
      expect(text).not.toContain(current.env.password!);
    }
  }, 50_000);
});
