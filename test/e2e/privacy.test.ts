import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../src/browser/launch.ts';
import { scrubTrace, TraceScrubError } from '../../src/venue/trace-scrub.ts';
import { startSandbox } from '../sandbox/index.ts';
import { login } from '../sandbox/helpers.ts';
import { scene, type Scene } from './harness.ts';

let current: Scene | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await current?.stop();
  current = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Every entry of a zip, decompressed, as latin1 text (every byte kept, so binary entries are searched too). */
function entriesOf(zip: Uint8Array): Map<string, string> {
  return new Map(
    Object.entries(unzipSync(zip)).map(([name, bytes]) => [name, Buffer.from(bytes).toString('latin1')]),
  );
}

/** Where each value occurs: `{ value: [entry, …] }`, only for values found. */
function occurrences(zip: Uint8Array, values: string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, text] of entriesOf(zip)) {
    for (const value of values) {
      const spellings = [value, encodeURIComponent(value), Buffer.from(value, 'utf8').toString('latin1')];
      if (spellings.some((s) => text.includes(s))) (found[value] ??= []).push(name);
    }
  }
  return found;
}

async function sessionToken(storageStatePath: string): Promise<string> {
  const state = JSON.parse(await readFile(storageStatePath, 'utf8')) as {
    cookies: { name: string; value: string }[];
  };
  const cookie = state.cookies.find((c) => c.name === 'em_session');
  if (!cookie) throw new Error('no session cookie in the saved session');
  return cookie.value;
}

describe('traces that leave the runner', () => {
  it('hold no session cookie, password, e-mail or member name, across a re-login, and are still traces', async () => {
    current = await scene({ scenario: { faults: { revokeSessionsAt: '23:59:56' } } });
    const member = current.venue.members[0]!;
    const tokens: string[] = [];
    const paths = current.paths;
    const result = await current.run({
      trace: true,
      onStep: async (name) => {
        // The session is saved right after each login: its cookie is the live token.
        if (name === 'logged-in' || name === 'session-renewed')
          tokens.push(await sessionToken(paths.storageState));
      },
    });
    expect(result.outcome).toBe('booked');
    tokens.push(await sessionToken(paths.storageState));
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(2); // the venue revoked the first session

    const traces = (await readdir(result.outDir)).filter((f) => /^trace-\d+\.zip$/.test(f));
    expect(traces.length).toBeGreaterThanOrEqual(2);
    let snapshots = 0;
    for (const trace of traces) {
      const zip = new Uint8Array(await readFile(join(result.outDir, trace)));
      // The home page greets the member by first name: masked too.
      const firstName = member.name.split(' ')[0]!;
      expect(occurrences(zip, [...tokens, member.password, member.email, member.name, firstName])).toEqual(
        {},
      );
      const entries = entriesOf(zip);
      // Still a trace: the actions, the network log and the DOM of the pages the engine went through.
      expect([...entries.keys()].filter((n) => n.startsWith('screencast/'))).toEqual([]);
      const events = entries
        .get('trace.trace')!
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string });
      snapshots += events.filter((e) => e.type === 'frame-snapshot').length;
      expect(entries.get('trace.trace')).toContain('Padel Court');
      expect(entries.get('trace.network')).toContain('[redacted]');
    }
    expect(snapshots).toBeGreaterThan(10);
  }, 60_000);

  it('the scrubber finds and removes them in a raw Playwright trace that recorded the login itself', async () => {
    const venue = await startSandbox();
    cleanups.push(() => venue.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const context = await browser.newContext();
    const page = await context.newPage();
    await context.tracing.start({ screenshots: true, snapshots: true });
    await login(page, venue);
    await page.goto(`${venue.url}/page/my-bookings`);
    const dir = await mkdtemp(join(tmpdir(), 'raw-trace-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await context.tracing.stop({ path: join(dir, 'raw.zip') });
    const token = (await context.cookies()).find((c) => c.name === 'em_session')!.value;
    const member = venue.members[0]!;
    const values = [token, member.password, member.email, member.name];

    const raw = new Uint8Array(await readFile(join(dir, 'raw.zip')));
    // Unscrubbed, Playwright's trace holds all of them: this is what the Tracer must never write to out/.
    const before = occurrences(raw, values);
    expect(Object.keys(before).sort()).toEqual([...values].sort());
    expect(before[token]).toContain('trace.network');

    // Nothing handed in: the scrubber finds the cookie, what was typed, the e-mail and the name itself.
    const { zip } = scrubTrace(raw);
    expect(occurrences(zip, values)).toEqual({});
    const network = strFromU8(unzipSync(zip)['trace.network']!);
    expect(network).toContain('/page/my-bookings');
    expect(network).not.toMatch(/"name":"Cookie","value":"(?!\[redacted\])/i);
  }, 60_000);

  it('refuses (rather than writes) a trace it cannot clean', () => {
    const zip = zipSync({
      'trace.trace': new TextEncoder().encode('{"type":"context-options"}\n'),
      'resources/blob.bin': new Uint8Array([0, 1, ...new TextEncoder().encode('correct-horse-battery'), 0]),
    });
    expect(() => scrubTrace(zip, { secrets: ['correct-horse-battery'] })).toThrow(TraceScrubError);
  });
});
