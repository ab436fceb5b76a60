import { DateTime } from 'luxon';
import type { Config } from '../bookings/config.ts';
import { courtDateReleasedOn, releaseInstant } from '../calendar/release.ts';

/**
 * A "night" is one release and the runs that work towards it. It begins when the previous night's retry
 * window closes and ends when its own does (release + retry.windowSeconds): a run belongs to the first night
 * whose window has not closed yet. Nights are calendar days in the venue's time zone, so the night before a
 * clock change is 23 or 25 hours long and its release stays at local midnight.
 */
export interface Night {
  /** The release's calendar day in the venue's time zone (YYYY-MM-DD): the chain's identity. */
  night: string;
  /** The court date released that night. */
  courtDate: string;
  releaseAt: DateTime;
  /** releaseAt + retry.windowSeconds: after this the night is over. */
  windowEnd: DateTime;
}

/** The night whose release the calendar day `night` (YYYY-MM-DD) holds. */
export function nightOf(night: string, config: Config): Night {
  // Memoised: time-zone arithmetic is the slow part of a decision, and a run (or the schedule simulation)
  // asks about the same few nights again and again. Nights are immutable values.
  const key = `${night}|${config.timeZone}|${config.releaseTime}|${config.advanceDays}|${config.retry.windowSeconds}`;
  const known = nights.get(key);
  if (known) return known;
  const courtDate = courtDateReleasedOn(night, config);
  const releaseAt = releaseInstant(courtDate, config);
  const value = Object.freeze({
    night,
    courtDate,
    releaseAt,
    windowEnd: releaseAt.plus({ seconds: config.retry.windowSeconds }),
  });
  if (nights.size >= 1000) nights.clear();
  nights.set(key, value);
  return value;
}

const nights = new Map<string, Night>();

/** The night a run at `nowMs` belongs to: the first release whose retry window has not closed. */
export function nightAt(nowMs: number, config: Config): Night {
  const today = DateTime.fromMillis(nowMs, { zone: config.timeZone }).startOf('day');
  for (let days = -1; days <= 2; days++) {
    const candidate = nightOf(today.plus({ days }).toISODate() as string, config);
    if (candidate.windowEnd.toMillis() >= nowMs) return candidate;
  }
  // Unreachable: tomorrow's release is always less than two days away.
  throw new Error(`no release within two days of ${new Date(nowMs).toISOString()}`);
}

/** "Thu 26 Nov 2026 00:00 GMT" */
export function formatInstant(instant: DateTime, zone: string): string {
  return instant.setZone(zone).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
}

/** "18:30 GMT" */
export function formatTime(instant: DateTime, zone: string): string {
  return instant.setZone(zone).toFormat('HH:mm ZZZZ');
}
