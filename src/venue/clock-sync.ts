import { Pool } from 'undici';
import type { Clock } from '../calendar/clock.ts';
import { sleepUntil } from './wait.ts';

/**
 * Synchronising with the venue's clock from HTTP `Date` headers (1-second resolution), after the
 * published algorithm of htp (github.com/danroc/htp):
 *
 * A probe sent at local time t0 and answered at t1 with header second S (ms, a multiple of 1000)
 * was processed at some local instant in [t0, t1] while the server clock read [S, S + 1000).
 * So the offset (server − local) lies in (S − t1, S + 1000 − t0). Intersecting the bounds of
 * probes that land just either side of a second boundary shrinks the interval to about one RTT.
 *
 * What the engine needs for firing is slightly different and sharper: the "arrival offset"
 * A = offset + one-way latency, i.e. a request sent at local t reaches the server when its clock
 * reads t + A. Each probe bounds it using only its send time: A ∈ [S − t0, S + 1000 − t0).
 * Probes staggered across the current interval so that they straddle a second boundary narrow it
 * by the number of probes each round, down to the latency jitter.
 *
 * Everything below except `measureServerClock` is pure, and unit-tested.
 */

export type Probe = {
  /** Local send time (ms, by the run's clock). */
  t0: number;
  /** Local receive time of the response headers. */
  t1: number;
  /** The Date header's instant (ms since epoch, whole seconds). */
  serverSecondMs: number;
};

export type Interval = { lo: number; hi: number };

/** Offset (server − local) bounds from one probe, after htp. */
export function offsetBounds(probe: Probe): Interval {
  return { lo: probe.serverSecondMs - probe.t1, hi: probe.serverSecondMs + 1000 - probe.t0 };
}

/** Arrival-offset bounds (offset + inbound latency) from one probe. */
export function arrivalBounds(probe: Probe): Interval {
  return { lo: probe.serverSecondMs - probe.t0, hi: probe.serverSecondMs + 1000 - probe.t0 };
}

/**
 * Intersection of intervals. When jitter makes them disagree (lo > hi), the crossing is returned
 * as an interval centred on where they meet, so the width still reports the disagreement.
 */
export function intersect(intervals: Interval[]): Interval {
  if (intervals.length === 0) return { lo: -Infinity, hi: Infinity };
  const lo = Math.max(...intervals.map((i) => i.lo));
  const hi = Math.min(...intervals.map((i) => i.hi));
  return lo <= hi ? { lo, hi } : { lo: hi, hi: lo };
}

export function midpoint(interval: Interval): number {
  return (interval.lo + interval.hi) / 2;
}

export function halfWidth(interval: Interval): number {
  return (interval.hi - interval.lo) / 2;
}

/**
 * Local send times for the next round: `count` probes spread across the arrival interval so that
 * each would reach the server exactly at the next second boundary B for one candidate A.
 * B is the first boundary that every probe can still be sent in time for (after `earliestMs`).
 */
export function nextRoundSendTimes(arrival: Interval, earliestMs: number, count: number): number[] {
  const span = arrival.hi - arrival.lo;
  const candidates = Array.from({ length: count }, (_, i) => arrival.lo + ((i + 1) * span) / (count + 1));
  // Latest candidate A gives the earliest send time: B - maxA >= earliest.
  const maxA = Math.max(...candidates);
  const boundary = Math.ceil((earliestMs + maxA) / 1000) * 1000;
  return candidates.map((a) => boundary - a).sort((x, y) => x - y);
}

export type ClockEstimate = {
  /** Server clock minus the run's clock, ms (htp midpoint). */
  offsetMs: number;
  /** Half-width of the htp offset interval, ms. */
  offsetUncertaintyMs: number;
  /** Server clock at arrival minus local send time (offset + one-way latency), ms. */
  arrivalOffsetMs: number;
  arrivalUncertaintyMs: number;
  /** arrivalOffset − offset: the one-way (inbound) latency estimate. */
  oneWayMs: number;
  /** Half the spread of the probes' round trips: how much a single request's latency varies. */
  jitterMs: number;
  minRttMs: number;
  probes: Probe[];
};

/** Summarises a set of probes (pure). */
export function estimateClock(probes: Probe[]): ClockEstimate {
  if (probes.length === 0) throw new Error('no clock probes');
  const offset = intersect(probes.map(offsetBounds));
  const arrival = intersect(probes.map(arrivalBounds));
  const rtts = probes.map((p) => p.t1 - p.t0);
  const offsetMs = midpoint(offset);
  const arrivalOffsetMs = midpoint(arrival);
  return {
    offsetMs,
    offsetUncertaintyMs: halfWidth(offset),
    arrivalOffsetMs,
    arrivalUncertaintyMs: halfWidth(arrival),
    oneWayMs: arrivalOffsetMs - offsetMs,
    jitterMs: (Math.max(...rtts) - Math.min(...rtts)) / 2,
    minRttMs: Math.min(...rtts),
    probes,
  };
}

/**
 * The local send time at which a request reaches the server when its clock reads
 * `serverInstantMs` + a safety margin. The margin covers the estimate's uncertainty and the
 * latency jitter: arriving a little late costs milliseconds, arriving early costs a whole retry.
 */
export function sendTimeFor(serverInstantMs: number, estimate: ClockEstimate, safetyMs = 5): number {
  return serverInstantMs - estimate.arrivalOffsetMs + sendMarginMs(estimate, safetyMs);
}

/** How much later than the estimate's own instant `sendTimeFor` sends (ms): uncertainty + jitter + safety. */
export function sendMarginMs(estimate: ClockEstimate, safetyMs = 5): number {
  return estimate.arrivalUncertaintyMs + estimate.jitterMs + safetyMs;
}

export type ClockSyncOptions = {
  /** Probes per staggered round (after the opening round). */
  probesPerRound?: number;
  rounds?: number;
  /** Stop early once the arrival interval's half-width is below this. */
  targetHalfWidthMs?: number;
  timeoutMs?: number;
  /**
   * On `clock`: no round is sent after this instant (the estimate is made from the probes so far; none
   * at all, an error), and no probe is awaited more than a second past it, so the measurement never
   * runs into the release.
   */
  stopAtMs?: number;
  signal?: AbortSignal;
};

/**
 * Measures the venue's clock against `clock` with HEAD requests to `url` (no session needed).
 * An opening round warms the connections; then each round lands its probes around one second
 * boundary. Takes about rounds + 1 seconds.
 */
export async function measureServerClock(
  url: string,
  clock: Clock,
  options: ClockSyncOptions = {},
): Promise<ClockEstimate> {
  const perRound = options.probesPerRound ?? 4;
  const rounds = options.rounds ?? 3;
  const target = options.targetHalfWidthMs ?? 3;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { origin, pathname, search } = new URL(url);
  const pool = new Pool(origin, { connections: perRound, pipelining: 1, keepAliveTimeout: 30_000 });
  const probes: Probe[] = [];

  const probe = async (): Promise<Probe> => {
    const t0 = clock.now();
    const waitMs =
      options.stopAtMs === undefined
        ? timeoutMs
        : Math.max(1, Math.min(timeoutMs, options.stopAtMs + 1_000 - t0));
    const response = await pool.request({
      method: 'HEAD',
      path: pathname + search,
      headersTimeout: waitMs,
      bodyTimeout: waitMs,
      headers: { 'cache-control': 'no-cache', 'user-agent': 'estelle-court-booker clock-sync' },
    });
    const t1 = clock.now();
    await response.body.dump();
    const header = response.headers.date;
    const date = Date.parse(Array.isArray(header) ? (header[0] ?? '') : (header ?? ''));
    if (!Number.isFinite(date))
      throw new Error(`${url} answered ${response.statusCode} without a Date header`);
    return { t0, t1, serverSecondMs: date };
  };

  if (options.stopAtMs !== undefined && clock.now() > options.stopAtMs) {
    await pool.close().catch(() => undefined);
    throw new Error(
      `no time left to measure the venue's clock (${Math.round(clock.now() - options.stopAtMs)} ms past the cut-off)`,
    );
  }
  try {
    // Opening round: concurrent, to open every connection (a fresh TCP connect would skew later probes).
    probes.push(...(await Promise.all(Array.from({ length: perRound }, () => probe()))));
    for (let round = 0; round < rounds; round += 1) {
      const arrival = intersect(probes.map(arrivalBounds));
      if (halfWidth(arrival) <= target) break;
      const sendTimes = nextRoundSendTimes(arrival, clock.now() + 20, perRound);
      if (options.stopAtMs !== undefined && Math.max(...sendTimes) > options.stopAtMs) break;
      const results = await Promise.all(
        sendTimes.map(async (at) => {
          await sleepUntil(clock, at, options.signal);
          return probe();
        }),
      );
      probes.push(...results);
    }
    return estimateClock(probes);
  } finally {
    await pool.close().catch(() => undefined);
  }
}
