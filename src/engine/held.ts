import { BlindCheckError } from '../venue/errors.ts';
import { assertReadable, heldFor, listMyBookings, type HeldBooking } from '../venue/my-bookings.ts';
import { step, type Night } from './night.ts';

export type HeldCheck = { held?: HeldBooking; blind?: BlindCheckError };

/**
 * Phase 4, My bookings first: a court the member already holds for the row is recorded, not booked
 * again. When My bookings cannot be read well enough to tell, a real booking does not go ahead (a dry
 * run goes on and says why).
 */
export async function checkHeld(night: Night): Promise<HeldCheck> {
  const page = night.session!.page;
  const bookings = await listMyBookings(page, night.ctx);
  try {
    await assertReadable(page, night.ctx, bookings);
  } catch (error) {
    if (!(error instanceof BlindCheckError) || !night.dryRun) throw error;
    await step(night, 'held-check-blind', { error: error.message });
    return { blind: error };
  }
  const target = night.targets[0]!;
  const held = heldFor(bookings, target);
  if (held) {
    await step(night, 'already-held', {
      date: held.date,
      time: held.time,
      court: held.court,
      reference: held.reference,
    });
    await night.shots.take(page, 'my-bookings-already-held');
  }
  return held ? { held } : {};
}
