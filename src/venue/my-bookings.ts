import { DateTime } from 'luxon';
import type { Page } from 'playwright';
import { venueUrl, type VenueProfile } from './profile.ts';
import { assertNotMaintenance, goTo, onLoginPage, type VenueContext } from './page-tools.ts';
import { BlindCheckError, SessionLostError } from './errors.ts';
import { pageLib, type BookingRowSeen } from './page/index.ts';

/** A booking the member holds, as listed on "My bookings", with its date and time parsed. */
export type HeldBooking = {
  /** YYYY-MM-DD, when the row's date could be read with the profile's format. */
  date?: string;
  /** HH:mm */
  time?: string;
  court: string;
  reference: string;
  /** The row as the page shows it. */
  raw: BookingRowSeen;
};

export type MyBookings = {
  rows: HeldBooking[];
  /** Rows whose date could not be read: the already-held check would be blind. */
  unreadable: HeldBooking[];
  url: string;
};

/** Parses a value the site shows with a luxon format, forgiving case and runs of spaces. */
export function parseShown(
  text: string | null,
  format: string,
  profile: Pick<VenueProfile, 'timeZone' | 'locale'>,
): DateTime | undefined {
  if (!text) return undefined;
  const squashed = text.replace(/\s+/g, ' ').trim();
  for (const candidate of [squashed, squashed.toUpperCase(), squashed.toLowerCase()]) {
    const dt = DateTime.fromFormat(candidate, format, { zone: profile.timeZone, locale: profile.locale });
    if (dt.isValid) return dt;
  }
  return undefined;
}

/** The rows of My bookings, parsed (pure: the page's raw rows in, held bookings out). */
export function parseMyBookings(raw: BookingRowSeen[], profile: VenueProfile, url: string): MyBookings {
  const mb = profile.myBookings;
  const rows = raw.map((r): HeldBooking => {
    const date = parseShown(r.date, mb.date.format, profile);
    const time = parseShown(r.time, mb.time.format, profile);
    return {
      ...(date ? { date: date.toISODate()! } : {}),
      ...(time ? { time: time.toFormat('HH:mm') } : {}),
      court: r.court ?? '',
      reference: r.reference ?? '',
      raw: r,
    };
  });
  return { rows, unreadable: rows.filter((r) => !r.date), url };
}

/** Loads "My bookings" and reads its rows with the profile (myBookings keys). */
export async function listMyBookings(page: Page, ctx: VenueContext): Promise<MyBookings> {
  const loaded = await goTo(page, ctx, venueUrl(ctx.profile, ctx.profile.paths.myBookings));
  await assertNotMaintenance(page, ctx, loaded.status);
  if (await onLoginPage(page, ctx)) throw new SessionLostError(page.url());
  const raw = (await page.evaluate(
    `window.__bookerLib.bookingsIn(document, ${JSON.stringify(ctx.profile.myBookings)})`,
  )) as BookingRowSeen[];
  return parseMyBookings(raw, ctx.profile, page.url());
}

/** What the member asks of one row, for the held check. */
export type Wanted = { date: string; times: string[]; court?: string; onlyRowOnDate: boolean };

/**
 * The court the member already holds for a row (pure): one on its date at one of its times; or, when it
 * is the only row of the file on that date, any court held that day (a club's one-court-a-day rule, and
 * the member's own booking by hand). `exclude` are references this run booked itself.
 */
export function heldFor(
  bookings: MyBookings,
  wanted: Wanted,
  exclude: string[] = [],
): HeldBooking | undefined {
  const onDate = bookings.rows.filter((b) => b.date === wanted.date && !exclude.includes(b.reference));
  return (
    onDate.find((b) => b.time !== undefined && wanted.times.includes(b.time)) ??
    (wanted.onlyRowOnDate ? onDate[0] : undefined)
  );
}

/**
 * Fails safe: a real booking never goes ahead when My bookings lists a row whose date cannot be read
 * (a blind already-held check is how courts get booked twice).
 */
export async function assertReadable(page: Page, ctx: VenueContext, bookings: MyBookings): Promise<void> {
  if (bookings.unreadable.length === 0) return;
  const first = bookings.unreadable[0]!;
  const shot = await ctx.shots.take(page, 'my-bookings-unreadable');
  throw new BlindCheckError(
    `${bookings.unreadable.length} row(s) show no date the profile can read (myBookings.date: ${JSON.stringify(ctx.profile.myBookings.date.read)} read "${first.raw.date ?? ''}", expected the format "${ctx.profile.myBookings.date.format}")`,
    bookings.url,
    shot,
  );
}

export type Verification = { verified: boolean; listed?: HeldBooking; reason?: string; loggedOut?: boolean };

/**
 * Proof of a booking: listed on My bookings for that date and time — by its reference when the
 * confirmation showed one and My bookings shows references, else by date, time and court (pure).
 */
export function verifyAgainst(
  bookings: MyBookings,
  expected: { reference: string; date: string; time: string; court?: string },
  profile: VenueProfile,
): Verification {
  const byReference = Boolean(expected.reference && profile.myBookings.reference);
  if (!expected.reference && profile.myBookings.reference)
    return { verified: false, reason: 'the confirmation showed no booking reference' };
  const listed = byReference
    ? bookings.rows.find((b) => b.reference === expected.reference)
    : bookings.rows.find(
        (b) =>
          b.date === expected.date &&
          b.time === expected.time &&
          (!expected.court ||
            !b.court ||
            pageLib.courtMatches(b.court, expected.court) ||
            pageLib.courtMatches(expected.court, b.court)),
      );
  if (!listed)
    return {
      verified: false,
      reason: byReference
        ? `reference ${expected.reference} is not listed on My bookings`
        : `no booking on ${expected.date} at ${expected.time} is listed on My bookings`,
    };
  if (listed.date !== expected.date || listed.time !== expected.time) {
    return {
      verified: false,
      listed,
      reason: `My bookings lists ${expected.reference} for ${listed.date ?? listed.raw.date} ${listed.time ?? listed.raw.time}, not ${expected.date} ${expected.time}`,
    };
  }
  return { verified: true, listed };
}

/** Loads My bookings and checks the booking is there (a lost session is reported, not thrown). */
export async function verifyBooking(
  page: Page,
  ctx: VenueContext,
  expected: { reference: string; date: string; time: string; court?: string },
): Promise<Verification> {
  let bookings: MyBookings;
  try {
    bookings = await listMyBookings(page, ctx);
  } catch (error) {
    if (error instanceof SessionLostError)
      return {
        verified: false,
        loggedOut: true,
        reason: 'the venue logged us out before My bookings could be read',
      };
    throw error;
  }
  return verifyAgainst(bookings, expected, ctx.profile);
}
