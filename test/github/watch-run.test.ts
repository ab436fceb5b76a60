import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/bookings/config.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { decideWatch } from '../../src/calendar/watch.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { renderWatchSummary, watchCommitMessage, watchOnActions } from '../../src/github/watch-run.ts';
import { bookCancellation, runWatch, type WatchResult } from '../../src/watch.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';
import { git, repoWithRemote } from './git-helpers.ts';

/**
 * The watch's Actions glue as GitHub runs it (GITHUB_ACTIONS=true, the summary and output files, a
 * local bare origin, the Discord stand-in) around the real src/watch.ts, on the paths that need no
 * browser: the cut-off (recorded, committed, told once) and a booking no longer wanted. The look and the
 * booking in Chromium are in test/e2e/watch.test.ts and the demo's test.
 */

const STATUS = 'bookings/status.json';
const KEY = '2026-02-15 19:00';
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

const noBrowser = () => Promise.reject(new Error('no browser may be started here'));

async function setup(entry: Record<string, unknown>) {
  const status = { version: 1, bookings: { [KEY]: { key: KEY, date: '2026-02-15', ...entry } } };
  const repo = await repoWithRemote({
    [STATUS]: `${JSON.stringify(status, null, 2)}\n`,
    'bookings/bookings.csv': 'Date,Time1,Time2,Status,Court,Note\n2026-02-15,19:00,20:00,Watch,,\n',
  });
  const work = repo.clone('runner');
  const files = await mkdtemp(join(tmpdir(), 'watch-files-'));
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: join(files, 'summary.md'),
    GITHUB_OUTPUT: join(files, 'output.txt'),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'member/padel',
    GITHUB_RUN_ID: '77',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_REF_NAME: 'main',
    SCHEDULED_CRON: '7 7-18 * * *',
    DRY_RUN: '',
    ESTELLE_USERNAME: 'member@example.com',
    ESTELLE_PASSWORD: 'correct horse battery staple',
    DISCORD_WEBHOOK_URL: discord.url,
  };
  await writeFile(env.GITHUB_STEP_SUMMARY!, '');
  await writeFile(env.GITHUB_OUTPUT!, '');
  process.env.GITHUB_OUTPUT = env.GITHUB_OUTPUT;
  return { repo, work, env };
}

function lookOnly(work: string, env: NodeJS.ProcessEnv, at: string) {
  const clock = fixedClock(DateTime.fromISO(at, { zone: 'Europe/London' }));
  const paths = {
    bookings: join(work, 'bookings', 'bookings.csv'),
    config: join(work, 'bookings', 'config.yml'),
    status: join(work, STATUS),
    storageState: join(work, '.auth', 'estelle.json'),
  };
  return watchOnActions({
    lookOnly: true,
    env,
    clock,
    repoDir: work,
    outDir: join(work, 'out', 'watch'),
    reporter: memoryReporter(),
    sleep: async () => undefined,
    runWatch: (o) =>
      runWatch({
        ...o,
        clock,
        env: { username: 'member@example.com', password: 'x', dryRun: false, logLevel: 'info' },
        paths,
        log: () => undefined,
        browserFactory: noBrowser,
      }),
    bookCancellation: () => Promise.reject(new Error('a look books nothing')),
  });
}

describe('watchOnActions, as watch.yml runs it', () => {
  it('records the cut-off once, commits it, tells Discord once, and opens no browser', async () => {
    const { repo, work, env } = await setup({
      state: 'unavailable',
      updatedAt: '2026-02-01T00:00:01.000Z',
      watch: { looks: 5, lastLookAt: '2026-02-15T17:37:00.000Z', lastSeen: '20:00 full' },
      attempts: [{ startedAt: '2026-01-31T23:50:00.000Z', outcome: 'unavailable' }],
    });
    const before = discord.messages().length;
    const report = await lookOnly(work, env, '2026-02-15T18:07');
    expect(report.exitCode).toBe(0);
    expect(report.look?.kind).toBe('idle');
    expect(report.look?.cutOff.map((c) => [c.row.key, c.looks])).toEqual([[KEY, 5]]);
    expect(report.outputs).toEqual({ found_date: '', lane: 'booking', outcome: 'idle' });
    expect(await readFile(env.GITHUB_OUTPUT!, 'utf8')).toMatch(/found_date<<.*\n\n/);

    // Pushed: the cut-off on the entry, the looks and the attempt lines as they were.
    const pushed = JSON.parse(git(repo.bare, 'show', `main:${STATUS}`));
    expect(pushed.bookings[KEY].watch).toEqual({
      looks: 5,
      lastLookAt: '2026-02-15T17:37:00.000Z',
      lastSeen: '20:00 full',
      cutOffAt: DateTime.fromISO('2026-02-15T18:07', { zone: 'Europe/London' }).toUTC().toISO(),
    });
    expect(pushed.bookings[KEY].attempts).toHaveLength(1);
    expect(git(repo.bare, 'log', '-1', '--format=%s', 'main').trim()).toBe(
      `status: watch ${KEY} stopped at its cut-off`,
    );

    // One Discord message, valid by Discord's limits.
    const sent = discord.messages().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.violations).toEqual([]);
    const embed = sent[0]!.payload.embeds![0]!;
    expect(embed.title).toBe('🔕 Stopped watching for a cancellation');
    expect(embed.description).toBe(
      'Sunday 15 February 2026, 19:00 or 20:00: nothing came free; stopped at Sun 15 Feb 18:00 after 5 looks.\n' +
        'The watch stops 120 minutes before the court (watch.cutoffMinutes in bookings/config.yml).',
    );
    const summary = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary).toContain('## 💤 Watch for cancellations: nothing to look at');
    expect(summary).toContain(`| ${KEY} | — | 5 | Sun 15 Feb 17:37 | 20:00 full | Sun 15 Feb 18:00 |`);

    // Told once: the next run has nothing to record, commit or send.
    await writeFile(env.GITHUB_STEP_SUMMARY!, '');
    const again = await lookOnly(work, env, '2026-02-15T18:37');
    expect(again.look?.cutOff).toEqual([]);
    expect(again.statusCommit).toMatchObject({ ok: true, committed: false });
    expect(discord.messages().slice(before)).toHaveLength(1);
  });

  it('books nothing, and says why, when the date a look found is no longer wanted by the time the book job runs', async () => {
    const { work, env } = await setup({
      state: 'booked',
      bookedTime: '19:00',
      court: 'Padel Court 1',
      reference: 'EM-1',
      updatedAt: '2026-02-15T10:40:00.000Z',
      watch: { looks: 3, lastLookAt: '2026-02-15T10:37:00.000Z' },
      attempts: [{ startedAt: '2026-02-15T10:38:00.000Z', outcome: 'booked', trigger: 'watch' }],
    });
    const clock = fixedClock(DateTime.fromISO('2026-02-15T11:00', { zone: 'Europe/London' }));
    const before = discord.messages().length;
    const reporter = memoryReporter();
    const report = await watchOnActions({
      bookDate: '2026-02-15',
      env: { ...env, BOOKING_LANE: 'booking' },
      clock,
      repoDir: work,
      outDir: join(work, 'out', 'booking'),
      reporter,
      sleep: async () => undefined,
      runWatch: () => Promise.reject(new Error('the book job does not look')),
      bookCancellation: (engine) =>
        bookCancellation({
          ...engine,
          clock,
          env: { username: 'member@example.com', password: 'x', dryRun: false, logLevel: 'info' },
          paths: {
            bookings: join(work, 'bookings', 'bookings.csv'),
            status: join(work, STATUS),
            config: join(work, 'bookings', 'config.yml'),
          },
          log: () => undefined,
          runBooking: () => Promise.reject(new Error('the engine must not run')),
        }),
    });
    expect(report.exitCode).toBe(0);
    const result = report.booking?.result;
    expect(result?.outcome).toBe('nothing-due');
    expect(result?.message).toBe(
      `Nothing booked for 2026-02-15: the watch no longer wants it (${KEY} booked).`,
    );
    expect(discord.messages().slice(before)).toEqual([]);
  });
});

describe('what the look tells the member (pure)', () => {
  const row = {
    line: 2,
    key: KEY,
    date: '2026-02-15',
    time1: '19:00',
    time2: '20:00',
    book: true,
    status: 'Watch',
    watch: true as const,
  };
  const decision = decideWatch(
    [row],
    { bookings: {} },
    fixedClock(DateTime.fromISO('2026-02-15T10:00', { zone: 'Europe/London' })),
    ConfigSchema.parse({}),
  ).all[0]!;
  const look: WatchResult = {
    kind: 'looked',
    message: 'Nothing came free.',
    looked: [{ row, seen: 'x', looks: 2 }],
    held: [],
    cutOff: [],
    watching: [decision],
    exitCode: 0,
    outDir: '/tmp',
    screenshots: [],
  };

  it('escapes what the venue showed (court names) in the summary', () => {
    const status = {
      version: 1 as const,
      bookings: {
        [KEY]: {
          key: KEY,
          date: '2026-02-15',
          state: 'pending' as const,
          updatedAt: 'x',
          attempts: [],
          watch: {
            looks: 2,
            lastLookAt: '2026-02-15T10:00:00Z',
            lastSeen: 'free: <img src=x> | Court *1* at 19:00',
          },
        },
      },
    };
    const summary = renderWatchSummary(look, status, { timeZone: 'Europe/London' });
    // Markdown's escapes: no tag, no table cell break, no emphasis from the venue's text.
    expect(summary).toContain('free: \\<img src=x\\> \\| Court \\*1\\* at 19:00');
    expect(summary).not.toMatch(/[^\\]<img/);
    expect(summary).toContain('| 2 |');
  });

  it('writes commit messages from dates and times only, never the venue’s text', () => {
    expect(watchCommitMessage(look)).toBe(`status: watch ${KEY} looked (look 2)`);
    expect(
      watchCommitMessage({
        ...look,
        looked: [
          { row, seen: 'free: Court `rm -rf`', free: { time: '20:00', court: 'Court `x`' }, looks: 3 },
        ],
      }),
    ).toBe(`status: watch ${KEY} found 20:00 (look 3)`);
    expect(watchCommitMessage({ ...look, kind: 'refused', looked: [] })).toBe('status: watch refused');
  });
});
