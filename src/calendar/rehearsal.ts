import { DateTime } from 'luxon';
import type { BookingRow } from '../bookings/csv.ts';
import type { Config } from '../bookings/config.ts';
import type { StatusFile } from '../bookings/status.ts';
import type { Clock } from './clock.ts';
import { releaseInstant } from './release.ts';

/**
 * Keeps a rehearsal (a dry run) out of a real booking's way. A real booking is busy from the login
 * lead before its release to the end of the retry window after it: a dry run logging the same
 * member in then is a second login at midnight, exactly what the venue may flag. Pure, over an
 * injected clock, in the venue's time zone (so the same London wall times in GMT and BST).
 */

/** How long a dry run that acts at once is allowed to take: log in, look, screenshot, leave. */
export const AT_ONCE_MINUTES = 10;

export interface BookingWindow {
  key: string;
  releaseAt: DateTime;
  /** When the real run logs in (releaseAt − loginLeadMinutes). */
  start: DateTime;
  /** When it stops trying (releaseAt + retry.windowSeconds). */
  end: DateTime;
}

/** The busy windows of the real bookings this repository has: every "Book" row not booked yet. */
export function bookingWindows(
  rows: readonly BookingRow[],
  status: StatusFile,
  config: Config,
): BookingWindow[] {
  return rows
    .filter((row) => row.book && status.bookings[row.key]?.state !== 'booked')
    .map((row) => {
      const releaseAt = releaseInstant(row.date, config);
      return {
        key: row.key,
        releaseAt,
        start: releaseAt.minus({ minutes: config.loginLeadMinutes }),
        end: releaseAt.plus({ seconds: config.retry.windowSeconds }),
      };
    })
    .sort((a, b) => a.start.toMillis() - b.start.toMillis());
}

export interface RehearsalPlan {
  clock: Clock;
  /** The dry run waits for a release (like the nightly run) instead of acting at once. */
  waits: boolean;
  windows: readonly BookingWindow[];
  /** runWindow.leadMinutes: how far ahead a waiting run may wait for a release. */
  leadMinutes: number;
  /** retry.windowSeconds: how long after the release a waiting run keeps going. */
  retryWindowSeconds: number;
  timeZone: string;
  atOnceMinutes?: number;
}

export type RehearsalCheck =
  { ok: true } | { ok: false; clash: BookingWindow; tryAfter: DateTime; message: string };

/** The time a dry run starting at `fromMs` may be busy. */
function busy(plan: RehearsalPlan, fromMs: number): { from: number; to: number } {
  const minutes = plan.waits ? plan.leadMinutes : (plan.atOnceMinutes ?? AT_ONCE_MINUTES);
  const extra = plan.waits ? plan.retryWindowSeconds * 1000 : 0;
  return { from: fromMs, to: fromMs + minutes * 60_000 + extra };
}

function clashes(plan: RehearsalPlan, fromMs: number): BookingWindow[] {
  const { from, to } = busy(plan, fromMs);
  return plan.windows.filter((w) => w.start.toMillis() < to && w.end.toMillis() > from);
}

/**
 * Whether a dry run started now would overlap a real booking's window, and if so the first
 * instant from which it would not (each later window checked too).
 */
export function checkRehearsal(plan: RehearsalPlan): RehearsalCheck {
  const now = plan.clock.now();
  const first = clashes(plan, now);
  if (first.length === 0) return { ok: true };
  let at = now;
  for (let guard = 0; guard < 1000; guard++) {
    const overlapping = clashes(plan, at);
    if (overlapping.length === 0) break;
    at = Math.max(...overlapping.map((w) => w.end.toMillis())) + 1000;
  }
  const zone = plan.timeZone;
  const clash = first[0]!;
  const tryAfter = DateTime.fromMillis(at, { zone }).startOf('minute').plus({ minutes: 1 });
  const hm = (dt: DateTime) => dt.setZone(zone).toFormat('HH:mm');
  const day = (dt: DateTime) => dt.setZone(zone).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
  const what = plan.waits ? 'A dry run that waits for the release' : 'A dry run now';
  return {
    ok: false,
    clash,
    tryAfter,
    message:
      `${what} would overlap the real booking of ${clash.key}: that run logs in at ${hm(clash.start)} and ` +
      `keeps trying until ${hm(clash.end)} (release ${day(clash.releaseAt)}). Two logins of one member at ` +
      `the release is what the venue may flag, so this rehearsal stopped before logging in and nothing was ` +
      `booked. Try it again after ${day(tryAfter)}` +
      (plan.waits ? ', or without waiting for the release.' : '.'),
  };
}
