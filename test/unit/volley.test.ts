import { describe, expect, it } from 'vitest';
import { fireArgs, type FirePlan } from '../../src/venue/fire/plan.ts';
import { pressOffsetsMs, volleyFor, VOLLEY_MAX_PRESSES } from '../../src/venue/fire/volley.ts';
import { overlapVerdict } from '../../src/venue/overlap-check.ts';
import { pageProfile } from '../../src/venue/page/index.ts';
import { loadProfile } from '../../src/venue/profile.ts';

const clock = { marginMs: 27.4, minRttMs: 61 };
const base = { overlapping: true, inPage: true, maxPerSecond: 4, clock };

describe('the volley (the first shot as a few presses across the send margin)', () => {
  it('spans the send margin with one press fewer than retry.maxPerSecond, at most three', () => {
    expect(volleyFor(base)).toEqual({ presses: 3, spanMs: 27, graceMs: 27 + 122 + 100 });
    expect(volleyFor({ ...base, maxPerSecond: 3 })?.presses).toBe(2);
    expect(volleyFor({ ...base, maxPerSecond: 10 })?.presses).toBe(VOLLEY_MAX_PRESSES);
    expect(pressOffsetsMs({ presses: 3, spanMs: 27, graceMs: 0 })).toEqual([0, 13.5, 27]);
  });

  it('is one press when the site, the flow, the rate or the clock does not allow more', () => {
    expect(volleyFor({ ...base, overlapping: false })).toBeUndefined();
    expect(volleyFor({ ...base, inPage: false })).toBeUndefined();
    expect(volleyFor({ ...base, maxPerSecond: 2 })).toBeUndefined();
    expect(volleyFor({ overlapping: true, inPage: true, maxPerSecond: 4 })).toBeUndefined();
    expect(volleyFor({ ...base, clock: { marginMs: 1, minRttMs: 60 } })).toBeUndefined();
  });

  it('reaches the page as press offsets only when the first shot is aimed at an instant', async () => {
    const profile = await loadProfile('estelle', 'http://127.0.0.1:1');
    const plan: FirePlan = {
      targets: [],
      dryRun: false,
      maxPerSecond: 4,
      minGapMs: 250,
      windowMs: 1000,
      stepTimeoutMs: 1000,
      applyFirst: true,
      volley: { presses: 3, spanMs: 20, graceMs: 300 },
    };
    const page = pageProfile(profile);
    expect(fireArgs(profile, plan, page, 'u').volley).toBeUndefined();
    expect(fireArgs(profile, { ...plan, startAtEpochMs: 5 }, page, 'u').volley).toEqual({
      offsetsMs: [0, 10, 20],
      graceMs: 300,
    });
  });
});

describe("the doctor's verdict on dayView.apply.overlapping (two presses in a row)", () => {
  it('ok when both are answered and slots shown; broken when declared and the site ignores, cancels or drops a press', () => {
    const both = { answers: [{ status: 200 }, { status: 200 }], freshSlots: 30 };
    expect(overlapVerdict(both, true).verdict).toBe('ok');
    expect(overlapVerdict(both, false)).toMatchObject({ verdict: 'ok', note: /overlapping: true would/ });
    const ignored = { answers: [{ status: 200 }], freshSlots: 30 };
    expect(overlapVerdict(ignored, true)).toMatchObject({ verdict: 'broken', note: /ignores a press/ });
    expect(overlapVerdict(ignored, false)).toMatchObject({
      verdict: 'ok',
      note: /overlapping: false is right/,
    });
    const cancelled = { answers: [{ status: 0 }, { status: 200 }], freshSlots: 30 };
    expect(overlapVerdict(cancelled, true)).toMatchObject({ verdict: 'broken', note: /cancelled a press/ });
    expect(overlapVerdict({ answers: [], freshSlots: 0 }, true).note).toMatch(/neither press was answered/);
  });
});
