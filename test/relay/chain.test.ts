import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import type { ChainLink } from '../../src/bookings/relay-state.ts';
import { emptyStatus, recordAttempt, type StatusFile } from '../../src/bookings/status.ts';
import {
  brokenLinks,
  chainFor,
  dispatchRecord,
  KEEP_NIGHTS,
  linkRecord,
  markReported,
  mergeRelayState,
  updateLink,
  withLink,
} from '../../src/relay/chain.ts';
import { decideRelay } from '../../src/relay/decide.ts';
import { nightOf } from '../../src/relay/night.ts';
import { followChain, ms, ON, rows } from './helpers.ts';

const bookings = rows('2026-12-10,19:00,20:00,Book');
const night = nightOf('2026-11-26', DEFAULT_CONFIG);
const MORNING = ms('2026-11-26T07:30');

function link(n: number, extra: Partial<ChainLink> = {}): ChainLink {
  return {
    link: n,
    runId: String(n * 10),
    trigger: n === 1 ? 'schedule' : 'relay',
    startedBy: 'test',
    startedAt: `2026-11-25T${String(6 + n * 5).padStart(2, '0')}:00:00.000+00:00`,
    role: 'relay',
    ...extra,
  };
}

describe('chain telemetry: every link records itself', () => {
  it('records a relay link with its plan, and the successor as the next link', () => {
    const decision = decideRelay({
      now: ms('2026-11-25T11:00'),
      config: DEFAULT_CONFIG,
      rows: bookings,
      status: emptyStatus(),
      trigger: { kind: 'schedule' },
      runId: '10',
      relay: ON,
      jobStartedAt: ms('2026-11-25T10:57'),
    });
    const record = linkRecord(
      decision,
      { kind: 'schedule', startedBy: "GitHub's schedule (41 7 * * *)" },
      {
        runId: '10',
        runUrl: 'https://github.com/member/padel/actions/runs/10',
        startedAt: '2026-11-25T11:00:00.000+00:00',
        scheduledFor: '2026-11-25T07:41:00.000+00:00',
      },
    );
    expect(record!.night.night).toBe('2026-11-26');
    expect(record!.link).toEqual({
      link: 1,
      runId: '10',
      runUrl: 'https://github.com/member/padel/actions/runs/10',
      trigger: 'schedule',
      startedBy: "GitHub's schedule (41 7 * * *)",
      startedAt: '2026-11-25T11:00:00.000+00:00',
      scheduledFor: '2026-11-25T07:41:00.000+00:00',
      role: 'relay',
      handOverAt: '2026-11-25T16:37:00.000+00:00',
      nextDueAt: '2026-11-25T16:42:00.000+00:00',
    });
    let status = withLink(emptyStatus(), record!.night, record!.link);
    status = updateLink(status, '2026-11-26', '10', 1, {
      dispatch: dispatchRecord('2026-11-25T16:37:01.000+00:00', { ok: true, status: 204 }),
      endedAt: '2026-11-25T16:37:02.000+00:00',
    });
    const chain = chainFor(status, '2026-11-26')!;
    expect(chain).toMatchObject({
      night: '2026-11-26',
      courtDate: '2026-12-10',
      releaseAt: '2026-11-26T00:00:00.000+00:00',
    });
    expect(chain.links[0]!.dispatch).toEqual({ at: '2026-11-25T16:37:01.000+00:00', ok: true, status: 204 });
  });

  it('records nothing for a run with nothing due, but records a relay link that stops (so its start shows)', () => {
    const nothing = decideRelay({
      now: ms('2026-11-25T11:00'),
      config: DEFAULT_CONFIG,
      rows: rows('2026-12-11,19:00,,Book'),
      status: emptyStatus(),
      trigger: { kind: 'schedule' },
      relay: ON,
    });
    expect(
      linkRecord(nothing, { kind: 'schedule', startedBy: 'x' }, { startedAt: '2026-11-25T11:00:00Z' }),
    ).toBeUndefined();
    const booked = recordAttempt(emptyStatus(), bookings[0]!, {
      startedAt: '2026-11-25T10:00:00Z',
      outcome: 'booked',
    });
    const stop = decideRelay({
      now: ms('2026-11-25T16:42'),
      config: DEFAULT_CONFIG,
      rows: bookings,
      status: booked,
      trigger: { kind: 'relay', relay: { night: '2026-11-26', link: 2 } },
      runId: '20',
      relay: ON,
    });
    const record = linkRecord(
      stop,
      { kind: 'relay', startedBy: 'the relay: link 1', relay: { night: '2026-11-26', link: 2 } },
      { runId: '20', startedAt: '2026-11-25T16:42:00Z' },
    );
    expect(record!.link).toMatchObject({
      link: 2,
      role: 'stop',
      outcome: 'booked',
      endedAt: '2026-11-25T16:42:00Z',
    });
  });

  it("updates a run's own link instead of adding a second, and keeps only the last nights", () => {
    let status = withLink(emptyStatus(), night, link(1));
    status = withLink(status, night, { ...link(1), endedAt: '2026-11-25T16:00:00Z' });
    expect(chainFor(status, '2026-11-26')!.links).toHaveLength(1);
    expect(chainFor(status, '2026-11-26')!.links[0]!.endedAt).toBe('2026-11-25T16:00:00Z');
    for (let day = 1; day <= 20; day++) {
      const id = `2026-12-${String(day).padStart(2, '0')}`;
      status = withLink(status, nightOf(id, DEFAULT_CONFIG), { ...link(1), runId: id });
    }
    expect(status.relay!.chains).toHaveLength(KEEP_NIGHTS);
    expect(status.relay!.chains[0]!.night).toBe('2026-12-07');
    expect(status.relay!.chains.at(-1)!.night).toBe('2026-12-20');
  });

  it('records a failed dispatch with its member-readable error, cut to length', () => {
    const record = dispatchRecord('2026-11-25T16:37:00Z', {
      ok: false,
      status: 403,
      message: `403 ${'x'.repeat(400)}`,
    });
    expect(record).toMatchObject({ ok: false, status: 403 });
    expect(record.error).toHaveLength(300);
    expect(dispatchRecord('t', { ok: true, status: 200, runId: '5', runUrl: 'u' })).toEqual({
      at: 't',
      ok: true,
      status: 200,
      successorRunId: '5',
      successorRunUrl: 'u',
    });
  });

  it('merges two records of the relay: every night and link of both, one per run, the later fields winning', () => {
    const a = withLink(emptyStatus(), night, link(1)).relay;
    let b = withLink(emptyStatus(), night, { ...link(1), endedAt: '2026-11-25T16:00:00Z' });
    b = withLink(b, night, link(2));
    b = withLink(b, nightOf('2026-11-27', DEFAULT_CONFIG), link(1));
    const merged = mergeRelayState(a, b.relay)!;
    expect(merged.chains.map((c) => c.night)).toEqual(['2026-11-26', '2026-11-27']);
    expect(merged.chains[0]!.links.map((l) => [l.link, l.endedAt])).toEqual([
      [1, '2026-11-25T16:00:00Z'],
      [2, undefined],
    ]);
    expect(mergeRelayState(undefined, a)).toBe(a);
    expect(mergeRelayState(a, undefined)).toBe(a);
  });
});

describe('brokenLinks: the next morning, a link that handed over but whose successor never started', () => {
  it('finds nothing in an unbroken chain (a 23 h chain that booked)', () => {
    const run = followChain(ms('2026-11-25T01:00'), bookings);
    let status = run.status;
    status = recordAttempt(status, bookings[0]!, { startedAt: '2026-11-25T19:10:00Z', outcome: 'booked' });
    const booker = chainFor(status, '2026-11-26')!.links.at(-1)!;
    status = updateLink(status, '2026-11-26', booker.runId, booker.link, {
      endedAt: '2026-11-26T00:04:00Z',
      outcome: 'booked',
    });
    expect(brokenLinks(status, MORNING, DEFAULT_CONFIG)).toEqual([]);
  });

  it('reports a hand-over with no successor, once the night is over and not before', () => {
    const status = withLink(emptyStatus(), night, {
      ...link(1),
      handOverAt: '2026-11-25T19:01:00.000+00:00',
      nextDueAt: '2026-11-25T19:06:00.000+00:00',
      dispatch: { at: '2026-11-25T19:01:02.000+00:00', ok: true, status: 204 },
      endedAt: '2026-11-25T19:01:03.000+00:00',
    });
    expect(brokenLinks(status, ms('2026-11-25T23:59'), DEFAULT_CONFIG)).toEqual([]);
    const broken = brokenLinks(status, MORNING, DEFAULT_CONFIG);
    expect(broken).toHaveLength(1);
    expect(broken[0]).toMatchObject({
      kind: 'no-successor',
      night: '2026-11-26',
      courtDate: '2026-12-10',
      booked: false,
    });
    expect(broken[0]!.message).toBe(
      'Link 1 (run 10) handed over at 19:01 GMT, but link 2, due about 19:06 GMT, never started.',
    );
    // Reported once.
    const reported = markReported(status, ['2026-11-26'], '2026-11-26T07:30:00Z');
    expect(brokenLinks(reported, MORNING, DEFAULT_CONFIG)).toEqual([]);
  });

  it('reports a failed dispatch, and a link that never recorded its end; notes when the night was booked anyway', () => {
    let status: StatusFile = withLink(emptyStatus(), night, {
      ...link(1),
      dispatch: {
        at: '2026-11-25T16:37:00.000+00:00',
        ok: false,
        status: 403,
        error: 'the token may not start workflows',
      },
      endedAt: '2026-11-25T16:37:01.000+00:00',
    });
    status = withLink(status, night, {
      ...link(2),
      trigger: 'schedule',
      startedAt: '2026-11-25T18:00:00.000+00:00',
    });
    status = recordAttempt(status, bookings[0]!, { startedAt: '2026-11-25T23:40:00Z', outcome: 'booked' });
    const broken = brokenLinks(status, MORNING, DEFAULT_CONFIG);
    expect(broken.map((b) => b.kind)).toEqual(['dispatch-failed', 'never-ended']);
    expect(broken.every((b) => b.booked)).toBe(true);
    expect(broken[0]!.message).toBe(
      'Link 1 (run 10) could not start its successor at 16:37 GMT: the token may not start workflows',
    );
    expect(broken[1]!.message).toMatch(
      /^Link 2 \(run 20\) started at 18:00 GMT and never recorded its end .*, so it never handed over\.$/,
    );
  });

  it('counts a scheduled run that took over as the successor', () => {
    let status = withLink(emptyStatus(), night, {
      ...link(1),
      dispatch: { at: '2026-11-25T16:37:00.000+00:00', ok: true, status: 204 },
      endedAt: '2026-11-25T16:37:01.000+00:00',
    });
    status = withLink(status, night, {
      ...link(2),
      trigger: 'schedule',
      role: 'book',
      startedAt: '2026-11-25T19:20:00.000+00:00',
      endedAt: '2026-11-26T00:04:00.000+00:00',
    });
    expect(brokenLinks(status, MORNING, DEFAULT_CONFIG)).toEqual([]);
  });
});
