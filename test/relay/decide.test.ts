import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/bookings/config.ts';
import { emptyStatus, recordAttempt, type StatusFile } from '../../src/bookings/status.ts';
import { releaseInstant } from '../../src/calendar/release.ts';
import { linkRecord, withLink } from '../../src/relay/chain.ts';
import {
  checkBeforeDispatch,
  decideRelay,
  nextDispatchAttempt,
  type RelayDecision,
} from '../../src/relay/decide.ts';
import { nightAt, nightOf } from '../../src/relay/night.ts';
import { followChain, iso, MIN, ms, OFF, ON, rows } from './helpers.ts';

// Court date 2026-12-10 is released at 00:00 GMT on Thu 26 Nov 2026.
const winter = rows('2026-12-10,19:00,20:00,Book');
const WINTER_RELEASE = ms('2026-11-26T00:00:00Z');

function decide(nowIso: string, overrides: Partial<Parameters<typeof decideRelay>[0]> = {}): RelayDecision {
  return decideRelay({
    now: ms(nowIso),
    config: DEFAULT_CONFIG,
    rows: winter,
    status: emptyStatus(),
    trigger: { kind: 'schedule' },
    runId: '77',
    relay: ON,
    ...overrides,
  });
}

function expectBooksAtRelease(
  run: ReturnType<typeof followChain>,
  releaseMs: number,
  config: Config = DEFAULT_CONFIG,
) {
  const last = run.decisions.at(-1)!;
  expect(last.action, last.reason).toBe('book');
  const bookerStart = run.starts.at(-1)!;
  // It starts inside the run window and early enough to log in on the normal schedule.
  expect(releaseMs - bookerStart).toBeLessThanOrEqual(config.runWindow.leadMinutes * MIN);
  expect(releaseMs - bookerStart).toBeGreaterThanOrEqual(config.loginLeadMinutes * MIN);
  if (last.action === 'book') expect(last.due[0]!.releaseAt.toMillis()).toBe(releaseMs);
}

describe('decideRelay: which path a run takes', () => {
  it('books when the run starts inside the run window, and when it starts late inside the grace', () => {
    const inside = decide('2026-11-25T22:00');
    expect(inside.action).toBe('book');
    expect(inside.reason).toMatch(/1 booking due: 2026-12-10 19:00 \(waiting\)/);
    expect(decide('2026-11-26T00:10').action).toBe('book');
    // Inside the window it books even with the relay off, in a dry run, or with another link alive.
    expect(decide('2026-11-25T19:05', { relay: OFF }).action).toBe('book');
    expect(decide('2026-11-25T19:05', { dryRun: true }).action).toBe('book');
  });

  it('hands over from a run that starts 13 h early, as late as its job safely can, when one hop is not enough', () => {
    const d = decide('2026-11-25T11:00', { jobStartedAt: ms('2026-11-25T10:57') });
    expect(d.action).toBe('wait-then-hand-over');
    if (d.action !== 'wait-then-hand-over') return;
    // The job started 10:57; 350 min timeout less the 10 min margin: 16:37.
    expect(d.handOverAt.toISO()).toBe('2026-11-25T16:37:00.000+00:00');
    expect(d.latestHandOverAt.toISO()).toBe('2026-11-25T16:37:00.000+00:00');
    expect(d.successorExpectedAt.toISO()).toBe('2026-11-25T16:42:00.000+00:00');
    expect(d.finalHop).toBe(false);
    expect(d.link).toBe(1);
    expect(d.night.night).toBe('2026-11-26');
    expect(d.night.courtDate).toBe('2026-12-10');
    expect(d.reason).toMatch(
      /waiting until 16:37 GMT, then handing over to link 2, expected to start about 16:42 GMT, which hands over again/,
    );
  });

  it('hands over at the moment its successor would be inside the window, when one hop is enough', () => {
    const d = decide('2026-11-25T16:42', { jobStartedAt: ms('2026-11-25T16:39') });
    if (d.action !== 'wait-then-hand-over') throw new Error(d.reason);
    // Release 00:00, run window 300 min: the successor is inside it from 19:00; one minute's margin.
    expect(d.handOverAt.toISO()).toBe('2026-11-25T19:01:00.000+00:00');
    expect(d.finalHop).toBe(true);
    expect(d.latestHandOverAt.toISO()).toBe('2026-11-25T22:19:00.000+00:00');
    expect(d.reason).toMatch(/and book\.$/);
  });

  it('without the job start, assumes the job spent setupAllowanceMinutes before the script', () => {
    const d = decide('2026-11-25T11:00');
    if (d.action !== 'wait-then-hand-over') throw new Error(d.reason);
    expect(d.handOverAt.toISO()).toBe('2026-11-25T16:30:00.000+00:00');
    const tight = decide('2026-11-25T11:00', { limits: { jobTimeoutMinutes: 120 } });
    if (tight.action !== 'wait-then-hand-over') throw new Error(tight.reason);
    expect(tight.handOverAt.toISO()).toBe('2026-11-25T12:40:00.000+00:00');
  });

  it('carries a run that starts 23 h early to a booking at the release, every link within its job', () => {
    const run = followChain(ms('2026-11-25T01:00'), winter);
    expectBooksAtRelease(run, WINTER_RELEASE);
    expect(run.decisions.map((d) => d.action)).toEqual([
      'wait-then-hand-over',
      'wait-then-hand-over',
      'wait-then-hand-over',
      'wait-then-hand-over',
      'book',
    ]);
    // The chain is recorded: links 1..5, each started by its predecessor.
    const chain = run.status.relay!.chains[0]!;
    expect(chain.night).toBe('2026-11-26');
    expect(chain.links.map((l) => [l.link, l.role, l.trigger])).toEqual([
      [1, 'relay', 'schedule'],
      [2, 'relay', 'relay'],
      [3, 'relay', 'relay'],
      [4, 'relay', 'relay'],
      [5, 'book', 'relay'],
    ]);
  });

  it('books at release in BST too (midnight is 23:00 UTC), from 23 h early', () => {
    const summer = rows('2026-07-15,19:00,,Book');
    const release = ms('2026-06-30T23:00:00Z');
    expect(releaseInstant('2026-07-15', DEFAULT_CONFIG).toMillis()).toBe(release);
    const run = followChain(ms('2026-06-30T01:00'), summer);
    expectBooksAtRelease(run, release);
  });

  it('covers the 23-hour night when the clocks go forward (release 00:00 BST on Mon 30 March 2026)', () => {
    const spring = rows('2026-04-13,19:00,,Book');
    const release = ms('2026-03-29T23:00:00Z');
    // The night begins when the previous release's retry window closes: 00:03 GMT on Sunday.
    const first = ms('2026-03-29T00:04:00Z');
    expect(nightAt(first, DEFAULT_CONFIG).night).toBe('2026-03-30');
    expect(release - first).toBe((22 * 60 + 56) * MIN);
    const run = followChain(first, spring);
    expectBooksAtRelease(run, release);
  });

  it('covers the 25-hour night when the clocks go back (release 00:00 GMT on Mon 26 October 2026)', () => {
    const autumn = rows('2026-11-09,19:00,,Book');
    const release = ms('2026-10-26T00:00:00Z');
    // Sunday 25 October's release was 00:00 BST (23:00 UTC on the 24th); the next is 25 hours later.
    const first = ms('2026-10-24T23:04:00Z');
    expect(nightAt(first, DEFAULT_CONFIG).night).toBe('2026-10-26');
    expect(release - first).toBe((24 * 60 + 56) * MIN);
    const run = followChain(first, autumn);
    expectBooksAtRelease(run, release);
    expect(run.decisions.map((d) => d.action).filter((a) => a === 'wait-then-hand-over')).toHaveLength(4);
  });

  it('books when the final successor starts up to 4 h 49 min late, and not when it starts after the login lead', () => {
    const lateBy = (minutes: number) =>
      followChain(ms('2026-11-25T16:42'), winter, { delayMinutes: () => minutes });
    expectBooksAtRelease(lateBy(289), WINTER_RELEASE);
    const tooLate = lateBy(295);
    expect(tooLate.decisions.at(-1)!.action).toBe('book');
    expect(WINTER_RELEASE - tooLate.starts.at(-1)!).toBeLessThan(DEFAULT_CONFIG.loginLeadMinutes * MIN);
  });
});

describe('decideRelay: when the chain stops', () => {
  it('stops when nothing is due tonight, naming the night', () => {
    const d = decide('2026-11-25T11:00', { rows: rows('2026-12-11,19:00,,Book\n2026-12-10,19:00,,Skip') });
    expect(d).toMatchObject({ action: 'stop', code: 'nothing-due' });
    expect(d.reason).toBe(
      'Nothing to book tonight: no "Book" row for 2026-12-10, released Thu 26 Nov 2026 00:00 GMT.',
    );
  });

  it('stops when tonight is already booked', () => {
    const booked = recordAttempt(emptyStatus(), winter[0]!, {
      startedAt: '2026-11-25T10:00:00Z',
      outcome: 'booked',
    });
    const d = decide('2026-11-25T11:00', { status: booked });
    expect(d).toMatchObject({ action: 'stop', code: 'booked' });
    // A row that only failed earlier is still open.
    const failed = recordAttempt(emptyStatus(), winter[0]!, {
      startedAt: '2026-11-25T10:00:00Z',
      outcome: 'failed',
    });
    expect(decide('2026-11-25T11:00', { status: failed }).action).toBe('wait-then-hand-over');
  });

  it('stops when the relay is off or the run is a dry run, saying why', () => {
    const off = decide('2026-11-25T11:00', {
      relay: { enabled: false, reason: 'off: the repository is private and every waiting minute is billed' },
    });
    expect(off).toMatchObject({ action: 'stop', code: 'disabled' });
    expect(off.reason).toMatch(/13 h away\) and the relay is off: the repository is private/);
    expect(decide('2026-11-25T11:00', { dryRun: true })).toMatchObject({ action: 'stop', code: 'dry-run' });
    // --no-wait is the normal path whatever the time.
    expect(decide('2026-11-25T11:00', { noWait: true }).action).toBe('book');
  });

  it('stops a relay link that starts after its night is over: a chain never outlives its night', () => {
    const relayed = { kind: 'relay' as const, relay: { night: '2026-11-26', link: 5, fromRunId: '9' } };
    const d = decide('2026-11-26T00:40', { trigger: relayed });
    expect(d).toMatchObject({ action: 'stop', code: 'stale-link' });
    expect(d.reason).toMatch(/started for the night of 2026-11-26, which is over/);
    // Started late but inside the run window's grace, it still tries at once (the normal path, never a hand-over).
    expect(decide('2026-11-26T00:04', { trigger: relayed }).action).toBe('book');
  });

  it("records a stale link in its own night's chain, never in the next night's (whose links it would renumber)", () => {
    const relayed = { kind: 'relay' as const, relay: { night: '2026-11-26', link: 5, fromRunId: '9' } };
    const stale = decide('2026-11-26T00:40', { trigger: relayed });
    const record = linkRecord(
      stale,
      { ...relayed, startedBy: 'the relay: link 4' },
      { runId: '50', startedAt: iso(ms('2026-11-26T00:40')) },
    )!;
    expect(record.night.night).toBe('2026-11-26');
    expect(record.link).toMatchObject({ link: 5, role: 'stop', outcome: 'stale-link' });
    const status = withLink(emptyStatus(), record.night, record.link);
    // The next night's first run is link 1 of its own chain.
    const next = decide('2026-11-26T01:00', {
      status,
      rows: rows('2026-12-11,19:00,,Book'),
      jobStartedAt: ms('2026-11-26T00:57'),
    });
    expect(next.action === 'wait-then-hand-over' && [next.night.night, next.link]).toEqual(['2026-11-27', 1]);
  });

  it('stops when a hand-over could only land after the night is over', () => {
    const config: Config = { ...DEFAULT_CONFIG, runWindow: { leadMinutes: 0, graceMinutes: 30 } };
    const d = decide('2026-11-25T23:40', { config, jobStartedAt: ms('2026-11-25T23:37') });
    expect(d).toMatchObject({ action: 'stop', code: 'outlives-window' });
  });

  it('allows one chain per night: stops while another link is alive, not once it ended or is not running', () => {
    const night = nightOf('2026-11-26', DEFAULT_CONFIG);
    const waiting = withLink(emptyStatus(), night, {
      link: 1,
      runId: '11',
      trigger: 'schedule',
      startedBy: "GitHub's schedule",
      startedAt: '2026-11-25T10:00:00Z',
      role: 'relay',
      handOverAt: '2026-11-25T15:30:00Z',
      nextDueAt: '2026-11-25T15:35:00Z',
    });
    const d = decide('2026-11-25T11:00', { status: waiting });
    expect(d).toMatchObject({ action: 'stop', code: 'other-link-alive', link: 2 });
    expect(d.reason).toMatch(/Link 1 of tonight's chain \(run 11, started 10:00 GMT\) is still alive/);
    // GitHub says run 11 is not running (it crashed): this run carries the chain.
    expect(decide('2026-11-25T11:00', { status: waiting, runningRunIds: ['12'] }).action).toBe(
      'wait-then-hand-over',
    );
    // Its planned hand-over plus the margin has passed: it is not alive any more.
    const after = decide('2026-11-25T15:41', { status: waiting });
    expect(after.action).toBe('wait-then-hand-over');
    if (after.action === 'wait-then-hand-over') expect(after.takesOverFrom).toBe(1);
  });

  it('numbers links, and bounds how many one night may have', () => {
    let status: StatusFile = emptyStatus();
    const night = nightOf('2026-11-26', DEFAULT_CONFIG);
    for (let link = 1; link <= 8; link++) {
      status = withLink(status, night, {
        link,
        runId: String(link),
        trigger: link === 1 ? 'schedule' : 'relay',
        startedBy: 'test',
        startedAt: iso(ms('2026-11-25T01:00') + link * MIN),
        role: 'relay',
        endedAt: iso(ms('2026-11-25T01:00') + link * MIN),
      });
    }
    expect(decide('2026-11-25T11:00', { status })).toMatchObject({
      action: 'stop',
      code: 'too-many-links',
      link: 9,
    });
    // A run that is already in the chain keeps its number (a re-run attempt).
    const again = decide('2026-11-25T11:00', { status, runId: '3', limits: { maxLinks: 10 } });
    expect(again.action === 'wait-then-hand-over' && again.link).toBe(3);
  });
});

describe('checkBeforeDispatch: the check of the chain just before handing over', () => {
  const night = nightOf('2026-11-26', DEFAULT_CONFIG);
  const mine = withLink(emptyStatus(), night, {
    link: 2,
    runId: '20',
    trigger: 'relay',
    startedBy: 'test',
    startedAt: '2026-11-25T16:42:00Z',
    role: 'relay',
  });

  it('lets the link hand over when nothing changed', () => {
    expect(
      checkBeforeDispatch({
        status: mine,
        rows: winter,
        night: '2026-11-26',
        link: 2,
        runId: '20',
        config: DEFAULT_CONFIG,
      }),
    ).toEqual({ ok: true });
  });

  it('refuses when tonight was booked meanwhile, or a later link started', () => {
    const booked = recordAttempt(mine, winter[0]!, { startedAt: '2026-11-25T18:00:00Z', outcome: 'booked' });
    expect(
      checkBeforeDispatch({
        status: booked,
        rows: winter,
        night: '2026-11-26',
        link: 2,
        runId: '20',
        config: DEFAULT_CONFIG,
      }).ok,
    ).toBe(false);
    const overtaken = withLink(mine, night, {
      link: 3,
      runId: '30',
      trigger: 'schedule',
      startedBy: 'test',
      startedAt: '2026-11-25T17:00:00Z',
      role: 'relay',
    });
    const check = checkBeforeDispatch({
      status: overtaken,
      rows: winter,
      night: '2026-11-26',
      link: 2,
      runId: '20',
      config: DEFAULT_CONFIG,
    });
    expect(check).toEqual({
      ok: false,
      reason: "Link 3 (run 30) started meanwhile and carries tonight's chain; no second successor.",
    });
  });

  it('retries a failed dispatch every 2 minutes until the latest safe hand-over', () => {
    expect(nextDispatchAttempt(ms('2026-11-25T19:01'), ms('2026-11-25T22:19'))).toBe(ms('2026-11-25T19:03'));
    expect(nextDispatchAttempt(ms('2026-11-25T22:18'), ms('2026-11-25T22:19'))).toBeUndefined();
  });
});

describe('nightAt', () => {
  it('is the first release whose retry window has not closed', () => {
    expect(nightAt(ms('2026-11-26T00:02:59'), DEFAULT_CONFIG).night).toBe('2026-11-26');
    expect(nightAt(ms('2026-11-26T00:03:01'), DEFAULT_CONFIG).night).toBe('2026-11-27');
    expect(nightAt(ms('2026-11-25T12:00'), DEFAULT_CONFIG)).toMatchObject({
      night: '2026-11-26',
      courtDate: '2026-12-10',
    });
    expect(nightAt(WINTER_RELEASE, DEFAULT_CONFIG).windowEnd.toISO()).toBe('2026-11-26T00:03:00.000+00:00');
  });
});
