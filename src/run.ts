import { join, dirname, resolve } from 'node:path';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright';
import { launchBrowser } from './browser/launch.ts';
import { loadBookings, formatProblem, type BookingRow } from './bookings/csv.ts';
import { loadConfig, type Config } from './bookings/config.ts';
import { readStatus, recordAttempt, writeStatus, type Attempt } from './bookings/status.ts';
import { systemClock, type Clock } from './calendar/clock.ts';
import { decideRun } from './calendar/release.ts';
import { readEnvironment, type Environment } from './env.ts';
import { BookerError, describeError } from './errors.ts';
import { EXIT_CODE, STATE_AFTER, type RunOutcome } from './outcome.ts';
import {
  listMyBookings,
  fire,
  verifyBooking,
  pageToRunClock,
  warmConnection,
  type FirePlan,
} from './venue/booker.ts';
import {
  measureServerClock,
  sendTimeFor,
  type ClockEstimate,
  type ClockSyncOptions,
} from './venue/clock-sync.ts';
import { BrowserCrashedError, LockHeldError, SiteDownError } from './venue/errors.ts';
import { lockHolder, waitForLock, type Lock } from './venue/lock.ts';
import { openDayView } from './venue/navigate.ts';
import type { FireOutcome } from './venue/page-scripts.ts';
import type { VenueContext } from './venue/page-tools.ts';
import { loadProfile, venueUrl, type VenueProfile } from './venue/profile.ts';
import { Screenshots } from './venue/screenshots.ts';
import {
  logIn,
  openSession,
  recheckSession,
  saveStorageState,
  Tracer,
  type Session,
} from './venue/session.ts';
import { StepLog } from './venue/step-log.ts';
import { sleepUntil } from './venue/wait.ts';

export type { RunOutcome };

export type RunResult = {
  outcome: RunOutcome;
  row?: BookingRow;
  bookedTime?: string;
  court?: string;
  reference?: string;
  /** ISO instant of the first availability request of the fire, on the venue's clock once measured. */
  firedAt?: string;
  /** ISO instant of the release (venue time zone). */
  releaseAt?: string;
  /** When the booking request reached the venue (estimated: Confirm sent on the venue's clock plus one way), minus its midnight (ms). */
  latencyMs?: number;
  serverClockOffsetMs?: number;
  /** Booking (confirm) requests sent. */
  attempts: number;
  /** For the member: what happened and what to do next. */
  message: string;
  screenshots: string[];
  /** Path of the readable step log (steps.log; steps.jsonl beside it). */
  stepLog: string;
  outDir: string;
  exitCode: number;
};

export type RunPaths = {
  bookings: string;
  config: string;
  status: string;
  /** Playwright storageState (the saved session). Git-ignored; cached encrypted by the Actions layer. */
  storageState: string;
};

export const DEFAULT_PATHS: RunPaths = {
  bookings: 'bookings/bookings.csv',
  config: 'bookings/config.yml',
  status: 'bookings/status.json',
  storageState: '.auth/estelle.json',
};

export type RunOptions = {
  clock?: Clock;
  /** Secrets and flags; default readEnvironment(process.env). */
  env?: Environment;
  paths?: Partial<RunPaths>;
  /** Artifacts (screenshots, step log, trace); default out/run-<timestamp>. */
  outDir?: string;
  /** A configuration object instead of reading paths.config. */
  config?: Config;
  /** Only the row for this date (--date). */
  date?: string;
  /** Everything but the final confirm (--dry-run); default env.dryRun. */
  dryRun?: boolean;
  /** Do not wait for the release: act now (--no-wait). */
  noWait?: boolean;
  /** Record a Playwright trace (started after login, paused around any later login). */
  trace?: boolean;
  /** Overrides config.loginLeadMinutes (tests: seconds before a release). */
  loginLeadMs?: number;
  /** When to re-check the session before the release (default 60 s). */
  sessionCheckLeadMs?: number;
  /** When to start measuring the venue's clock before the release (default 20 s). */
  clockSyncLeadMs?: number;
  clockSync?: ClockSyncOptions;
  /** Longest wait for one page or response (default 30 s: pages at midnight can take 10-20 s). */
  stepTimeoutMs?: number;
  /** What this run is, for the status file's attempt line. */
  attempt?: Pick<Attempt, 'runId' | 'runUrl' | 'trigger' | 'scheduledFor'>;
  /** Log lines (the step log is echoed here); default console.log. */
  log?: (line: string) => void;
  /** Starts the browser; default launchBrowser(). */
  browserFactory?: () => Promise<Browser>;
  /** Called with each step as it is logged (tests and the Actions layer hook in here). */
  onStep?: (step: string, data?: Record<string, unknown>) => void | Promise<void>;
  /** Called with the result before runBooking returns (notify, summary). */
  onResult?: (result: RunResult) => void | Promise<void>;
  signal?: AbortSignal;
};

/** The row's wanted times, in order. */
function wantedTimes(row: BookingRow): string[] {
  return row.time2 && row.time2 !== row.time1 ? [row.time1, row.time2] : [row.time1];
}

function when(row: BookingRow, time: string, zone: string): string {
  return DateTime.fromISO(`${row.date}T${time}`, { zone }).toFormat('ccc d LLL yyyy, HH:mm');
}

/**
 * One booking run, top to bottom: load → pick → wait → log in → check My bookings → arm →
 * re-check the session → sync the clock → fire → verify → record.
 */
export async function runBooking(options: RunOptions = {}): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const paths: RunPaths = { ...DEFAULT_PATHS, ...options.paths };
  const startedAt = new Date(clock.now()).toISOString();
  const outDir = resolve(options.outDir ?? join('out', `run-${startedAt.replace(/[:.]/g, '-')}`));

  // 1. Load the configuration, the bookings and the status; pick the row this run owns.
  //    Nothing due: return at once, one line, no browser, no files.
  //    A file that cannot be read ends the run with a failed result (nothing to record it against).
  let loaded: Awaited<ReturnType<typeof load>> | undefined;
  let loadError: unknown;
  try {
    loaded = await load();
  } catch (error) {
    loadError = error;
  }
  if (loaded?.kind === 'nothing-due') {
    const result: RunResult = {
      outcome: 'nothing-due',
      message: loaded.message,
      attempts: 0,
      screenshots: [],
      stepLog: '',
      outDir,
      exitCode: EXIT_CODE['nothing-due'],
    };
    await options.onResult?.(result);
    return result;
  }

  const steps = new StepLog(outDir, clock, log);
  const step = async (name: string, data?: Record<string, unknown>, atMs?: number) => {
    steps.step(name, data, atMs);
    await options.onStep?.(name, data);
  };
  const finish = async (
    partial: Omit<RunResult, 'exitCode' | 'outDir' | 'stepLog' | 'screenshots' | 'attempts'> & {
      attempts?: number;
      screenshots?: string[];
    },
  ): Promise<RunResult> => {
    const result: RunResult = {
      attempts: 0,
      screenshots: [],
      ...partial,
      stepLog: steps.textPath,
      outDir,
      exitCode: EXIT_CODE[partial.outcome],
    };
    await step('result', { outcome: result.outcome, exitCode: result.exitCode, message: result.message });
    await options.onResult?.(result);
    return result;
  };

  await step('started', { pid: process.pid, clock: startedAt });

  if (!loaded || loaded.kind !== 'due')
    return finish({ outcome: 'failed', message: describeError(loadError) });
  const { env, config, dryRun, decision, pick, profile } = loaded;
  const row = pick.row;
  /** The release on the venue's clock (ms); releaseLocal below is the same instant on the run's clock. */
  const releaseMs = pick.releaseAt.toMillis();
  const releaseAt = pick.releaseAt.toISO() ?? undefined;
  if (decision.due.length > 1) {
    log(
      `Also due, left for the next run: ${decision.due
        .slice(1)
        .map((d) => d.row.key)
        .join(', ')}`,
    );
  }
  await step('picked', {
    key: row.key,
    times: wantedTimes(row),
    court: row.court,
    releaseAt,
    dryRun,
    noWait: !!options.noWait,
  });

  const shots = new Screenshots(outDir, profile);
  const ctx: VenueContext = { profile, shots, timeoutMs: options.stepTimeoutMs ?? 30_000 };
  const retryWindowMs = config.retry.windowSeconds * 1000;
  const minGapMs = Math.ceil(1000 / config.retry.maxPerSecond);

  // The runner's clock may be seconds or minutes off: one quick look at the venue's Date header
  // (±0.5 s) puts the schedule below on the venue's time; the precise measurement comes later.
  let releaseLocal = releaseMs;
  if (!options.noWait) {
    try {
      const coarse = await measureServerClock(venueUrl(profile, profile.paths.clockProbe), clock, {
        probesPerRound: 1,
        rounds: 0,
        timeoutMs: 10_000,
      });
      releaseLocal = releaseMs - Math.round(coarse.offsetMs);
      await step('offset-coarse', {
        offsetMs: Math.round(coarse.offsetMs),
        uncertaintyMs: Math.round(coarse.offsetUncertaintyMs),
      });
    } catch (error) {
      await step('offset-coarse-failed', { error: describeError(error) });
    }
  }

  // 2. Wait without a browser until the login lead before the release.
  const loginLeadMs = options.loginLeadMs ?? config.loginLeadMinutes * 60_000;
  if (!options.noWait && clock.now() < releaseLocal - loginLeadMs) {
    await step('waiting', { until: new Date(releaseLocal - loginLeadMs).toISOString() });
    await sleepUntil(clock, releaseLocal - loginLeadMs, options.signal);
  }

  // One run at a time on this machine: a second run waits, then finds the booking made.
  const lockFile = join(dirname(resolve(paths.status)), `.booker-${row.date}.lock`);
  const lock: Lock | undefined = await waitForLock(
    lockFile,
    clock,
    releaseLocal + retryWindowMs,
    250,
    options.signal,
  );
  if (!lock) {
    const error = new LockHeldError(lockFile, await lockHolder(lockFile));
    return record(row, { outcome: 'failed', message: error.describe(), error: error.message });
  }

  let browser: Browser | undefined;
  let session: Session | undefined;
  let tracer: Tracer | undefined;
  let estimate: ClockEstimate | undefined;
  let firedAtMs: number | undefined;
  let fired: FireOutcome | undefined;
  try {
    // Another run may have finished this row while we waited for the lock.
    const fresh = await readStatus(paths.status);
    if (fresh.bookings[row.key]?.state === 'booked') {
      const entry = fresh.bookings[row.key]!;
      return await finish({
        outcome: 'already-booked',
        row,
        bookedTime: entry.bookedTime,
        court: entry.court,
        reference: entry.reference,
        releaseAt,
        message: `Already booked by another run: ${entry.court ?? 'a court'} at ${entry.bookedTime ?? row.time1} on ${row.date} (ref ${entry.reference ?? '?'}).`,
      });
    }

    // 3. Log in (or restore the saved session).
    browser = await (options.browserFactory ?? (() => launchBrowser()))();
    const credentials = { username: env.username, password: env.password };
    session = await openSession(browser, ctx, { storageStatePath: paths.storageState, credentials });
    await step('logged-in', { restored: session.restored });
    await shots.take(session.page, 'logged-in');
    tracer = new Tracer(session.context, options.trace ? (n) => join(outDir, `trace-${n}.zip`) : undefined);
    await tracer.start();
    const page = session.page;
    page.on('crash', () => log('The browser page crashed.'));

    // 4. My bookings first: a court already held that day is recorded, not booked again.
    const held = (await listMyBookings(page, ctx)).filter((b) => b.date === row.date);
    if (held.length > 0) {
      const h = held[0]!;
      await step('already-held', { ...h });
      await shots.take(page, 'my-bookings-already-held');
      return await record(row, {
        outcome: 'already-booked',
        bookedTime: h.time,
        court: h.court,
        reference: h.reference,
        message: `You already hold ${h.court} at ${h.time} on ${row.date} (ref ${h.reference}); nothing booked.`,
      });
    }

    // 5. Arm: the day view of the target date, overlays closed, the date set.
    await openDayView(page, ctx, row.date);
    await step('armed', { url: page.url() });
    await shots.take(page, 'armed');

    const beforeRelease = clock.now() < releaseLocal - 1000;
    let startAtEpochMs: number | undefined;
    const waitedForRelease = !options.noWait && beforeRelease;
    if (waitedForRelease) {
      // 6. Shortly before the release: re-check the session (re-arm after a new login) while
      //    the venue's clock is measured.
      const syncLead = options.clockSyncLeadMs ?? 20_000;
      const sync = (async () => {
        await sleepUntil(clock, releaseLocal - syncLead, options.signal);
        return measureServerClock(venueUrl(profile, profile.paths.clockProbe), clock, options.clockSync);
      })();
      sync.catch(() => undefined);
      const sessionLead = options.sessionCheckLeadMs ?? 60_000;
      await sleepUntil(clock, releaseLocal - sessionLead, options.signal);
      if (await recheckSession(session, ctx, { storageStatePath: paths.storageState, credentials, tracer })) {
        await step('session-renewed');
        await openDayView(page, ctx, row.date);
        await step('armed', { url: page.url(), again: true });
      } else {
        await step('session-checked');
      }
      try {
        estimate = await sync;
        await step('offset-measured', {
          offsetMs: Math.round(estimate.offsetMs),
          uncertaintyMs: Math.round(estimate.offsetUncertaintyMs),
          arrivalOffsetMs: Math.round(estimate.arrivalOffsetMs),
          arrivalUncertaintyMs: Math.round(estimate.arrivalUncertaintyMs),
          oneWayMs: Math.round(estimate.oneWayMs),
          jitterMs: Math.round(estimate.jitterMs),
          probes: estimate.probes.length,
        });
      } catch (error) {
        await step('offset-failed', { error: describeError(error) });
      }
      // 7. Precise wait: the availability request should reach the venue just after its midnight.
      const sendAt = estimate ? sendTimeFor(releaseMs, estimate) : releaseLocal + 250;
      await step('waiting-for-release', { sendAt: new Date(sendAt).toISOString() });
      // Keep the browser's connection to the venue open (no TCP/TLS handshake after midnight).
      await sleepUntil(clock, sendAt - 1_500, options.signal);
      if (clock.now() < sendAt - 500) await warmConnection(page, venueUrl(profile, profile.paths.clockProbe));
      // The page does the precise wait (see FIRE_SCRIPT): hand it the instant ~250 ms ahead.
      await sleepUntil(clock, sendAt - 250, options.signal);
      startAtEpochMs = sendAt - (clock.now() - Date.now());
    }

    // 8. Fire: refresh the availability, pick, confirm — in one in-page script.
    const plan: FirePlan = {
      date: row.date,
      times: wantedTimes(row),
      ...(row.court ? { preferredCourt: row.court } : {}),
      dryRun,
      maxPerSecond: config.retry.maxPerSecond,
      minGapMs,
      // A dry run before the release (--no-wait) looks once and reports; otherwise retry until the window closes.
      windowMs:
        dryRun && !waitedForRelease && clock.now() < releaseLocal
          ? 0
          : Math.max(releaseLocal + retryWindowMs - clock.now(), 1_000),
      stepTimeoutMs: ctx.timeoutMs,
      applyFirst: true,
      ...(startAtEpochMs ? { startAtEpochMs } : {}),
    };
    firedAtMs = clock.now();
    fired = await fireWithSessionRecovery(plan);
    const appliedAt = fired.appliedAtEpochMs ? pageToRunClock(fired.appliedAtEpochMs, clock) : firedAtMs;
    firedAtMs = appliedAt;
    /** A run-clock instant on the venue's clock, relative to its midnight (when the clock was measured). */
    const onVenueClock = (runMs: number) =>
      estimate ? Math.round(runMs + estimate.offsetMs - releaseMs) : undefined;
    // The first Show Availability click and the first Confirm click, at the times they happened in the page.
    await step('fired', { estimatedServerMs: onVenueClock(appliedAt) }, appliedAt);
    let latencyMs: number | undefined;
    if (fired.confirmClickedAtEpochMs) {
      const confirmAt = pageToRunClock(fired.confirmClickedAtEpochMs, clock);
      const confirmServerMs = onVenueClock(confirmAt);
      await step('confirm-sent', { estimatedServerMs: confirmServerMs }, confirmAt);
      // The booking request reaches the venue one way after it is sent: that is when it is judged.
      if (confirmServerMs !== undefined && estimate)
        latencyMs = Math.round(confirmServerMs + estimate.oneWayMs);
    }
    const timing = {
      // On the venue's clock when it was measured, so it reads against the venue's midnight.
      firedAt: new Date(appliedAt + (estimate?.offsetMs ?? 0)).toISOString(),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(estimate ? { serverClockOffsetMs: Math.round(estimate.offsetMs) } : {}),
      attempts: fired.bookingAttempts,
    };
    await step('fire-result', {
      kind: fired.kind,
      applies: fired.applies,
      bookings: fired.bookingAttempts,
      events: fired.events,
    });
    await shots.take(page, 'after-fire');

    switch (fired.kind) {
      case 'dry-run': {
        const would = fired.time
          ? `would book ${fired.court} at ${fired.time} on ${row.date}`
          : fired.slots.length > 0
            ? `no court free at ${wantedTimes(row).join(' or ')} on ${row.date}: it would report unavailable`
            : `the day's slots are not shown yet (opens ${pick.releaseAt.toFormat('ccc d LLL HH:mm')}): at release it would book ${wantedTimes(row).join(', then ')}${row.court ? ` (${row.court} first)` : ''}`;
        return await record(row, {
          outcome: 'dry-run',
          ...timing,
          message: `Dry run, nothing booked: ${would}.`,
        });
      }
      case 'unavailable':
        return await record(row, {
          outcome: 'unavailable',
          ...timing,
          message: `No court free at ${wantedTimes(row).join(' or ')} on ${row.date}: others were faster or the times are full. Nothing booked; try other times by hand, or add a new row.`,
        });
      case 'no-slots': {
        if (dryRun) {
          return await record(row, {
            outcome: 'dry-run',
            ...timing,
            message:
              `Dry run, nothing booked: the day's slots are not shown yet (the venue says: "${fired.reason}"). ` +
              `At the release (${pick.releaseAt.toFormat('ccc d LLL HH:mm')}) it would book ${wantedTimes(row).join(', else ')}` +
              `${row.court ? ` (${row.court} first)` : ''}.`,
          });
        }
        const error = new SiteDownError(
          `the day's slots did not appear within ${config.retry.windowSeconds} s of the release (${fired.applies} tries; last HTTP status ${fired.lastStatus ?? 'ok, but no slots'})`,
        );
        return await record(row, {
          outcome: 'failed',
          ...timing,
          message: error.describe(),
          error: error.message,
        });
      }
      case 'error':
        return await record(row, {
          outcome: 'failed',
          ...timing,
          message: `The venue refused the booking (${fired.code}): ${fired.message.replace(/\.$/, '')}. Check My bookings on the site and book by hand if needed.`,
          error: `${fired.code}: ${fired.message}`,
        });
      case 'session':
        throw new BookerError(
          'The venue ended the session twice while booking.',
          'Run again or book by hand.',
        );
      case 'booked': {
        await step('confirmed', { reference: fired.reference, time: fired.time, court: fired.court });
        await shots.take(page, 'confirmation');
        const expected = { reference: fired.reference, date: row.date, time: fired.time };
        let proof = await verifyBooking(page, ctx, expected);
        if (proof.loggedOut) {
          await step('session-lost', { url: page.url() });
          await logIn(page, ctx, { username: env.username, password: env.password }, tracer);
          await saveStorageState(session.context, paths.storageState);
          await tracer.start();
          proof = await verifyBooking(page, ctx, expected);
        }
        await shots.take(page, 'my-bookings');
        await step(proof.verified ? 'verified' : 'unverified', { reason: proof.reason });
        const base = { ...timing, bookedTime: fired.time, court: fired.court, reference: fired.reference };
        if (!proof.verified) {
          return await record(row, {
            outcome: 'unverified',
            ...base,
            message: `UNVERIFIED: the site said booked (ref ${fired.reference || 'none'}) but ${proof.reason}. Check My bookings on the site now; screenshots in ${outDir}.`,
            error: proof.reason,
          });
        }
        const fallback = fired.time !== row.time1;
        return await record(row, {
          outcome: fallback ? 'booked-fallback' : 'booked',
          ...base,
          message: `Booked ${fired.court}, ${when(row, fired.time, profile.timeZone)} (ref ${fired.reference})${fallback ? ` — your second choice; ${row.time1} was taken` : ''}.`,
        });
      }
    }
  } catch (error) {
    const page = session?.page;
    const crashed =
      (browser !== undefined && !browser.isConnected()) ||
      /Target (page, context or browser )?(has been )?closed|browser has been closed|disconnected|crash/i.test(
        String(error),
      );
    const shot = await shots.take(page, 'error');
    const described =
      error instanceof BookerError
        ? error
        : crashed
          ? new BrowserCrashedError(firstLine(describeError(error)))
          : new BookerError(
              firstLine(describeError(error)),
              `Run again (npm run book -- --date ${row.date}) or book by hand; screenshots and the step log are in ${outDir}.`,
            );
    await step('error', { error: described.message, screenshot: shot });
    return await record(row, {
      outcome: 'failed',
      ...(firedAtMs ? { firedAt: new Date(firedAtMs).toISOString() } : {}),
      ...(estimate ? { serverClockOffsetMs: Math.round(estimate.offsetMs) } : {}),
      attempts: fired?.bookingAttempts ?? 0,
      message: described.describe(),
      error: described.message,
    });
  } finally {
    await tracer?.stop().catch(() => undefined);
    if (session) await saveStorageState(session.context, paths.storageState).catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await lock.release().catch(() => undefined);
  }
  throw new Error('unreachable');

  /** Reads the configuration, bookings, status and venue profile, and decides the row this run owns. */
  async function load() {
    const env = options.env ?? readEnvironment();
    const config = options.config ?? (await loadConfig(paths.config));
    const dryRun = options.dryRun ?? env.dryRun;
    const { rows, problems } = await loadBookings(paths.bookings, config, clock);
    for (const problem of problems) log(formatProblem(problem));
    const candidates = rows.filter((r) => r.book && (!options.date || r.date === options.date));
    const status = await readStatus(paths.status);
    const decision = decideRun(candidates, status, clock, config);
    let pick = decision.due[0];
    if (!pick && options.noWait && options.date) {
      // --no-wait --date: act on that row now whatever the release window says (dry runs, cancellations).
      pick = decision.all.find((d) => d.row.book && status.bookings[d.row.key]?.state !== 'booked');
    }
    if (!pick) {
      const why =
        options.date && candidates.length === 0
          ? `no "Book" row for ${options.date} in ${paths.bookings}`
          : decision.summary;
      return { kind: 'nothing-due' as const, message: `Nothing to book: ${why}.` };
    }
    const profile = await loadProfile(config.venue.profile, env.baseUrl);
    return { kind: 'due' as const, env, config, dryRun, decision, pick, profile };
  }

  /** The fire script, with one recovery when the venue has dropped the session meanwhile. */
  async function fireWithSessionRecovery(plan: FirePlan): Promise<FireOutcome> {
    const page = session!.page;
    const armedUrl = page.url();
    for (let round = 0; ; round += 1) {
      let outcome: FireOutcome | undefined;
      try {
        outcome = await fire(page, ctx, plan);
      } catch (error) {
        // The site sends an expired session to the login page (the evaluate's page goes away).
        if (round > 0 || !/context was destroyed|navigat/i.test(String(error))) throw error;
        await page
          .waitForURL((url) => url.href !== armedUrl, { timeout: ctx.timeoutMs })
          .catch(() => undefined);
        await page.waitForLoadState('domcontentloaded').catch(() => undefined);
      }
      if (outcome && outcome.kind !== 'session') return outcome;
      if (round > 0)
        return (
          outcome ?? {
            kind: 'session',
            events: [],
            startedAtEpochMs: 0,
            applies: 0,
            bookingAttempts: 0,
            slots: [],
            url: page.url(),
          }
        );
      await step('session-lost', { url: page.url() });
      await tracer?.pause();
      await logIn(page, ctx, { username: env.username, password: env.password });
      await saveStorageState(session!.context, paths.storageState);
      await tracer?.start();
      await openDayView(page, ctx, plan.date);
      await step('armed', { url: page.url(), again: true });
    }
  }

  /** Re-reads the status file, records the attempt, writes it (atomically), and finishes. */
  async function record(
    r: BookingRow,
    details: Partial<Omit<Attempt, 'outcome'>> & {
      outcome: RunOutcome;
      message: string;
      attempts?: number;
      serverClockOffsetMs?: number;
    },
  ): Promise<RunResult> {
    const state = STATE_AFTER[details.outcome];
    if (state) {
      const attempt: Attempt = {
        ...options.attempt,
        startedAt,
        ...(details.firedAt ? { firedAt: details.firedAt } : {}),
        ...(details.latencyMs !== undefined ? { latencyMs: details.latencyMs } : {}),
        outcome: state,
        ...(details.bookedTime ? { bookedTime: details.bookedTime } : {}),
        ...(details.court ? { court: details.court } : {}),
        ...(details.reference ? { reference: details.reference } : {}),
        ...(details.error ? { error: details.error } : {}),
      };
      const latest = await readStatus(paths.status);
      await writeStatus(paths.status, recordAttempt(latest, r, attempt));
      await step('recorded', { state, file: paths.status });
    }
    return finish({
      outcome: details.outcome,
      row: r,
      ...(details.bookedTime ? { bookedTime: details.bookedTime } : {}),
      ...(details.court ? { court: details.court } : {}),
      ...(details.reference ? { reference: details.reference } : {}),
      ...(details.firedAt ? { firedAt: details.firedAt } : {}),
      ...(releaseAt ? { releaseAt } : {}),
      ...(details.latencyMs !== undefined ? { latencyMs: details.latencyMs } : {}),
      ...(details.serverClockOffsetMs !== undefined
        ? { serverClockOffsetMs: details.serverClockOffsetMs }
        : {}),
      attempts: details.attempts ?? 0,
      message: details.message,
      screenshots: [...shots.files],
    });
  }
}

export type { VenueProfile };

/** The first line of an error (Playwright appends a long call log). */
function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
