import type { BookingState } from './bookings/status.ts';

/** How one run ended. The engine returns it; notifications, the summary and the exit code follow from it. */
export type RunOutcome =
  | 'booked'
  | 'booked-fallback'
  | 'unavailable'
  | 'failed'
  | 'unverified'
  | 'dry-run'
  | 'nothing-due'
  | 'already-booked';

/** The process exit code per outcome: non-zero for the outcomes that must show red on the run page. */
export const EXIT_CODE: Record<RunOutcome, number> = {
  booked: 0,
  'booked-fallback': 0,
  'nothing-due': 0,
  'dry-run': 0,
  'already-booked': 0,
  failed: 1,
  unavailable: 2,
  unverified: 3,
};

/**
 * The exit code of a run that holds a court (booked, or already held) but could not write that to the
 * status file: distinct, so the run page shows red and the member looks, while Discord says booked.
 */
export const UNRECORDED_EXIT_CODE = 4;

/** The state a row's status entry takes after an outcome (nothing due records nothing). */
export const STATE_AFTER: Record<RunOutcome, BookingState | undefined> = {
  booked: 'booked',
  'booked-fallback': 'booked',
  'already-booked': 'booked',
  unavailable: 'unavailable',
  failed: 'failed',
  unverified: 'unverified',
  'dry-run': 'dry-run',
  'nothing-due': undefined,
};
