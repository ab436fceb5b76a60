import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import { readStatus, recordAttempt, writeStatus, type StatusFile } from '../../src/bookings/status.ts';
import { dispatchWorkflow } from '../../src/github/dispatch.ts';
import { endBookLink, runRelayStep, type RelayStepDeps } from '../../src/github/relay-step.ts';
import type { DiscordMessage } from '../../src/notify/discord.ts';
import { chainFor } from '../../src/relay/chain.ts';
import { recognizeTrigger } from '../../src/relay/trigger.ts';
import { startGitHubStandIn, type Reply, type SeenRequest } from './github-standin.ts';
import { iso, ms, ON, rows } from './helpers.ts';

const bookings = rows('2026-12-10,19:00,20:00,Book');
const schedule = recognizeTrigger({ GITHUB_EVENT_NAME: 'schedule', SCHEDULED_CRON: '47 15 * * *' });

let dir: string;
let statusPath: string;
const servers: (() => Promise<void>)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relay-step-'));
  statusPath = join(dir, 'status.json');
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((stop) => stop()));
  await rm(dir, { recursive: true, force: true });
});

/** Real files for the status, a real HTTP stand-in for GitHub, a clock the test controls. */
async function harness(startIso: string, reply?: (req: SeenRequest) => Reply | undefined) {
  const gh = await startGitHubStandIn(reply);
  servers.push(gh.stop);
  let now = ms(startIso);
  const saved: string[] = [];
  const pushed: boolean[] = [];
  const notified: DiscordMessage[] = [];
  const sleeps: number[] = [];
  const deps: RelayStepDeps = {
    now: () => now,
    sleepUntil: async (until) => {
      sleeps.push(until);
      now = Math.max(now, until);
    },
    readStatus: () => readStatus(statusPath),
    saveStatus: async (status, message, options) => {
      await writeStatus(statusPath, status);
      saved.push(message);
      pushed.push(options?.push !== false);
      return true;
    },
    dispatch: (inputs) =>
      dispatchWorkflow({
        apiUrl: gh.url,
        repository: 'member/padel',
        workflow: 'book.yml',
        ref: 'main',
        inputs,
        token: 'ghs_x',
      }),
    notify: async (message) => {
      notified.push(message);
    },
    log: () => {},
  };
  return { gh, deps, saved, pushed, notified, sleeps, setNow: (t: string) => (now = ms(t)) };
}

const step = (deps: RelayStepDeps, runId: string, startedAt: string, trigger = schedule) =>
  runRelayStep({
    config: DEFAULT_CONFIG,
    rows: bookings,
    trigger,
    relay: ON,
    run: {
      runId,
      runUrl: `https://github.com/member/padel/actions/runs/${runId}`,
      startedAt: iso(ms(startedAt)),
      jobStartedAt: ms(startedAt) - 3 * 60_000,
    },
    deps,
  });

describe('runRelayStep: the relay step of a run, with a real status file and a GitHub stand-in', () => {
  it('records the link, waits until the hand-over, dispatches the successor and records that', async () => {
    const h = await harness('2026-11-25T16:42');
    const result = await step(h.deps, '500', '2026-11-25T16:42');
    expect(result.outcome).toBe('handed-over');
    expect(h.sleeps).toEqual([ms('2026-11-25T19:01')]);
    expect(h.gh.seen).toHaveLength(1);
    expect((h.gh.seen[0]!.body as { inputs: Record<string, string> }).inputs).toEqual({
      dry_run: 'false',
      trigger: 'relay',
      relay: '2026-11-26/2/500',
      dispatched_at: '2026-11-25T19:01:00.000Z',
    });
    const link = chainFor(await readStatus(statusPath), '2026-11-26')!.links[0]!;
    expect(link).toMatchObject({
      link: 1,
      runId: '500',
      trigger: 'schedule',
      startedBy: "GitHub's schedule (47 15 * * *)",
      role: 'relay',
      dispatch: { ok: true, status: 204 },
      outcome: 'handed over',
    });
    expect(h.saved).toEqual([
      'status: relay link 1 (relay) for the night of 2026-11-26',
      'status: relay link 1 handed over for the night of 2026-11-26',
    ]);
    expect(result.summary).toContain('| Next due | link 2, expected to start about 19:06:00 GMT');
  });

  it('retries a transient failure every 2 minutes, then hands over', async () => {
    let calls = 0;
    const h = await harness('2026-11-25T16:42', () =>
      ++calls <= 2 ? { status: 502, body: { message: 'Server Error' } } : undefined,
    );
    const result = await step(h.deps, '500', '2026-11-25T16:42');
    expect(result.outcome).toBe('handed-over');
    expect(h.sleeps).toEqual([ms('2026-11-25T19:01'), ms('2026-11-25T19:03'), ms('2026-11-25T19:05')]);
    const link = chainFor(await readStatus(statusPath), '2026-11-26')!.links[0]!;
    expect(link.dispatch!.at).toBe('2026-11-25T19:05:00.000Z');
  });

  it('a 403 fails the hand-over at once, recorded with the permission to add; the next morning it is reported once', async () => {
    const h = await harness('2026-11-25T16:42', () => ({
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    }));
    const failed = await step(h.deps, '500', '2026-11-25T16:42');
    expect(failed.outcome).toBe('dispatch-failed');
    expect(failed.error).toMatch(/permissions: actions: write/);
    expect(h.gh.seen).toHaveLength(1);
    const link = chainFor(await readStatus(statusPath), '2026-11-26')!.links[0]!;
    expect(link.dispatch).toMatchObject({ ok: false, status: 403 });
    expect(link.dispatch!.error).toMatch(/403: the token may not start workflows/);

    // The next morning's first run (nothing due for it) reports the broken link on Discord, once.
    h.setNow('2026-11-26T07:47');
    const morning = await step(h.deps, '600', '2026-11-26T07:47');
    expect(morning.reported.map((b) => b.kind)).toEqual(['dispatch-failed']);
    expect(h.notified).toHaveLength(1);
    expect(h.notified[0]!.payload.embeds![0]!.fields![0]!.value).toMatch(
      /could not start its successor at 19:01 GMT: 403/,
    );
    const again = await step(h.deps, '601', '2026-11-26T08:10');
    expect(again.reported).toEqual([]);
    expect(h.notified).toHaveLength(1);
  });

  it('does not hand over when tonight was booked meanwhile', async () => {
    const h = await harness('2026-11-25T16:42');
    const realRead = h.deps.readStatus;
    let reads = 0;
    h.deps.readStatus = async () => {
      const status = await realRead();
      return ++reads === 1
        ? status
        : recordAttempt(status, bookings[0]!, { startedAt: '2026-11-25T18:00:00Z', outcome: 'booked' });
    };
    const result = await step(h.deps, '500', '2026-11-25T16:42');
    expect(result.outcome).toBe('stopped');
    expect(h.gh.seen).toHaveLength(0);
    const link = chainFor(await readStatus(statusPath), '2026-11-26')!.links[0]!;
    expect(link).toMatchObject({ outcome: 'no hand-over' });
  });

  it('a run inside the window books: it is recorded as the booking link, and ended after the engine', async () => {
    const h = await harness('2026-11-25T19:06');
    const relayed = recognizeTrigger(
      { GITHUB_EVENT_NAME: 'workflow_dispatch' },
      { inputs: { trigger: 'relay', relay: '2026-11-26/2/500' } },
    );
    const result = await step(h.deps, '501', '2026-11-25T19:06', relayed);
    expect(result.outcome).toBe('book');
    expect(h.sleeps).toEqual([]);
    let status: StatusFile = await readStatus(statusPath);
    status = endBookLink(status, result.decision, '501', 'booked', '2026-11-26T00:04:00.000Z');
    // Link 1's record never reached the status file: this link keeps the number its predecessor gave it.
    expect(chainFor(status, '2026-11-26')!.links[0]).toMatchObject({
      link: 2,
      trigger: 'relay',
      role: 'book',
      endedAt: '2026-11-26T00:04:00.000Z',
      outcome: 'booked',
    });
  });

  it('a booking run inside the login lead spends no time first: no push, no Discord, the report waits for a later run', async () => {
    const h = await harness('2026-11-25T16:42', () => ({ status: 403, body: { message: 'no' } }));
    expect((await step(h.deps, '500', '2026-11-25T16:42')).outcome).toBe('dispatch-failed');
    // The next night's booking run starts late, at 23:55: it books at once, and leaves the report for later.
    const tomorrow = rows('2026-12-11,19:00,,Book');
    h.setNow('2026-11-26T23:55');
    const pushesBefore = h.pushed.length;
    const late = await runRelayStep({
      config: DEFAULT_CONFIG,
      rows: tomorrow,
      trigger: schedule,
      relay: ON,
      run: { runId: '700', startedAt: iso(ms('2026-11-26T23:55')) },
      deps: h.deps,
    });
    expect(late.outcome).toBe('book');
    expect(late.reported).toEqual([]);
    expect(h.notified).toEqual([]);
    expect(h.pushed.slice(pushesBefore)).toEqual([false]);
    // The record is in the file for the status commit after the engine.
    const afterEngine = await readStatus(statusPath);
    expect(chainFor(afterEngine, '2026-11-27')!.links[0]).toMatchObject({ runId: '700', role: 'book' });
    await writeStatus(
      statusPath,
      endBookLink(afterEngine, late.decision, '700', 'booked', '2026-11-27T00:00:02.000Z'),
    );
    // A booking run with time to spare (19:50 the next evening) reports it, and pushes its record.
    h.setNow('2026-11-27T19:50');
    const early = await runRelayStep({
      config: DEFAULT_CONFIG,
      rows: rows('2026-12-12,19:00,,Book'),
      trigger: schedule,
      relay: ON,
      run: { runId: '800', startedAt: iso(ms('2026-11-27T19:50')) },
      deps: h.deps,
    });
    expect(early.outcome).toBe('book');
    expect(early.reported.map((b) => b.night)).toEqual(['2026-11-26']);
    expect(h.notified).toHaveLength(1);
    expect(h.pushed.at(-1)).toBe(true);
  });
});
