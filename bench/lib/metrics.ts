import type { LedgerEntry, RequestLogEntry } from '../../test/sandbox/index.ts';

/**
 * One trial's figures, read from the sandbox's ground truth (ledger + request log) only: what the bot
 * believes about itself is never used for a figure. Pure, unit-tested.
 *
 * The contested slot has room for the bot and every competitor, so every booking lands and the ledger's
 * order of acceptance says who would have won a single place: the bot beats the competitor at +X ms
 * when its booking was accepted before that competitor's.
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
  /** Booking requests that reached the server before its release instant. */
  earlyRequests: number;
  bookingRequests: number;
  /** Server time (minus release) of the first availability request that showed the day's slots. */
  slotsShownMs: number | null;
  /** Availability requests answered "not open yet" (harmless, but each is a wasted round trip). */
  availabilityTooEarly: number;
  /** Per competitor delay (ms after release): was the bot's booking accepted before that competitor's? */
  wins: Record<string, boolean>;
  /** Whose booking was accepted first: 'member' or the competitor's name. */
  holder: string | null;
};

/** A booking request (POST /spa/<id>/book), not the activities page /page/book. */
export function isBookingRequest(entry: Pick<RequestLogEntry, 'method' | 'path'>): boolean {
  return entry.method === 'POST' && /^\/spa\/\d+\/book$/.test(entry.path);
}

/** The availability fragment (GET /spa/<id>/slots?date=…). */
export function isAvailabilityRequest(entry: Pick<RequestLogEntry, 'method' | 'path'>): boolean {
  return entry.method === 'GET' && /^\/spa\/\d+\/slots(\?|$)/.test(entry.path);
}

export function trialMetrics(facts: TrialFacts): TrialMetrics {
  const { ledger, requests, releaseServerMs, member, slot } = facts;
  const mine = requests.filter((r) => r.client === member && isBookingRequest(r));
  const early = mine.filter((r) => r.serverTimeMs < releaseServerMs);
  // The ledger is in acceptance order (the venue books synchronously, one request at a time).
  const onSlot = ledger.filter(
    (e) => !e.cancelled && e.date === slot.date && e.time === slot.time && e.court === slot.court,
  );
  const ours = onSlot.findIndex((e) => e.client === 'member' && e.member === member);
  const ourEntry = ours >= 0 ? onSlot[ours] : undefined;
  const holder = onSlot[0];
  const wins: Record<string, boolean> = {};
  for (const c of facts.competitors) {
    const theirs = onSlot.findIndex((e) => e.client === `competitor:${c.name}`);
    wins[String(c.afterReleaseMs)] = ours >= 0 && (theirs < 0 || ours < theirs);
  }
  const availability = requests
    .filter((r) => r.client === member && isAvailabilityRequest(r))
    .sort((a, b) => a.serverTimeMs - b.serverTimeMs);
  const shown = availability.find((r) => r.outcome === 'slots');
  const firstBooking = mine
    .filter((r) => r.serverTimeMs >= releaseServerMs)
    .sort((a, b) => a.serverTimeMs - b.serverTimeMs)[0];
  return {
    gotSlot: ours === 0,
    releaseLatencyMs: ourEntry ? ourEntry.acceptedAtServerMs - releaseServerMs : null,
    firstBookingMs: firstBooking ? firstBooking.serverTimeMs - releaseServerMs : null,
    slotsShownMs: shown ? shown.serverTimeMs - releaseServerMs : null,
    availabilityTooEarly: availability.filter((r) => r.serverTimeMs < releaseServerMs).length,
    earlyRequests: early.length,
    bookingRequests: mine.length,
    wins,
    holder: holder ? (holder.client === 'member' ? 'member' : holder.member) : null,
  };
}
