import { readFileSync } from 'node:fs';
import type { Match, Read, RefusalOutcome, VenueProfile } from '../profile.ts';
import './lib.js';

/**
 * The booker's in-page library (lib.js): its text, injected into every page of the browser context
 * before the site's own scripts, and its pure functions, used by Node from the very same file.
 */
export const PAGE_LIB_SOURCE = readFileSync(new URL('./lib.js', import.meta.url), 'utf8');

/** A slot as the page reads it with the profile (raw texts, normalised by `norm` when compared). */
export type SlotSeen = { index: number; time: string | null; court: string; free: boolean | null };

/** A My bookings row as the page reads it (raw texts). */
export type BookingRowSeen = {
  date: string | null;
  time: string | null;
  court: string | null;
  reference: string | null;
};

type PageLib = {
  norm(text: unknown): string;
  squash(text: unknown): string;
  textMatches(text: string, pattern: string): boolean;
  courtMatches(preference: string, name: string): boolean;
  describeRead(read: Read): string;
  chooseSlot<S extends { index: number; time: string | null; court: string; free: boolean | null }>(
    slots: S[],
    expected: string,
    preferredCourt: string | undefined,
    excluded: number[],
  ): S | undefined;
};

/** The pure functions of lib.js (the page runs the same code). */
export const pageLib = (globalThis as unknown as { __bookerLib: PageLib }).__bookerLib;

/** A Read as a member would write it ("span.slot_start", "time @datetime"). */
export const describeRead = (read: Read): string => pageLib.describeRead(read);

/** The profile keys the page needs, as plain JSON. */
export type PageProfile = {
  apply: { click: string } | { url: string };
  notOpen: Match;
  maintenance: Match;
  loggedIn: string;
  slots: VenueProfile['slots'] & { time: { read: Read } };
  confirm: VenueProfile['confirm'];
  refusals: { match: Match; outcome: RefusalOutcome }[];
  myBookings: VenueProfile['myBookings'];
};

export function pageProfile(profile: VenueProfile): PageProfile {
  return {
    apply: profile.dayView.apply,
    notOpen: profile.dayView.notOpen,
    maintenance: profile.maintenance,
    loggedIn: profile.login.loggedIn,
    slots: profile.slots,
    confirm: profile.confirm,
    refusals: profile.refusals,
    myBookings: profile.myBookings,
  };
}

/** One wanted time of a target: what the slot shows for it, and what My bookings shows for it. */
export type Candidate = { time: string; expected: string; heldTime: string };

/** One row to book: its candidates in order (Time1, then Time2), the preferred court. */
export type FireTarget = {
  key: string;
  date: string;
  candidates: Candidate[];
  preferredCourt?: string;
  /** The court date as My bookings shows it. */
  heldDate: string;
  /** The only row of the bookings file on its date: any court held that day counts as this row's. */
  onlyRowOnDate: boolean;
};

export type FireArgs = {
  profile: PageProfile;
  targets: FireTarget[];
  myBookingsUrl: string;
  dryRun: boolean;
  /** At most this many availability refreshes in any one second (config.retry.maxPerSecond). */
  maxPerSecond: number;
  /** Spacing of booking retries (1000 / maxPerSecond). */
  minGapMs: number;
  /** Give up retrying after this long (the retry window). */
  windowMs: number;
  /** Longest wait for one response (pages at midnight can take 10-20 s). */
  stepTimeoutMs: number;
  /** False: look at what is already on the page first (dry run, --no-wait after an earlier apply). */
  applyFirst: boolean;
  /** Epoch ms (the machine's real clock, as the page reads it) at which to press Show Availability. */
  startAtEpochMs?: number;
  /**
   * The first shot as a volley (src/venue/fire/volley.ts): press again at these offsets (ms after the
   * first press, the first is 0) unless the slots are already shown; after an answer without slots, wait
   * up to graceMs for the other presses' answers before pressing again.
   */
  volley?: { offsetsMs: number[]; graceMs: number };
  /**
   * Look at My bookings before the first booking request too, not only after a failure: set when the
   * run fires after the release without having waited for it (another run of this member may have
   * booked since this one looked).
   */
  lookAtHeldFirst?: boolean;
};

export type FireEvent = { ms: number; event: string; [key: string]: unknown };

/** What became of one target. */
export type TargetOutcome = {
  key: string;
  kind: 'booked' | 'unavailable' | 'limit' | 'held' | 'error' | 'dry-run';
  time?: string;
  court?: string;
  reference?: string;
  code?: string;
  message?: string;
  /** booked: epoch ms (page clock) of the Confirm that booked it. */
  confirmedAtEpochMs?: number;
};

export type FireOutcome = {
  kind: 'done' | 'no-slots' | 'session' | 'selector-missing';
  /** selector-missing: the profile key and selector that found nothing. */
  key?: string;
  selector?: string;
  /** no-slots */
  lastStatus?: number;
  reason?: string;
  targets: TargetOutcome[];
  events: FireEvent[];
  startedAtEpochMs: number;
  /** Epoch ms (page clock) of the first availability request. */
  appliedAtEpochMs?: number;
  /** Epoch ms (page clock) of each booking request (Confirm). */
  confirmClickedAtEpochMs: number[];
  applies: number;
  bookingAttempts: number;
  heldChecks: number;
  slots: { time: string | null; court: string; free: boolean | null }[];
  url: string;
};
