/**
 * The benchmark's arithmetic, pure and unit-tested (test/bench/stats.test.ts): summaries
 * (median, p95, max), the physical floor of a latency case, ratios, win rates and the goal checks.
 * Nothing here measures anything; every input comes from the sandbox's ledger and request log.
 */

export type Summary = {
  n: number;
  median: number | null;
  p95: number | null;
  max: number | null;
  min: number | null;
};

/**
 * Nearest-rank percentile (the smallest value with at least p% of the values at or below it).
 * With 20 trials p95 is the 19th smallest value; with fewer than 20 it is the maximum.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Median: the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  return {
    n: finite.length,
    median: median(finite),
    p95: percentile(finite, 95),
    max: finite.length ? Math.max(...finite) : null,
    min: finite.length ? Math.min(...finite) : null,
  };
}

/** Simulated one-way latency as the sandbox applies it: oneWayMs + uniform(0, jitterMs). */
export type LatencySpec = { oneWayMs: number; jitterMs: number };

/** A nominal "X ± Y ms" one-way latency as the sandbox's scenario: uniform over [X − Y, X + Y]. */
export function latencyFor(meanMs: number, plusMinusMs: number): LatencySpec {
  if (plusMinusMs > meanMs) throw new RangeError(`latency ${meanMs} ± ${plusMinusMs} ms would go negative`);
  return { oneWayMs: meanMs - plusMinusMs, jitterMs: 2 * plusMinusMs };
}

export function meanOneWay(latency: LatencySpec): number {
  return latency.oneWayMs + latency.jitterMs / 2;
}

/**
 * The flow's floor: the one-way trips after the release that the flow forces on the fastest possible
 * client (bench/lib/skins.ts says how many per skin, and why), each of mean latency. On the single-page
 * skin a slot's id only exists after the release, so the availability must be fetched (one round trip)
 * and the booking sent (one way): 3 trips. (A client that times its availability request to arrive
 * exactly at the release saves one of them; the floor deliberately counts from the release as the issue
 * does.) Where the booking is addressable before the release it is 1 trip: the booking itself.
 */
export const FLOOR_ONE_WAY_TRIPS = 3;

export function physicalFloorMs(latency: LatencySpec, trips: number = FLOOR_ONE_WAY_TRIPS): number {
  return trips * meanOneWay(latency);
}

/** The floor with every trip at its slowest (the sandbox's latency is uniform, so this is a hard bound). */
export function worstCaseFloorMs(latency: LatencySpec, trips: number = FLOOR_ONE_WAY_TRIPS): number {
  return trips * (latency.oneWayMs + latency.jitterMs);
}

/** ours / theirs, or null when either is missing or theirs is 0. */
export function ratio(ours: number | null | undefined, theirs: number | null | undefined): number | null {
  if (ours === null || ours === undefined || theirs === null || theirs === undefined) return null;
  if (theirs === 0) return null;
  return ours / theirs;
}

export function rate(flags: readonly boolean[]): number | null {
  return flags.length === 0 ? null : flags.filter(Boolean).length / flags.length;
}

export function round(value: number | null | undefined, digits = 0): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * The goals, checked per case (the 30 ms cases) from one run's figures: issue 11's per skin (p95
 * overhead above the flow's floor; no booking refused as early; a win against a +150 ms rival where
 * the floor allows it) and the clock-offset goal of the first bench. "Where the floor allows it": even
 * with every trip at its slowest the floor is below the rival's 150 ms (otherwise no client could win
 * every time, and the case is reported, not held to it). Beating +150 implies beating +300 and +1000.
 */
export const GOALS = {
  overheadP95Ms: { estelle: 20, clubhouse: 30 } as Record<string, number>,
  earlyRequests: 0,
  rivalMs: 150,
  winRate: 0.95,
  offsetErrorMs: 50,
  firstShotHeldChecks: 0,
} as const;

export type GoalInput = {
  caseName: string;
  skin: string;
  /** Only the 30 ms cases are held to the goals. */
  heldToGoals: boolean;
  latencyP95Ms: number | null;
  floorMs: number;
  /** The floor with every trip at its slowest: the rival goal applies only below the rival's delay. */
  worstCaseFloorMs: number;
  earlyRequests: number;
  /** Share of trials our booking was accepted before the +150 ms rival's. */
  winRateVsRival: number | null;
  /** The largest |offset error| over the trials. */
  offsetErrorMaxMs: number | null;
  /** Looks at My bookings between the release and our first booking request, over all trials (null: not measured). */
  firstShotHeldChecks: number | null;
  trials: number;
  booked: number;
};

export type GoalCheck = {
  goal: string;
  skin: string;
  caseName: string;
  value: string;
  target: string;
  pass: boolean;
};

export function checkGoals(inputs: readonly GoalInput[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const c of inputs.filter((i) => i.heldToGoals)) {
    const at = { skin: c.skin, caseName: c.caseName };
    const overhead = c.latencyP95Ms === null ? null : c.latencyP95Ms - c.floorMs;
    const target = GOALS.overheadP95Ms[c.skin];
    if (target === undefined) throw new Error(`no overhead goal for skin ${c.skin}`);
    checks.push({
      goal: 'p95 overhead above the floor',
      ...at,
      value: overhead === null ? 'no bookings' : `${Math.round(overhead)} ms`,
      target: `≤ ${target} ms`,
      pass: overhead !== null && overhead <= target && c.booked === c.trials,
    });
    checks.push({
      goal: 'booking requests refused as early',
      ...at,
      value: String(c.earlyRequests),
      target: `${GOALS.earlyRequests}`,
      pass: c.earlyRequests <= GOALS.earlyRequests,
    });
    const allowed = c.worstCaseFloorMs < GOALS.rivalMs;
    checks.push({
      goal: `win rate vs the +${GOALS.rivalMs} ms rival`,
      ...at,
      value: !allowed
        ? `n/a (floor up to ${Math.round(c.worstCaseFloorMs)} ms)`
        : c.winRateVsRival === null
          ? 'n/a'
          : `${Math.round(c.winRateVsRival * 100)}%`,
      target: `≥ ${GOALS.winRate * 100}%`,
      pass: !allowed || (c.winRateVsRival !== null && c.winRateVsRival >= GOALS.winRate),
    });
    checks.push({
      goal: 'clock-offset estimate error (worst trial)',
      ...at,
      value: c.offsetErrorMaxMs === null ? 'n/a' : `${Math.round(c.offsetErrorMaxMs)} ms`,
      target: `≤ ${GOALS.offsetErrorMs} ms`,
      pass: c.offsetErrorMaxMs !== null && c.offsetErrorMaxMs <= GOALS.offsetErrorMs,
    });
    checks.push({
      goal: 'looks at My bookings before the first shot',
      ...at,
      value: c.firstShotHeldChecks === null ? 'no clean first shot measured' : String(c.firstShotHeldChecks),
      target: `${GOALS.firstShotHeldChecks}`,
      pass: c.firstShotHeldChecks !== null && c.firstShotHeldChecks <= GOALS.firstShotHeldChecks,
    });
  }
  return checks;
}
