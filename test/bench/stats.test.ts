import { describe, expect, it } from 'vitest';
import { trialMetrics, type TrialFacts } from '../../bench/lib/metrics.ts';
import { SKINS } from '../../bench/lib/skins.ts';
import {
  checkGoals,
  latencyFor,
  median,
  percentile,
  physicalFloorMs,
  ratio,
  summarize,
  worstCaseFloorMs,
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

describe('the floor of each flow', () => {
  it('"30 ± 10 ms" is the sandbox latency 20 + uniform(0, 20): three mean one-way trips = 90 ms', () => {
    expect(latencyFor(30, 10)).toEqual({ oneWayMs: 20, jitterMs: 20 });
    expect(physicalFloorMs(latencyFor(30, 10))).toBe(90);
    expect(physicalFloorMs(latencyFor(120, 40))).toBe(360);
    expect(() => latencyFor(10, 20)).toThrow(RangeError);
  });

  it('single page: 3 trips (availability round trip + booking); addressable clubhouse: 1 (the booking)', () => {
    expect(SKINS.estelle.floorTrips).toBe(3);
    expect(SKINS.clubhouse.floorTrips).toBe(1);
    expect(SKINS.clubhouse.pageByPageTrips).toBe(5);
    expect(physicalFloorMs(latencyFor(30, 10), SKINS.clubhouse.floorTrips)).toBe(30);
    expect(physicalFloorMs(latencyFor(120, 40), SKINS.clubhouse.floorTrips)).toBe(120);
  });

  it('the worst case puts every trip at its slowest', () => {
    expect(worstCaseFloorMs(latencyFor(30, 10), 3)).toBe(120);
    expect(worstCaseFloorMs(latencyFor(30, 10), 1)).toBe(40);
    expect(worstCaseFloorMs(latencyFor(120, 40), 1)).toBe(160);
  });
});

describe('goals', () => {
  const base: GoalInput = {
    caseName: '30 ms, 0',
    skin: 'estelle',
    heldToGoals: true,
    latencyP95Ms: 110,
    floorMs: 90,
    worstCaseFloorMs: 120,
    earlyRequests: 0,
    winRateVsRival: 1,
    offsetErrorMaxMs: 12,
    firstShotHeldChecks: 0,
    trials: 20,
    booked: 20,
  };

  it('pass when every figure is within its target', () => {
    const checks = checkGoals([base]);
    expect(checks).toHaveLength(5);
    expect(checks.every((c) => c.pass)).toBe(true);
  });

  it('fall short one by one, and a case not held to the goals is not checked', () => {
    const checks = checkGoals([
      {
        ...base,
        latencyP95Ms: 111,
        earlyRequests: 1,
        winRateVsRival: 0.9,
        offsetErrorMaxMs: 51,
        firstShotHeldChecks: 1,
      },
      { ...base, caseName: '120 ms', heldToGoals: false, latencyP95Ms: 9999 },
    ]);
    expect(checks.map((c) => [c.goal, c.value, c.pass])).toEqual([
      ['p95 overhead above the floor', '21 ms', false],
      ['booking requests refused as early', '1', false],
      ['win rate vs the +150 ms rival', '90%', false],
      ['clock-offset estimate error (worst trial)', '51 ms', false],
      ['looks at My bookings before the first shot', '1', false],
    ]);
  });

  it('the overhead target is per skin: 20 ms on the single page, 30 ms on the clubhouse', () => {
    const club = { ...base, skin: 'clubhouse', floorMs: 30, worstCaseFloorMs: 40 };
    expect(checkGoals([{ ...club, latencyP95Ms: 60 }])[0]!.pass).toBe(true);
    expect(checkGoals([{ ...club, latencyP95Ms: 61 }])[0]!.pass).toBe(false);
    expect(checkGoals([{ ...base, latencyP95Ms: 111 }])[0]!.target).toBe('≤ 20 ms');
  });

  it('the rival goal applies only where even the slowest floor is below the rival', () => {
    const [, , rival] = checkGoals([{ ...base, worstCaseFloorMs: 480, winRateVsRival: 0 }]);
    expect(rival).toMatchObject({ pass: true, value: 'n/a (floor up to 480 ms)' });
  });

  it('a trial without a booking fails the overhead goal even when the p95 looks fine', () => {
    expect(checkGoals([{ ...base, booked: 19 }])[0]!.pass).toBe(false);
  });

  it('an unmeasured first-shot figure does not pass', () => {
    const last = checkGoals([{ ...base, firstShotHeldChecks: null }]).at(-1)!;
    expect(last).toMatchObject({ value: 'no clean first shot measured', pass: false });
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
      // the availability request before midnight showed no slots: asked again
      retriedBeforeFirstBooking: true,
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

  it('clubhouse: the sessions page is the availability, the reserve POST the booking; early POSTs count', () => {
    const club = { date: '2026-12-15', time: '19:00', court: 'Court A' };
    const m = trialMetrics({
      ...facts(
        [{ ...entry('me@example.com', 'member', 35), ...club }],
        [
          request(-120, '/members/book/padel/reserve', 'not-open'),
          request(-70, '/members/book/padel/reserve', 'not-open'),
          request(-30, '/members/book/padel/sessions?date=2026-12-15', 'no-slots', 'GET'),
          request(-10, '/members/book/padel/reserve?date=2026-12-15&time=19:00&court=court-a', 'page', 'GET'),
          request(35, '/members/book/padel/reserve', 'booked'),
        ],
      ),
      slot: club,
    });
    expect(m).toMatchObject({
      gotSlot: true,
      releaseLatencyMs: 35,
      firstBookingMs: 35,
      firstBookingOutcome: 'booked',
      earlyRequests: 2,
      bookingRequests: 3,
      availabilityTooEarly: 1,
      // refused POSTs and a "not open yet" sessions page came first: not a clean first shot
      retriedBeforeFirstBooking: true,
    });
  });

  it('head to head: per member; a refused first booking still has its arrival; My bookings before it counts', () => {
    const ledger = [{ ...entry('other@example.com', 'member', 90) }];
    const requests = [
      request(20, '/spa/123/slots?date=15%2F12%2F2026', 'slots', 'GET'),
      request(60, '/page/my-bookings', 'page', 'GET'),
      request(120, '/spa/123/book', 'unavailable'),
      request(300, '/page/my-bookings', 'page', 'GET'),
    ];
    const mine = trialMetrics({ ...facts(ledger, requests), competitors: [] });
    expect(mine).toMatchObject({
      gotSlot: false,
      releaseLatencyMs: null,
      firstBookingMs: 120,
      firstBookingOutcome: 'unavailable',
      availabilityBeforeBooking: 1,
      myBookingsBeforeFirstBooking: 1,
      retriedBeforeFirstBooking: false,
      holder: 'other@example.com',
      wins: {},
    });
    const theirs = trialMetrics({ ...facts(ledger, []), member: 'other@example.com', competitors: [] });
    expect(theirs).toMatchObject({
      gotSlot: true,
      releaseLatencyMs: 90,
      holder: 'member',
      firstBookingMs: null,
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
