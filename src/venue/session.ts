import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright';
import { closeTab } from '../browser/close-tab.ts';
import { venueUrl } from './profile.ts';
import { LoginRefusedError, MissingCredentialsError } from './errors.ts';
import {
  assertNotMaintenance,
  clickThrough,
  dismissOverlays,
  locatorFor,
  need,
  type VenueContext,
} from './page-tools.ts';
import { PAGE_LIB_SOURCE, pageLib } from './page/index.ts';
import { parseStorageState } from './storage-state.ts';
import { scrubTrace } from './trace-scrub.ts';

export type Credentials = { username?: string; password?: string };

/**
 * Playwright tracing for the run's artifacts, holding no secret:
 * - it starts only after the first login, and a later login stops it (saving trace-<n>.zip) and starts
 *   a fresh one afterwards (stopping only a chunk is not enough: the login's network request would still
 *   be carried into the next chunk);
 * - Playwright always records the network (cookies, Set-Cookie, request bodies), so each part is
 *   recorded into a private temporary folder and scrubbed (scrubTrace) before it is written to its
 *   place in the artifacts; a part that cannot be proven clean is dropped, never written (`dropped`);
 * - no screencast: its frames are pixels that cannot be scrubbed and show the member chip; the DOM
 *   snapshots show the same pages.
 */
export class Tracer {
  private active = false;
  private part = 0;
  readonly files: string[] = [];
  /** Why a part was not kept (it could not be scrubbed). */
  readonly dropped: string[] = [];
  constructor(
    private readonly context: BrowserContext,
    private readonly pathFor: ((part: number) => string) | undefined,
    private readonly options: {
      /** Values that must not be in a trace (the login, the member's name); cookies are found by the Tracer. */
      secrets?: () => Iterable<string | undefined>;
    } = {},
  ) {}

  /** Starts a new trace file (a fresh recording: nothing from before is carried into it). */
  async start(): Promise<void> {
    if (!this.pathFor || this.active) return;
    await this.context.tracing.start({ screenshots: false, snapshots: true });
    this.active = true;
  }

  /** Stops and saves the current trace file (scrubbed); the next start() begins a new one. */
  async pause(): Promise<void> {
    if (!this.pathFor || !this.active) return;
    this.active = false;
    this.part += 1;
    const file = this.pathFor(this.part);
    // mkdtemp makes the folder readable by this user only; the raw trace never goes near the artifacts.
    const privateDir = await mkdtemp(join(tmpdir(), 'booker-trace-'));
    try {
      const raw = join(privateDir, 'raw.zip');
      await this.context.tracing.stop({ path: raw });
      const cookies = await this.context.cookies().catch(() => []);
      const { zip } = scrubTrace(await readFile(raw), {
        secrets: [...cookies.map((c) => c.value), ...(this.options.secrets?.() ?? [])],
      });
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, zip);
      this.files.push(file);
    } catch (error) {
      this.dropped.push(`${basename(file)}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await rm(privateDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async stop(): Promise<string[]> {
    await this.pause();
    return this.files;
  }
}

export type Session = {
  context: BrowserContext;
  page: Page;
  /** True when the saved session was still logged in (no password typed this run). */
  restored: boolean;
};

async function readStorageState(path: string | undefined): Promise<string | undefined> {
  if (!path || !existsSync(path)) return undefined;
  // A file that is not a saved session (corrupt, or JSON of another shape) is ignored: we log in
  // afresh and overwrite it. The same check the session cache makes (storage-state.ts).
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text !== undefined && parseStorageState(text).ok ? path : undefined;
}

export async function saveStorageState(context: BrowserContext, path: string | undefined): Promise<void> {
  if (!path) return;
  await mkdir(dirname(path), { recursive: true });
  await context.storageState({ path });
  await chmod(path, 0o600).catch(() => undefined);
}

/** Loads the home page and tells whether the member is logged in (the profile's loggedIn marker). */
export async function isLoggedIn(page: Page, ctx: VenueContext): Promise<boolean> {
  const response = await page.goto(venueUrl(ctx.profile, ctx.profile.paths.home), {
    waitUntil: 'domcontentloaded',
    timeout: ctx.timeoutMs,
  });
  await assertNotMaintenance(page, ctx, response?.status());
  const marker = page.locator(ctx.profile.login.loggedIn).or(page.locator(ctx.profile.login.email)).first();
  await marker.waitFor({ state: 'attached', timeout: ctx.timeoutMs }).catch(() => undefined);
  return (await page.locator(ctx.profile.login.loggedIn).count()) > 0;
}

/** Logs in with the credentials; the password never reaches a screenshot or a trace. */
export async function logIn(
  page: Page,
  ctx: VenueContext,
  credentials: Credentials,
  tracer?: Tracer,
): Promise<void> {
  if (!credentials.username || !credentials.password) throw new MissingCredentialsError();
  await tracer?.pause();
  const { login } = ctx.profile;
  const response = await page.goto(venueUrl(ctx.profile, ctx.profile.paths.login), {
    waitUntil: 'domcontentloaded',
    timeout: ctx.timeoutMs,
  });
  await assertNotMaintenance(page, ctx, response?.status());
  await dismissOverlays(page, ctx);
  await (await need(page, ctx, 'login.email')).fill(credentials.username);
  await (await need(page, ctx, 'login.password')).fill(credentials.password);
  await clickThrough(page, ctx, await need(page, ctx, 'login.submit'));
  const outcome = page
    .locator(login.loggedIn)
    .or(page.locator(login.error))
    .or(locatorFor(page, ctx.profile.maintenance))
    .first();
  await outcome.waitFor({ state: 'attached', timeout: ctx.timeoutMs }).catch(() => undefined);
  await assertNotMaintenance(page, ctx);
  if ((await page.locator(login.loggedIn).count()) > 0) return;
  const error = page.locator(login.error).first();
  if ((await error.count()) > 0) {
    const text = ((await error.textContent()) ?? '').trim();
    const code = (await error.getAttribute('data-error-code')) ?? '';
    await ctx.shots.take(page, 'login-refused');
    const locked = pageLib.textMatches(code, login.locked) || pageLib.textMatches(text, login.locked);
    throw new LoginRefusedError(text || code || 'login refused', locked);
  }
  await need(page, ctx, 'login.loggedIn', { state: 'attached', timeoutMs: 1 });
}

/** A browser context for the venue: its time zone, generous timeouts, and the booker's in-page library on every page. */
export async function venueContext(
  browser: Browser,
  ctx: VenueContext,
  storageState?: string,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    ...(storageState ? { storageState } : {}),
    viewport: { width: 1280, height: 900 },
    locale: ctx.profile.locale,
    timezoneId: ctx.profile.timeZone,
  });
  context.setDefaultTimeout(ctx.timeoutMs);
  context.setDefaultNavigationTimeout(ctx.timeoutMs);
  await context.addInitScript({ content: PAGE_LIB_SOURCE });
  return context;
}

/**
 * Opens a browser context with the saved session (when there is one and it is still logged in),
 * else logs in with the credentials; saves the session afterwards.
 */
export async function openSession(
  browser: Browser,
  ctx: VenueContext,
  options: { storageStatePath?: string; credentials: Credentials },
): Promise<Session> {
  const saved = await readStorageState(options.storageStatePath);
  const context = await venueContext(browser, ctx, saved);
  const page = await context.newPage();
  let restored = false;
  try {
    if (saved && (await isLoggedIn(page, ctx))) {
      restored = true;
    } else {
      await logIn(page, ctx, options.credentials);
      await saveStorageState(context, options.storageStatePath);
    }
  } catch (error) {
    // The page is lost to the caller: keep what it showed (password fields are masked).
    await ctx.shots.take(page, 'login-failed');
    throw error;
  }
  return { context, page, restored };
}

/** Logs in again on the session's own page after the venue ended the session; the caller re-arms it. */
export async function logInAgain(
  session: Session,
  ctx: VenueContext,
  options: { storageStatePath?: string; credentials: Credentials; tracer?: Tracer },
): Promise<void> {
  await logIn(session.page, ctx, options.credentials, options.tracer);
  await saveStorageState(session.context, options.storageStatePath);
  await options.tracer?.start();
}

/**
 * Re-checks the session in a second tab (the armed tab is left alone). Logs in again when the
 * venue has dropped it. Returns true when a new login was needed.
 */
export async function recheckSession(
  session: Session,
  ctx: VenueContext,
  options: {
    storageStatePath?: string;
    credentials: Credentials;
    tracer?: Tracer;
    /** Gives the check up: its tab is closed, and the call rejects. */
    signal?: AbortSignal;
  },
): Promise<boolean> {
  const probe = await session.context.newPage();
  const giveUp = () => void closeTab(probe);
  if (options.signal?.aborted) giveUp();
  options.signal?.addEventListener('abort', giveUp, { once: true });
  try {
    if (await isLoggedIn(probe, ctx)) return false;
    await logIn(probe, ctx, options.credentials, options.tracer);
    await saveStorageState(session.context, options.storageStatePath);
    return true;
  } finally {
    options.signal?.removeEventListener('abort', giveUp);
    await closeTab(probe);
    // Given up mid-login, the venue may already have renewed the session: the run fires on it, and that
    // shot belongs in the trace. Resumed once the probe (and any login request of its own) is gone.
    await options.tracer?.start().catch(() => undefined);
  }
}
