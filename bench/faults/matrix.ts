import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, type Config } from '../../src/bookings/config.ts';
import { readStatus, type BookingState } from '../../src/bookings/status.ts';
import { shiftedClock } from '../../src/calendar/clock.ts';
import { runOnActions } from '../../src/github/actions-run.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { runBooking, type RunOutcome, type RunResult } from '../../src/run.ts';
import {
  courtDateForTests,
  releaseInstantMs,
  startSandbox,
  type ScenarioPatch,
} from '../../test/sandbox/index.ts';
import type { DiscordStandIn } from '../../test/support/discord-standin.ts';

/**
 * The fault matrix: every fault the sandbox venue can show, run through the whole nightly pipeline —
 * the Actions entry (runOnActions: inputs, status, Discord, summary) around the real engine in
 * Chromium — with the expected outcome beside the actual one. The same row definitions drive
 * `npm run bench:faults` (bench/faults.md) and the vitest suite (test/bench/faults.test.ts), so the
 * table and the tests cannot disagree.
 */

export type FaultRow = {
  id: string;
  scenario: string;
  /** What the member should see. */
  expected: {
    outcome: RunOutcome;
    state: BookingState;
    bookings: number;
    bookedTime?: string;
    message?: RegExp;
  };
  /** The venue's faults etc.; `date` is the court date of the run (released `leadMs` after start). */
  venue?: (ctx: { date: string; member: string }) => ScenarioPatch;
  /** bookings.csv rows (after the header); {date} is the court date. */
  rows?: string[];
  password?: string;
  config?: Record<string, unknown>;
  /** How far ahead of the release (both clocks) the run starts; default 8 s. */
  leadMs?: number;
};

const MEMBER_BOOKING_TIMES = ['19:00', '20:00'];

export const FAULT_ROWS: FaultRow[] = [
  {
    id: 'wrong-password',
    scenario: 'Wrong password',
    password: 'not-the-password',
    expected: {
      outcome: 'failed',
      state: 'failed',
      bookings: 0,
      message: /refused the login[\s\S]*ESTELLE_PASSWORD/,
    },
  },
  {
    id: 'locked-account',
    scenario: 'Locked account (locks after 1 failure)',
    password: 'wrong-again',
    venue: () => ({ faults: { lockAfterFailures: 1 } }),
    expected: { outcome: 'failed', state: 'failed', bookings: 0, message: /locked[\s\S]*Unlock the account/ },
  },
  {
    id: 'maintenance',
    scenario: 'Maintenance page all night',
    venue: () => ({ faults: { maintenance: true } }),
    expected: { outcome: 'failed', state: 'failed', bookings: 0, message: /not working[\s\S]*maintenance/ },
  },
  {
    id: '503-then-recovers',
    scenario: '503 from −1 s to +1.5 s, then recovers',
    venue: () => ({
      faults: { serverErrors: { fromMs: -1000, toMs: 1500, status: 503, scope: 'availability' } },
    }),
    expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
  },
  {
    id: '429-retry-after',
    scenario: '429 with Retry-After: 2 at midnight, then books',
    venue: () => ({
      faults: {
        rateLimit: { fromMs: -500, toMs: 5000, retryAfterSeconds: 2, count: 1, scope: 'availability' },
      },
    }),
    expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
  },
  {
    id: 'session-revoked',
    scenario: 'Session revoked before midnight (23:58 on the real site; here 23:59:56)',
    venue: () => ({ faults: { revokeSessionsAt: '23:59:56' } }),
    expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
  },
  {
    id: 'csrf-rotated',
    scenario: 'CSRF token rotated after the day view',
    venue: () => ({ faults: { rotateCsrf: true } }),
    expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
  },
  {
    id: 'markup-drift',
    scenario: 'Markup drift (slot_start renamed)',
    venue: () => ({ faults: { markupDrift: true } }),
    expected: {
      outcome: 'failed',
      state: 'failed',
      bookings: 0,
      message: /slots\.time\.read \("span\.slot_start"\) found nothing[\s\S]*update slots\.time\.read/,
    },
  },
  {
    id: 'competitor-takes-time1',
    scenario: 'Competitors take Time1 on both courts at +5 ms',
    venue: ({ date }) => ({
      competitors: ['Padel Court 1', 'Padel Court 2'].map((court, i) => ({
        name: `fast-${i + 1}`,
        date,
        time: '19:00',
        court,
        afterReleaseMs: 5,
      })),
    }),
    expected: { outcome: 'booked-fallback', state: 'booked', bookings: 1, bookedTime: '20:00' },
  },
  {
    id: 'both-taken',
    scenario: 'Time1 and Time2 both taken',
    venue: ({ date }) => ({
      preBooked: MEMBER_BOOKING_TIMES.flatMap((time) =>
        ['Padel Court 1', 'Padel Court 2'].map((court) => ({ date, time, court })),
      ),
    }),
    expected: {
      outcome: 'unavailable',
      state: 'unavailable',
      bookings: 0,
      message: /No court free at 19:00 or 20:00/,
    },
  },
  {
    id: 'daily-limit',
    scenario: 'Daily limit (member books 10:00 by hand at +5 ms)',
    venue: ({ date, member }) => ({
      faults: { dailyLimitPerMember: 1 },
      competitors: [{ name: member, date, time: '10:00', court: 'Padel Court 1', afterReleaseMs: 5 }],
    }),
    expected: {
      outcome: 'failed',
      state: 'failed',
      bookings: 0,
      message: /refused the booking: it allows no more courts for you/,
    },
  },
  {
    id: 'already-booked',
    scenario: 'Already booked (court held that day)',
    venue: ({ date, member }) => ({
      preBooked: [{ date, time: '19:00', court: 'Padel Court 2', member }],
    }),
    expected: { outcome: 'already-booked', state: 'booked', bookings: 0, bookedTime: '19:00' },
  },
  {
    id: 'slow-site',
    scenario: 'Slow site: 1.5 s first paint, 150 ± 50 ms latency',
    venue: () => ({ slowFirstPaintMs: 1500, latency: { oneWayMs: 100, jitterMs: 100 } }),
    leadMs: 26_000,
    expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
  },
];

export type FaultResult = {
  row: FaultRow;
  actual: RunOutcome | 'crashed';
  state?: BookingState;
  bookedTime?: string;
  message: string;
  outcomeOk: boolean;
  statusOk: boolean;
  statusNote: string;
  discordSent: boolean;
  discordTitle?: string;
  discordViolations: string[];
  /** The member's extra active bookings for the date (beyond one) plus any booking the row forbids. */
  doubleBookings: number;
  memberBookings: number;
  screenshots: number;
  pass: boolean;
  seconds: number;
};

const STATE_OF: Partial<Record<RunOutcome, BookingState>> = {
  booked: 'booked',
  'booked-fallback': 'booked',
  'already-booked': 'booked',
  unavailable: 'unavailable',
  failed: 'failed',
  unverified: 'unverified',
  'dry-run': 'dry-run',
};

/** Runs one row end to end: sandbox at its release, runOnActions around runBooking, the Discord stand-in. */
export async function runFaultRow(row: FaultRow, discord: DiscordStandIn): Promise<FaultResult> {
  const started = Date.now();
  const date = courtDateForTests();
  const leadMs = row.leadMs ?? 8_000;
  const shiftMs = releaseInstantMs(date) - leadMs - Date.now();
  const clock = shiftedClock(shiftMs);
  const dir = await mkdtemp(join(tmpdir(), `bench-fault-${row.id}-`));
  const venue = await startSandbox({ clockOffsetMs: shiftMs, latency: { oneWayMs: 20, jitterMs: 20 } });
  const member = venue.members[0]!;
  if (row.venue) venue.setScenario(row.venue({ date, member: member.email }));
  const seenBefore = discord.messages().length;
  try {
    await mkdir(join(dir, 'bookings'), { recursive: true });
    const csv = (row.rows ?? ['{date},19:00,20:00,Book,,']).map((r) => r.replaceAll('{date}', date));
    await writeFile(
      join(dir, 'bookings', 'bookings.csv'),
      ['Date,Time1,Time2,Status,Court,Note', ...csv].join('\n') + '\n',
    );
    const config: Config = ConfigSchema.parse({
      retry: { windowSeconds: 20, maxPerSecond: 4 },
      ...row.config,
    });
    const password = row.password ?? member.password;
    const env: NodeJS.ProcessEnv = {
      ESTELLE_USERNAME: member.email,
      ESTELLE_PASSWORD: password,
      DISCORD_WEBHOOK_URL: discord.url,
      DRY_RUN: 'false',
    };
    const reporter = memoryReporter();
    let result: RunResult | undefined;
    const report = await runOnActions<RunResult>({
      env,
      clock,
      repoDir: dir,
      outDir: join(dir, 'out'),
      reporter,
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 2_000))),
      runBooking: async (engine) =>
        (result = await runBooking({
          ...engine,
          clock,
          env: {
            username: member.email,
            password,
            dryRun: engine.dryRun,
            logLevel: 'info',
            baseUrl: venue.url,
          },
          config,
          paths: {
            bookings: join(dir, 'bookings', 'bookings.csv'),
            config: join(dir, 'bookings', 'config.yml'),
            status: join(dir, 'bookings', 'status.json'),
            storageState: join(dir, '.auth', 'estelle.json'),
          },
          log: () => undefined,
          loginLeadMs: 60_000,
          clockSyncLeadMs: 20_000,
          sessionCheckLeadMs: 3_000,
          stepTimeoutMs: 15_000,
        })),
    });
    const actual = result?.outcome ?? 'crashed';
    const key = `${date} 19:00`;
    const status = await readStatus(join(dir, 'bookings', 'status.json'));
    const entry = status.bookings[key];
    const wantState = STATE_OF[row.expected.outcome];
    const notes: string[] = [];
    if (!entry) notes.push(`no status entry for ${key}`);
    else {
      if (entry.state !== wantState) notes.push(`state ${entry.state}, expected ${wantState}`);
      if (entry.attempts.length !== 1) notes.push(`${entry.attempts.length} attempt lines`);
      if (row.expected.bookedTime && entry.bookedTime !== row.expected.bookedTime)
        notes.push(`bookedTime ${entry.bookedTime ?? 'none'}`);
      if (wantState === 'failed' && !entry.attempts.at(-1)?.error) notes.push('failed without an error text');
      if (result?.reference && entry.reference !== result.reference) notes.push('reference differs');
    }
    const messages = discord.messages().slice(seenBefore);
    const delivered = messages.filter((m) => m.status >= 200 && m.status < 300);
    const violations = messages.flatMap((m) => m.violations);
    const memberEntries = venue
      .ledger()
      .filter((e) => e.member === member.email && e.client === 'member' && !e.cancelled && e.date === date);
    // Everything the member holds that day: the engine's bookings, by hand, or from before.
    const held = venue
      .ledger()
      .filter((e) => e.member === member.email && !e.cancelled && e.date === date).length;
    // Two courts held the same day, or a court booked when the row says nothing should be.
    const doubleBookings = Math.max(0, held - 1) + Math.max(0, memberEntries.length - row.expected.bookings);
    const outcomeOk =
      actual === row.expected.outcome &&
      (!row.expected.message || row.expected.message.test(result?.message ?? ''));
    const statusOk = notes.length === 0;
    const title = delivered.at(-1)?.payload.embeds?.[0]?.title;
    const res: FaultResult = {
      row,
      actual,
      ...(entry ? { state: entry.state } : {}),
      ...(result?.bookedTime ? { bookedTime: result.bookedTime } : {}),
      message: (result?.message ?? `runOnActions exit ${report.exitCode}`).replaceAll(dir, '<run dir>'),
      outcomeOk,
      statusOk,
      statusNote: statusOk ? `${entry!.state}` : notes.join('; '),
      discordSent: delivered.length > 0,
      ...(title ? { discordTitle: title } : {}),
      discordViolations: violations,
      doubleBookings,
      memberBookings: memberEntries.length,
      screenshots: result?.screenshots.length ?? 0,
      pass: false,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    res.pass =
      outcomeOk &&
      statusOk &&
      res.discordSent &&
      violations.length === 0 &&
      doubleBookings === 0 &&
      memberEntries.length === row.expected.bookings &&
      (actual !== 'failed' || res.screenshots > 0);
    return res;
  } finally {
    await venue.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export function renderFaultTable(results: FaultResult[]): string {
  const lines = [
    '| Scenario | Expected | Actual | Status file | Discord message | Double bookings | Result |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const expected = `${r.row.expected.outcome}${r.row.expected.bookedTime ? ` ${r.row.expected.bookedTime}` : ''}`;
    const actual = `${r.actual}${r.bookedTime ? ` ${r.bookedTime}` : ''}`;
    lines.push(
      `| ${cell(r.row.scenario)} | ${cell(expected)} | ${cell(actual)} | ${r.statusOk ? 'correct' : 'WRONG'} (${cell(r.statusNote)}) | ${r.discordSent ? `sent: "${cell(r.discordTitle ?? '')}"` : 'NOT SENT'}${r.discordViolations.length ? ` (${r.discordViolations.length} violations)` : ''} | ${r.doubleBookings === 0 ? 'none' : `**${r.doubleBookings}**`} | ${r.pass ? 'holds' : '**FAILS**'} |`,
    );
  }
  return lines.join('\n');
}
