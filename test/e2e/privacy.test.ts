import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync, zipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright';
import { launchBrowser } from '../../src/browser/launch.ts';
import { LoginRefusedError } from '../../src/venue/errors.ts';
import { loadProfile } from '../../src/venue/profile.ts';
import { Screenshots } from '../../src/venue/screenshots.ts';
import { logIn } from '../../src/venue/session.ts';
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

type Box = { x: number; y: number; width: number; height: number };

/** The share of a PNG's pixels inside `box` that are exactly the mask colour (#444), decoded by Chromium. */
async function maskedShare(browser: Browser, png: Buffer, box: Box): Promise<number> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(
      async ({ data, box }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${data}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d')!;
        context.drawImage(image, 0, 0);
        // One pixel in from each edge: the mask's box is the element's, rounded.
        const pixels = context.getImageData(box.x + 1, box.y + 1, box.width - 2, box.height - 2).data;
        let masked = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          if (pixels[i] === 0x44 && pixels[i + 1] === 0x44 && pixels[i + 2] === 0x44) masked += 1;
        }
        return masked / (pixels.length / 4);
      },
      { data: png.toString('base64'), box },
    );
  } finally {
    await page.close();
  }
}

async function boxOf(page: Page, selector: string): Promise<Box> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on the page`);
  const scroll = await page.evaluate(() => ({ x: window.scrollX, y: window.scrollY }));
  return {
    x: Math.ceil(box.x + scroll.x),
    y: Math.ceil(box.y + scroll.y),
    width: Math.floor(box.width),
    height: Math.floor(box.height),
  };
}

describe('screenshots', () => {
  it('mask the e-mail and password fields on the login-failure page, and the member marker once logged in', async () => {
    const venue = await startSandbox();
    cleanups.push(() => venue.stop());
    const browser = await launchBrowser();
    cleanups.push(() => browser.close());
    const dir = await mkdtemp(join(tmpdir(), 'shots-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const profile = await loadProfile('estelle', venue.url);
    const shots = new Screenshots(dir, profile);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const member = venue.members[0]!;
    const ctx = { profile, shots, timeoutMs: 10_000 };

    // The engine's own login, refused: it screenshots the failure page, which shows the e-mail typed.
    await expect(logIn(page, ctx, { username: member.email, password: 'not-the-password' })).rejects.toThrow(
      LoginRefusedError,
    );
    expect(await page.locator(profile.login.email).inputValue()).toBe(member.email);
    const refused = shots.files.find((f) => f.endsWith('login-refused.png'));
    expect(refused).toBeDefined();
    const emailBox = await boxOf(page, profile.login.email);
    const unmasked = await page.screenshot({ fullPage: true });
    // Without a mask the field is the page's own (white field, dark text): the check below can fail.
    expect(await maskedShare(browser, unmasked, emailBox)).toBeLessThan(0.2);
    expect(await maskedShare(browser, await readFile(refused!), emailBox)).toBeGreaterThan(0.98);
    // Any screenshot of that page (an error page, here) masks the same.
    const error = await shots.take(page, 'error');
    expect(await maskedShare(browser, await readFile(error!), emailBox)).toBeGreaterThan(0.98);
    await page.locator(profile.login.password).fill('typed-but-not-sent');
    const withPassword = await shots.take(page, 'error-password');
    const passwordBox = await boxOf(page, profile.login.password);
    expect(await maskedShare(browser, await readFile(withPassword!), passwordBox)).toBeGreaterThan(0.98);

    // Logged in: the member chip (e-mail and name) is masked.
    await logIn(page, ctx, { username: member.email, password: member.password });
    const home = await shots.take(page, 'logged-in');
    const chip = await boxOf(page, profile.login.loggedIn);
    expect(await maskedShare(browser, await page.screenshot({ fullPage: true }), chip)).toBeLessThan(0.5);
    expect(await maskedShare(browser, await readFile(home!), chip)).toBeGreaterThan(0.98);
  }, 60_000);
});
