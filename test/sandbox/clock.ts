import { DateTime } from 'luxon';
import { DEFAULT_SCENARIO, type Scenario } from './scenario.ts';

/** The calendar part of a scenario: enough to compute release instants. */
export type CalendarConfig = Pick<Scenario, 'advanceDays' | 'releaseTime' | 'timeZone'>;

function releaseParts(releaseTime: string): { hour: number; minute: number; second: number } {
  const [hour = 0, minute = 0, second = 0] = releaseTime.split(':').map(Number);
  return { hour, minute, second };
}

/** The instant (epoch ms, on whatever clock reads it) at which court date `courtDate` opens. */
export function releaseInstantMs(courtDate: string, config: CalendarConfig = DEFAULT_SCENARIO): number {
  const day = DateTime.fromISO(courtDate, { zone: config.timeZone });
  if (!day.isValid) throw new Error(`"${courtDate}" is not a date (expected YYYY-MM-DD)`);
  return day
    .minus({ days: config.advanceDays })
    .set({ ...releaseParts(config.releaseTime), millisecond: 0 })
    .toMillis();
}

/** The court date whose slots are released at the release instant on the calendar day of `ms`. */
export function courtDateReleasedOn(ms: number, config: CalendarConfig = DEFAULT_SCENARIO): string {
  return DateTime.fromMillis(ms, { zone: config.timeZone })
    .startOf('day')
    .plus({ days: config.advanceDays })
    .toISODate()!;
}

/**
 * The clockOffsetMs that puts the server clock `inMs` before the release of `courtDate`
 * (negative `inMs`: after it). Computed against the real clock now, so call it right before use.
 */
export function offsetForRelease(
  courtDate: string,
  inMs: number,
  config: CalendarConfig = DEFAULT_SCENARIO,
  realNowMs: number = Date.now(),
): number {
  return releaseInstantMs(courtDate, config) - inMs - realNowMs;
}

/**
 * A court date for tests: the one released on the real calendar day (today + advanceDays, London),
 * so offsets stay within a day of real time.
 */
export function courtDateForTests(config: CalendarConfig = DEFAULT_SCENARIO, realNowMs = Date.now()): string {
  return courtDateReleasedOn(realNowMs, config);
}

/** Signed ms from the daily release instant nearest to `ms` (negative: before it). */
export function msFromNearestRelease(ms: number, config: CalendarConfig = DEFAULT_SCENARIO): number {
  const day = DateTime.fromMillis(ms, { zone: config.timeZone }).set({
    ...releaseParts(config.releaseTime),
    millisecond: 0,
  });
  const candidates = [day.minus({ days: 1 }), day, day.plus({ days: 1 })].map((d) => ms - d.toMillis());
  return candidates.reduce((best, c) => (Math.abs(c) < Math.abs(best) ? c : best));
}

/** The latest instant ≤ ms at which the London wall clock read `time` ("HH:mm" or "HH:mm:ss"). */
export function lastWallTimeAtOrBefore(ms: number, time: string, timeZone: string): number {
  const today = DateTime.fromMillis(ms, { zone: timeZone }).set({ ...releaseParts(time), millisecond: 0 });
  return today.toMillis() <= ms ? today.toMillis() : today.minus({ days: 1 }).toMillis();
}

/** Server clock: real time plus the scenario's offset, read fresh each time. */
export interface ServerClock {
  now(): number;
}
