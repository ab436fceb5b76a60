import type { Page } from 'playwright';
import { fillTemplate, formatSlot, venueUrl } from './profile.ts';
import {
  assertNotMaintenance,
  clickThrough,
  dismissOverlays,
  escapeRegExp,
  goTo,
  hasTextOf,
  locatorFor,
  navigateBy,
  need,
  onLoginPage,
  type Loaded,
  type VenueContext,
} from './page-tools.ts';
import { SessionLostError, StepError } from './errors.ts';
import type { SlotSeen } from './page/index.ts';

/**
 * Walks the site's click path from the home page to the day view of `date` (the profile's
 * `navigation` steps, e.g. home → Book now → Padel Courts → the month's button), closing overlays on
 * the way, and sets the date field when the site has one. Deep links are refused by the real site, so
 * the click path is the way in. A step that lands on the sign-in page means the session was lost.
 */
export async function walkToDayView(page: Page, ctx: VenueContext, date: string): Promise<void> {
  const { profile } = ctx;
  const home = await goTo(page, ctx, venueUrl(profile, profile.paths.home));
  await assertNotMaintenance(page, ctx, home.status);
  if (await onLoginPage(page, ctx)) throw new SessionLostError(page.url());
  for (const [index, step] of profile.navigation.entries()) {
    await dismissOverlays(page, ctx);
    const text = step.text ? fillTemplate(step.text, { date }, profile) : undefined;
    const hasText =
      text === undefined
        ? undefined
        : step.exact
          ? new RegExp(`^\\s*${escapeRegExp(text.trim()).replace(/\s+/g, '\\s+')}\\s*$`, 'i')
          : hasTextOf(text);
    const target = await need(page, ctx, `navigation.${index}.click`, {
      ...(hasText !== undefined ? { hasText } : {}),
      step: `navigation step ${index + 1}`,
    });
    if (step.navigates) {
      const loaded = await navigateBy(page, ctx, () => clickThrough(page, ctx, target));
      await assertNotMaintenance(page, ctx, loaded.status);
      if (await onLoginPage(page, ctx)) throw new SessionLostError(page.url());
    } else {
      await clickThrough(page, ctx, target);
    }
  }
  // The page's own scripts (which handle the day view) must have run before we arm.
  await page.waitForLoadState('load', { timeout: ctx.timeoutMs }).catch(() => undefined);
  await assertNotMaintenance(page, ctx);
  await dismissOverlays(page, ctx);
  if (profile.dayView.date) {
    await need(page, ctx, 'dayView.date.field', { state: 'attached', step: 'the day view' });
    await setDate(page, ctx, date);
  }
}

/** Sets the (possibly hidden) date picker by script and fires the events its own code listens to. */
export async function setDate(page: Page, ctx: VenueContext, date: string): Promise<void> {
  const field = ctx.profile.dayView.date;
  if (!field) return;
  const value = formatSlot(date, '00:00', field.format, ctx.profile);
  await page.evaluate(
    `(() => {
      const input = document.querySelector(${JSON.stringify(field.field)});
      if (!input) return;
      input.value = ${JSON.stringify(value)};
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      if (window.jQuery) window.jQuery(input).val(${JSON.stringify(value)}).trigger('change');
    })()`,
  );
}

/** What the day view showed after asking for a date. */
export type DayShown =
  | { kind: 'slots'; slots: SlotSeen[]; loaded?: Loaded }
  | { kind: 'not-open'; text: string; loaded?: Loaded }
  | { kind: 'busy'; status: number; retryAfterSeconds?: number; loaded?: Loaded }
  | { kind: 'session' };

/**
 * Asks the day view for `date`'s availability, the way the profile says (a URL, a button that loads a
 * page, or a button that renders in place), optionally at a precise instant (`startAtEpochMs`, the real
 * clock as the page reads it; the page does the last wait itself), and reads what it shows.
 */
export async function showDay(
  page: Page,
  ctx: VenueContext,
  date: string,
  options: { startAtEpochMs?: number; again?: string } = {},
): Promise<DayShown> {
  const { profile } = ctx;
  const apply = profile.dayView.apply;
  const at = options.startAtEpochMs ?? 0;
  let shown: Loaded | undefined;
  if (options.again) {
    shown = await navigateBy(page, ctx, () => actAt(page, at, { navigate: options.again! }));
  } else if ('url' in apply) {
    const url = venueUrl(profile, fillTemplate(apply.url, { date }, profile, { url: true }));
    shown = await navigateBy(page, ctx, () => actAt(page, at, { navigate: url }));
  } else {
    await setDate(page, ctx, date);
    if (apply.navigates) {
      shown = await navigateBy(page, ctx, () => actAt(page, at, { click: apply.click }));
    } else {
      await page.evaluate(
        `(() => { for (const el of document.querySelectorAll(${JSON.stringify(profile.slots.item)})) el.__bookerOld = true; })()`,
      );
      await actAt(page, at, { click: apply.click });
      await page
        .waitForFunction(
          `(() => {
            const L = window.__bookerLib;
            if (Array.from(document.querySelectorAll(${JSON.stringify(profile.slots.item)})).some((el) => !el.__bookerOld)) return true;
            return !!L.findMatch(document.body, ${JSON.stringify(profile.dayView.notOpen)}) || !!L.findMatch(document.body, ${JSON.stringify(profile.maintenance)});
          })()`,
          undefined,
          { timeout: ctx.timeoutMs, polling: 16 },
        )
        .catch(() => undefined);
    }
  }
  return readDay(page, ctx, shown);
}

/** Reads the day view as it is now: slots, the "not open" notice, a busy site, or the sign-in page. */
export async function readDay(page: Page, ctx: VenueContext, shown?: Loaded): Promise<DayShown> {
  const { profile } = ctx;
  if (await onLoginPage(page, ctx)) return { kind: 'session' };
  const status = shown?.status;
  if (status === 429 || (status !== undefined && status >= 500)) {
    return {
      kind: 'busy',
      status,
      ...(shown?.retryAfterSeconds !== undefined ? { retryAfterSeconds: shown.retryAfterSeconds } : {}),
      ...(shown ? { loaded: shown } : {}),
    };
  }
  if ((await locatorFor(page, profile.maintenance).count()) > 0) return { kind: 'busy', status: 503 };
  const slots = (await page.evaluate(
    `window.__bookerLib.describeSlots(${JSON.stringify(profile.slots)})`,
  )) as SlotSeen[];
  if (slots.length > 0) return { kind: 'slots', slots, ...(shown ? { loaded: shown } : {}) };
  const notOpen = locatorFor(page, profile.dayView.notOpen).first();
  if ((await notOpen.count()) > 0) {
    return {
      kind: 'not-open',
      text: ((await notOpen.textContent()) ?? '').trim(),
      ...(shown ? { loaded: shown } : {}),
    };
  }
  const shot = await ctx.shots.take(page, 'day-view-unknown');
  throw new StepError(
    'the day view',
    ['slots.item', 'dayView.notOpen'],
    `neither a slot (slots.item "${profile.slots.item}") nor the "not open" notice (dayView.notOpen) is shown`,
    page.url(),
    shot,
  );
}

/**
 * In the page: waits until the real clock reads `startAtEpochMs` (sleeping, then spinning the last
 * few ms), then clicks a selector or goes to a URL. Returns the page's epoch ms of the action.
 */
export async function actAt(
  page: Page,
  startAtEpochMs: number,
  action: { click: string } | { navigate: string },
): Promise<number | undefined> {
  return (await page.evaluate(
    `(async (a) => {
      if (a.at) {
        const target = a.at - (Date.now() - performance.now());
        while (target - performance.now() > 12) await new Promise((r) => setTimeout(r, Math.min(target - performance.now() - 10, 200)));
        while (performance.now() < target) { /* spin */ }
      }
      const t = performance.timeOrigin + performance.now();
      if (a.navigate) location.assign(a.navigate);
      else { const el = document.querySelector(a.click); if (!el) return -1; el.click(); }
      return t;
    })(${JSON.stringify({ at: startAtEpochMs, ...action })})`,
  )) as number | undefined;
}
