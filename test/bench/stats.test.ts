import { describe, expect, it } from 'vitest';
import { trialMetrics, type TrialFacts } from '../../bench/lib/metrics.ts';
import {
  checkGoals,
  latencyFor,
  median,
  percentile,
  physicalFloorMs,
  ratio,
  summarize,
  type GoalInput,
} from '../../bench/lib/stats.ts';
import type { LedgerEntry, RequestLogEntry } from '../sandbox/index.ts';

describe('summaries', () => {
  it('median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });

  it('p95 is the nearest rank: the 19th of 20, the maximum below 20 values', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(twenty, 95)).toBe(19);
    expect(percentile([10, 30, 20], 95)).toBe(30);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });

  it('summarize ignores non-finite values and does not reorder its input', () => {
    const values = [3, Number.NaN, 1, 2];
    expect(summarize(values)).toEqual({ n: 3, median: 2, p95: 3, max: 3, min: 1 });
    expect(values[0]).toBe(3);
    expect(summarize([])).toEqual({ n: 0, median: null, p95: null, max: null, min: null });
  });

  it('ratios are ours / theirs, and missing when either side is', () => {
    expect(ratio(100, 400)).toBe(0.25);
    expect(ratio(null, 400)).toBeNull();
    expect(ratio(100, 0)).toBeNull();
  });
});

describe('the physical floor', () => {
  it('"30 ± 10 ms" is the sandbox latency 20 + uniform(0, 20): three mean one-way trips = 90 ms', () => {
    expect(latencyFor(30, 10)).toEqual({ oneWayMs: 20, jitterMs: 20 });
    expect(physicalFloorMs(latencyFor(30, 10))).toBe(90);
    expect(physicalFloorMs(latencyFor(120, 40))).toBe(360);
    expect(() => latencyFor(10, 20)).toThrow(RangeError);
  });
});

describe('goals', () => {
  const base: GoalInput = {
    caseName: '30 ms, 0',
    heldToGoals: true,
    latencyP95Ms: 130,
    floorMs: 90,
    earlyRequests: 0,
    winRateVs300: 1,
    offsetErrorMaxMs: 12,
    trials: 20,
    booked: 20,
  };

  it('pass when every figure is within its target', () => {
    const checks = checkGoals([base]);
    expect(checks).toHaveLength(4);
    expect(checks.every((c) => c.pass)).toBe(true);
  });

  it('fall short one by one, and a case not held to the goals is not checked', () => {
    const checks = checkGoals([
      { ...base, latencyP95Ms: 141, earlyRequests: 1, winRateVs300: 0.9, offsetErrorMaxMs: 51 },
      { ...base, caseName: '120 ms', heldToGoals: false, latencyP95Ms: 9999 },
    ]);
    expect(checks.map((c) => [c.goal, c.value, c.pass])).toEqual([
      ['p95 overhead above the floor', '51 ms', false],
      ['booking requests refused as early', '1', false],
      ['win rate vs the +300 ms competitor', '90%', false],
      ['clock-offset estimate error (worst trial)', '51 ms', false],
    ]);
  });

  it('a trial without a booking fails the overhead goal even when the p95 looks fine', () => {
    expect(checkGoals([{ ...base, booked: 19 }])[0]!.pass).toBe(false);
  });
});

describe('trial metrics from the venue ground truth', () => {
  const release = Date.UTC(2026, 11, 1, 0, 0, 0);
  const slot = { date: '2026-12-15', time: '19:00', court: 'Padel Court 1' };
  const entry = (member: string, client: LedgerEntry['client'], at: number): LedgerEntry => ({
    reference: `EM-${member}`,
    member,
    client,
    slotId: 'sl_1',
    ...slot,
    acceptedAtServerMs: release + at,
    acceptedAtServerIso: '',
  });
  const request = (at: number, path: string, outcome: string, method = 'POST'): RequestLogEntry => ({
    serverTimeMs: release + at,
    serverTimeIso: '',
    realTimeMs: 0,
    client: 'me@example.com',
    method,
    path,
    status: 200,
    outcome,
  });
  const competitors = [
    { name: 'c150', afterReleaseMs: 150 },
    { name: 'c300', afterReleaseMs: 300 },
    { name: 'c1000', afterReleaseMs: 1000 },
  ];
  const facts = (ledger: LedgerEntry[], requests: RequestLogEntry[]): TrialFacts => ({
    ledger,
    requests,
    releaseServerMs: release,
    member: 'me@example.com',
    slot,
    competitors,
  });

  it('first on the slot: latency from the ledger, every race won, no early requests', () => {
    const m = trialMetrics(
      facts(
        [
          entry('me@example.com', 'member', 95),
          entry('c150', 'competitor:c150', 150),
          entry('c300', 'competitor:c300', 300),
          entry('c1000', 'competitor:c1000', 1000),
        ],
        [
          request(-3, '/spa/123/slots?date=15%2F12%2F2026', 'no-slots', 'GET'),
          request(30, '/spa/123/slots?date=15%2F12%2F2026', 'slots', 'GET'),
          request(95, '/spa/123/book', 'booked'),
        ],
      ),
    );
    expect(m).toMatchObject({
      gotSlot: true,
      releaseLatencyMs: 95,
      firstBookingMs: 95,
      slotsShownMs: 30,
      availabilityTooEarly: 1,
      earlyRequests: 0,
      bookingRequests: 1,
      wins: { '150': true, '300': true, '1000': true },
      holder: 'member',
    });
  });

  it('between two competitors: loses to +150, beats +300 and +1000; an early refused request counts', () => {
    const m = trialMetrics(
      facts(
        [
          entry('c150', 'competitor:c150', 150),
          entry('me@example.com', 'member', 210),
          entry('c300', 'competitor:c300', 300),
          entry('c1000', 'competitor:c1000', 1000),
          { ...entry('other@example.com', 'member', 5), court: 'Padel Court 2' },
        ],
        [
          request(-40, '/spa/123/book', 'not-open'),
          request(210, '/spa/123/book', 'booked'),
          request(0, '/page/book', 'page', 'GET'),
        ],
      ),
    );
    expect(m).toMatchObject({
      gotSlot: false,
      releaseLatencyMs: 210,
      earlyRequests: 1,
      bookingRequests: 2,
      wins: { '150': false, '300': true, '1000': true },
      holder: 'c150',
    });
  });

  it('no booking: no latency and no wins', () => {
    const m = trialMetrics(facts([entry('c150', 'competitor:c150', 150)], []));
    expect(m).toMatchObject({
      gotSlot: false,
      releaseLatencyMs: null,
      wins: { '150': false, '300': false, '1000': false },
    });
  });
});
