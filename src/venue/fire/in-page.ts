import type { CDPSession, Page } from 'playwright';
import { venueUrl } from '../profile.ts';
import { SelectorMissingError } from '../errors.ts';
import { pageProfile, type FireOutcome } from '../page/index.ts';
import type { VenueContext } from '../page-tools.ts';
import { fireArgs, type FirePlan } from './plan.ts';

/**
 * The in-page strategy, for single-page flows (the slots render in the day view, confirm is a dialog):
 * the whole post-release path runs inside the page in one evaluate (`__bookerLib.fire`, installed on
 * every page by the session), so no protocol round trip sits between the release and the clicks.
 * A selector the profile names that found nothing becomes SelectorMissingError with a screenshot.
 */
export async function fireInPage(page: Page, ctx: VenueContext, plan: FirePlan): Promise<FireOutcome> {
  const args = fireArgs(
    ctx.profile,
    plan,
    pageProfile(ctx.profile),
    venueUrl(ctx.profile, ctx.profile.paths.myBookings),
  );
  // A volley's presses ask for the same URL: Chromium's HTTP cache would hold each one back until the one
  // before it is answered (its cache lock), so the cache is off while they fly.
  const uncached = args.volley ? await withoutHttpCache(page) : undefined;
  if (args.volley && !uncached) delete args.volley; // no way to turn it off: one press at a time
  let outcome: FireOutcome;
  try {
    outcome = (await page.evaluate(`window.__bookerLib.fire(${JSON.stringify(args)})`)) as FireOutcome;
  } finally {
    await uncached?.restore();
  }
  if (outcome.kind === 'selector-missing') {
    const shot = await ctx.shots.take(page, `missing-${outcome.key}`);
    throw new SelectorMissingError(outcome.key ?? '?', outcome.selector ?? '?', page.url(), shot, 'the fire');
  }
  return outcome;
}

/** Turns the page's HTTP cache off (Chromium, over CDP); undefined when it cannot. */
export async function withoutHttpCache(page: Page): Promise<{ restore: () => Promise<void> } | undefined> {
  let cdp: CDPSession | undefined;
  try {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  } catch {
    await cdp?.detach().catch(() => undefined);
    return undefined;
  }
  const session = cdp;
  return {
    restore: async () => {
      await session.send('Network.setCacheDisabled', { cacheDisabled: false }).catch(() => undefined);
      await session.detach().catch(() => undefined);
    },
  };
}
