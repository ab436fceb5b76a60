import { describe, expect, it } from 'vitest';
import {
  DESIGNS,
  logNormal,
  mulberry32,
  REGIMES,
  simulate,
  stream,
  type DelayRegime,
  type Design,
} from '../../bench/schedule/model.ts';
import {
  goals,
  minutesForNights,
  renderMarkdown,
  reportJson,
  runSchedule,
} from '../../bench/schedule/report.ts';

/** GitHub on a perfect day: every scheduled run created on the minute, nothing dropped, dispatches instant. */
const PUNCTUAL: DelayRegime = {
  ...REGIMES.normal,
  dayMedianMinutes: 0,
  daySigma: 0,
  runSigma: 0,
  dropProbability: 0,
  dispatch: {
    medianMinutes: 0,
    sigma: 0,
    tailProbability: 0,
    tailMinMinutes: 0,
    tailMaxMinutes: 0,
    lossProbability: 0,
  },
  externalMissProbability: 0,
};

const design = (over: Partial<Design>): Design => ({ ...DESIGNS.current, ...over });

describe('the schedule simulation', () => {
  it('is deterministic for a seed, and a different seed gives different draws', () => {
    const run = (seed: number) =>
      simulate({ design: DESIGNS.relay, regime: REGIMES.degraded, nights: 40, seed, bookEveryNight: true });
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    const a = stream(1, 'x');
    const b = stream(1, 'x');
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(stream(1, 'x')()).not.toBe(stream(1, 'y')());
  });

  it('draws log-normal delays around the stated median', () => {
    const random = mulberry32(42);
    const draws = Array.from({ length: 4001 }, () => logNormal(random, 270, 0.55)).sort((x, y) => x - y);
    expect(draws[2000]!).toBeGreaterThan(255);
    expect(draws[2000]!).toBeLessThan(285);
  });

  it('scores 0% for a design that cannot reach midnight', () => {
    const base = { regime: PUNCTUAL, nights: 30, seed: 1, bookEveryNight: true };
    // A line just after midnight, without the relay: tonight's release is 23.5 h away, more than a job waits.
    const afterMidnight = simulate({ ...base, design: design({ lines: ['00:30'] }) });
    expect(afterMidnight.nightsAttemptedPct).toBe(0);
    // A line 6 h before midnight waits at most runWindow.leadMinutes (300): it finds nothing due.
    expect(simulate({ ...base, design: design({ lines: ['18:00'] }) }).nightsAttemptedPct).toBe(0);
    // An external trigger after the release attempts every night, but late, never at release.
    const late = simulate({ ...base, design: design({ lines: [], external: ['00:10:00'] }) });
    expect(late.nightsAttemptedPct).toBe(0);
    expect(late.attemptedLate).toBe(30);
    // Every scheduled run dropped: nothing at all.
    expect(
      simulate({ ...base, regime: { ...PUNCTUAL, dropProbability: 1 }, design: DESIGNS.current })
        .nightsAttemptedPct,
    ).toBe(0);
  });

  it('the relay carries a run from any time of day to the release', () => {
    const base = { regime: PUNCTUAL, nights: 30, seed: 1, bookEveryNight: true };
    for (const line of ['00:30', '06:00', '18:00']) {
      const relayed = simulate({ ...base, design: design({ lines: [line], relay: true }) });
      expect(relayed.nightsAttemptedPct, line).toBe(100);
      expect(relayed.longestJobMinutes, line).toBeLessThanOrEqual(350);
    }
    expect(simulate({ ...base, design: DESIGNS.current }).nightsAttemptedPct).toBe(100);
  });

  it("follows GitHub's concurrency: one run at a time, one pending, a newer pending run cancels the older", () => {
    // Punctual lines 19:17 … 23:37: the 19:17 run waits until the release; 20:47, 22:13 and 23:07 are each
    // replaced in the queue by the next; 23:37 runs after the booking and finds it done.
    const r = simulate({
      design: DESIGNS.current,
      regime: PUNCTUAL,
      nights: 30,
      seed: 1,
      bookEveryNight: true,
    });
    expect(r.cancelled).toBeGreaterThanOrEqual(3 * 30);
    expect(r.cancelled).toBeLessThanOrEqual(3 * 32);
    expect(r.nightsAttemptedPct).toBe(100);
  });

  it('bills each job rounded up to the whole minute, waiting included', () => {
    // The external trigger at 23:40, punctual: setup 2.5 min, wait to 00:00, 5 min after the release, 0.3 min
    // post steps = 25.3 → 26 min a night. The firing the evening before the day before the first night finds
    // nothing due: 2.5 + 0.2 + 0.3 = 3 min. (The simulation ends 6 h after the last release.)
    const nights = 30;
    const r = simulate({ design: DESIGNS.external, regime: PUNCTUAL, nights, seed: 1, bookEveryNight: true });
    expect(r.nightsAttemptedPct).toBe(100);
    expect(r.billedMinutes).toBe(nights * 26 + 3);
    const idle = simulate({
      design: DESIGNS.external,
      regime: PUNCTUAL,
      nights,
      seed: 1,
      bookEveryNight: false,
    });
    expect(idle.billedMinutes).toBe((nights + 1) * 3);
  });

  it('crosses both clock changes with the releases at local midnight', () => {
    // 2027: 28 March and 31 October. The external trigger at 23:40 London stays 20 minutes before midnight.
    const r = simulate({
      design: DESIGNS.external,
      regime: PUNCTUAL,
      nights: 250,
      seed: 1,
      bookEveryNight: true,
      firstNight: '2027-03-01',
    });
    expect(r.nightsAttemptedPct).toBe(100);
    expect(r.billedMinutes).toBe(250 * 26 + 3);
  });
});

describe('the schedule report', () => {
  const report = runSchedule({ seed: 3, nights: 30 });

  it('prints exactly {"designs":[{design, regime, nightsAttemptedPct, minutesPerMonth}, …]}', () => {
    const json = JSON.parse(reportJson(report)) as { designs: Record<string, unknown>[] };
    expect(Object.keys(json)).toEqual(['designs']);
    expect(json.designs).toHaveLength(8);
    for (const d of json.designs) {
      expect(Object.keys(d)).toEqual(['design', 'regime', 'nightsAttemptedPct', 'minutesPerMonth']);
      expect(typeof d.nightsAttemptedPct).toBe('number');
      expect(typeof d.minutesPerMonth).toBe('number');
    }
    expect(json.designs.map((d) => `${d.design}/${d.regime}`)).toEqual([
      'current/normal',
      'spread/normal',
      'relay/normal',
      'external/normal',
      'current/degraded',
      'spread/degraded',
      'relay/degraded',
      'external/degraded',
    ]);
  });

  it('scales the minutes with the nights booked, from the idle cost to the every-night cost', () => {
    const d = { minutesPerMonth: 700, idleMinutesPerMonth: 91 };
    expect(minutesForNights(d, 0)).toBe(91);
    expect(minutesForNights(d, 365.25 / 12)).toBe(700);
    expect(minutesForNights(d, 8)).toBe(Math.round(91 + (609 / (365.25 / 12)) * 8));
  });

  it('states the goal and the figures it was checked on', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/^Generated by `npm run bench:schedule` \(seed 3; 30 nights per design and regime/);
    for (const g of goals(report)) {
      expect(md).toContain(`\`${g.design}\` ${g.pass ? 'PASS' : 'FAIL'} (${g.pct.toFixed(2)}%)`);
    }
    const failing = {
      ...report,
      designs: report.designs.map((d) => ({
        ...d,
        nightsAttemptedPct: d.design === 'relay' ? 99.4 : d.nightsAttemptedPct,
      })),
    };
    expect(goals(failing).find((g) => g.design === 'relay')).toEqual({
      design: 'relay',
      pct: 99.4,
      pass: false,
    });
    expect(renderMarkdown(failing)).toContain('`relay` FAIL (99.40%)');
  });
});
