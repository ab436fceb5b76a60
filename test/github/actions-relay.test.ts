import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOnActions, type EngineOptions, type EngineResult } from '../../src/github/actions-run.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import type { Clock } from '../../src/calendar/clock.ts';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import { loadBookings } from '../../src/bookings/csv.ts';
import { readStatus } from '../../src/bookings/status.ts';
import { decideRun } from '../../src/calendar/release.ts';
import { startGitHubStandIn, type Reply, type SeenRequest } from '../relay/github-standin.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';
import { git, repoWithRemote, writeIn } from './git-helpers.ts';

/**
 * The relay wired into the Actions entry, end to end: runOnActions as book.yml's Book step runs it (the env the
 * workflow gives it, the event payload GitHub writes to GITHUB_EVENT_PATH), a local bare repository as origin, a
 * local stand-in for GitHub's REST API that receives the hand-over (workflow_dispatch), a Discord stand-in, and a
 * clock the test moves forward instead of waiting. The engine is a stand-in that writes what src/run.ts writes.
 *
 * The night: 10 December 2026 is released at midnight London on 26 November (GMT).
 */

const STATUS = 'bookings/status.json';
const TOKEN = 'ghs_relay_token_0123456789abcdef';
const ROW = '2026-12-10 19:00';
const london = (wall: string) => DateTime.fromISO(wall, { zone: 'Europe/London' }).toMillis();

let discord: DiscordStandIn;
const stops: (() => Promise<void>)[] = [];
beforeAll(async () => {
  discord = await startDiscordStandIn();
});
afterAll(async () => {
  await discord.stop();
});
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});
const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

/** A clock the test controls; the relay's sleep moves it to the instant asked for. */
function testClock(startWall: string) {
  let now = london(startWall);
  const sleeps: number[] = [];
  const clock: Clock = { now: () => now };
  return {
    clock,
    sleeps,
    set: (wall: string) => (now = london(wall)),
    sleepUntil: async (ms: number) => {
      sleeps.push(ms);
      now = Math.max(now, ms);
    },
  };
}

/** GitHub's API on 127.0.0.1: answers the dispatch with the new run's details (return_run_details). */
async function gitHub(reply?: (req: SeenRequest) => Reply | undefined) {
  let nextRun = 7000;
  const api = await startGitHubStandIn(
    reply ??
      ((req) => {
        const body = req.body as { return_run_details?: boolean; ref?: string };
        if (!req.url.endsWith('/actions/workflows/book.yml/dispatches') || body.ref !== 'main')
          return undefined;
        const id = nextRun++;
        return {
          status: 200,
          body: {
            workflow_run_id: id,
            run_url: `https://api.github.com/repos/member/padel/actions/runs/${id}`,
            html_url: `https://github.com/member/padel/actions/runs/${id}`,
          },
        };
      }),
  );
  stops.push(api.stop);
  return api;
}

async function setup(options: { status?: unknown; csv?: string } = {}) {
  const repo = await repoWithRemote({
    [STATUS]: `${JSON.stringify(options.status ?? { version: 1, bookings: {} }, null, 2)}\n`,
    'bookings/bookings.csv': options.csv ?? `Date,Time1,Time2,Status\n2026-12-10,19:00,20:00,Book\n`,
  });
  const files = await mkdtemp(join(tmpdir(), 'actions-relay-'));
  return { repo, files };
}

/**
 * One run of book.yml's Book step: a fresh checkout, the env book.yml passes (DISPATCH_INPUTS as toJSON(inputs),
 * BOOKING_LANE from the lane job, GITHUB_TOKEN, JOB_STARTED_AT from the first step), and the event payload.
 */
async function bookStep(
  ctx: Awaited<ReturnType<typeof setup>>,
  run: {
    runId: string;
    event: 'schedule' | 'workflow_dispatch';
    /** The inputs GitHub received (strings, as github.event.inputs holds them). */
    inputs?: Record<string, string>;
    cron?: string;
    jobStartedAt: string;
    apiUrl: string;
    clock: ReturnType<typeof testClock>;
    engine?: (options: EngineOptions, work: string, clock: Clock) => Promise<EngineResult>;
    private?: boolean;
    /** The bookings file the glue (and so the relay) reads, when not the engine's. */
    bookingsPath?: string;
  },
) {
  const work = ctx.repo.clone(`run-${run.runId}`);
  const eventPath = join(ctx.files, `event-${run.runId}.json`);
  const inputs = run.inputs ?? {};
  await writeFile(
    eventPath,
    JSON.stringify({
      repository: { full_name: 'member/padel', private: run.private ?? false },
      ...(run.event === 'workflow_dispatch' ? { inputs, ref: 'refs/heads/main' } : { schedule: run.cron }),
    }),
  );
  const summaryPath = join(ctx.files, `summary-${run.runId}.md`);
  const outputPath = join(ctx.files, `output-${run.runId}.txt`);
  await writeFile(summaryPath, '');
  await writeFile(outputPath, '');
  process.env.GITHUB_OUTPUT = outputPath;
  // The inputs context: booleans as booleans (book.yml passes toJSON(inputs)).
  const context =
    run.event === 'workflow_dispatch'
      ? {
          dry_run: inputs.dry_run !== 'false',
          wait: inputs.wait === 'true',
          date: inputs.date ?? '',
          no_wait: inputs.no_wait === 'true',
          notify_test: inputs.notify_test === 'true',
          trigger: inputs.trigger ?? '',
          relay: inputs.relay ?? '',
          source: inputs.source ?? '',
          dispatched_at: inputs.dispatched_at ?? '',
        }
      : null;
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: run.event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'member/padel',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: run.apiUrl,
    GITHUB_RUN_ID: run.runId,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_REF_NAME: 'main',
    GITHUB_WORKFLOW_REF: 'member/padel/.github/workflows/book.yml@refs/heads/main',
    GITHUB_ACTOR: 'member',
    GITHUB_TRIGGERING_ACTOR: run.event === 'workflow_dispatch' ? 'github-actions[bot]' : 'member',
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    DRY_RUN: '',
    DISPATCH_INPUTS: JSON.stringify(context),
    CLIENT_PAYLOAD: 'null',
    BOOKING_LANE: 'booking',
    SCHEDULED_CRON: run.event === 'schedule' ? run.cron : '',
    SCHEDULE_TIMEZONE: 'Europe/London',
    JOB_STARTED_AT: new Date(london(run.jobStartedAt)).toISOString(),
    GITHUB_TOKEN: TOKEN,
    ESTELLE_USERNAME: 'member@example.com',
    ESTELLE_PASSWORD: 'correct horse battery staple',
    DISCORD_WEBHOOK_URL: discord.url,
  };
  const seen: EngineOptions[] = [];
  const reporter = memoryReporter();
  const report = await runOnActions({
    env,
    clock: run.clock.clock,
    sleepUntil: run.clock.sleepUntil,
    sleep: async () => {},
    repoDir: work,
    reporter,
    ...(run.bookingsPath ? { bookingsPath: run.bookingsPath } : {}),
    runBooking: async (options) => {
      seen.push(options);
      return (run.engine ?? bookingEngine)(options, work, run.clock.clock);
    },
  });
  const summary = await readFile(summaryPath, 'utf8');
  return { report, seen, reporter, summary, work };
}

/**
 * The engine, standing in: it decides what is due as src/run.ts does (the release calendar over the real
 * files), and where src/run.ts would log in and fire it writes what src/run.ts writes on a booked court.
 */
async function bookingEngine(options: EngineOptions, work: string, clock: Clock): Promise<EngineResult> {
  const { rows } = await loadBookings(join(work, 'bookings', 'bookings.csv'), DEFAULT_CONFIG, clock);
  const due = decideRun(
    rows.filter((r) => r.book),
    await readStatus(join(work, STATUS)),
    clock,
    DEFAULT_CONFIG,
  ).due;
  if (due.length === 0) {
    return {
      outcome: 'nothing-due',
      attempts: 0,
      message: 'Nothing to book.',
      screenshots: [],
      outDir: options.outDir,
      exitCode: 0,
    };
  }
  const status = JSON.parse(await readFile(join(work, STATUS), 'utf8'));
  status.bookings[ROW] = {
    key: ROW,
    date: '2026-12-10',
    state: 'booked',
    bookedTime: '19:00',
    court: 'Padel Court 1',
    reference: 'EM-1210',
    updatedAt: '2026-11-26T00:00:00.300Z',
    attempts: [{ ...options.attempt, startedAt: '2026-11-25T19:06:00.000Z', outcome: 'booked' }],
  };
  await writeFile(join(work, STATUS), `${JSON.stringify(status, null, 2)}\n`);
  await mkdir(options.outDir, { recursive: true });
  return {
    outcome: 'booked',
    row: { key: ROW, date: '2026-12-10', time1: '19:00', time2: '20:00' },
    bookedTime: '19:00',
    court: 'Padel Court 1',
    reference: 'EM-1210',
    firedAt: '2026-11-26T00:00:00.150Z',
    latencyMs: 150,
    attempts: 1,
    message: 'Booked Padel Court 1',
    screenshots: [],
    outDir: options.outDir,
    exitCode: 0,
  };
}

const originStatus = (ctx: Awaited<ReturnType<typeof setup>>) =>
  JSON.parse(git(ctx.repo.bare, 'show', `main:${STATUS}`)) as {
    bookings: Record<string, { state: string; attempts: { trigger?: string; runId?: string }[] }>;
    relay?: { chains: { night: string; reportedAt?: string; links: Record<string, unknown>[] }[] };
  };

const dispatches = (api: Awaited<ReturnType<typeof gitHub>>) =>
  api.seen.filter((r) => r.url.endsWith('/dispatches'));

describe('the relay in the Actions entry, against a GitHub API stand-in', () => {
  it('a run at 09:00 waits, hands over, and the chain books at midnight: three links, one booking', async () => {
    const ctx = await setup();
    const api = await gitHub();
    const time = testClock('2026-11-25T09:00');

    // Link 1: the 07:47 line, started at 09:00 (GitHub was late); its job started at 08:57.
    const first = await bookStep(ctx, {
      runId: '6001',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-25T08:57',
      apiUrl: api.url,
      clock: time,
    });
    expect(first.report.exitCode).toBe(0);
    expect(first.seen).toEqual([]); // no engine, no login
    // It waited until 340 minutes after its job started (timeout 350 − 10 minutes' margin), then handed over.
    expect(time.sleeps).toEqual([london('2026-11-25T14:37')]);
    const [hop1] = dispatches(api);
    expect(hop1!.method).toBe('POST');
    expect(hop1!.url).toBe('/repos/member/padel/actions/workflows/book.yml/dispatches');
    expect(hop1!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(hop1!.headers['x-github-api-version']).toBe('2022-11-28');
    expect(hop1!.body).toEqual({
      ref: 'main',
      inputs: {
        dry_run: 'false',
        trigger: 'relay',
        relay: '2026-11-26/2/6001',
        dispatched_at: '2026-11-25T14:37:00.000Z',
      },
      return_run_details: true,
    });
    expect(first.summary).toContain('## ⛓️ Handed over to link 2');
    // (Up to the cron line's asterisks, which a Markdown escaper may escape.)
    expect(first.summary).toContain("| Started by | GitHub's schedule (47 7 ");
    expect(first.summary).toContain('| Next due | link 2, expected to start about 14:42:00 GMT');
    let chain = originStatus(ctx).relay!.chains[0]!;
    expect(chain.night).toBe('2026-11-26');
    expect(chain.links[0]).toMatchObject({
      link: 1,
      runId: '6001',
      role: 'relay',
      outcome: 'handed over',
      dispatch: { ok: true, status: 200, successorRunId: '7000' },
    });

    // Link 2: what GitHub started from that request, five minutes later; it waits until the booking window.
    time.set('2026-11-25T14:42');
    const second = await bookStep(ctx, {
      runId: '7000',
      event: 'workflow_dispatch',
      inputs: (hop1!.body as { inputs: Record<string, string> }).inputs,
      jobStartedAt: '2026-11-25T14:40',
      apiUrl: api.url,
      clock: time,
    });
    expect(second.report.exitCode).toBe(0);
    expect(second.seen).toEqual([]);
    expect(time.sleeps.at(-1)).toBe(london('2026-11-25T19:01')); // release − 300 min + 1 min
    const hop2 = dispatches(api)[1]!;
    expect((hop2.body as { inputs: Record<string, string> }).inputs).toMatchObject({
      relay: '2026-11-26/3/7000',
    });
    expect(second.summary).toContain('| Started by | the relay: link 1 (run 6001) |');
    expect(second.summary).toContain('which books');

    // Link 3 starts inside the window: it books, records the trigger, ends its link, and says so.
    time.set('2026-11-25T19:06');
    const third = await bookStep(ctx, {
      runId: '7001',
      event: 'workflow_dispatch',
      inputs: (hop2.body as { inputs: Record<string, string> }).inputs,
      jobStartedAt: '2026-11-25T19:04',
      apiUrl: api.url,
      clock: time,
    });
    expect(third.report.exitCode).toBe(0);
    expect(third.seen).toHaveLength(1);
    expect(third.seen[0]).toMatchObject({
      dryRun: false,
      noWait: false,
      attempt: { trigger: 'relay', runId: '7001', scheduledFor: '2026-11-25T19:01:00.000Z' },
    });
    expect(dispatches(api)).toHaveLength(2); // a booking link hands over to nobody
    const final = originStatus(ctx);
    expect(final.bookings[ROW]!.state).toBe('booked');
    expect(final.bookings[ROW]!.attempts.at(-1)).toMatchObject({ trigger: 'relay', runId: '7001' });
    chain = final.relay!.chains[0]!;
    expect(chain.links.map((l) => [l.link, l.runId, l.role, l.outcome])).toEqual([
      [1, '6001', 'relay', 'handed over'],
      [2, '7000', 'relay', 'handed over'],
      [3, '7001', 'book', 'booked'],
    ]);
    expect(chain.links[2]!.endedAt).toBeDefined();
    expect(third.summary).toContain('Court booking: booked');
    // How long GitHub took to start it after link 2's dispatch (19:01 → 19:06).
    expect(third.summary).toContain('| Start delay | 5 min |');
    expect(third.summary).toContain('### Relay');
    expect(third.summary).toContain('| This run | link 3 of the chain');
    expect(third.summary).toContain('| Next due | none: this run books the release |');

    // Nothing a member can read shows the token; and no Discord message was needed before the booking.
    for (const run of [first, second, third]) {
      expect(run.summary + JSON.stringify(run.reporter.lines)).not.toContain(TOKEN);
    }
  });

  it('stops at once when tonight is already booked: no wait, no dispatch, and the engine finds nothing to do', async () => {
    const ctx = await setup({
      status: {
        version: 1,
        bookings: {
          [ROW]: {
            key: ROW,
            date: '2026-12-10',
            state: 'booked',
            bookedTime: '19:00',
            court: 'Padel Court 2',
            reference: 'EM-1',
            updatedAt: '2026-11-25T00:00:00.000Z',
            attempts: [{ startedAt: '2026-11-25T00:00:00.000Z', outcome: 'booked' }],
          },
        },
      },
    });
    const api = await gitHub();
    const time = testClock('2026-11-25T09:00');
    const run = await bookStep(ctx, {
      runId: '6100',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-25T08:57',
      apiUrl: api.url,
      clock: time,
    });
    expect(run.report.exitCode).toBe(0);
    expect(run.report.relay?.decision).toMatchObject({ action: 'stop', code: 'booked' });
    expect(time.sleeps).toEqual([]);
    expect(api.seen).toEqual([]);
    // The engine still has its say, from its own reading of the files: nothing due, so no login.
    expect(run.seen).toHaveLength(1);
    expect(run.report.result?.outcome).toBe('nothing-due');
    expect(run.summary).toContain('Court booking: nothing-due');
    expect(run.summary).toContain('| Decision | stop (booked): Tonight is already booked');
    expect(run.summary).toContain('| Next due | none: the chain ends here |');
  });

  it('does not hand over when another run books tonight while it waits (the status re-read from origin)', async () => {
    const ctx = await setup();
    const api = await gitHub();
    const time = testClock('2026-11-25T09:00');
    // While link 1 waits, a member's run (say an external trigger) books tonight and pushes the status.
    const waiting = time.sleepUntil;
    time.sleepUntil = async (ms) => {
      const other = ctx.repo.clone(`other-${ms}`);
      const status = JSON.parse(await readFile(join(other, STATUS), 'utf8'));
      status.bookings[ROW] = {
        key: ROW,
        date: '2026-12-10',
        state: 'booked',
        updatedAt: '2026-11-25T12:00:00.000Z',
        attempts: [{ runId: '9999', startedAt: '2026-11-25T12:00:00.000Z', outcome: 'booked' }],
      };
      await writeIn(other, STATUS, `${JSON.stringify(status, null, 2)}\n`);
      git(other, 'commit', '--quiet', '-am', 'status: booked 2026-12-10 19:00');
      git(other, 'push', '--quiet', 'origin', 'main');
      await waiting(ms);
    };
    const run = await bookStep(ctx, {
      runId: '6200',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-25T08:57',
      apiUrl: api.url,
      clock: time,
    });
    expect(run.report.exitCode).toBe(0);
    expect(run.report.relay?.outcome).toBe('stopped');
    expect(dispatches(api)).toEqual([]);
    expect(run.seen).toEqual([]);
    expect(run.summary).toContain('## ⛓️ The chain ends here');
    expect(run.summary).toContain('Tonight was booked meanwhile');
    const final = originStatus(ctx);
    expect(final.bookings[ROW]!.state).toBe('booked'); // the other run's booking stands
    expect(final.relay!.chains[0]!.links[0]).toMatchObject({ runId: '6200', outcome: 'no hand-over' });
  });

  it('fails the run on a 403, naming the permission to add; a later run books anyway, and the morning report says so, once', async () => {
    const ctx = await setup();
    const api = await gitHub((req) =>
      req.url.endsWith('/dispatches')
        ? { status: 403, body: { message: 'Resource not accessible by integration' } }
        : undefined,
    );
    const time = testClock('2026-11-25T09:00');
    const run = await bookStep(ctx, {
      runId: '6300',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-25T08:57',
      apiUrl: api.url,
      clock: time,
    });
    expect(run.report.exitCode).toBe(1);
    expect(dispatches(api)).toHaveLength(1); // a 403 is not retried
    expect(run.seen).toEqual([]);
    const error = run.reporter.lines.find((l) => l.level === 'error')!.message;
    expect(error).toContain('403');
    expect(error).toContain('give the job `permissions: actions: write` in book.yml');
    expect(run.summary).toContain('## ❌ The hand-over failed');
    expect(run.summary).toContain('permissions: actions: write');
    expect(originStatus(ctx).relay!.chains[0]!.links[0]).toMatchObject({
      outcome: 'hand-over failed',
      dispatch: { ok: false, status: 403 },
    });

    // The 19:47 line still comes, inside the window: it books, whatever the chain's failure; a booked night
    // is never marked failed because a hand-over failed.
    time.set('2026-11-25T20:05');
    const evening = await bookStep(ctx, {
      runId: '6310',
      event: 'schedule',
      cron: '47 19 * * *',
      jobStartedAt: '2026-11-25T20:03',
      apiUrl: api.url,
      clock: time,
    });
    expect(evening.report.exitCode).toBe(0);
    expect(evening.seen).toHaveLength(1);
    expect(dispatches(api)).toHaveLength(1);
    expect(originStatus(ctx).bookings[ROW]!.state).toBe('booked');

    // The next morning's first run (nothing due for it) reports the broken link on Discord, as booked anyway.
    const before = discord.messages().length;
    time.set('2026-11-26T07:50');
    const morning = await bookStep(ctx, {
      runId: '6301',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-26T07:48',
      apiUrl: api.url,
      clock: time,
    });
    expect(morning.report.exitCode).toBe(0);
    const sent = discord.messages().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.violations).toEqual([]);
    expect(sent[0]!.payload.embeds![0]!.title).toBe('⛓️ A relay link broke last night');
    const text = JSON.stringify(sent[0]!.payload);
    expect(text).toContain('could not start its successor at 14:37 GMT: 403');
    expect(text).toContain('The court was booked anyway');
    expect(originStatus(ctx).relay!.chains[0]!.reportedAt).toBeDefined();
    time.set('2026-11-26T08:10');
    const again = await bookStep(ctx, {
      runId: '6302',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-26T08:08',
      apiUrl: api.url,
      clock: time,
    });
    expect(again.report.exitCode).toBe(0);
    expect(discord.messages().slice(before)).toHaveLength(1);
  });

  it('a relay step that breaks never stops a booking: the engine runs, and its outcome decides the exit code', async () => {
    // A status file the relay cannot read (a bad hand edit on origin): the step fails before deciding.
    const broken = async () => {
      const ctx = await setup();
      const editor = ctx.repo.clone('editor');
      await writeIn(editor, STATUS, '{"version":1,"bookings":{}, "relay": {"chains": "nope"}}\n');
      git(editor, 'commit', '--quiet', '-am', 'a bad hand edit');
      git(editor, 'push', '--quiet', 'origin', 'main');
      return ctx;
    };
    const engine =
      (outcome: 'booked' | 'nothing-due') =>
      async (options: EngineOptions): Promise<EngineResult> => ({
        outcome,
        ...(outcome === 'booked'
          ? {
              row: { key: ROW, date: '2026-12-10', time1: '19:00' },
              bookedTime: '19:00',
              court: 'Padel Court 1',
            }
          : {}),
        attempts: outcome === 'booked' ? 1 : 0,
        message: outcome === 'booked' ? 'Booked Padel Court 1' : 'Nothing to book.',
        screenshots: [],
        outDir: options.outDir,
        exitCode: 0,
      });
    const api = await gitHub();
    const time = testClock('2026-11-25T21:00');
    const run = (ctx: Awaited<ReturnType<typeof setup>>, id: string, outcome: 'booked' | 'nothing-due') =>
      bookStep(ctx, {
        runId: id,
        event: 'schedule',
        cron: '47 19 * * *',
        jobStartedAt: '2026-11-25T20:58',
        apiUrl: api.url,
        clock: time,
        engine: engine(outcome),
      });
    const booked = await run(await broken(), '6500', 'booked');
    expect(booked.seen).toHaveLength(1);
    expect(booked.report.exitCode).toBe(0);
    const failure = booked.reporter.lines.find((l) => l.level === 'error')!.message;
    expect(failure).toContain('The relay step failed');
    expect(dispatches(api)).toEqual([]);
    // The same failure with nothing booked is the run's failure: the chain may be broken.
    const idle = await run(await broken(), '6501', 'nothing-due');
    expect(idle.seen).toHaveLength(1);
    expect(idle.report.exitCode).toBe(1);
  });

  it("lets the engine book a row the relay's reading of the files missed (the engine has the last word)", async () => {
    // The relay reads a bookings file with nothing for tonight; the engine reads the real one (as when the
    // engine learns a row source the relay does not, such as weekly rules).
    const ctx = await setup();
    const empty = ctx.repo.clone('empty-file');
    await writeIn(empty, 'bookings/none.csv', 'Date,Time1,Time2,Status\n');
    git(empty, 'add', 'bookings/none.csv');
    git(empty, 'commit', '--quiet', '-m', 'an empty bookings file');
    git(empty, 'push', '--quiet', 'origin', 'main');
    const api = await gitHub();
    const time = testClock('2026-11-25T21:00');
    const run = await bookStep(ctx, {
      runId: '6700',
      event: 'schedule',
      cron: '47 19 * * *',
      jobStartedAt: '2026-11-25T20:58',
      apiUrl: api.url,
      clock: time,
      bookingsPath: 'bookings/none.csv',
    });
    expect(run.report.relay?.decision).toMatchObject({ action: 'stop', code: 'nothing-due' });
    expect(run.seen).toHaveLength(1);
    expect(run.report.result?.outcome).toBe('booked');
    expect(run.report.exitCode).toBe(0);
    expect(originStatus(ctx).bookings[ROW]!.state).toBe('booked');
  });

  it('keeps a private repository off the relay (relay: auto): an early run ends at once, costing no wait', async () => {
    const ctx = await setup();
    const before = discord.messages().length;
    const api = await gitHub();
    const time = testClock('2026-11-25T09:00');
    const run = await bookStep(ctx, {
      runId: '6600',
      event: 'schedule',
      cron: '47 7 * * *',
      jobStartedAt: '2026-11-25T08:57',
      apiUrl: api.url,
      clock: time,
      private: true,
    });
    expect(run.report.exitCode).toBe(0);
    expect(run.report.relay?.decision).toMatchObject({ action: 'stop', code: 'disabled' });
    expect(time.sleeps).toEqual([]);
    expect(api.seen).toEqual([]);
    expect(run.report.result?.outcome).toBe('nothing-due');
    expect(run.summary).toContain('the repository is private and every waiting minute is billed');
    // The 07:47 line started 73 minutes late: the summary says so, but a stopped run sends no Discord message.
    expect(run.summary).toContain('[!WARNING]');
    expect(run.summary).toMatch(/started 1 h 13 min after it was scheduled/);
    expect(discord.messages().length).toBe(before);
    // Nothing to record: the status on origin is as it was.
    expect(originStatus(ctx).relay).toBeUndefined();
  });
});
