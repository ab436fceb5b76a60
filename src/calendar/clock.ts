import { DateTime } from 'luxon';

/**
 * The one source of "now" in the product. Everything that needs the time takes a Clock,
 * so tests (and `--now` / BOOKER_NOW) can fix or shift it.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock fixed at one instant (for plan --now and unit tests). */
export function fixedClock(instant: DateTime | string | number): Clock {
  const ms =
    typeof instant === 'number'
      ? instant
      : typeof instant === 'string'
        ? DateTime.fromISO(instant, { setZone: true }).toMillis()
        : instant.toMillis();
  if (!Number.isFinite(ms)) throw new Error(`"${String(instant)}" is not a valid ISO 8601 instant`);
  return { now: () => ms };
}

/** A clock that runs in real time but shifted by `offsetMs` (for tests that travel to midnight). */
export function shiftedClock(offsetMs: number, base: Clock = systemClock): Clock {
  return { now: () => base.now() + offsetMs };
}
