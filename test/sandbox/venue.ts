import { randomBytes, randomInt } from 'node:crypto';
import { DateTime } from 'luxon';
import { releaseInstantMs, type ServerClock } from './clock.ts';
import type { Scenario } from './scenario.ts';

/**
 * The venue's state and rules, free of HTTP: slots, the ledger, and the one booking function every
 * booking goes through (members over HTTP and simulated competitors alike). Booking is a synchronous
 * check-then-insert, so on Node's single thread two requests for the last place cannot both win.
 */

export interface Member {
  email: string;
  password: string;
  name: string;
}

export const DEMO_PASSWORD = 'correct-horse-battery';

export const DEMO_MEMBERS: readonly Member[] = [
  { email: 'member@example.com', password: DEMO_PASSWORD, name: 'Alex Morgan' },
  { email: 'partner@example.com', password: DEMO_PASSWORD, name: 'Sam Taylor' },
  { email: 'rival@example.com', password: DEMO_PASSWORD, name: 'Jo Rivers' },
];

export interface Slot {
  /** Opaque, random, created only once the slot is released (or taken by the sandbox itself). */
  id: string;
  date: string; // YYYY-MM-DD
  time: string; // HH:mm
  court: string;
}

export interface LedgerEntry {
  reference: string;
  /** Member email, or the competitor's name. */
  member: string;
  client: 'member' | `competitor:${string}` | 'pre-booked';
  slotId: string;
  date: string;
  time: string;
  court: string;
  acceptedAtServerMs: number;
  /** The same instant in the venue's time zone, e.g. 2026-12-01T00:00:00.250+00:00. */
  acceptedAtServerIso: string;
  cancelled?: boolean;
  cancelledAtServerMs?: number;
}

export interface RequestLogEntry {
  /** Server clock when the request was processed (arrival + one-way latency). */
  serverTimeMs: number;
  serverTimeIso: string;
  /** Real clock at the same moment. */
  realTimeMs: number;
  /**
   * Real clock when the request reached the server (before its inbound latency: on loopback, when the
   * client sent it) and when the answer left (after the outbound latency: when the client got it). HTTP
   * requests only.
   */
  receivedRealMs?: number;
  answeredRealMs?: number;
  /** Member email, 'anonymous', or 'competitor:<name>'. */
  client: string;
  method: string;
  path: string;
  status: number;
  /** What happened, e.g. 'page', 'booked', 'not-open', 'unavailable', 'rate-limited', 'redirect-login'. */
  outcome: string;
  slotId?: string;
  reference?: string;
}

export type BookingErrorCode = 'unavailable' | 'not-open' | 'limit';

export type BookingResult =
  | { ok: true; entry: LedgerEntry; alreadyBooked: boolean }
  | { ok: false; code: BookingErrorCode; message: string };

const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CLUBHOUSE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';

function estelleReference(): string {
  let ref = 'EM-';
  for (let i = 0; i < 6; i++) ref += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return ref;
}

function clubhouseReference(): string {
  const digits = String(randomInt(10_000)).padStart(4, '0');
  return `CH-${digits}-${CLUBHOUSE_LETTERS[randomInt(CLUBHOUSE_LETTERS.length)]}`;
}

export class Venue {
  private readonly slotsByKey = new Map<string, Slot>();
  private readonly slotsById = new Map<string, Slot>();
  private readonly entries: LedgerEntry[] = [];
  private readonly references = new Set<string>();

  constructor(
    private readonly scenario: () => Scenario,
    private readonly clock: ServerClock,
  ) {}

  releaseInstant(date: string): number {
    return releaseInstantMs(date, this.scenario());
  }

  isReleased(date: string, atMs = this.clock.now()): boolean {
    return atMs >= this.releaseInstant(date);
  }

  /** The start times of a day, e.g. 07:00 … 21:00. */
  times(): string[] {
    const { openingHours, slotMinutes } = this.scenario();
    const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
    const out: string[] = [];
    for (
      let m = toMinutes(openingHours.open);
      m + slotMinutes <= toMinutes(openingHours.close);
      m += slotMinutes
    ) {
      out.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    }
    return out;
  }

  /**
   * The slot for a court-hour, created (with a fresh opaque id) on first use. The clubhouse skin
   * addresses slots by court-hour from its confirm page, before their release too.
   */
  slot(date: string, time: string, court: string): Slot {
    const key = `${date} ${time} ${court}`;
    let slot = this.slotsByKey.get(key);
    if (!slot) {
      let id: string;
      do id = `sl_${randomBytes(6).toString('hex')}`;
      while (this.slotsById.has(id));
      slot = { id, date, time, court };
      this.slotsByKey.set(key, slot);
      this.slotsById.set(id, slot);
    }
    return slot;
  }

  /** The day's slots, or undefined before its release on the server clock. */
  releasedSlots(date: string): Slot[] | undefined {
    if (!this.isReleased(date)) return undefined;
    const { courts } = this.scenario();
    return this.times().flatMap((time) => courts.map((court) => this.slot(date, time, court)));
  }

  slotById(id: string): Slot | undefined {
    return this.slotsById.get(id);
  }

  bookedCount(slot: Slot): number {
    return this.entries.filter((e) => e.slotId === slot.id && !e.cancelled).length;
  }

  capacity(): number {
    return this.scenario().capacity;
  }

  /**
   * THE booking function. Synchronous on purpose: the capacity check and the insert happen with no
   * await between them, so concurrent requests are serialised by the event loop.
   */
  book(
    slotId: string,
    member: string,
    client: LedgerEntry['client'],
    options: { ignoreRelease?: boolean } = {},
  ): BookingResult {
    const now = this.clock.now();
    const slot = this.slotsById.get(slotId);
    if (!slot) return { ok: false, code: 'unavailable', message: 'This slot is no longer available.' };
    if (!options.ignoreRelease && !this.isReleased(slot.date, now)) {
      return { ok: false, code: 'not-open', message: 'Bookings for this date are not open yet.' };
    }
    const active = this.entries.filter((e) => !e.cancelled);
    const mine = active.find((e) => e.slotId === slotId && e.member === member);
    if (mine) return { ok: true, entry: mine, alreadyBooked: true };
    if (active.filter((e) => e.slotId === slotId).length >= this.capacity()) {
      return { ok: false, code: 'unavailable', message: 'This slot is no longer available.' };
    }
    const limit = this.scenario().faults.dailyLimitPerMember;
    if (limit > 0 && active.filter((e) => e.member === member && e.date === slot.date).length >= limit) {
      return {
        ok: false,
        code: 'limit',
        message: `You already have ${limit === 1 ? 'a court' : `${limit} courts`} booked on this day; members may book ${limit} per day.`,
      };
    }
    const entry: LedgerEntry = {
      reference: this.newReference(),
      member,
      client,
      slotId,
      date: slot.date,
      time: slot.time,
      court: slot.court,
      acceptedAtServerMs: now,
      acceptedAtServerIso: DateTime.fromMillis(now, { zone: this.scenario().timeZone }).toISO()!,
    };
    this.entries.push(entry);
    return { ok: true, entry, alreadyBooked: false };
  }

  /** Books by court-hour (competitors, pre-booked places). Without a court: the first court with room. */
  bookByTime(
    date: string,
    time: string,
    court: string | undefined,
    member: string,
    client: LedgerEntry['client'],
    options: { ignoreRelease?: boolean } = {},
  ): BookingResult {
    const courts = court ? [court] : this.scenario().courts;
    let last: BookingResult = { ok: false, code: 'unavailable', message: 'No court free at that time.' };
    for (const c of courts) {
      last = this.book(this.slot(date, time, c).id, member, client, options);
      if (last.ok || last.code !== 'unavailable') return last;
    }
    return last;
  }

  cancel(reference: string, member: string): LedgerEntry | undefined {
    const entry = this.entries.find((e) => e.reference === reference && e.member === member && !e.cancelled);
    if (!entry) return undefined;
    entry.cancelled = true;
    entry.cancelledAtServerMs = this.clock.now();
    return entry;
  }

  /**
   * Cancels the booking held on a court-hour (the earliest accepted, when capacity allows several),
   * whoever holds it: a scheduled cancellation. Without a court, the first court in `courts` order
   * that is held at that hour. Undefined when nothing is held there.
   */
  cancelHeld(date: string, time: string, court?: string): LedgerEntry | undefined {
    for (const c of court ? [court] : this.scenario().courts) {
      const entry = this.entries.find(
        (e) => e.date === date && e.time === time && e.court === c && !e.cancelled,
      );
      if (entry) {
        entry.cancelled = true;
        entry.cancelledAtServerMs = this.clock.now();
        return entry;
      }
    }
    return undefined;
  }

  bookingsOf(member: string): LedgerEntry[] {
    return this.entries
      .filter((e) => e.member === member && !e.cancelled)
      .sort((a, b) => `${a.date} ${a.time}`.localeCompare(`${b.date} ${b.time}`));
  }

  ledger(): LedgerEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Estelle: `EM-` + 6 characters (EM-7KQ2ZD). Clubhouse: `CH-` + 4 digits + `-` + a letter (CH-4821-Q). */
  private newReference(): string {
    let ref: string;
    do ref = this.scenario().skin === 'clubhouse' ? clubhouseReference() : estelleReference();
    while (this.references.has(ref));
    this.references.add(ref);
    return ref;
  }
}
