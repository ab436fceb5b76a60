import { DateTime } from 'luxon';
import type { Page } from 'playwright';
import { venueUrl } from './profile.ts';
import { clickThrough, dismissOverlays, need, type VenueContext } from './page-tools.ts';
import { assertNotMaintenance } from './session.ts';
import { installFireScript } from './booker.ts';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Walks the site's click path to the day view of `date` (home → Book now → Padel Courts → the
 * month's button → /spa/<id>), closing overlays on the way, and sets the date field. Deep links
 * are refused by the real site, so the click path is the only way in.
 */
export async function openDayView(page: Page, ctx: VenueContext, date: string): Promise<void> {
  const { profile } = ctx;
  const response = await page.goto(venueUrl(profile, profile.paths.home), {
    waitUntil: 'domcontentloaded',
    timeout: ctx.timeoutMs,
  });
  await assertNotMaintenance(page, ctx, response?.status());
  await dismissOverlays(page, ctx);
  await clickThrough(page, ctx, await need(page, ctx, 'navigation.bookNow'));

  await assertNotMaintenance(page, ctx);
  // The entry's text holds the name (and perhaps a blurb): a case-insensitive substring match.
  const activityName = profile.navigation.activityName;
  await dismissOverlays(page, ctx);
  await clickThrough(page, ctx, await need(page, ctx, 'navigation.activity', { hasText: activityName }));

  await assertNotMaintenance(page, ctx);
  const month = DateTime.fromISO(date, { zone: profile.timeZone }).toFormat(profile.navigation.monthFormat, {
    locale: 'en-GB',
  });
  await dismissOverlays(page, ctx);
  const monthButton = await need(page, ctx, 'navigation.monthButton', {
    hasText: new RegExp(`^\\s*${escapeRegExp(month)}\\s*$`, 'i'),
  });
  await clickThrough(page, ctx, monthButton);

  await need(page, ctx, 'dayView.dateInput', { state: 'attached' });
  // The page's own scripts (which handle Show Availability) must have run before we arm.
  await page.waitForLoadState('load', { timeout: ctx.timeoutMs }).catch(() => undefined);
  await assertNotMaintenance(page, ctx);
  await dismissOverlays(page, ctx);
  await setDate(page, ctx, date);
  await installFireScript(page);
}

/** Sets the (possibly hidden) date picker by script and fires the events its own code listens to. */
export async function setDate(page: Page, ctx: VenueContext, date: string): Promise<void> {
  const value = DateTime.fromISO(date, { zone: ctx.profile.timeZone }).toFormat(
    ctx.profile.dayView.dateFormat,
  );
  await page.evaluate(
    `(() => {
      const input = document.querySelector(${JSON.stringify(ctx.profile.dayView.dateInput)});
      if (!input) return;
      input.value = ${JSON.stringify(value)};
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      if (window.jQuery) window.jQuery(input).val(${JSON.stringify(value)}).trigger('change');
    })()`,
  );
}
