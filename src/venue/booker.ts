import { DateTime } from 'luxon';
import type { Page } from 'playwright';
import type { Clock } from '../calendar/clock.ts';
import { venueUrl } from './profile.ts';
import { SelectorMissingError } from './errors.ts';
import { FIRE_SCRIPT, type FireArgs, type FireOutcome } from './page-scripts.ts';
import type { VenueContext } from './page-tools.ts';
import { assertNotMaintenance } from './session.ts';

/** A booking the member holds, as listed on "My bookings". */
export type HeldBooking = { reference: string; date: string; time: string; court: string };

/** Reads "My bookings" (the profile's rows and their data attributes). */
export async function listMyBookings(page: Page, ctx: VenueContext): Promise<HeldBooking[]> {
  const response = await page.goto(venueUrl(ctx.profile, ctx.profile.paths.myBookings), {
    waitUntil: 'domcontentloaded',
    timeout: ctx.timeoutMs,
  });
  await assertNotMaintenance(page, ctx, response?.status());
  const { row, reference } = ctx.profile.myBookings;
  return page.locator(row).evaluateAll(
    (rows, refSelector) =>
      rows.map((r) => ({
        reference:
          r.getAttribute('data-reference') ??
          r.querySelector(refSelector as string)?.textContent?.trim() ??
          '',
        date: r.getAttribute('data-date') ?? '',
        time: r.getAttribute('data-time') ?? '',
        court: r.getAttribute('data-court') ?? '',
      })),
    reference,
  );
}

/** What the run asks of the fire: the row's date and times in order; the rest passes to the page as is. */
export type FirePlan = Omit<FireArgs, 'sel' | 'times'> & {
  date: string;
  times: string[];
};

/** The arguments of the in-page fire script, from the profile and the row. */
export function fireArgs(ctx: VenueContext, plan: FirePlan): FireArgs {
  const { dayView, confirm, maintenance, overlays, timeZone } = ctx.profile;
  const { date, times, ...passThrough } = plan;
  return {
    sel: {
      showAvailability: dayView.showAvailability,
      slotsContainer: dayView.slotsContainer,
      card: dayView.card,
      slotStart: dayView.slotStart,
      court: dayView.court,
      booked: dayView.booked,
      capacity: dayView.capacity,
      noSlots: dayView.noSlots,
      dialog: confirm.dialog,
      terms: confirm.terms,
      button: confirm.button,
      success: confirm.success,
      reference: confirm.reference,
      failure: confirm.failure,
      maintenance,
      overlays,
    },
    times: times.map((time) => ({
      time,
      slotStart: DateTime.fromISO(`${date}T${time}`, { zone: timeZone }).toFormat(dayView.slotStartFormat),
    })),
    ...passThrough,
  };
}

/** Compiles the fire script into the armed page ahead of time (one less parse after the release). */
export async function installFireScript(page: Page): Promise<void> {
  await page.evaluate(`window.__bookerFire = ${FIRE_SCRIPT}; true`);
}

/**
 * Runs the post-release path (show availability → wait for the cards → pick → confirm → result)
 * inside the page in one evaluate. Selector misses become SelectorMissingError with a screenshot.
 */
export async function fire(page: Page, ctx: VenueContext, plan: FirePlan): Promise<FireOutcome> {
  const args = fireArgs(ctx, plan);
  // The script was compiled into the page when it was armed; compiling it here is the fallback.
  const outcome = (await page.evaluate(
    `(window.__bookerFire || (${FIRE_SCRIPT}))(${JSON.stringify(args)})`,
  )) as FireOutcome;
  if (outcome.kind === 'selector-missing') {
    const shot = await ctx.shots.take(page, `missing-${outcome.key}`);
    throw new SelectorMissingError(outcome.key, outcome.selector, page.url(), shot);
  }
  return outcome;
}

export type Verification = { verified: boolean; listed?: HeldBooking; reason?: string; loggedOut?: boolean };

/** Proof of a booking: the reference from the confirmation, listed on My bookings for that date and time. */
export async function verifyBooking(
  page: Page,
  ctx: VenueContext,
  expected: { reference: string; date: string; time: string },
): Promise<Verification> {
  if (!expected.reference) return { verified: false, reason: 'the confirmation showed no booking reference' };
  const held = await listMyBookings(page, ctx);
  if (held.length === 0 && (await page.locator(ctx.profile.login.loggedIn).count()) === 0) {
    return {
      verified: false,
      loggedOut: true,
      reason: 'the venue logged us out before My bookings could be read',
    };
  }
  const listed = held.find((b) => b.reference === expected.reference);
  if (!listed)
    return { verified: false, reason: `reference ${expected.reference} is not listed on My bookings` };
  if (listed.date !== expected.date || listed.time !== expected.time) {
    return {
      verified: false,
      listed,
      reason: `My bookings lists ${expected.reference} for ${listed.date} ${listed.time}, not ${expected.date} ${expected.time}`,
    };
  }
  return { verified: true, listed };
}

/** Epoch ms on the run's clock for a page epoch time (the page's clock is the real clock). */
export function pageToRunClock(pageEpochMs: number, clock: Clock): number {
  return pageEpochMs + (clock.now() - Date.now());
}

/** One cheap request from the page, so the connection the availability request needs is open and warm. */
export async function warmConnection(page: Page, url: string): Promise<void> {
  await page
    .evaluate(
      `fetch(${JSON.stringify(url)}, { method: 'HEAD', credentials: 'same-origin', redirect: 'manual', cache: 'no-store' }).then(() => true, () => false)`,
    )
    .catch(() => false);
}
