import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser } from 'playwright';
import { afterEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../src/browser/launch.ts';
import { loadProfile } from '../../src/venue/profile.ts';
import { Screenshots } from '../../src/venue/screenshots.ts';
import { openSession, recheckSession, Tracer } from '../../src/venue/session.ts';
import { startSandbox } from '../sandbox/index.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the session re-check before the release', () => {
  it('given up in the middle of logging in again, leaves the trace recording for the shot', async () => {
    const venue = await startSandbox();
    cleanups.push(() => venue.stop());
    const browser: Browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const dir = await mkdtemp(join(tmpdir(), 'recheck-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const profile = await loadProfile('estelle', venue.url);
    const ctx = { profile, shots: new Screenshots(dir, profile), timeoutMs: 10_000 };
    const member = venue.members[0]!;
    const credentials = { username: member.email, password: member.password };

    const session = await openSession(browser, ctx, { credentials });
    const tracer = new Tracer(session.context, (n) => join(dir, `trace-${n}.zip`));
    await tracer.start();
    expect(venue.revokeSessions(member.email)).toBe(1);

    // The run gives the check up (its deadline, 750 ms before the release) the moment the venue has
    // answered the new login: the session is renewed, and what the check had still to do is not done.
    const giveUp = new AbortController();
    session.context.on('response', (response) => {
      const request = response.request();
      if (request.method() === 'POST' && new URL(request.url()).pathname === profile.paths.login)
        giveUp.abort();
    });
    // Given up, the check may end either way (its tab closed mid-login, or Chromium finishing the
    // login's navigation first); the run no longer waits for it, so only what it leaves behind matters.
    await recheckSession(session, ctx, { credentials, tracer, signal: giveUp.signal }).catch(() => false);
    expect(giveUp.signal.aborted).toBe(true);

    // The shot, on the armed page: it must be in the run's trace.
    await session.page.goto(`${venue.url}${profile.paths.home}`);
    await tracer.stop();
    expect((await readdir(dir)).filter((f) => f.startsWith('trace-')).sort()).toEqual([
      'trace-1.zip',
      'trace-2.zip',
    ]);
    const resumed = Object.values(unzipSync(new Uint8Array(await readFile(join(dir, 'trace-2.zip')))))
      .map((bytes) => Buffer.from(bytes).toString('latin1'))
      .join('\n');
    expect(resumed).toContain(profile.paths.home === '/' ? venue.url : profile.paths.home);
    expect(resumed).not.toContain(member.password); // resumed after the probe's login, not during it
  }, 60_000);
});
