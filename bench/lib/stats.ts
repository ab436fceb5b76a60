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
 * Physical floor: the venue hands out a slot's id only once the slot is released, so any client must,
 * after the release, fetch the availability (one round trip) and then send the booking (one way):
 * 3 one-way trips of mean latency. (A client that times its availability request to arrive exactly at
 * the release saves one of them; the floor deliberately counts from the release as the issue does.)
 */
export const FLOOR_ONE_WAY_TRIPS = 3;

export function physicalFloorMs(latency: LatencySpec): number {
  return FLOOR_ONE_WAY_TRIPS * meanOneWay(latency);
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

/** The goals, checked per case (the 30 ms cases) from one run's figures. */
export const GOALS = {
  overheadP95Ms: 50,
  earlyRequests: 0,
  winRateVs300: 0.95,
  offsetErrorMs: 50,
} as const;

export type GoalInput = {
  caseName: string;
  /** Only the 30 ms cases are held to the goals. */
  heldToGoals: boolean;
  latencyP95Ms: number | null;
  floorMs: number;
  earlyRequests: number;
  winRateVs300: number | null;
  /** The largest |offset error| over the trials. */
  offsetErrorMaxMs: number | null;
  trials: number;
  booked: number;
};

export type GoalCheck = { goal: string; caseName: string; value: string; target: string; pass: boolean };

export function checkGoals(inputs: readonly GoalInput[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const c of inputs.filter((i) => i.heldToGoals)) {
    const overhead = c.latencyP95Ms === null ? null : c.latencyP95Ms - c.floorMs;
    checks.push({
      goal: 'p95 overhead above the floor',
      caseName: c.caseName,
      value: overhead === null ? 'no bookings' : `${Math.round(overhead)} ms`,
      target: `≤ ${GOALS.overheadP95Ms} ms`,
      pass: overhead !== null && overhead <= GOALS.overheadP95Ms && c.booked === c.trials,
    });
    checks.push({
      goal: 'booking requests refused as early',
      caseName: c.caseName,
      value: String(c.earlyRequests),
      target: `${GOALS.earlyRequests}`,
      pass: c.earlyRequests <= GOALS.earlyRequests,
    });
    checks.push({
      goal: 'win rate vs the +300 ms competitor',
      caseName: c.caseName,
      value: c.winRateVs300 === null ? 'n/a' : `${Math.round(c.winRateVs300 * 100)}%`,
      target: `≥ ${GOALS.winRateVs300 * 100}%`,
      pass: c.winRateVs300 !== null && c.winRateVs300 >= GOALS.winRateVs300,
    });
    checks.push({
      goal: 'clock-offset estimate error (worst trial)',
      caseName: c.caseName,
      value: c.offsetErrorMaxMs === null ? 'n/a' : `${Math.round(c.offsetErrorMaxMs)} ms`,
      target: `≤ ${GOALS.offsetErrorMs} ms`,
      pass: c.offsetErrorMaxMs !== null && c.offsetErrorMaxMs <= GOALS.offsetErrorMs,
    });
  }
  return checks;
}
