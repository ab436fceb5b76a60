import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { gitIn, gitOk } from '../../src/github/git.ts';
import { courtDateForTests, startSandbox, type LedgerEntry } from '../../test/sandbox/index.ts';
import type { DiscordStandIn } from '../../test/support/discord-standin.ts';
import { evaluateCondition } from '../../test/support/workflow-expressions.ts';

/**
 * The fault matrix's row for the watch for cancellations (issue 13): "a court lost at the release is
 * cancelled the next morning". The night ended `unavailable` (every court at 19:00 and 20:00 held by
 * rivals); then watch.yml's steps run as GitHub runs them, each its own process in a checkout of the
 * member's fork (a local bare origin), with GITHUB_ACTIONS=true and the step's environment:
 *
 *   10:07  --due (true) → --look: both times full, one look counted, committed
 *          (a rival cancels 19:00 on the second court)
 *   10:37  --due (true) → --look: found_date → the book job's `if:` (evaluated from watch.yml) →
 *          --book DATE in the booking lane: booked, verified, committed, Discord told ("Found by")
 *   11:07  --due: false (booked), and no request reaches the venue
 *
 * Each failure of the behaviour the row names is a string in `failures`; the row holds when there are
 * none. Shaped like the matrix's FaultResult so its table can show it.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const WATCH_CLI = join(ROOT, 'src', 'cli', 'watch.ts');
const WATCH_YML = join(ROOT, '.github', 'workflows', 'watch.yml');
const MACHINE_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'CHROMIUM_PATH', 'BROWSER_CHANNEL'];

export const WATCH_ROW = {
  id: 'watch-cancellation',
  scenario: 'Lost at the release, a rival cancels the next morning: the watch books it',
  skins: ['estelle', 'clubhouse'] as const,
} as const;
export type WatchRowSkin = (typeof WATCH_ROW.skins)[number];

const PROFILES: Record<WatchRowSkin, { profile: string; courts: [string, string] }> = {
  estelle: { profile: 'estelle', courts: ['Padel Court 1', 'Padel Court 2'] },
  clubhouse: {
    profile: join(ROOT, 'test', 'sandbox', 'profiles', 'clubhouse.yml'),
    courts: ['Court A', 'Court B'],
  },
};

export type WatchRowResult = {
  row: typeof WATCH_ROW;
  skin: WatchRowSkin;
  /** Each step's outcome, in order: look, look, book (the step outputs' `outcome`). */
  outcomes: string[];
  exitCodes: (number | null)[];
  bookedTime?: string;
  court?: string;
  /** What the member was told: the booking's Discord title. */
  told: string;
  /** The status entry origin ends with, in short. */
  stateNote: string;
  discordTitles: string[];
  /** Courts of the member's that day beyond one, plus any the row did not expect. */
  doubleBookings: number;
  failures: string[];
  pass: boolean;
  seconds: number;
};

type Step = { exitCode: number | null; stdout: string; stderr: string; outputs: Record<string, string> };

/** Runs one row on one skin; `discord` is the matrix's stand-in (its URL is the webhook). */
export async function runWatchRow(skin: WatchRowSkin, discord: DiscordStandIn): Promise<WatchRowResult> {
  const started = Date.now();
  const failures: string[] = [];
  const date = courtDateForTests();
  const { profile, courts } = PROFILES[skin];
  const root = await mkdtemp(join(tmpdir(), `watch-row-${skin}-`));
  // The venue's clock: 10:07 London on the day after the release (its release long passed).
  const releaseDay = DateTime.fromISO(date, { zone: 'Europe/London' }).minus({ days: 14 });
  const at = (hhmm: string) =>
    DateTime.fromISO(`${releaseDay.toISODate()}T${hhmm}`, { zone: 'Europe/London' });
  const venue = await startSandbox({
    skin,
    clockOffsetMs: at('10:07').toMillis() - Date.now(),
    latency: { oneWayMs: 20, jitterMs: 10 },
    preBooked: ['19:00', '20:00'].flatMap((time, t) =>
      courts.map((court, c) => ({ date, time, court, member: `rival-${t * 2 + c + 1}` })),
    ),
  });
  const member = venue.members[0]!;
  const seenBefore = discord.messages().length;
  try {
    // The member's fork, with the night's outcome in the status file.
    const origin = join(root, 'origin.git');
    const work = join(root, 'work');
    const night = {
      version: 1,
      bookings: {
        [`${date} 19:00`]: {
          key: `${date} 19:00`,
          date,
          state: 'unavailable',
          updatedAt: at('00:00').toUTC().toISO(),
          attempts: [
            {
              trigger: 'schedule',
              startedAt: at('00:00').minus({ minutes: 10 }).toUTC().toISO(),
              outcome: 'unavailable',
            },
          ],
        },
      },
    };
    await gitOk(gitIn(root), ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
    await gitOk(gitIn(root), ['clone', '--quiet', origin, work]);
    await mkdir(join(work, 'bookings'), { recursive: true });
    await writeFile(
      join(work, 'bookings', 'bookings.csv'),
      `Date,Time1,Time2,Status,Court,Note\n${date},19:00,20:00,Book,,\n`,
    );
    await writeFile(join(work, 'bookings', 'config.yml'), `venue:\n  profile: ${JSON.stringify(profile)}\n`);
    await writeFile(join(work, 'bookings', 'status.json'), `${JSON.stringify(night, null, 2)}\n`);
    await writeFile(join(work, '.gitignore'), 'out/\n.auth/\n');
    const git = gitIn(work);
    const id = ['-c', 'user.name=Member', '-c', 'user.email=member@example.com'];
    await gitOk(git, ['checkout', '--quiet', '-b', 'main']);
    await gitOk(git, ['add', '-A']);
    await gitOk(git, [...id, 'commit', '--quiet', '-m', 'bookings']);
    await gitOk(git, ['push', '--quiet', 'origin', 'main']);

    const files = join(root, 'runner');
    await mkdir(files, { recursive: true });
    let n = 0;
    /** One step of watch.yml, as its own process, at `time` (London) on the venue's day. */
    const step = async (args: string[], time: string, extra: NodeJS.ProcessEnv = {}): Promise<Step> => {
      n += 1;
      const output = join(files, `output-${n}.txt`);
      await writeFile(output, '');
      await writeFile(join(files, `summary-${n}.md`), '');
      const env: NodeJS.ProcessEnv = {
        ...Object.fromEntries(MACHINE_ENV.filter((k) => process.env[k]).map((k) => [k, process.env[k]])),
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'schedule',
        GITHUB_REPOSITORY: 'member/padel',
        GITHUB_RUN_ID: `${100 + n}`,
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_REF_NAME: 'main',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: join(files, `summary-${n}.md`),
        SCHEDULED_CRON: '7 7-18 * * *',
        SCHEDULE_TIMEZONE: 'Europe/London',
        DRY_RUN: '',
        BOOKER_NOW: at(time).toISO()!,
        ESTELLE_BASE_URL: venue.url,
        ESTELLE_USERNAME: member.email,
        ESTELLE_PASSWORD: member.password,
        DISCORD_WEBHOOK_URL: discord.url,
        ...extra,
      };
      const child = spawn(process.execPath, ['--import', TSX, WATCH_CLI, ...args], { cwd: work, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exitCode = await new Promise<number | null>((done) => child.on('close', done));
      return { exitCode, stdout, stderr, outputs: parseOutputs(await readFile(output, 'utf8')) };
    };
    const expectOk = (what: string, s: Step) => {
      if (s.exitCode !== 0)
        failures.push(
          `${what} exited ${s.exitCode}: ${(s.stderr || s.stdout).trim().split('\n').slice(-3).join(' / ')}`,
        );
    };
    const book = (parse(await readFile(WATCH_YML, 'utf8')) as { jobs: { book: { if: string } } }).jobs.book;
    const bookJobRuns = (outputs: Record<string, string>) =>
      evaluateCondition(book.if, { needs: { look: { outputs } } });

    // 10:07: both times full.
    const due1 = await step(['--due'], '10:07');
    expectOk('--due at 10:07', due1);
    if (due1.outputs.due !== 'true')
      failures.push(`--due at 10:07 said due=${due1.outputs.due ?? 'nothing'}`);
    const look1 = await step(['--look', '--out', 'out/watch'], '10:07');
    expectOk('the look at 10:07', look1);
    if (look1.outputs.outcome !== 'looked')
      failures.push(`the look at 10:07 ended ${look1.outputs.outcome}, not looked`);
    if (bookJobRuns(look1.outputs)) failures.push('the book job would run after a look that found nothing');

    // A rival cancels 19:00 on the second court; at 10:37 the next look finds it and the book job books it.
    venue.setScenario({ cancellations: [{ date, time: '19:00', court: courts[1], afterReleaseMs: 0 }] });
    const until = Date.now() + 5_000;
    while (!venue.ledger().some((e) => e.cancelled) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const look2 = await step(['--look', '--out', 'out/watch'], '10:37');
    expectOk('the look at 10:37', look2);
    if (look2.outputs.found_date !== date)
      failures.push(`the look at 10:37 found "${look2.outputs.found_date ?? ''}", not ${date}`);
    let booking: Step | undefined;
    if (!bookJobRuns(look2.outputs))
      failures.push("the book job's if: is false after the look that found a court");
    else {
      booking = await step(['--book', look2.outputs.found_date!, '--out', 'out/booking'], '10:38', {
        BOOKING_LANE: look2.outputs.lane,
      });
      expectOk('the book job', booking);
      if (booking.outputs.outcome !== 'booked')
        failures.push(`the book job ended ${booking.outputs.outcome ?? 'without an outcome'}`);
    }

    // 11:07: booked, so nothing to look at, and the venue hears nothing.
    const requests = venue.requests().length;
    const due3 = await step(['--due'], '11:07');
    if (due3.outputs.due !== 'false')
      failures.push(`--due after the booking said due=${due3.outputs.due ?? 'nothing'}`);
    if (venue.requests().length !== requests) failures.push('--due sent requests to the venue');

    // The venue's ground truth: one court of ours that day, the cancelled one.
    const ours = venue
      .ledger()
      .filter((e: LedgerEntry) => e.member === member.email && !e.cancelled && e.date === date);
    const doubleBookings = Math.max(0, ours.length - 1);
    if (ours.length !== 1 || ours[0]!.time !== '19:00' || ours[0]!.court !== courts[1])
      failures.push(
        `the member holds ${ours.map((e) => `${e.time} ${e.court}`).join(', ') || 'nothing'}, not 19:00 ${courts[1]}`,
      );

    // origin: the looks counted, two attempt lines, three commits of the bot's.
    const pushed = JSON.parse(
      (await gitOk(gitIn(origin), ['show', `main:bookings/status.json`])).toString(),
    ) as {
      bookings: Record<
        string,
        {
          state: string;
          court?: string;
          watch?: { looks: number };
          attempts: { outcome: string; trigger?: string }[];
        }
      >;
    };
    const entry = pushed.bookings[`${date} 19:00`];
    const stateNote = entry
      ? `${entry.state}, ${entry.watch?.looks ?? 0} looks, attempts ${entry.attempts.map((a) => `${a.outcome}${a.trigger === 'watch' ? ' (watch)' : ''}`).join(', ')}`
      : 'no entry';
    if (entry?.state !== 'booked' || entry.court !== courts[1]) failures.push(`status: ${stateNote}`);
    if (entry?.watch?.looks !== 2) failures.push(`status counts ${entry?.watch?.looks ?? 0} looks, not 2`);
    const lines = entry?.attempts.map((a) => `${a.outcome}/${a.trigger ?? ''}`).join(', ');
    if (lines !== 'unavailable/schedule, booked/watch') failures.push(`attempt lines: ${lines ?? 'none'}`);
    const log = (await gitOk(gitIn(origin), ['log', '--format=%s', 'main'])).toString().trim().split('\n');
    const expected = [
      `status: booked ${date} 19:00 ${courts[1]}`,
      `status: watch ${date} 19:00 found 19:00 (look 2)`,
      `status: watch ${date} 19:00 looked (look 1)`,
    ];
    if (log.slice(0, 3).join('\n') !== expected.join('\n'))
      failures.push(`commits: ${log.slice(0, 3).join(' | ')}`);

    // Discord: the booking only (never a message per look), valid, saying the watch found it.
    const messages = discord.messages().slice(seenBefore);
    const titles = messages.map((m) => m.payload.embeds?.[0]?.title ?? '');
    if (titles.join('|') !== '✅ Court booked')
      failures.push(`Discord got: ${titles.join(', ') || 'nothing'}`);
    if (messages.some((m) => m.violations.length > 0))
      failures.push('a Discord message broke Discord’s limits');
    if (!messages.some((m) => m.payload.embeds?.[0]?.fields?.some((f) => f.name === 'Found by')))
      failures.push('the booking message does not say the watch found it');

    return {
      row: WATCH_ROW,
      skin,
      outcomes: [
        look1.outputs.outcome ?? '?',
        look2.outputs.outcome ?? '?',
        booking?.outputs.outcome ?? 'not run',
      ],
      exitCodes: [look1.exitCode, look2.exitCode, booking?.exitCode ?? null],
      ...(booking?.outputs.booked_time ? { bookedTime: booking.outputs.booked_time } : {}),
      ...(booking?.outputs.court ? { court: booking.outputs.court } : {}),
      told: titles.at(-1) ?? '',
      stateNote,
      discordTitles: titles,
      doubleBookings,
      failures,
      pass: failures.length === 0,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await venue.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/** A GITHUB_OUTPUT file (`name<<DELIMITER` blocks, or `name=value` lines) as name → value. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const simple = /^([\w-]+)=(.*)$/.exec(lines[i]!);
    if (simple) out[simple[1]!] = simple[2]!;
  }
  return out;
}
