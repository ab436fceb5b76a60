import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { encryptSession, accountId, cacheKeyPrefix } from '../../src/github/session-cache.ts';
import { UNRECORDED_EXIT_CODE } from '../../src/outcome.ts';
import { followUpTo } from '../../test/sandbox/index.ts';
import { runnerCommands } from '../../test/support/actions-runner.ts';
import { fragileFolder, type FragileFolder } from './disk.ts';
import {
  availabilityLooks,
  bookingsSent,
  finalStatus,
  fireRequests,
  loginAttempts,
  logins,
  myBookingsLooks,
  SKINS,
  type FaultRow,
  type RowRun,
  type RunnerRun,
  type Skin,
} from './matrix.ts';
import { pushToOrigin, seedCache } from './workspace.ts';

/**
 * The rows. Each names a fault and, in `asserts` and `checks`, the behaviour that fault must not break,
 * checked from the ground truth (the venue's request log and ledger, the pushed commit, the files the
 * run left), so that a change breaking that behaviour fails the row (bench/README.md lists, per row,
 * the change it was seen to catch).
 */

/** The request class a fault hits first after the release: the day's slots (Estelle: fetched after the
 * release), or the booking itself (clubhouse: its confirm page is opened before the release and only
 * the POST goes out after it). */
const firstAfterRelease = (skin: Skin) => (skin === 'estelle' ? 'availability' : 'booking');

const ALL = SKINS;
const ONE_SKIN: readonly Skin[] = ['estelle'];

const plusDays = (date: string, days: number) => DateTime.fromISO(date).plus({ days }).toISODate()!;

/** A pid that was a process on this machine and is gone. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/** The courts the runs booked for the member on the row's date, in the venue's order of acceptance. */
const ourCourts = (run: RowRun) =>
  run.ledger
    .filter((e) => e.member === run.ctx.member.email && e.client === 'member' && e.date === run.ctx.date)
    .sort((a, b) => a.acceptedAtServerMs - b.acceptedAtServerMs);

/** The member's own requests of a run. */
const mine = (run: RowRun) => run.requests.filter((r) => r.client === run.ctx.member.email);

/**
 * Two runners of one member: one court held, and when both say booked (they raced to the same instant
 * and sent the same court), the venue answered the second with the first booking.
 */
function racedToOneCourt(run: RowRun): string[] {
  const f: string[] = [];
  const held = run.ledger.filter((e) => e.client === 'member' && !e.cancelled);
  if (held.length !== 1)
    f.push(`${held.length} courts held: ${held.map((e) => `${e.court} ${e.time}`).join(', ')}`);
  if (run.runners.every((r) => r.result?.outcome === 'booked')) {
    const answers = bookingsSent(mine(run)).map((r) => r.outcome);
    if (answers.join() !== 'booked,already-booked')
      f.push(`both runners booked; the venue answered ${answers.join(', ')}, not booked then already-booked`);
    const refs = new Set(run.runners.map((r) => r.result?.reference));
    if (refs.size !== 1) f.push(`both runners booked, with references ${[...refs].join(', ')}`);
  }
  return f;
}

function annotations(r: RunnerRun) {
  return runnerCommands(r.stdout).filter((c) => ['error', 'warning', 'notice'].includes(c.command));
}

/** Everything the Discord messages say, as text. */
function discordText(run: RowRun): string {
  return run.discord
    .map((m) =>
      [
        m.payload.content ?? '',
        ...(m.payload.embeds ?? []).flatMap((e) => [
          e.title ?? '',
          e.description ?? '',
          ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`),
        ]),
      ].join('\n'),
    )
    .join('\n');
}

/** The checks of a booking the status file could not take: the court is held, and nobody is left in the dark. */
async function unrecordedChecks(run: RowRun, why: RegExp): Promise<string[]> {
  const failures: string[] = [];
  const r = run.runners[0]!;
  const res = r.result;
  if (!res?.unrecorded) return ['the result does not say the status could not be written'];
  if (!why.test(res.unrecorded.error))
    failures.push(`the write failed with "${res.unrecorded.error}", expected ${why}`);
  // The status it should have written, in the artifact (book.yml uploads out/).
  const kept = join(r.outDir, 'status-unrecorded.json');
  if (!existsSync(kept)) failures.push('no status-unrecorded.json in the artifact');
  else {
    const entry = (
      JSON.parse(await readFile(kept, 'utf8')) as {
        bookings: Record<string, { state: string; reference?: string }>;
      }
    ).bookings[`${run.ctx.date} 19:00`];
    const held = run.ledger.find((e) => e.client === 'member');
    if (entry?.state !== 'booked' || !held || entry.reference !== held.reference)
      failures.push(
        `status-unrecorded.json holds ${JSON.stringify(entry)}, not the booking ${held?.reference}`,
      );
  }
  // Loud: the summary, an annotation on the run page, and Discord all say the status was not written.
  if (!/could NOT be written[\s\S]*status-unrecorded\.json/.test(r.summary))
    failures.push('the job summary does not warn that the status could not be written');
  if (
    res.unrecorded.statusText &&
    !r.summary.includes(res.unrecorded.statusText.trim().split('\n')[1]!.trim())
  )
    failures.push('the job summary does not hold the status text to commit');
  if (!annotations(r).some((a) => /could NOT be written|not (be )?(written|recorded)/i.test(a.data)))
    failures.push(
      'no annotation (::error:: or ::warning::) on the run page says the status could not be written',
    );
  if (!/could NOT be written|not (be )?(written|recorded)/i.test(discordText(run)))
    failures.push('the Discord message says booked but not that the status could not be written');
  return failures;
}

export const FAULT_ROWS: FaultRow[] = [
  {
    id: 'wrong-password',
    scenario: 'Wrong password',
    skins: ALL,
    spec: () => ({
      password: 'not-the-password',
      expected: {
        outcome: 'failed',
        state: 'failed',
        bookings: 0,
        message: /refused the login[\s\S]*ESTELLE_PASSWORD/,
      },
      asserts: 'one login attempt, never retried (a retry locks accounts); no slot or booking request',
      checks: (run) => {
        const f: string[] = [];
        const attempts = loginAttempts(run.requests);
        if (attempts.length !== 1) f.push(`${attempts.length} login attempts, expected 1`);
        if (fireRequests(run.requests).length > 0) f.push('slots or bookings were requested');
        return f;
      },
    }),
  },
  {
    id: 'locked-account',
    scenario: 'Locked account (locks after 1 failure)',
    skins: ALL,
    spec: () => ({
      password: 'wrong-again',
      venue: { faults: { lockAfterFailures: 1 } },
      expected: {
        outcome: 'failed',
        state: 'failed',
        bookings: 0,
        message: /locked[\s\S]*Unlock the account/,
      },
      asserts: 'told the account is locked and how to unlock it; one login attempt, not repeated',
      checks: (run) => {
        const attempts = loginAttempts(run.requests);
        return attempts.length === 1 ? [] : [`${attempts.length} login attempts, expected 1`];
      },
    }),
  },
  {
    id: 'maintenance',
    scenario: 'Maintenance page all night',
    skins: ALL,
    spec: () => ({
      venue: { faults: { maintenance: true } },
      expected: { outcome: 'failed', state: 'failed', bookings: 0, message: /not working[\s\S]*maintenance/ },
      asserts: 'the maintenance page is recognised (not a login failure): no credentials are sent',
      checks: (run) => {
        const posts = mine(run).length + run.requests.filter((r) => r.method === 'POST').length;
        return posts === 0 ? [] : [`${posts} login or booking request(s) sent to a site in maintenance`];
      },
    }),
  },
  {
    id: '503-then-recovers',
    scenario: '503 from −1 s to +5 s, then recovers',
    skins: ALL,
    spec: ({ skin }) => ({
      venue: {
        faults: { serverErrors: { fromMs: -1000, toMs: 5000, status: 503, scope: firstAfterRelease(skin) } },
      },
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts:
        'retried through at least two 503s, never more than 4 of one kind of request a second, then booked',
      checks: (run) => {
        const f: string[] = [];
        const tries = fireRequests(mine(run)).filter((r) => r.serverTimeMs >= run.releaseServerMs - 1000);
        const errors = tries.filter((r) => r.status === 503);
        if (errors.length < 2) f.push(`${errors.length} request(s) met the 503s, expected at least 2`);
        // The bound is per kind of request: the day's slots asked again, or a booking sent again.
        for (const [kind, same] of [
          ['slot', availabilityLooks(tries)],
          ['booking', bookingsSent(tries)],
        ] as const) {
          for (let i = 4; i < same.length; i++) {
            const gap = same[i]!.realTimeMs - same[i - 4]!.realTimeMs;
            if (gap >= 900) continue;
            f.push(`5 ${kind} requests within ${gap} ms (config.retry.maxPerSecond is 4)`);
            break;
          }
        }
        return f;
      },
    }),
  },
  {
    id: '429-retry-after',
    scenario: '429 with Retry-After: 2 at midnight, then books',
    skins: ALL,
    spec: ({ skin }) => ({
      venue: {
        faults: {
          rateLimit: {
            fromMs: -500,
            toMs: 5000,
            retryAfterSeconds: 2,
            count: 1,
            scope: firstAfterRelease(skin),
          },
        },
      },
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts:
        'the next request sent after the 429 reached the bot leaves no earlier than Retry-After (2 s) later (a request already on its way, a press of the volley, is not a follow-up)',
      checks: (run) => {
        const tries = fireRequests(mine(run));
        const limited = tries.find((r) => r.status === 429);
        if (!limited) return ['the venue never answered 429 (the fault did not strike)'];
        const next = followUpTo(tries, limited);
        if (!next) return ['nothing was sent after the 429'];
        const gap = Math.round(next.receivedRealMs! - limited.answeredRealMs!);
        return gap >= 2000 ? [] : [`the next request was sent ${gap} ms after the 429 (Retry-After: 2)`];
      },
    }),
  },
  {
    id: 'session-revoked',
    scenario: 'Session revoked before midnight, after arming (the real site: at 23:58)',
    skins: ALL,
    spec: () => {
      let revoked = false;
      return {
        // The venue drops the session once the run is armed (the first time), seconds before its midnight;
        // the pre-release check comes 8 s before it (room for a login and a re-arm on a busy machine).
        leadMs: 20_000,
        engine: { sessionCheckLeadMs: 8_000 },
        onStep: async (step, p) => {
          if (step === 'armed' && !revoked) revoked = p.venue.revokeSessions() > 0;
        },
        expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
        asserts:
          'a second login before the venue’s midnight (the pre-release session check), and the booking landed',
        checks: (run) => {
          const f: string[] = [];
          const ins = logins(run.requests);
          if (ins.length !== 2) f.push(`${ins.length} login(s), expected 2`);
          else if (ins[1]!.serverTimeMs >= run.releaseServerMs)
            f.push(`the second login came ${ins[1]!.serverTimeMs - run.releaseServerMs} ms after midnight`);
          if (!run.ledger.some((e) => e.client === 'member' && !e.cancelled)) f.push('no booking landed');
          return f;
        },
      };
    },
  },
  {
    id: 'session-revoked-while-arming',
    scenario: 'Session revoked while arming (right after the login, before the release)',
    skins: ALL,
    spec: () => {
      let revoked = false;
      return {
        leadMs: 20_000,
        engine: { sessionCheckLeadMs: 8_000 },
        onStep: async (step, p) => {
          if (step === 'logged-in' && !revoked) revoked = p.venue.revokeSessions() > 0;
        },
        expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
        asserts: 'logs in again and arms again, before the release, and books (the release is still to come)',
        checks: (run) => {
          const f: string[] = [];
          const ins = logins(run.requests);
          if (ins.length !== 2) f.push(`${ins.length} login(s), expected 2`);
          else if (ins[1]!.serverTimeMs >= run.releaseServerMs)
            f.push(`the second login came ${ins[1]!.serverTimeMs - run.releaseServerMs} ms after midnight`);
          return f;
        },
      };
    },
  },
  {
    id: 'csrf-rotated',
    scenario: 'CSRF token rotated after the day view',
    skins: ALL,
    spec: () => ({
      venue: { faults: { rotateCsrf: true } },
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts: 'the stale-token refusal is answered by one more confirm with the fresh token, which books',
      checks: (run) => {
        const outcomes = bookingsSent(mine(run)).map((r) => r.outcome);
        return outcomes.join() === 'csrf,booked'
          ? []
          : [`booking requests ${outcomes.join(', ')}, expected csrf, booked`];
      },
    }),
  },
  {
    id: 'markup-drift',
    scenario: 'Markup drift (slot_start renamed) on the day view',
    // Estelle only: the clubhouse profile books by address (its confirm page, from date, time and court)
    // and never reads the day view's cards, where the clubhouse's drift is, so the drift cannot reach it.
    skins: ONE_SKIN,
    spec: () => ({
      venue: { faults: { markupDrift: true } },
      expected: {
        outcome: 'failed',
        state: 'failed',
        bookings: 0,
        message:
          /slots\.time\.read \("span\.slot_start"\) found nothing on http:\/\/127\.0\.0\.1:\d+\/spa\/\d+[\s\S]*update slots\.time\.read/,
      },
      asserts:
        'the message names the profile key, its selector and the page; a screenshot of it; no booking sent',
      checks: (run) => {
        const f: string[] = [];
        if (bookingsSent(run.requests).length > 0) f.push('a booking was sent on markup it cannot read');
        const shot = run.runners[0]!.artifacts.find((a) => /slots[.-]time[.-]read/.test(a));
        if (!shot) f.push('no screenshot named for slots.time.read in the artifact');
        return f;
      },
    }),
  },
  {
    id: 'competitor-takes-time1',
    scenario: 'Competitors take Time1 on both courts at +5 ms',
    skins: ALL,
    spec: ({ date, courts }) => ({
      venue: {
        competitors: courts.map((court, i) => ({
          name: `fast-${i + 1}`,
          date,
          time: '19:00',
          court,
          afterReleaseMs: 5,
        })),
      },
      expected: { outcome: 'booked-fallback', state: 'booked', bookings: 1, bookedTime: '20:00' },
      asserts:
        'both 19:00 courts went to the competitors; ours is the 20:00 fallback, told as the second choice',
      checks: (run) => {
        const f: string[] = [];
        const at19 = run.ledger.filter((e) => e.time === '19:00' && !e.cancelled).map((e) => e.client);
        if (at19.filter((c) => c.startsWith('competitor:')).length !== 2)
          f.push(`19:00 is held by ${at19.join(', ')}`);
        if (!/second choice/.test(run.runners[0]!.result?.message ?? ''))
          f.push('not told it is the second choice');
        return f;
      },
    }),
  },
  {
    id: 'both-taken',
    scenario: 'Time1 and Time2 both taken',
    skins: ALL,
    spec: ({ skin, date, courts }) => ({
      venue: {
        preBooked: ['19:00', '20:00'].flatMap((time) => courts.map((court) => ({ date, time, court }))),
      },
      expected: {
        outcome: 'unavailable',
        state: 'unavailable',
        bookings: 0,
        message: /No court free at 19:00 or 20:00/,
      },
      asserts:
        'exit 2 (not failed); Estelle: no confirm for a slot shown full; clubhouse (confirm pages by address): each court-time tried once',
      checks: (run) => {
        const sent = bookingsSent(mine(run));
        // Estelle shows the counts before any confirm; the clubhouse's confirm pages are opened by address.
        const limit = skin === 'clubhouse' ? 4 : 0;
        return sent.length <= limit && sent.every((r) => r.outcome === 'unavailable')
          ? []
          : [`booking requests ${sent.map((r) => r.outcome).join(', ')} on a day with nothing free`];
      },
    }),
  },
  {
    id: 'daily-limit',
    scenario: 'Daily limit (member books 10:00 by hand at +5 ms)',
    skins: ALL,
    spec: ({ date, member, courts }) => ({
      venue: {
        faults: { dailyLimitPerMember: 1 },
        competitors: [{ name: member.email, date, time: '10:00', court: courts[0], afterReleaseMs: 5 }],
      },
      expected: {
        outcome: 'failed',
        state: 'failed',
        bookings: 0,
        message: /refused the booking: it allows no more courts for you/,
      },
      asserts: 'one confirm refused for the limit, and none after it (a limit is not retried)',
      checks: (run) => {
        const sent = bookingsSent(mine(run));
        const outcomes = sent.map((r) => r.outcome);
        // When it goes wrong, say when each request reached the venue (ms from its midnight).
        const when = sent.map((r) => `${r.outcome} at ${r.serverTimeMs - run.releaseServerMs} ms`);
        return outcomes.join() === 'limit' ? [] : [`booking requests ${when.join(', ')}, expected one limit`];
      },
    }),
  },
  {
    id: 'already-booked',
    scenario: 'Already booked (court held that day)',
    skins: ALL,
    spec: ({ date, member, courts }) => ({
      venue: { preBooked: [{ date, time: '19:00', court: courts[1], member: member.email }] },
      expected: { outcome: 'already-booked', state: 'booked', bookings: 0, bookedTime: '19:00' },
      asserts: 'My bookings looked at before arming; no booking request at all',
      checks: (run) => {
        const f: string[] = [];
        if (bookingsSent(run.requests).length > 0) f.push('a booking request was sent');
        if (myBookingsLooks(mine(run)).length === 0) f.push('My bookings was never looked at');
        return f;
      },
    }),
  },
  {
    id: 'two-rows',
    scenario: 'Two rows the same night (19:00 and 20:00 on one date)',
    skins: ALL,
    spec: ({ date }) => ({
      csv: ['{date},19:00,,Book,,', '{date},20:00,,Book,,'],
      // Two rows arm twice: 20 s before midnight, so a loaded machine still arms in time (see several-rows.test.ts).
      leadMs: 20_000,
      expected: { outcome: 'booked', state: 'booked', bookings: 2, bookedTime: '19:00' },
      asserts:
        'both booked by one run after the release (one login, one clock sync, one fire), 19:00 first as the file orders them; the 20:00 row booked on origin too; one Discord message for both (how soon the second lands is a bench figure, not asserted here)',
      checks: (run) => {
        const f: string[] = [];
        const made = ourCourts(run);
        if (made.map((e) => e.time).join() !== '19:00,20:00')
          f.push(
            `the venue accepted ${made.map((e) => e.time).join(', ') || 'nothing'}, expected 19:00, 20:00`,
          );
        const early = made.filter((e) => e.acceptedAtServerMs < run.releaseServerMs);
        if (early.length > 0) f.push(`${early.map((e) => e.time).join(', ')} accepted before the release`);
        const ins = logins(run.requests).length;
        if (ins !== 1) f.push(`${ins} logins, expected 1`);
        const steps = run.runners[0]!.steps.map((s) => s.step);
        for (const step of ['offset-measured', 'fired'])
          if (steps.filter((s) => s === step).length !== 1) f.push(`${step} not exactly once`);
        const later = finalStatus(run)?.bookings[`${date} 20:00`];
        if (later?.state !== 'booked') f.push(`20:00 on origin: ${later?.state ?? 'no entry'}`);
        if (!/2 of 2 courts booked/.test(discordText(run)))
          f.push('Discord does not say 2 of 2 courts booked');
        return f;
      },
    }),
  },
  {
    id: 'two-rows-daily-limit',
    scenario: 'Two rows the same night on a venue that allows one court a day',
    skins: ALL,
    spec: ({ date }) => ({
      venue: { faults: { dailyLimitPerMember: 1 } },
      csv: ['{date},19:00,,Book,,', '{date},20:00,,Book,,'],
      expected: {
        outcome: 'failed',
        state: 'booked',
        bookings: 1,
        bookedTime: '19:00',
        message: /20:00: The venue refused the booking: it allows no more courts for you/,
      },
      asserts:
        '19:00 booked; 20:00 refused once for the limit and not retried (failed on origin, with the venue’s words); one Discord message saying 1 of 2',
      checks: (run) => {
        const f: string[] = [];
        const outcomes = bookingsSent(mine(run)).map((r) => r.outcome);
        if (outcomes.filter((o) => o === 'limit').length !== 1)
          f.push(`booking requests ${outcomes.join(', ')}: expected exactly one refused for the limit`);
        const later = finalStatus(run)?.bookings[`${date} 20:00`];
        if (later?.state !== 'failed') f.push(`20:00 on origin: ${later?.state ?? 'no entry'}`);
        else if (!/^limit: \S/.test(later.attempts.at(-1)?.error ?? ''))
          f.push('20:00 failed without the limit and the venue’s words in its attempt line');
        if (!/1 of 2 courts booked/.test(discordText(run)))
          f.push('Discord does not say 1 of 2 courts booked');
        return f;
      },
    }),
  },
  {
    id: 'weekly-rule',
    scenario: 'A weekly rule in recurring.csv, no dated line: the rule books the night’s court',
    skins: ONE_SKIN,
    spec: () => ({
      csv: [],
      recurring: ['{weekday},19:00,20:00,Book,,,,league night'],
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts:
        'the rule expanded to the court date released tonight and booked it; the run’s row is the rule’s (recurring.csv:2)',
      checks: (run) => {
        const source = run.runners[0]!.result?.row?.source;
        return source?.rule && source.line === 2 && source.file.endsWith('recurring.csv')
          ? []
          : [`the run's row came from ${JSON.stringify(source)}, not the rule on recurring.csv:2`];
      },
    }),
  },
  {
    id: 'weekly-rule-skip',
    scenario: 'A weekly rule with a Skip line in bookings.csv for the night’s date',
    skins: ONE_SKIN,
    spec: () => ({
      csv: ['{date},19:00,,Skip,,away that week'],
      recurring: ['{weekday},19:00,20:00,Book,,,,league night'],
      expected: { outcome: 'nothing-due', state: undefined, bookings: 0 },
      asserts: 'the dated Skip line wins over the rule: no login, no request to the venue, no status commit',
      checks: (run) =>
        run.requests.length === 0 ? [] : [`${run.requests.length} request(s) reached the venue`],
    }),
  },
  {
    id: 'slow-site',
    scenario: 'Slow site: 1.5 s first paint, 150 ± 50 ms latency',
    skins: ALL,
    spec: () => ({
      venue: { slowFirstPaintMs: 1500 },
      latency: { oneWayMs: 100, jitterMs: 100 },
      leadMs: 30_000,
      // The product’s own clock-sync lead (20 s; the measurement takes 5-8 s on a venue this slow) and room
      // for the pre-release session check (a full page load here) to end before the release.
      engine: { clockSyncLeadMs: 20_000, sessionCheckLeadMs: 10_000 },
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts:
        'armed through the slow pages before firing; Time1 booked; no booking request refused as early',
      checks: (run) => {
        const f: string[] = [];
        const early = bookingsSent(run.requests).filter((r) => r.outcome === 'not-open');
        if (early.length > 0) f.push(`${early.length} booking request(s) refused as early`);
        const steps = run.runners[0]!.steps;
        const armed = steps.find((x) => x.step === 'armed');
        const firedAt = steps.findIndex((x) => x.step === 'fired');
        if (!armed || steps.indexOf(armed) > firedAt) f.push('not armed before firing');
        // (How soon after midnight it books is the bench's to measure, not a test's: machines are shared.)
        return f;
      },
    }),
  },

  // --- The runner's side: the latest status on origin, the files, the cache, the disk, the lock. ---
  {
    id: 'stale-checkout',
    scenario: 'Stale checkout: another run pushed "booked" after this one was queued',
    // Skin-independent: it ends before the venue is reached.
    skins: ONE_SKIN,
    spec: ({ date, member, courts }) => ({
      // The other run booked it at the venue too.
      venue: { preBooked: [{ date, time: '19:00', court: courts[0], member: member.email }] },
      prepare: async (p) => {
        const entry = {
          key: `${date} 19:00`,
          date,
          state: 'booked',
          bookedTime: '19:00',
          court: courts[0],
          reference: 'EM-OTHER1',
          updatedAt: new Date().toISOString(),
          attempts: [{ startedAt: new Date().toISOString(), outcome: 'booked', runId: 'other-run' }],
        };
        await pushToOrigin(
          p.root,
          p.origin,
          {
            'bookings/status.json': `${JSON.stringify({ version: 1, bookings: { [entry.key]: entry } }, null, 2)}\n`,
          },
          `status: booked ${date} 19:00 ${courts[0]}`,
        );
      },
      expected: { outcome: 'nothing-due', state: 'booked', attempts: 1, bookings: 0, commits: 0 },
      asserts: 'the status is read from origin before deciding: nothing due, the venue never contacted',
      checks: (run) => (run.requests.length === 0 ? [] : [`${run.requests.length} request(s) to the venue`]),
    }),
  },
  {
    id: 'alias-bomb-config',
    scenario: 'Hostile config.yml: an alias bomb (90 aliases, 10 levels deep: 10^10 expansions)',
    skins: ONE_SKIN,
    spec: () => ({
      configText: [
        'relay: false',
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        ...Array.from({ length: 9 }, (_, i) => {
          const prev = i === 0 ? 'a' : `l${i - 1}`;
          return `l${i}: &l${i} [${Array.from({ length: 10 }, () => `*${prev}`).join(', ')}]`;
        }),
        '',
      ].join('\n'),
      expected: {
        outcome: 'failed',
        bookings: 0,
        message:
          /bookings\/config\.yml:\d+: YAML aliases \(\*name\) go over the limit of 100 alias expansions/,
      },
      asserts:
        'a clear error naming config.yml, the line and the limit, before any request; the files untouched',
      checks: (run) => {
        const f: string[] = [];
        if (run.requests.length > 0) f.push(`${run.requests.length} request(s) to the venue`);
        if (/at .*\.(ts|js):\d+/.test(run.runners[0]!.stdout + run.runners[0]!.stderr))
          f.push('a stack trace in the log');
        return f;
      },
    }),
  },
  {
    id: 'forged-workflow-command',
    scenario: 'Hostile bookings.csv: cells forging ::error and ##[error] lines',
    // Skin-independent (the runner's files), like the rows below unless they say otherwise.
    skins: ONE_SKIN,
    spec: ({ date }) => ({
      csv: [
        '{date},19:00,20:00,Book,,',
        `${plusDays(date, 7)},19:00,20:00,Book,,"fine\n::error title=Forged::FORGED-CSV-1"`,
        `${plusDays(date, 8)},7pm ##[error]FORGED-CSV-2,20:00,Book,,`,
      ],
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts:
        'both bad lines named by line and field; the runner executes no command from the file; the good row books',
      checks: (run) => {
        const f: string[] = [];
        const r = run.runners[0]!;
        const forged = runnerCommands(r.stdout + '\n' + r.stderr).filter((c) => /FORGED/.test(c.line));
        for (const c of forged) f.push(`the runner would run ::${c.command}:: from the CSV: ${c.line}`);
        if (
          !/bookings\.csv:3: Note "fine\\n::error title=Forged::FORGED-CSV-1" runs onto more than one line/.test(
            r.stdout,
          )
        )
          f.push('line 3 (a line break in Note) is not named');
        // (The quoted cell spans lines 3 and 4 of the file, so the next row is line 5.)
        if (!/bookings\.csv:5: Time1 .*FORGED-CSV-2/.test(r.stdout)) f.push('line 5 (Time1) is not named');
        return f;
      },
    }),
  },
  {
    id: 'broken-cached-session',
    scenario: 'Broken session in the cache (JSON, not a storage state)',
    skins: ONE_SKIN,
    spec: () => ({
      prepare: async (p) => {
        const secret = p.secrets.SESSION_CACHE_KEY!;
        const prefix = cacheKeyPrefix(p.secrets.ESTELLE_USERNAME, secret);
        const envelope = encryptSession(
          '{"cookies":"x"}',
          secret,
          accountId(p.secrets.ESTELLE_USERNAME, secret),
        );
        await seedCache(p.cacheDir, `${prefix}1-1`, envelope);
      },
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts: 'discarded with a notice, a fresh login, booked; tomorrow’s cache entry is a real session',
      checks: (run) => {
        const f: string[] = [];
        const r = run.runners[0]!;
        if (!r.cache.matchedKey) f.push('the restore step did not restore the broken entry');
        if (!annotations(r).some((a) => a.command === 'notice' && /discarded/.test(a.data)))
          f.push('no ::notice:: that the saved session was discarded');
        if (logins(run.requests).length !== 1) f.push('no fresh login');
        if (!r.cache.savedKey) f.push('no session saved for the next run');
        return f;
      },
    }),
  },
  {
    id: 'stalling-cache-envelope',
    scenario: 'Hostile cache entry: scrypt p = 10,000 (minutes of key derivation)',
    skins: ONE_SKIN,
    spec: () => ({
      prepare: async (p) => {
        const secret = p.secrets.SESSION_CACHE_KEY!;
        const prefix = cacheKeyPrefix(p.secrets.ESTELLE_USERNAME, secret);
        const good = JSON.parse(
          encryptSession(
            '{"cookies":[],"origins":[]}',
            secret,
            accountId(p.secrets.ESTELLE_USERNAME, secret),
          ),
        ) as Record<string, unknown>;
        // p = 10,000 derives for minutes (N = 2^14, r = 8: about 16 MiB of mixing per unit of p); a much
        // larger p is refused by OpenSSL itself for the memory it would need, so it would prove nothing.
        await seedCache(p.cacheDir, `${prefix}1-1`, JSON.stringify({ ...good, p: 10_000 }));
      },
      expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
      asserts:
        'refused before deriving a key (a notice naming p); a fresh login; booked at the release, not hours later',
      checks: (run) => {
        const f: string[] = [];
        const r = run.runners[0]!;
        if (!annotations(r).some((a) => a.command === 'notice' && /parameter p is above 4/.test(a.data)))
          f.push('no ::notice:: that the envelope was refused for p');
        const held = run.ledger.find((e) => e.client === 'member');
        // Without the bound the derivation takes minutes: the run would miss the release.
        if (held && held.acceptedAtServerMs - run.releaseServerMs > 5000)
          f.push(`booked ${held.acceptedAtServerMs - run.releaseServerMs} ms after midnight (stalled)`);
        return f;
      },
    }),
  },
  readOnlyOrFull('read-only-status', 'Status folder read-only right after armed (EROFS)', 'read-only'),
  readOnlyOrFull('disk-full-status', 'Disk full right after armed (ENOSPC)', 'full'),
  {
    id: 'two-runners',
    scenario: 'Two runners, no shared lock (a 429 makes one retry)',
    skins: ALL,
    spec: ({ skin }) => ({
      runners: [{ name: 'runner-a' }, { name: 'runner-b' }],
      // Both armed well before midnight, even on a busy machine (two Chromiums at once).
      leadMs: 18_000,
      venue: {
        faults: { rateLimit: { fromMs: 0, count: 1, retryAfterSeconds: 1, scope: firstAfterRelease(skin) } },
      },
      expected: {
        outcome: ['booked', 'already-booked'],
        // On a loaded machine the other runner's booking can take longer than the Retry-After (or the 429'd
        // runner has slots from a press sent before the 429): both send the same court, and the venue
        // answers the second with the first booking.
        outcomeWhenRacing: ['booked', 'booked'],
        state: 'booked',
        attempts: 2,
        bookings: 1,
        commits: 2,
      },
      asserts:
        'the runner that had to retry looked at My bookings first and stopped; both status commits pushed (one rebased); when the two race to the same instant, one court, the venue answering the second with the first booking',
      checks: (run) => {
        const f: string[] = racedToOneCourt(run);
        if (run.requests.filter((r) => r.status === 429).length !== 1) f.push('the 429 did not strike once');
        const late = run.runners.find((r) => r.result?.outcome === 'already-booked');
        const fired = late?.steps.find((s) => s.step === 'fire-result');
        if (late && !(Number(fired?.data.heldChecks) >= 1))
          f.push('the runner that stopped did not look at My bookings after its first try');
        if (!run.runners.some((r) => /rebased onto origin\/main/.test(r.stdout)))
          f.push('no run rebased its status commit onto the other');
        return f;
      },
    }),
  },
  {
    id: 'two-late-runners',
    scenario: 'Two runners, no shared lock, both starting after the release (1 s apart)',
    // Estelle only: on the clubhouse both runners open the same court-hour's confirm page by address, and
    // the venue answers the second confirm with the first booking, so no second court can arise there.
    skins: ONE_SKIN,
    spec: () => ({
      // Both start late (GitHub's scheduler; a retry by hand): +1 s and +2 s after the venue's midnight.
      leadMs: -1_000,
      runners: [{ name: 'runner-a' }, { name: 'runner-b', startDelayMs: 1_000 }],
      expected: {
        outcome: ['booked', 'already-booked'],
        // On a loaded machine the first runner can be a second slower: both pass their look at My bookings
        // before either books, and both send the same court; the venue answers the second with the first booking.
        outcomeWhenRacing: ['booked', 'booked'],
        state: 'booked',
        attempts: 2,
        bookings: 1,
        commits: 2,
      },
      asserts:
        'the later runner books nothing: its look at My bookings before arming is seconds old when it fires, so it looks again; when the two race to the same instant, both ask for the same court and the venue answers the second with the first booking',
      checks: (run) => racedToOneCourt(run),
    }),
  },
  {
    id: 'stale-lock',
    scenario: 'Stale lock (a killed run’s) and three runs at once on one machine',
    skins: ONE_SKIN,
    spec: ({ date }) => ({
      // The lock guards one machine: three `npm run book` in one checkout (Actions runs never share one).
      runners: ['a', 'b', 'c'].map((n) => ({
        name: `local-${n}`,
        mode: 'local' as const,
        workspace: 'machine',
      })),
      latency: { oneWayMs: 20, jitterMs: 0 },
      prepare: async (p) => {
        await writeFile(
          join(p.workspaces.machine!, 'bookings', `.booker-${date}.lock`),
          JSON.stringify({
            pid: deadPid(),
            host: hostname(),
            startedAt: '2026-01-01T23:50:00Z',
            token: 'killed-run',
          }),
        );
      },
      expected: {
        outcome: ['booked', 'already-booked', 'already-booked'],
        state: 'booked',
        bookings: 1,
      },
      asserts:
        'the dead run’s lock taken over by exactly one run: one login, one booking; the others find it booked',
      checks: (run) => {
        const f: string[] = [];
        const ins = logins(run.requests).length;
        if (ins !== 1) f.push(`${ins} runs logged in (held the lock at once)`);
        const sent = bookingsSent(run.requests).length;
        if (sent !== 1) f.push(`${sent} booking requests`);
        return f;
      },
    }),
  },
  {
    id: 'orphaned-tmp',
    scenario: 'Orphaned .tmp files beside status.json (a write killed mid-way)',
    skins: ONE_SKIN,
    spec: () => {
      const dead = [`.status.json.${deadPid()}.0badc0de.tmp`, `.status.json.${deadPid()}.deadbeef.tmp`];
      // A write of a process still running (this one) is not an orphan.
      const live = `.status.json.${process.pid}.a11ce000.tmp`;
      return {
        prepare: async (p) => {
          for (const name of [...dead, live])
            await writeFile(join(p.workspaces.run!, 'bookings', name), '{"version":1,"bookings":{}');
        },
        expected: { outcome: 'booked', state: 'booked', bookings: 1, bookedTime: '19:00' },
        asserts: 'the dead writers’ .tmp files removed, a live writer’s kept; only status.json committed',
        checks: async (run) => {
          const left = await readdir(join(run.prepare.workspaces.run!, 'bookings'));
          const f: string[] = [];
          for (const name of dead)
            if (left.includes(name)) f.push(`${name} (its writer is dead) is still there`);
          if (!left.includes(live)) f.push(`${live} (its writer is alive) was removed`);
          return f;
        },
      };
    },
  },
];

function readOnlyOrFull(id: string, scenario: string, kind: 'read-only' | 'full'): FaultRow {
  return {
    id,
    scenario,
    skins: ONE_SKIN,
    spec: () => {
      let folder: FragileFolder | undefined;
      let struck = false;
      return {
        prepare: async (p) => {
          folder = await fragileFolder(join(p.workspaces.run!, 'bookings'));
        },
        onStep: async (step) => {
          if (step !== 'armed' || struck) return;
          struck = true;
          if (kind === 'read-only') await folder!.makeReadOnly();
          else await folder!.fill();
        },
        cleanup: async () => folder?.release(),
        expected: {
          outcome: 'booked',
          exitCode: UNRECORDED_EXIT_CODE,
          // Nothing reached origin: the status file could not be written.
          state: undefined,
          bookings: 1,
          bookedTime: '19:00',
          commits: 0,
        },
        asserts:
          'booked, exit 4, the status kept in the artifact as status-unrecorded.json; the summary, an annotation and Discord say it was not written',
        checks: (run) => unrecordedChecks(run, kind === 'read-only' ? /EROFS|read-only/ : /ENOSPC|no space/),
      };
    },
  };
}
