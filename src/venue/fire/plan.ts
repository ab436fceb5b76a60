import { formatSlot, type VenueProfile } from '../profile.ts';
import type { FireArgs, FireTarget } from '../page/index.ts';
import { pressOffsetsMs, type Volley } from './volley.ts';

/** One row to book tonight, as the run hands it to the fire. */
export type Target = {
  key: string;
  date: string;
  /** HH:mm, in order of preference (Time1, then Time2). */
  times: string[];
  preferredCourt?: string;
  /** The only row of the bookings file on its date (see heldFor). */
  onlyRowOnDate: boolean;
};

/** What the run asks of the fire, whatever the strategy. */
export type FirePlan = {
  targets: Target[];
  dryRun: boolean;
  /** At most this many availability refreshes in any one second (config.retry.maxPerSecond). */
  maxPerSecond: number;
  /** Spacing of booking retries (1000 / maxPerSecond). */
  minGapMs: number;
  /** Give up retrying this long after the fire starts (what is left of the retry window). */
  windowMs: number;
  stepTimeoutMs: number;
  /** False: look at what is already on the page first (dry run, --no-wait). */
  applyFirst: boolean;
  /** The real clock's epoch ms (as the page reads it) of the first request; absent: at once. */
  startAtEpochMs?: number;
  /** The first shot as a volley, its first press at startAtEpochMs (in-page only; volley.ts). */
  volley?: Volley;
  /**
   * Look at My bookings before the first booking request too, not only after a failure: set when the
   * run fires after the release without having waited for it (another run of this member may have
   * booked since this one looked).
   */
  lookAtHeldFirst?: boolean;
};

/** The targets with each wanted time as the day view and My bookings show it (pure). */
export function fireTargets(profile: VenueProfile, targets: Target[]): FireTarget[] {
  return targets.map((t) => ({
    key: t.key,
    date: t.date,
    candidates: t.times.map((time) => ({
      time,
      expected: formatSlot(t.date, time, profile.slots.time.format, profile),
      heldTime: formatSlot(t.date, time, profile.myBookings.time.format, profile),
    })),
    ...(t.preferredCourt ? { preferredCourt: t.preferredCourt } : {}),
    heldDate: formatSlot(t.date, '00:00', profile.myBookings.date.format, profile),
    onlyRowOnDate: t.onlyRowOnDate,
  }));
}

/** The in-page fire script's arguments (pure). */
export function fireArgs(
  profile: VenueProfile,
  plan: FirePlan,
  pageProfile: FireArgs['profile'],
  myBookingsUrl: string,
): FireArgs {
  const { targets, volley, ...rest } = plan;
  return {
    ...rest,
    profile: pageProfile,
    targets: fireTargets(profile, targets),
    myBookingsUrl,
    ...(volley && plan.startAtEpochMs
      ? { volley: { offsetsMs: pressOffsetsMs(volley), graceMs: volley.graceMs } }
      : {}),
  };
}
