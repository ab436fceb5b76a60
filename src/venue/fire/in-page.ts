import type { Page } from 'playwright';
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
  const outcome = (await page.evaluate(`window.__bookerLib.fire(${JSON.stringify(args)})`)) as FireOutcome;
  if (outcome.kind === 'selector-missing') {
    const shot = await ctx.shots.take(page, `missing-${outcome.key}`);
    throw new SelectorMissingError(outcome.key ?? '?', outcome.selector ?? '?', page.url(), shot, 'the fire');
  }
  return outcome;
}
