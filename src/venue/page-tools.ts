import type { Locator, Page, Response } from 'playwright';
import type { Match, VenueProfile } from './profile.ts';
import { SelectorMissingError, SiteDownError } from './errors.ts';
import type { Screenshots } from './screenshots.ts';

/** The page-level things every venue step needs: the profile, screenshots, generous timeouts. */
export type VenueContext = {
  profile: VenueProfile;
  shots: Screenshots;
  /** How long to wait for one element or page (pages near midnight can take 10-20 s). */
  timeoutMs: number;
};

/** Reads a dotted profile key ("navigation.0.click") for error messages. */
export function selectorOf(profile: VenueProfile, key: string): string {
  let value: unknown = profile;
  for (const part of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Match).selector === 'string')
    return (value as Match).selector!;
  throw new Error(`profile key ${key} is not a selector`);
}

/** A profile text test as Playwright's hasText: a RegExp for "/…/flags", else the (case-insensitive) text. */
export function hasTextOf(pattern: string): string | RegExp {
  const literal = /^\/(.*)\/([dgimsuy]*)$/s.exec(pattern);
  return literal && pattern.length > 2 ? new RegExp(literal[1]!, literal[2]) : pattern;
}

/** A locator for a profile Match (an element, and/or text it contains). */
export function locatorFor(page: Page, match: Match): Locator {
  const base = page.locator(match.selector ?? 'body');
  return match.text ? base.filter({ hasText: hasTextOf(match.text) }) : base;
}

/**
 * Waits for the element named by a profile key to be visible (optionally with some text) and
 * returns it; else throws SelectorMissingError naming the key, the selector and the URL, with a
 * screenshot.
 */
export async function need(
  page: Page,
  ctx: VenueContext,
  key: string,
  options: {
    hasText?: string | RegExp;
    state?: 'visible' | 'attached';
    timeoutMs?: number;
    step?: string;
  } = {},
): Promise<Locator> {
  const selector = selectorOf(ctx.profile, key);
  let locator = page.locator(selector);
  if (options.hasText !== undefined) locator = locator.filter({ hasText: options.hasText });
  locator = locator.first();
  try {
    await locator.waitFor({ state: options.state ?? 'visible', timeout: options.timeoutMs ?? ctx.timeoutMs });
    return locator;
  } catch (error) {
    if (page.isClosed()) throw error;
    const shot = await ctx.shots.take(page, `missing-${key}`);
    const described =
      options.hasText !== undefined ? `${selector} with text ${String(options.hasText)}` : selector;
    throw new SelectorMissingError(key, described, page.url(), shot, options.step);
  }
}

/** Clicks every visible overlay from the profile, then presses Escape. Never fails. */
export async function dismissOverlays(page: Page, ctx: VenueContext): Promise<void> {
  for (const selector of ctx.profile.overlays) {
    const overlay = page.locator(selector).first();
    if (await overlay.isVisible().catch(() => false)) {
      await overlay.click({ timeout: 2_000 }).catch(() => undefined);
    }
  }
  await page.keyboard.press('Escape').catch(() => undefined);
}

/**
 * Clicks like a member would; when an overlay (cookie banner, marketing pop-up that appeared late)
 * intercepts the click, closes the overlays and tries again, and finally clicks the element itself
 * (a DOM click, which no overlay can block).
 */
export async function clickThrough(page: Page, ctx: VenueContext, locator: Locator): Promise<void> {
  try {
    await locator.click({ timeout: 3_000 });
    return;
  } catch {
    await dismissOverlays(page, ctx);
  }
  try {
    await locator.click({ timeout: 3_000 });
  } catch {
    await locator.dispatchEvent('click');
  }
}

/** The main document's response of a page load: its status and Retry-After (seconds). */
export type Loaded = { status?: number; retryAfterSeconds?: number; url: string };

function loaded(page: Page, response: Response | null | undefined): Loaded {
  const retryAfter = Number(response?.headers()['retry-after']);
  return {
    ...(response ? { status: response.status() } : {}),
    ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
    url: page.url(),
  };
}

/** Loads a URL and returns its status (a 4xx/5xx is returned, not thrown). */
export async function goTo(page: Page, ctx: VenueContext, url: string): Promise<Loaded> {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: ctx.timeoutMs });
  return loaded(page, response);
}

/**
 * Runs an action that loads a new page in the main frame (a link, a GET form, a POST form with its
 * redirect) and waits until that page's document is parsed; returns its final response's status and
 * Retry-After, and what the action returned. An action whose own call fails because the page went
 * away (an evaluate that clicked a submit button) is fine: the navigation is what counts.
 */
export async function navigateBy<T>(
  page: Page,
  ctx: VenueContext,
  action: () => Promise<T>,
): Promise<Loaded & { acted?: T }> {
  const responses: Response[] = [];
  const onResponse = (r: Response) => {
    if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) responses.push(r);
  };
  page.on('response', onResponse);
  let acted: T | undefined;
  try {
    const committed = page.waitForEvent('framenavigated', {
      predicate: (frame) => frame === page.mainFrame(),
      timeout: ctx.timeoutMs,
    });
    committed.catch(() => undefined);
    acted = await action().catch((error: unknown) => {
      if (!/context was destroyed|navigat|Target page|detached/i.test(String(error))) throw error;
      return undefined;
    });
    await committed;
    await page.waitForLoadState('domcontentloaded', { timeout: ctx.timeoutMs });
  } finally {
    page.off('response', onResponse);
  }
  return { ...loaded(page, responses.at(-1)), ...(acted !== undefined ? { acted } : {}) };
}

/** Whether the page is the venue's sign-in page (the only place a lost session shows). */
export async function onLoginPage(page: Page, ctx: VenueContext): Promise<boolean> {
  const { login, paths } = ctx.profile;
  if (new URL(page.url()).pathname === paths.login) return true;
  const [password, member] = await Promise.all([
    page
      .locator(login.password)
      .count()
      .catch(() => 0),
    page
      .locator(login.loggedIn)
      .count()
      .catch(() => 0),
  ]);
  return password > 0 && member === 0;
}

/** Throws SiteDownError when the venue shows its maintenance page or answered 5xx. */
export async function assertNotMaintenance(page: Page, ctx: VenueContext, status?: number): Promise<void> {
  const maintenance = await locatorFor(page, ctx.profile.maintenance)
    .count()
    .catch(() => 0);
  if (maintenance > 0) throw new SiteDownError(`the maintenance page is shown at ${page.url()}`);
  if (status !== undefined && status >= 500) throw new SiteDownError(`${page.url()} answered HTTP ${status}`);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
