import { describe, expect, it } from 'vitest';
import { caseRow, raceSamples, renderAbMarkdown, type AbTrial } from '../../bench/ab/compare.ts';

const CASE = '30 ms, venue clock ±0';

function trial(over: Partial<AbTrial> & { latency: number | null; shown?: number }): AbTrial {
  return {
    bot: 'ours',
    caseName: CASE,
    metrics: { releaseLatencyMs: over.latency, slotsShownMs: over.shown ?? null },
    fireEvents: [
      { ms: 2, event: 'apply' },
      { ms: 70, event: 'cards' },
      { ms: 71, event: 'pick' },
      { ms: 80.5, event: 'confirm' },
    ],
    ...over,
  };
}

describe('the A/B of two engines on the single-page skin', () => {
  it("takes only our trials alone on the single-page skin and case, from either bench's records", () => {
    const samples = raceSamples(
      [
        trial({ latency: 100, shown: 25 }), // an older bench: no skin, no set
        trial({ latency: 110, skin: 'estelle', set: 'race' }),
        trial({ latency: 999, skin: 'clubhouse', set: 'race' }),
        trial({ latency: 998, skin: 'estelle', set: 'retry' }),
        trial({ latency: 997, bot: 'fast-poller' }),
        trial({ latency: 996, caseName: '30 ms, venue clock +2.7 s' }),
      ],
      CASE,
    );
    expect(samples.map((s) => s.releaseLatencyMs)).toEqual([100, 110]);
    expect(samples[0]).toEqual({ releaseLatencyMs: 100, slotsShownMs: 25, dialogMs: 9.5 });
  });

  it('reads no dialog time from a trial that never pressed Confirm', () => {
    const [sample] = raceSamples([trial({ latency: null, fireEvents: [{ ms: 2, event: 'apply' }] })], CASE);
    expect(sample!.dialogMs).toBeNull();
  });

  it('reports each p95 above the floor and counts the trials that booked nothing', () => {
    const sample = (releaseLatencyMs: number | null) => ({ releaseLatencyMs, slotsShownMs: 20, dialogMs: 6 });
    const row = caseRow(CASE, 90, [
      [100, 104, 130, null].map(sample),
      Array.from({ length: 20 }, (_, i) => sample(101 + i)),
    ]);
    expect(row.engines[0]).toMatchObject({ overheadP95Ms: 40, missed: 1 });
    expect(row.engines[0]!.latency.median).toBe(104);
    // Nearest rank: the 19th of 20.
    expect(row.engines[1]).toMatchObject({ overheadP95Ms: 29, missed: 0 });
    expect(caseRow(CASE, 90, [[sample(null)], []]).engines.map((e) => e.overheadP95Ms)).toEqual([null, null]);
  });

  it('renders one line per engine and case, naming both commits', () => {
    const row = caseRow(CASE, 90, [
      [{ releaseLatencyMs: 112, slotsShownMs: 25, dialogMs: 11.7 }],
      [{ releaseLatencyMs: 124, slotsShownMs: 34, dialogMs: 11.2 }],
    ]);
    const text = renderAbMarkdown(
      {
        engines: [
          { label: 'f034d07', ref: 'f034d07aaaa' },
          { label: 'this engine', ref: 'e54eff1bbbb' },
        ],
        rows: [row],
        trialsPerCase: 1,
        targetOverheadMs: 20,
      },
      {
        generatedAt: '2026-12-02T11:00:00.000Z',
        command: 'npm run bench:ab',
        machineLine: 'Machine: x',
        durationMin: 1,
      },
    );
    expect(text).toContain(
      `| ${CASE} (floor 90 ms) | f034d07 | 112 / 112 ms | 22 ms | +25 / 25 ms | 11.7 / 11.7 ms | 0 |`,
    );
    expect(text).toContain(
      `| ${CASE} (floor 90 ms) | this engine | 124 / 124 ms | 34 ms | +34 / 34 ms | 11.2 / 11.2 ms | 0 |`,
    );
    expect(text).toContain('commit f034d07aaaa');
    expect(text).toContain('commit e54eff1bbbb');
    expect(() =>
      renderAbMarkdown(
        { engines: [], rows: [], trialsPerCase: 1, targetOverheadMs: 20 },
        {
          generatedAt: '',
          command: '',
          machineLine: '',
          durationMin: 0,
        },
      ),
    ).toThrow(/two engines/);
  });
});
