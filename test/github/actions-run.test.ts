import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOnActions, type EngineOptions, type EngineResult } from '../../src/github/actions-run.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { accountId, encryptSession } from '../../src/github/session-cache.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import type { RunOptions, RunResult } from '../../src/run.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';
import { git, repoWithRemote, writeIn } from './git-helpers.ts';

/**
 * The Actions entry as GitHub runs it: GITHUB_ACTIONS=true, GITHUB_STEP_SUMMARY / GITHUB_OUTPUT
 * files, a local bare repository as origin (with a member's push in between), a local Discord
 * stand-in that answers the first request with 429, and the file the cache steps restore and save
 * (test/github/book-workflow.test.ts runs those steps themselves). The engine is
 * a stand-in here that writes what src/run.ts writes (the status entry and a screenshot); the
 * real engine is exercised by the engine's own end-to-end tests.
 */

const STATUS = 'bookings/status.json';
/** A storage state as Playwright writes it. */
const SESSION = JSON.stringify({
  cookies: [
    {
      name: 'sid',
      value: 'v',
      domain: 'venue.test',
      path: '/',
      expires: -1,
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    },
  ],
  origins: [],
});
let discord: DiscordStandIn;
beforeAll(async () => {
  discord = await startDiscordStandIn();
});
afterAll(async () => {
  await discord.stop();
});
const savedEnv = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

async function setup() {
  const repo = await repoWithRemote({
    [STATUS]: `${JSON.stringify({ version: 1, bookings: {} }, null, 2)}\n`,
    'bookings/bookings.csv': 'Date,Time1,Time2,Status\n2026-02-15,19:00,20:00,Book\n',
  });
  const work = repo.clone('runner');
  const files = await mkdtemp(join(tmpdir(), 'actions-files-'));
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: join(files, 'summary.md'),
    GITHUB_OUTPUT: join(files, 'output.txt'),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'member/padel',
    GITHUB_RUN_ID: '9001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_REF_NAME: 'main',
    SCHEDULED_CRON: '17 19 * * *',
    BOOKING_LANE: 'booking',
    DRY_RUN: 'false',
    ESTELLE_USERNAME: 'member@example.com',
    ESTELLE_PASSWORD: 'correct horse battery staple',
    DISCORD_WEBHOOK_URL: discord.url,
  };
  await writeFile(env.GITHUB_STEP_SUMMARY!, '');
  await writeFile(env.GITHUB_OUTPUT!, '');
  process.env.GITHUB_OUTPUT = env.GITHUB_OUTPUT;
  return { repo, work, env, files };
}

/** Writes what the engine writes on a booked court: the status entry with this attempt, and a screenshot. */
function bookingEngine(work: string, seen: EngineOptions[]) {
  return async (options: EngineOptions): Promise<EngineResult> => {
    seen.push(options);
    await mkdir(options.outDir, { recursive: true });
    const shot = join(options.outDir, 'confirmation.png');
    await writeFile(shot, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    await writeFile(join(work, '.auth', 'estelle.json'), SESSION);
    const status = JSON.parse(await readFile(join(work, STATUS), 'utf8'));
    const previous = status.bookings['2026-02-15 19:00']?.attempts ?? [];
    status.bookings['2026-02-15 19:00'] = {
      key: '2026-02-15 19:00',
      date: '2026-02-15',
      state: 'booked',
      bookedTime: '19:00',
      court: 'Padel Court 2',
      reference: 'EM-777',
      updatedAt: '2026-02-01T00:00:02.000Z',
      attempts: [
        ...previous,
        { ...options.attempt, startedAt: '2026-02-01T21:20:00.000Z', outcome: 'booked' },
      ],
    };
    await writeFile(join(work, STATUS), `${JSON.stringify(status, null, 2)}\n`);
    return {
      outcome: 'booked',
      row: { key: '2026-02-15 19:00', date: '2026-02-15', time1: '19:00', time2: '20:00' },
      bookedTime: '19:00',
      court: 'Padel Court 2',
      reference: 'EM-777',
      firedAt: '2026-02-01T00:00:00.180Z',
      latencyMs: 180,
      attempts: 1,
      message: 'Booked Padel Court 2',
      screenshots: [shot],
      outDir: options.outDir,
      exitCode: 0,
    };
  };
}

describe('runOnActions, as GitHub Actions runs it', () => {
  it("books, pushes the status over a member's change, notifies through a 429, and writes summary and outputs", async () => {
    const { repo, work, env } = await setup();
    await mkdir(join(work, '.auth'), { recursive: true });
    // A member merges a CSV change while the run waits.
    const member = repo.clone('member');
    await writeIn(
      member,
      'bookings/bookings.csv',
      'Date,Time1,Time2,Status\n2026-02-15,19:00,20:00,Book\n2026-02-16,18:00,,Book\n',
    );
    git(member, 'commit', '--quiet', '-am', 'Add 16 Feb');
    git(member, 'push', '--quiet', 'origin', 'main');
    discord.failNext(429, { message: 'You are being rate limited.', retry_after: 0.05, global: false });

    const reporter = memoryReporter();
    const seen: EngineOptions[] = [];
    const waits: number[] = [];
    const report = await runOnActions({
      runBooking: bookingEngine(work, seen),
      env,
      clock: fixedClock('2026-01-31T21:20:00Z'), // 2 h 40 min before 15 February is released
      repoDir: work,
      reporter,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(report.exitCode).toBe(0);
    expect(seen[0]).toMatchObject({
      dryRun: false,
      noWait: false,
      attempt: {
        trigger: 'schedule',
        runId: '9001',
        runUrl: 'https://github.com/member/padel/actions/runs/9001',
      },
    });
    expect(seen[0]!.attempt.scheduledFor).toBe('2026-01-31T19:17:00.000+00:00');

    // Status: rebased onto the member's commit and pushed, only the status file.
    expect(report.statusCommit).toMatchObject({ ok: true, pushed: true });
    expect(git(repo.bare, 'log', '-1', '--format=%s', 'main').trim()).toBe(
      'status: booked 2026-02-15 19:00 Padel Court 2',
    );
    expect(git(repo.bare, 'show', '--name-only', '--format=', 'main').trim()).toBe(STATUS);
    expect(git(repo.bare, 'show', 'main:bookings/bookings.csv')).toContain('2026-02-16');

    // Discord: one 429, waited, then delivered with the screenshot and the invite.
    expect(waits).toContain(50);
    const delivered = discord
      .messages()
      .filter((m) => m.status === 200)
      .at(-1)!;
    expect(delivered.violations).toEqual([]);
    expect(delivered.files.map((f) => f.filename)).toEqual(['confirmation.png', 'padel-2026-02-15-1900.ics']);
    expect(JSON.stringify(delivered.payload)).toContain('Late start'); // 19:17 → 21:20

    // Summary and outputs in the files GitHub gives the step.
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('Padel Court 2');
    expect(summary).toContain('`EM-777`');
    expect(summary).toContain('booking-2026-02-15-9001-1');
    expect(summary).toContain('| Start delay | 123 min |');
    const outputs = await readFile(env.GITHUB_OUTPUT!, 'utf8');
    expect(outputs).toMatch(/outcome<<.*\nbooked\n/);
    expect(outputs).toMatch(/reference<<.*\nEM-777\n/);

    // The session went into the cache encrypted; nothing printed the secrets.
    const printed = JSON.stringify(reporter.lines) + summary + outputs;
    for (const secret of [env.ESTELLE_PASSWORD!, discord.token]) expect(printed).not.toContain(secret);
    expect(reporter.lines.some((l) => l.message.startsWith('Session cache: encrypted for the cache'))).toBe(
      true,
    );
    const encrypted = await readFile(join(work, '.auth', 'estelle.json.enc'), 'utf8');
    expect(encrypted).not.toContain('"sid"');
  });

  it('keeps the status in the summary and an artifact, loudly, when the push keeps failing; Discord trouble stays a warning', async () => {
    const { repo, work, env } = await setup();
    await mkdir(join(work, '.auth'), { recursive: true });
    git(work, 'remote', 'set-url', 'origin', join(repo.root, 'gone.git'));
    discord.failNext(404, { message: 'Unknown Webhook' });
    const reporter = memoryReporter();
    const report = await runOnActions({
      runBooking: bookingEngine(work, []),
      env: { ...env, SCHEDULED_CRON: '', GITHUB_EVENT_NAME: 'workflow_dispatch' },
      clock: fixedClock('2026-01-31T21:20:00Z'),
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(report.exitCode).toBe(0); // the booking stands
    expect(report.statusCommit?.ok).toBe(false);
    expect(reporter.lines.some((l) => l.level === 'error' && l.message.includes('NOT pushed'))).toBe(true);
    expect(reporter.lines.some((l) => l.level === 'warning' && l.message.includes('Could not fetch'))).toBe(
      true,
    );
    expect(await readFile(join(work, 'out', 'booking', 'status-unpushed.json'), 'utf8')).toContain('EM-777');
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('Status not pushed');
    expect(summary).toContain('the webhook was deleted or the URL is wrong');
    expect(report.discord).toMatchObject({ sent: false, status: 404 });
  });

  it("records when an outside scheduler dispatched the run as the attempt's planned start", async () => {
    const { work, env } = await setup();
    await mkdir(join(work, '.auth'), { recursive: true });
    const seen: EngineOptions[] = [];
    await runOnActions({
      runBooking: bookingEngine(work, seen),
      env: {
        ...env,
        GITHUB_EVENT_NAME: 'repository_dispatch',
        SCHEDULED_CRON: '',
        DISPATCHED_AT: '2026-01-31T23:40:00Z',
      },
      clock: fixedClock('2026-01-31T23:41:30Z'),
      repoDir: work,
      reporter: memoryReporter(),
      sleep: async () => {},
    });
    // The attempt records the trigger as recognised (an external scheduler), not only the event's name.
    expect(seen[0]!.attempt).toMatchObject({
      trigger: 'external',
      scheduledFor: '2026-01-31T23:40:00Z',
    });
    const status = JSON.parse(await readFile(join(work, STATUS), 'utf8'));
    expect(status.bookings['2026-02-15 19:00'].attempts.at(-1)).toMatchObject({
      trigger: 'external',
      scheduledFor: '2026-01-31T23:40:00Z',
    });
  });

  it('stops on bad inputs before booking, and sends only a test message for notify_test', async () => {
    const { work, env } = await setup();
    const seen: EngineOptions[] = [];
    const bad = await runOnActions({
      runBooking: bookingEngine(work, seen),
      env: { ...env, BOOK_DATE: '15/02/2026' },
      repoDir: work,
      reporter: memoryReporter(),
    });
    expect(bad.exitCode).toBe(1);
    const test = await runOnActions({
      runBooking: bookingEngine(work, seen),
      env: { ...env, NOTIFY_TEST: 'true' },
      repoDir: work,
      reporter: memoryReporter(),
    });
    expect(test.exitCode).toBe(0);
    expect(seen).toEqual([]);
    expect(discord.messages().at(-1)?.payload.embeds?.[0]?.title).toContain('Test message');
  });
});

/** An engine that only records that it was called (and never books). */
function recordingEngine(seen: EngineOptions[], outcome: EngineResult['outcome'] = 'nothing-due') {
  return async (options: EngineOptions): Promise<EngineResult> => {
    seen.push(options);
    return {
      outcome,
      attempts: 0,
      message: 'Nothing to book.',
      screenshots: [],
      outDir: options.outDir,
      exitCode: 0,
    };
  };
}

describe('runOnActions keeps a booking going and a rehearsal safe', () => {
  it('books normally with SCHEDULED_CRON="7 23 * * MON-FRI" (names GitHub accepts), warning about nothing', async () => {
    const { work, env } = await setup();
    await mkdir(join(work, '.auth'), { recursive: true });
    await writeFile(join(work, 'bookings', 'bookings.csv'), 'Date,Time1,Status\n2026-02-17,19:00,Book\n');
    const seen: EngineOptions[] = [];
    const reporter = memoryReporter();
    const report = await runOnActions({
      runBooking: bookingEngine(work, seen),
      env: { ...env, SCHEDULED_CRON: '7 23 * * MON-FRI' },
      clock: fixedClock('2026-02-02T23:20:00Z'), // a Monday
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(report.exitCode).toBe(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.attempt.scheduledFor).toBe('2026-02-02T23:07:00.000+00:00');
    expect(reporter.lines.filter((l) => l.level === 'error' || l.level === 'warning')).toEqual([]);
  });

  it('still says booked when the engine could not write the status file: a loud error, the status to commit in the summary, no commit', async () => {
    const { repo, work, env } = await setup();
    const originBefore = git(repo.bare, 'rev-parse', 'main').trim();
    await mkdir(join(work, '.auth'), { recursive: true });
    const reporter = memoryReporter();
    const engine = bookingEngine(work, []);
    const intended = '{\n  "version": 1,\n  "bookings": { "2026-02-15 19:00": "booked, EM-777" }\n}\n';
    const report = await runOnActions({
      runBooking: async (options) => ({
        ...(await engine(options)),
        exitCode: 4,
        unrecorded: { error: 'EROFS: read-only file system', statusText: intended },
      }),
      env,
      clock: fixedClock('2026-02-02T23:20:00Z'),
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(report.exitCode).toBe(4);
    expect(report.result?.outcome).toBe('booked');
    expect(
      reporter.lines.some(
        (l) => l.level === 'error' && /status file could not be written \(EROFS/.test(l.message),
      ),
    ).toBe(true);
    expect(report.summary).toContain('### Status file not written');
    expect(report.summary).toContain('"2026-02-15 19:00": "booked, EM-777"');
    expect(report.discord?.sent).toBe(true);
    // What is on disk predates the booking: committing it as "booked" would tell the next run otherwise.
    expect(report.statusCommit).toBeUndefined();
    expect(git(repo.bare, 'rev-parse', 'main').trim()).toBe(originBefore);
  });

  it('books anyway when the schedule line cannot be read, and says so in the summary', async () => {
    const { work, env } = await setup();
    await mkdir(join(work, '.auth'), { recursive: true });
    await writeFile(join(work, 'bookings', 'bookings.csv'), 'Date,Time1,Status\n2026-02-17,19:00,Book\n');
    const seen: EngineOptions[] = [];
    const reporter = memoryReporter();
    const report = await runOnActions({
      runBooking: bookingEngine(work, seen),
      env: { ...env, SCHEDULED_CRON: '7 23 * * EVERYDAY' },
      clock: fixedClock('2026-02-02T23:20:00Z'),
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(report.exitCode).toBe(0);
    expect(seen).toHaveLength(1);
    expect(reporter.lines.find((l) => l.level === 'warning')?.message).toContain(
      'The schedule line "7 23 * * EVERYDAY" could not be read',
    );
    expect(report.summary).toContain('[!WARNING]');
    expect(report.summary).toContain('could not be read');
  });

  it.each([
    ['the rehearsal lane', 'rehearsal'],
    ['no lane at all', undefined],
  ])('refuses to book for real in %s, before the engine starts', async (_, lane) => {
    const { work, env } = await setup();
    const seen: EngineOptions[] = [];
    const reporter = memoryReporter();
    const runEnv = { ...env };
    if (lane) runEnv.BOOKING_LANE = lane;
    else delete runEnv.BOOKING_LANE;
    const report = await runOnActions({
      runBooking: recordingEngine(seen),
      env: runEnv,
      repoDir: work,
      reporter,
    });
    expect(report.exitCode).toBe(1);
    expect(seen).toEqual([]);
    expect(reporter.lines[0]?.message).toMatch(/would book for real, but it runs in the .* concurrency lane/);
  });

  it.each([
    ['"maybe"', 'maybe'],
    ['2', 2],
  ])('stops before the engine on a payload dry_run of %s', async (_, value) => {
    const { work, env } = await setup();
    const seen: EngineOptions[] = [];
    const reporter = memoryReporter();
    const report = await runOnActions({
      runBooking: recordingEngine(seen),
      env: {
        ...env,
        GITHUB_EVENT_NAME: 'repository_dispatch',
        CLIENT_PAYLOAD: JSON.stringify({ dry_run: value }),
      },
      repoDir: work,
      reporter,
    });
    expect(report.exitCode).toBe(1);
    expect(seen).toEqual([]);
    expect(reporter.lines[0]?.message).toContain('client_payload.dry_run is');
  });

  it("refuses a dry run that would overlap tonight's real booking, before logging in, saying when to try", async () => {
    // 2026-02-15 is released at 00:00 on 1 February: the real run logs in at 23:50 and tries until 00:03.
    const { work, env } = await setup();
    await writeFile(
      join(work, 'bookings', 'bookings.csv'),
      'Date,Time1,Time2,Status\n2026-02-15,19:00,20:00,Book\n',
    );
    const seen: EngineOptions[] = [];
    const reporter = memoryReporter();
    const rehearsal = {
      ...env,
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      BOOKING_LANE: 'rehearsal',
      SCHEDULED_CRON: '',
      DISPATCH_INPUTS: JSON.stringify({ dry_run: true, wait: false }),
    };
    const refused = await runOnActions({
      runBooking: recordingEngine(seen),
      env: rehearsal,
      clock: fixedClock('2026-01-31T23:45:00Z'),
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(refused.exitCode).toBe(1);
    expect(seen).toEqual([]);
    const message = reporter.lines.find((l) => l.level === 'error')!.message;
    expect(message).toContain('would overlap the real booking of 2026-02-15 19:00');
    expect(message).toContain('logs in at 23:50 and keeps trying until 00:03');
    expect(message).toContain('Try it again after Sun 1 Feb 2026 00:04 GMT');
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain('Dry run refused');

    // At 20:00 the same evening it acts at once, in its own lane, and is done long before 23:50.
    const allowed = await runOnActions({
      runBooking: recordingEngine(seen, 'dry-run'),
      env: rehearsal,
      clock: fixedClock('2026-01-31T20:00:00Z'),
      repoDir: work,
      reporter: memoryReporter(),
      sleep: async () => {},
    });
    expect(allowed.exitCode).toBe(0);
    expect(seen).toMatchObject([{ dryRun: true, noWait: true }]);

    // Asked to wait for the release that evening: refused, since the real booking is due then.
    const waiting = await runOnActions({
      runBooking: recordingEngine(seen),
      env: { ...rehearsal, DISPATCH_INPUTS: JSON.stringify({ dry_run: true, wait: true }) },
      clock: fixedClock('2026-01-31T20:00:00Z'),
      repoDir: work,
      reporter: memoryReporter(),
      sleep: async () => {},
    });
    expect(waiting.exitCode).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('lets every rehearsal through when DRY_RUN=true on the repository (no real booking to keep clear of)', async () => {
    const { work, env } = await setup();
    const seen: EngineOptions[] = [];
    const report = await runOnActions({
      runBooking: recordingEngine(seen, 'dry-run'),
      env: { ...env, DRY_RUN: 'true', BOOKING_LANE: 'rehearsal' },
      clock: fixedClock('2026-01-31T23:45:00Z'),
      repoDir: work,
      reporter: memoryReporter(),
      sleep: async () => {},
    });
    expect(report.exitCode).toBe(0);
    expect(seen).toMatchObject([{ dryRun: true, noWait: false }]); // the scheduled rehearsal waits
  });

  it('discards a session file that is JSON but not a storage state, and a cached one, before the engine', async () => {
    const { work, env } = await setup();
    await mkdir(join(work, '.auth'), { recursive: true });
    await writeFile(join(work, '.auth', 'estelle.json'), '{"cookies":"x"}');
    const secret = env.ESTELLE_PASSWORD!;
    await writeFile(
      join(work, '.auth', 'estelle.json.enc'),
      encryptSession('null', secret, accountId(env.ESTELLE_USERNAME!, secret)),
    );
    const reporter = memoryReporter();
    const sawState: boolean[] = [];
    await runOnActions({
      runBooking: async (options) => {
        sawState.push(existsSync(join(work, '.auth', 'estelle.json')));
        return recordingEngine([])(options);
      },
      env,
      clock: fixedClock('2026-01-31T20:00:00Z'),
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(sawState).toEqual([false]);
    const notices = reporter.lines.filter((l) => l.level === 'notice').map((l) => l.message);
    expect(notices.slice(0, 2)).toEqual([
      expect.stringMatching(/^Saved session ignored: .*not a Playwright storage state.*log in afresh/),
      expect.stringMatching(
        /estelle\.json discarded: it is JSON but not a Playwright storage state.*log in afresh/,
      ),
    ]);
    expect(existsSync(join(work, '.auth', 'estelle.json.enc'))).toBe(false); // and it is not cached again
  });
});

describe('what members read when a run fails', () => {
  it('attaches the error screenshot to Discord, links the run, and names artifact files instead of runner paths', async () => {
    const { work, env } = await setup();
    const reporter = memoryReporter();
    const report = await runOnActions({
      runBooking: async (options) => {
        await mkdir(options.outDir, { recursive: true });
        const shot = join(options.outDir, '03-error.png');
        await writeFile(shot, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
        return {
          outcome: 'failed',
          row: { key: '2026-02-15 19:00', date: '2026-02-15', time1: '19:00' },
          attempts: 0,
          message:
            `The venue profile's slots.card ("[data-slot]") found nothing on https://venue.test/day (screenshot: ${shot}) ` +
            `The site's markup may have changed: open the screenshot, then update slots.card in the venue profile ` +
            `(src/venue/profiles/<venue>.yml). Screenshots and the step log are in ${options.outDir}.`,
          screenshots: [join(options.outDir, '01-logged-in.png'), shot],
          outDir: options.outDir,
          exitCode: 1,
        };
      },
      env,
      clock: fixedClock('2026-02-01T00:01:00Z'),
      repoDir: work,
      reporter,
      sleep: async () => {},
    });
    expect(report.exitCode).toBe(1);
    const outDir = join(work, 'out', 'booking');
    const artifact = 'booking-2026-02-15-9001-1';

    const message = discord.messages().at(-1)!;
    expect(message.violations).toEqual([]);
    expect(message.files.map((f) => [f.filename, f.contentType])).toEqual([['error.png', 'image/png']]);
    const embed = message.payload.embeds![0]!;
    expect(embed.image?.url).toBe('attachment://error.png');
    const fields = Object.fromEntries((embed.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields.Run).toBe('[Open the run](https://github.com/member/padel/actions/runs/9001)');
    expect(fields['Screenshots and step log']).toContain('/actions/runs/9001#artifacts');
    expect(fields.Reason).toContain(`(screenshot: 03-error.png in the run's artifact ${artifact})`);
    expect(JSON.stringify(message.payload)).not.toContain(outDir);

    // The summary shows <venue> (escaped, not eaten as an HTML tag) and no runner path.
    expect(report.summary).toContain('src/venue/profiles/\\<venue\\>.yml');
    expect(report.summary).not.toContain('profiles/.yml');
    expect(report.summary).not.toContain(outDir);
    const annotation = reporter.lines.find((l) => l.level === 'error')!.message;
    expect(annotation).toContain(`Screenshots and the step log are in the run's artifact ${artifact}.`);
  });
});

describe('fits the engine', () => {
  it('takes src/run.ts as it is: RunResult is an EngineResult and EngineOptions are RunOptions', () => {
    const toEngine = (r: RunResult): EngineResult => r;
    const toRunOptions = (o: EngineOptions): RunOptions => o;
    expect(typeof toEngine).toBe('function');
    expect(typeof toRunOptions).toBe('function');
  });
});
