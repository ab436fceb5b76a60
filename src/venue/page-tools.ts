import type { Locator, Page } from 'playwright';
import type { VenueProfile } from './profile.ts';
import { SelectorMissingError } from './errors.ts';
import type { Screenshots } from './screenshots.ts';

/** The page-level things every venue step needs: the profile, screenshots, generous timeouts. */
export type VenueContext = {
  profile: VenueProfile;
  shots: Screenshots;
  /** How long to wait for one element or page (pages near midnight can take 10-20 s). */
  timeoutMs: number;
};

/** Reads a dotted profile key ("navigation.bookNow") for error messages. */
export function selectorOf(profile: VenueProfile, key: string): string {
  let value: unknown = profile;
  for (const part of key.split('.')) value = (value as Record<string, unknown>)[part];
  if (typeof value !== 'string') throw new Error(`profile key ${key} is not a selector`);
  return value;
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
  options: { hasText?: string | RegExp; state?: 'visible' | 'attached'; timeoutMs?: number } = {},
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
    throw new SelectorMissingError(key, described, page.url(), shot);
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
