import { isAvailabilityRequest, isBookingRequest, isMyBookingsRequest } from './metrics.ts';
import type { HeadToHeadRecord, TrialRecord, VenueRequest } from './records.ts';
import { rate, summarize, type Summary } from './stats.ts';

/**
 * Pure readings of the raw trial records (unit-tested in test/bench/analysis.test.ts): where our time
 * goes after midnight, what the retry path's look at My bookings costs, and the head-to-head tallies.
 * Every time is in ms relative to the venue's midnight, the venue's log and the browser's timings on the
 * same (real) time line.
 */

/** A browser request matched to the venue's processing of it: it left before, its answer came after. */
function sentAt(record: TrialRecord, entry: VenueRequest): number | null {
  const candidates = (record.network ?? []).filter(
    (n) => n.method === entry.method && n.path === entry.path && n.startMs <= entry.atMs + 1,
  );
  const last = candidates.at(-1);
  return last ? last.startMs : null;
}

function answeredAt(record: TrialRecord, entry: VenueRequest): number | null {
  const candidates = (record.network ?? []).filter(
    (n) =>
      n.method === entry.method &&
      n.path === entry.path &&
      n.startMs <= entry.atMs + 1 &&
      n.endMs !== null &&
      n.endMs >= entry.atMs - 1,
  );
  return candidates[0]?.endMs ?? null;
}

/**
 * Our path from the venue's midnight to the booking's arrival, in legs. Single-page flow
 * (`fetch-then-book`): the availability request arrives `arrivalMs` after midnight (the send margin),
 * its answer takes `backMs` to reach the browser, the browser takes `browserMs` to send the booking,
 * and the booking takes `inMs` to reach the venue. The browser's part, by the fire script's own marks
 * (placed on the same time line by its first "apply" mark, which is when the first availability request
 * left, to within a millisecond): `renderMs` from the answer's last byte to the script seeing the cards
 * (the site's code renders them), `chooseMs` to choosing a slot, `dialogMs` from clicking it to pressing
 * Confirm (the site's dialog opens, the terms are ticked), `dispatchMs` from that press to the booking
 * request leaving (the site's click handler sends it). Addressable flow (`addressed`): the booking leaves
 * the browser `sentMs` after midnight (negative: before) and takes `inMs`.
 */
export type CriticalPath =
  | {
      kind: 'fetch-then-book';
      arrivalMs: number;
      backMs: number;
      browserMs: number;
      renderMs: number | null;
      chooseMs: number | null;
      dialogMs: number | null;
      dispatchMs: number | null;
      inMs: number;
      totalMs: number;
    }
  | { kind: 'addressed'; sentMs: number; inMs: number; totalMs: number };

const tenth = (v: number) => Math.round(v * 10) / 10;

export function criticalPath(record: TrialRecord): CriticalPath | null {
  const venue = [...(record.venue ?? [])].sort((a, b) => a.atMs - b.atMs);
  const booking = venue.find((r) => isBookingRequest(r) && r.atMs >= 0);
  if (!booking) return null;
  const bookingSent = sentAt(record, booking);
  if (bookingSent === null) return null;
  const shown = venue.find(
    (r) => isAvailabilityRequest(r) && r.outcome === 'slots' && r.atMs <= booking.atMs,
  );
  if (!shown) {
    return {
      kind: 'addressed',
      sentMs: bookingSent,
      inMs: booking.atMs - bookingSent,
      totalMs: booking.atMs,
    };
  }
  const back = answeredAt(record, shown);
  if (back === null) return null;
  const mark = (event: string) => record.fireEvents.find((e) => e.event === event)?.ms;
  const [apply, cards, pick, confirm] = [mark('apply'), mark('cards'), mark('pick'), mark('confirm')];
  // The first apply mark is when the first availability request left the browser.
  const firstAvailability = venue.find(isAvailabilityRequest);
  const firstSent = firstAvailability ? sentAt(record, firstAvailability) : null;
  const origin = apply !== undefined && firstSent !== null ? firstSent - apply : null;
  const on = (ms: number | undefined) => (origin !== null && ms !== undefined ? origin + ms : null);
  const cardsAt = on(cards);
  const confirmAt = on(confirm);
  return {
    kind: 'fetch-then-book',
    arrivalMs: shown.atMs,
    backMs: back - shown.atMs,
    browserMs: bookingSent - back,
    renderMs: cardsAt === null ? null : tenth(cardsAt - back),
    chooseMs: cards !== undefined && pick !== undefined ? tenth(pick - cards) : null,
    dialogMs: pick !== undefined && confirm !== undefined ? tenth(confirm - pick) : null,
    dispatchMs: confirmAt === null ? null : tenth(bookingSent - confirmAt),
    inMs: booking.atMs - bookingSent,
    totalMs: booking.atMs,
  };
}

/**
 * The retry path of one trial (a 429 on the first request after midnight): the second attempt from the
 * end of the Retry-After to the booking's acceptance, and the look at My bookings that precedes it.
 *
 * `checkMs`: what the look adds to the second attempt. Single-page flow, from the fire script's own
 * marks: from the event before the look (the cards shown) to the look's end (the script does nothing
 * else in between). Page-by-page flow, from the browser's timings: from the My bookings request leaving
 * the browser to the bot's next request leaving it (without the look, that request would have left when
 * the look's did). `venueGapMs`: the same seen from the venue, from processing the look to processing
 * the bot's next request.
 */
export type RetryCost = {
  latencyMs: number | null;
  refusedAtMs: number | null;
  afterRetryAfterMs: number | null;
  checks: number;
  checkMs: number | null;
  venueGapMs: number | null;
};

export function retryCost(record: TrialRecord, retryAfterSeconds: number): RetryCost {
  const venue = [...(record.venue ?? [])].sort((a, b) => a.atMs - b.atMs);
  const refused = venue.find((r) => r.status === 429 && r.atMs >= 0);
  const latency = record.metrics.releaseLatencyMs;
  const looks = venue.filter(
    (r) => isMyBookingsRequest(r) && r.atMs >= 0 && (latency === null || r.atMs < latency),
  );
  const look = looks.at(-1);
  const next = look ? venue.find((r) => r.atMs > look.atMs && !isMyBookingsRequest(r)) : undefined;
  let checkMs: number | null = null;
  const events = record.fireEvents;
  const held = events.findIndex((e) => e.event === 'held-check');
  if (held > 0 && events.some((e) => e.event === 'cards')) {
    checkMs = Math.round((events[held]!.ms - events[held - 1]!.ms) * 10) / 10;
  } else if (look && next) {
    const lookSent = sentAt(record, look);
    const nextSent = sentAt(record, next);
    if (lookSent !== null && nextSent !== null) checkMs = Math.round((nextSent - lookSent) * 10) / 10;
  }
  return {
    latencyMs: latency,
    refusedAtMs: refused?.atMs ?? null,
    afterRetryAfterMs:
      refused && latency !== null ? latency - (refused.atMs + retryAfterSeconds * 1000) : null,
    checks: looks.length,
    checkMs,
    venueGapMs: look && next ? next.atMs - look.atMs : null,
  };
}

export type HeadToHeadFigures = {
  trials: number;
  oursWon: number;
  baselineWon: number;
  nobody: number;
  /** Share of trials in which we hold the court. */
  oursWinRate: number | null;
  /** The same split by who was started first (they alternate): [trials, ours won]. */
  oursStartedFirst: [number, number];
  baselineStartedFirst: [number, number];
  /** The baseline's booking requests refused as early (before midnight), over all its trials. */
  baselineEarly: number;
  /** When each bot's first booking request after midnight reached the venue (trials in which it sent one). */
  oursFirstBookingMs: Summary;
  baselineFirstBookingMs: Summary;
  /** Trials in which the baseline sent no booking after midnight (it saw the court already taken, or failed). */
  baselineSentNone: number;
};

export function headToHeadFigures(records: readonly HeadToHeadRecord[]): HeadToHeadFigures {
  const split = (who: 'ours' | 'baseline'): [number, number] => {
    const of = records.filter((r) => r.firstStarted === who);
    return [of.length, of.filter((r) => r.winner === 'ours').length];
  };
  const nums = (v: (number | null)[]) => v.filter((x): x is number => x !== null);
  return {
    trials: records.length,
    oursWon: records.filter((r) => r.winner === 'ours').length,
    baselineWon: records.filter((r) => r.winner === 'baseline').length,
    nobody: records.filter((r) => r.winner === 'nobody').length,
    oursWinRate: rate(records.map((r) => r.winner === 'ours')),
    oursStartedFirst: split('ours'),
    baselineStartedFirst: split('baseline'),
    baselineEarly: records.reduce((s, r) => s + r.theirs.metrics.earlyRequests, 0),
    oursFirstBookingMs: summarize(nums(records.map((r) => r.ours.metrics.firstBookingMs))),
    baselineFirstBookingMs: summarize(nums(records.map((r) => r.theirs.metrics.firstBookingMs))),
    baselineSentNone: records.filter((r) => r.theirs.metrics.firstBookingMs === null).length,
  };
}
