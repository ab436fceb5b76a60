import type { LedgerEntry, RequestLogEntry } from '../../test/sandbox/index.ts';

/**
 * One trial's figures for one bot, read from the sandbox's ground truth (ledger + request log) only:
 * what a bot believes about itself is never used for a figure. Pure, unit-tested.
 *
 * In a race trial the contested slot has room for the bot and every simulated competitor, so every
 * booking lands and the ledger's order of acceptance says who would have won a single place: the bot
 * beats the competitor at +X ms when its booking was accepted before that competitor's. In a
 * head-to-head trial the slot has room for one: the ledger says who got it.
 */

export type ContestedSlot = { date: string; time: string; court: string };
export type CompetitorSpec = { name: string; afterReleaseMs: number };

export type TrialFacts = {
  ledger: readonly LedgerEntry[];
  requests: readonly RequestLogEntry[];
  /** The release instant on the server clock. */
  releaseServerMs: number;
  /** The member the bot logs in as. */
  member: string;
  slot: ContestedSlot;
  competitors: readonly CompetitorSpec[];
};

export type TrialMetrics = {
  /** The bot's booking was the first accepted on the slot (it would hold a single place). */
  gotSlot: boolean;
  /** Release latency: acceptedAtServerMs − release for the bot's booking of the slot. */
  releaseLatencyMs: number | null;
  /** Server time (minus release) of the bot's first booking request at or after the release. */
  firstBookingMs: number | null;
  /** How the venue answered that request ('booked', 'unavailable' when someone was first, ...). */
  firstBookingOutcome: string | null;
  /** Booking requests that reached the server before its release instant. */
  earlyRequests: number;
  bookingRequests: number;
  /** Server time (minus release) of the first availability request that showed the day's slots. */
  slotsShownMs: number | null;
  /** Availability requests answered before the release (harmless, but each is a wasted round trip). */
  availabilityTooEarly: number;
  /** Availability requests processed at or after the release, up to the first booking request. */
  availabilityBeforeBooking: number;
  /** Looks at My bookings between the release and the first booking request at or after it. */
  myBookingsBeforeFirstBooking: number;
  /**
   * Something was asked again before that booking request: an availability request that did not show
   * the slots (not open yet, 429, 5xx), or a booking request the venue refused. A clean first shot has
   * none (and, by issue 10's rule, no look at My bookings either).
   */
  retriedBeforeFirstBooking: boolean;
  /** Per competitor delay (ms after release): was the bot's booking accepted before that competitor's? */
  wins: Record<string, boolean>;
  /** Whose booking was accepted first: 'member' (this bot), another member's e-mail, or a competitor. */
  holder: string | null;
};

/** A booking request: POST /spa/<id>/book (estelle) or POST /members/book/padel/reserve (clubhouse). */
export function isBookingRequest(entry: Pick<RequestLogEntry, 'method' | 'path'>): boolean {
  return (
    entry.method === 'POST' &&
    (/^\/spa\/\d+\/book$/.test(entry.path) || entry.path === '/members/book/padel/reserve')
  );
}

/**
 * The day's availability: the slots fragment (GET /spa/<id>/slots?date=…, estelle) or the sessions
 * page (GET /members/book/padel/sessions?date=…, clubhouse).
 */
export function isAvailabilityRequest(entry: Pick<RequestLogEntry, 'method' | 'path'>): boolean {
  return (
    entry.method === 'GET' &&
    (/^\/spa\/\d+\/slots(\?|$)/.test(entry.path) ||
      /^\/members\/book\/padel\/sessions(\?|$)/.test(entry.path))
  );
}

/** My bookings (estelle) or My reservations (clubhouse). */
export function isMyBookingsRequest(entry: Pick<RequestLogEntry, 'method' | 'path'>): boolean {
  return (
    entry.method === 'GET' &&
    (/^\/page\/my-bookings(\?|$)/.test(entry.path) || /^\/members\/reservations(\?|$)/.test(entry.path))
  );
}

export function trialMetrics(facts: TrialFacts): TrialMetrics {
  const { ledger, requests, releaseServerMs, member, slot } = facts;
  const byTime = [...requests]
    .filter((r) => r.client === member)
    .sort((a, b) => a.serverTimeMs - b.serverTimeMs);
  const mine = byTime.filter(isBookingRequest);
  const early = mine.filter((r) => r.serverTimeMs < releaseServerMs);
  // The ledger is in acceptance order (the venue books synchronously, one request at a time).
  const onSlot = ledger.filter(
    (e) => !e.cancelled && e.date === slot.date && e.time === slot.time && e.court === slot.court,
  );
  const isMine = (e: LedgerEntry) => e.client === 'member' && e.member === member;
  const ours = onSlot.findIndex(isMine);
  const ourEntry = ours >= 0 ? onSlot[ours] : undefined;
  const holder = onSlot[0];
  const wins: Record<string, boolean> = {};
  for (const c of facts.competitors) {
    const theirs = onSlot.findIndex((e) => e.client === `competitor:${c.name}`);
    wins[String(c.afterReleaseMs)] = ours >= 0 && (theirs < 0 || ours < theirs);
  }
  const availability = byTime.filter(isAvailabilityRequest);
  const shown = availability.find((r) => r.outcome === 'slots');
  const firstBooking = mine.find((r) => r.serverTimeMs >= releaseServerMs);
  const until = firstBooking?.serverTimeMs ?? Number.POSITIVE_INFINITY;
  const afterRelease = (r: RequestLogEntry) => r.serverTimeMs >= releaseServerMs && r.serverTimeMs < until;
  return {
    gotSlot: ours === 0,
    releaseLatencyMs: ourEntry ? ourEntry.acceptedAtServerMs - releaseServerMs : null,
    firstBookingMs: firstBooking ? firstBooking.serverTimeMs - releaseServerMs : null,
    firstBookingOutcome: firstBooking?.outcome ?? null,
    slotsShownMs: shown ? shown.serverTimeMs - releaseServerMs : null,
    availabilityTooEarly: availability.filter((r) => r.serverTimeMs < releaseServerMs).length,
    availabilityBeforeBooking: availability.filter(afterRelease).length,
    myBookingsBeforeFirstBooking: byTime.filter(isMyBookingsRequest).filter(afterRelease).length,
    retriedBeforeFirstBooking:
      availability.some((r) => r.serverTimeMs < until && r.outcome !== 'slots') ||
      mine.some((r) => r.serverTimeMs < until),
    earlyRequests: early.length,
    bookingRequests: mine.length,
    wins,
    holder: holder ? (isMine(holder) ? 'member' : holder.member) : null,
  };
}
