import { BlindCheckError } from '../venue/errors.ts';
import { assertReadable, heldFor, listMyBookings, type HeldBooking } from '../venue/my-bookings.ts';
import type { BookingRow } from '../bookings/csv.ts';
import { wantedTimes } from './load.ts';
import { step, type Night, type Recorded } from './night.ts';

export type HeldCheck = { held: Map<string, HeldBooking>; blind?: BlindCheckError };

/**
 * Phase 4, My bookings first: a court the member already holds for a row is recorded, not booked
 * again. When My bookings cannot be read well enough to tell, a real booking does not go ahead (a dry
 * run goes on and says why). Returns the held court of each row (by key) that has one.
 */
export async function checkHeld(night: Night): Promise<HeldCheck> {
  const page = night.session!.page;
  const bookings = await listMyBookings(page, night.ctx);
  try {
    await assertReadable(page, night.ctx, bookings);
  } catch (error) {
    if (!(error instanceof BlindCheckError) || !night.dryRun) throw error;
    await step(night, 'held-check-blind', { error: error.message });
    return { held: new Map(), blind: error };
  }
  const held = new Map<string, HeldBooking>();
  for (const target of night.targets) {
    const found = heldFor(bookings, target);
    if (!found) continue;
    held.set(target.key, found);
    await step(night, 'already-held', {
      key: target.key,
      date: found.date,
      time: found.time,
      court: found.court,
      reference: found.reference,
    });
  }
  if (held.size > 0) await night.shots.take(page, 'my-bookings-already-held');
  return { held };
}

/**
 * What is recorded for a court the member already holds: `already-booked`, and in the status file
 * `booked` when it is at one of the row's times, else `held-elsewhere` (with the other court's time).
 */
export function heldOutcome(
  row: BookingRow,
  held: { time?: string; court?: string; reference?: string },
  how: string,
): Recorded {
  const atOurTime = held.time !== undefined && wantedTimes(row).includes(held.time);
  const what = `${held.court || 'a court'} at ${held.time ?? '?'} on ${row.date}${held.reference ? ` (ref ${held.reference})` : ''}`;
  return {
    outcome: 'already-booked',
    ...(atOurTime ? {} : { state: 'held-elsewhere' as const }),
    ...(held.time ? { bookedTime: held.time } : {}),
    ...(held.court ? { court: held.court } : {}),
    ...(held.reference ? { reference: held.reference } : {}),
    message: atOurTime
      ? `You already hold ${what}${how}; nothing booked.`
      : `You already hold ${what}${how}, not at ${wantedTimes(row).join(' or ')}: nothing booked, as the venue allows one court a day (to book a second court that day, add it as its own row).`,
  };
}
