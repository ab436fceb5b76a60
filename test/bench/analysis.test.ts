import { describe, expect, it } from 'vitest';
import { naiveOffsetMs } from '../../bench/baselines/sniper.ts';
import { criticalPath, headToHeadFigures, retryCost } from '../../bench/lib/analysis.ts';
import type { TrialMetrics } from '../../bench/lib/metrics.ts';
import type { HeadToHeadRecord, TrialRecord } from '../../bench/lib/records.ts';
import { beatenBy, twoRowFigures, type SkinFigures } from '../../bench/report.ts';

const metrics = (over: Partial<TrialMetrics> = {}): TrialMetrics => ({
  gotSlot: true,
  releaseLatencyMs: 100,
  firstBookingMs: 100,
  firstBookingOutcome: 'booked',
  earlyRequests: 0,
  bookingRequests: 1,
  slotsShownMs: 25,
  availabilityTooEarly: 0,
  availabilityBeforeBooking: 1,
  myBookingsBeforeFirstBooking: 0,
  retriedBeforeFirstBooking: false,
  wins: {},
  holder: 'member',
  ...over,
});

const record = (over: Partial<TrialRecord>): TrialRecord => ({
  bot: 'ours',
  skin: 'estelle',
  caseName: 'c',
  trial: 0,
  outcome: 'booked',
  metrics: metrics(),
  offsetErrorMs: 5,
  engineLatencyMs: 100,
  armedBeforeReleaseMs: 2000,
  fireEvents: [],
  ...over,
});

const SLOTS = '/spa/1/slots?date=15%2F12%2F2026';

describe('where our time goes after midnight', () => {
  it('single page: the send margin, the trip back, the browser, the booking trip add up to the latency', () => {
    const path = criticalPath(
      record({
        venue: [
          { method: 'GET', path: SLOTS, status: 200, outcome: 'slots', atMs: 25 },
          { method: 'POST', path: '/spa/1/book', status: 200, outcome: 'booked', atMs: 100 },
        ],
        network: [
          { method: 'HEAD', path: '/page/login', startMs: -1500, endMs: -1440 },
          { method: 'GET', path: SLOTS, startMs: -7, endMs: 57 },
          { method: 'POST', path: '/spa/1/book', startMs: 68, endMs: 130 },
        ],
        fireEvents: [
          { ms: 0, event: 'apply' },
          { ms: 65, event: 'cards' },
          { ms: 65.2, event: 'pick' },
          { ms: 71.6, event: 'confirm' },
        ],
      }),
    );
    expect(path).toEqual({
      kind: 'fetch-then-book',
      arrivalMs: 25,
      backMs: 32,
      browserMs: 11,
      // The apply mark (0) is when the first availability request left (-7): cards at 58, Confirm at 64.6.
      renderMs: 1,
      chooseMs: 0.2,
      dialogMs: 6.4,
      dispatchMs: 3.4,
      inMs: 32,
      totalMs: 100,
    });
    if (path?.kind === 'fetch-then-book') {
      expect(path.arrivalMs + path.backMs + path.browserMs + path.inMs).toBe(path.totalMs);
      expect(path.renderMs! + path.chooseMs! + path.dialogMs! + path.dispatchMs!).toBeCloseTo(path.browserMs);
    }
  });

  it('an earlier availability request that showed no slots is not the one that counts', () => {
    const path = criticalPath(
      record({
        venue: [
          { method: 'GET', path: SLOTS, status: 200, outcome: 'no-slots', atMs: -3 },
          { method: 'GET', path: SLOTS, status: 200, outcome: 'slots', atMs: 260 },
          { method: 'POST', path: '/spa/1/book', status: 200, outcome: 'booked', atMs: 340 },
        ],
        network: [
          { method: 'GET', path: SLOTS, startMs: -33, endMs: 27 },
          { method: 'GET', path: SLOTS, startMs: 230, endMs: 290 },
          { method: 'POST', path: '/spa/1/book', startMs: 305, endMs: 370 },
        ],
      }),
    );
    expect(path).toMatchObject({
      kind: 'fetch-then-book',
      arrivalMs: 260,
      backMs: 30,
      browserMs: 15,
      inMs: 35,
    });
  });

  it('addressable: when the booking left the browser, and its trip', () => {
    const path = criticalPath(
      record({
        skin: 'clubhouse',
        venue: [
          {
            method: 'GET',
            path: '/members/book/padel/reserve?date=x',
            status: 200,
            outcome: 'page',
            atMs: -3000,
          },
          { method: 'POST', path: '/members/book/padel/reserve', status: 303, outcome: 'booked', atMs: 31 },
        ],
        network: [{ method: 'POST', path: '/members/book/padel/reserve', startMs: -2, endMs: 70 }],
      }),
    );
    expect(path).toEqual({ kind: 'addressed', sentMs: -2, inMs: 33, totalMs: 31 });
  });

  it('no booking after midnight, or no browser timing for it: no path', () => {
    expect(criticalPath(record({ venue: [], network: [] }))).toBeNull();
    expect(
      criticalPath(
        record({
          venue: [{ method: 'POST', path: '/spa/1/book', status: 200, outcome: 'booked', atMs: 90 }],
          network: [],
        }),
      ),
    ).toBeNull();
  });
});

describe('what the look at My bookings costs on the retry path', () => {
  it('single page: from the fire script marks around the look; the venue sees the same gap', () => {
    const cost = retryCost(
      record({
        set: 'retry',
        metrics: metrics({ releaseLatencyMs: 1190 }),
        venue: [
          { method: 'GET', path: SLOTS, status: 429, outcome: 'rate-limited', atMs: 24 },
          { method: 'GET', path: SLOTS, status: 200, outcome: 'slots', atMs: 1085 },
          { method: 'GET', path: '/page/my-bookings', status: 200, outcome: 'page', atMs: 1120 },
          { method: 'POST', path: '/spa/1/book', status: 200, outcome: 'booked', atMs: 1190 },
          { method: 'GET', path: '/page/my-bookings', status: 200, outcome: 'page', atMs: 1400 },
        ],
        fireEvents: [
          { ms: 0, event: 'apply' },
          { ms: 60, event: 'http-error' },
          { ms: 1062, event: 'apply' },
          { ms: 1125, event: 'cards' },
          { ms: 1190.4, event: 'held-check' },
          { ms: 1190.6, event: 'pick' },
          { ms: 1197, event: 'confirm' },
        ],
      }),
      1,
    );
    expect(cost).toEqual({
      latencyMs: 1190,
      refusedAtMs: 24,
      afterRetryAfterMs: 166,
      checks: 1,
      checkMs: 65.4,
      venueGapMs: 70,
    });
  });

  it('page by page: from the My bookings request leaving the browser to the next one leaving', () => {
    const cost = retryCost(
      record({
        skin: 'clubhouse',
        set: 'retry',
        metrics: metrics({ releaseLatencyMs: 1230 }),
        venue: [
          {
            method: 'POST',
            path: '/members/book/padel/reserve',
            status: 429,
            outcome: 'rate-limited',
            atMs: 30,
          },
          { method: 'GET', path: '/members/reservations', status: 200, outcome: 'page', atMs: 1092 },
          { method: 'GET', path: '/members/book/padel/reserve?d', status: 200, outcome: 'page', atMs: 1160 },
          { method: 'POST', path: '/members/book/padel/reserve', status: 303, outcome: 'booked', atMs: 1230 },
        ],
        network: [
          { method: 'POST', path: '/members/book/padel/reserve', startMs: 0, endMs: 60 },
          { method: 'GET', path: '/members/reservations', startMs: 1062, endMs: 1124 },
          { method: 'GET', path: '/members/book/padel/reserve?d', startMs: 1129, endMs: 1190 },
          { method: 'POST', path: '/members/book/padel/reserve', startMs: 1198, endMs: 1262 },
        ],
        fireEvents: [
          { ms: 0, event: 'confirm' },
          { ms: 61, event: 'refused' },
          { ms: 1127, event: 'held-check' },
          { ms: 1194, event: 'confirm' },
        ],
      }),
      1,
    );
    expect(cost).toMatchObject({ checks: 1, checkMs: 67, venueGapMs: 68, afterRetryAfterMs: 200 });
  });
});

describe('head-to-head tallies', () => {
  const h2h = (
    winner: HeadToHeadRecord['winner'],
    firstStarted: HeadToHeadRecord['firstStarted'],
    theirs: Partial<TrialMetrics>,
  ): HeadToHeadRecord => ({
    skin: 'estelle',
    caseName: 'c',
    baseline: 'sniper',
    trial: 0,
    firstStarted,
    winner,
    ours: { outcome: 'booked', metrics: metrics() },
    theirs: { outcome: 'lost', metrics: metrics({ gotSlot: false, ...theirs }) },
    load1: 1,
  });

  it('who held the court, split by who started first; its early requests; its sends', () => {
    const f = headToHeadFigures([
      h2h('ours', 'ours', { firstBookingMs: 130, earlyRequests: 3 }),
      h2h('baseline', 'baseline', { firstBookingMs: 80 }),
      h2h('ours', 'baseline', { firstBookingMs: null }),
      h2h('nobody', 'ours', { firstBookingMs: null, earlyRequests: 1 }),
    ]);
    expect(f).toMatchObject({
      trials: 4,
      oursWon: 2,
      baselineWon: 1,
      nobody: 1,
      oursWinRate: 0.5,
      oursStartedFirst: [2, 1],
      baselineStartedFirst: [2, 1],
      baselineEarly: 4,
      baselineSentNone: 2,
    });
    expect(f.baselineFirstBookingMs).toMatchObject({ n: 2, median: 105 });
  });
});

describe('the sniper clock', () => {
  it('is the median of Date − RTT midpoint, so a truncated Date header reads the venue late', () => {
    // Venue clock = real + 0; each probe processed at its midpoint; the header drops the milliseconds.
    const at = (mid: number) => ({
      t1: mid - 30,
      t2: mid + 30,
      date: new Date(Math.floor(mid / 1000) * 1000).toUTCString(),
    });
    const offset = naiveOffsetMs([at(1_000_700), at(1_000_760), at(1_000_820)]);
    expect(offset).toBe(-760);
    expect(naiveOffsetMs([{ t1: 0, t2: 1, date: null }])).toBeNull();
  });
});

describe('the plain statement that a baseline beat us', () => {
  it('names head-to-head losses and a lower median alone, and nothing when we won everything', () => {
    const skin = (bots: Record<string, number>, baselineWon: number): SkinFigures =>
      ({
        name: 'estelle',
        label: 'single page',
        floorTrips: 3,
        floorRule: '',
        baselines: ['fast-poller'],
        cases: [
          {
            name: '30 ms',
            bots: Object.fromEntries(
              Object.entries(bots).map(([k, median]) => [k, { releaseLatencyMs: { median } }]),
            ),
            headToHead: { 'fast-poller': { baselineWon, trials: 4 } },
          },
        ],
      }) as unknown as SkinFigures;
    expect(beatenBy([skin({ ours: 100, 'fast-poller': 120 }, 0)])).toEqual([]);
    expect(beatenBy([skin({ ours: 100, 'fast-poller': 95 }, 1)]).map((b) => b.how)).toEqual([
      'held the court in 1 of 4 head-to-head trials',
      'alone, its median release latency was 95 ms against our 100 ms',
    ]);
  });
});

describe('twoRowFigures: the second booking of a two-row night', () => {
  it("gives each booking's release latency, and the gap only over the trials that booked both", () => {
    const setup = { caseName: 'c', secondTime: '20:00' };
    const trials = [
      record({
        set: 'two-rows',
        metrics: metrics({ releaseLatencyMs: 100 }),
        secondRow: { time: '20:00', releaseLatencyMs: 300 },
      }),
      record({
        set: 'two-rows',
        metrics: metrics({ releaseLatencyMs: 120 }),
        secondRow: { time: '20:00', releaseLatencyMs: 360 },
      }),
      // The second row not booked: in the first figure only.
      record({
        set: 'two-rows',
        metrics: metrics({ releaseLatencyMs: 110 }),
        secondRow: { time: '20:00', releaseLatencyMs: null },
      }),
    ];
    const f = twoRowFigures(setup, trials);
    expect(f.trials).toBe(3);
    expect(f.bothBooked).toBe(2);
    expect(f.firstMs).toMatchObject({ n: 3, median: 110 });
    expect(f.secondMs).toMatchObject({ n: 2, max: 360 });
    expect(f.gapMs).toMatchObject({ n: 2, min: 200, max: 240 });
  });
});
