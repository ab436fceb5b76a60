import { mkdir } from 'node:fs/promises';
import { join, dirname, resolve } from 'node:path';
import { launchBrowser } from './browser/launch.ts';
import { readStatus } from './bookings/status.ts';
import { systemClock } from './calendar/clock.ts';
import { BookerError, describeError } from './errors.ts';
import { arm, type Armed } from './engine/arm.ts';
import { lookAtVenueClock, syncWithVenue, waitForLoginLead } from './engine/before-release.ts';
import { conclude } from './engine/conclude.ts';
import { fire, pageToRunClock } from './engine/fire.ts';
import { checkHeld, heldOutcome } from './engine/held.ts';
import { loadAndPick, wantedTimes } from './engine/load.ts';
import { finish, finishRows, record, recordRow, settle, step, type Night } from './engine/night.ts';
import { DEFAULT_PATHS, type RunOptions, type RunPaths, type RunResult } from './engine/types.ts';
import { BrowserCrashedError, LockHeldError, SessionLostError } from './venue/errors.ts';
import { lockHolder, waitForLock } from './venue/lock.ts';
import { Screenshots } from './venue/screenshots.ts';
import { logInAgain, openSession, saveStorageState, Tracer } from './venue/session.ts';
import { StepLog } from './venue/step-log.ts';

export type { RunOutcome } from './outcome.ts';
export type { RunOptions, RunPaths, RunResult } from './engine/types.ts';
export type { VenueProfile } from './venue/profile.ts';
export { DEFAULT_PATHS };

/**
 * One booking run, top to bottom: load and pick → wait → log in → check held → arm → sync → fire →
 * verify → record. Each phase is a function of its own (src/engine/); this one only wires them.
 */
export async function runBooking(options: RunOptions = {}): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const paths: RunPaths = { ...DEFAULT_PATHS, ...options.paths };
  const startedAt = new Date(clock.now()).toISOString();
  const outDir = resolve(options.outDir ?? join('out', `run-${startedAt.replace(/[:.]/g, '-')}`));

  // 1. Load and pick. Nothing due: return at once, one line, no browser, no files. A file that cannot
  //    be read ends the run with a failed result (nothing to record it against; the files stay as they were).
  let picked: Awaited<ReturnType<typeof loadAndPick>>;
  try {
    picked = await loadAndPick(options, paths, clock, log);
  } catch (error) {
    const steps = new StepLog(outDir, clock, log);
    steps.step('started', { pid: process.pid, clock: startedAt });
    return finish({ options, outDir, steps }, { outcome: 'failed', message: describeError(error) });
  }
  if (picked.kind === 'nothing-due') {
    const result: RunResult = {
      outcome: 'nothing-due',
      message: picked.message,
      attempts: 0,
      screenshots: [],
      stepLog: '',
      outDir,
      exitCode: 0,
      rows: [],
    };
    await options.onResult?.(result);
    return result;
  }

  const { pick, profile, config } = picked;
  const shots = new Screenshots(outDir, profile);
  const night: Night = {
    options,
    clock,
    log,
    paths,
    outDir,
    startedAt,
    steps: new StepLog(outDir, clock, log),
    shots,
    ctx: { profile, shots, timeoutMs: options.stepTimeoutMs ?? 30_000 },
    env: picked.env,
    config,
    profile,
    dryRun: picked.dryRun,
    pick,
    row: picked.rows[0]!,
    rows: picked.rows,
    intendedStatus: picked.status,
    targets: picked.targets,
    settled: [],
    releaseMs: pick.releaseAt.toMillis(),
    releaseLocal: pick.releaseAt.toMillis(),
    ...(pick.releaseAt.toISO() ? { releaseAt: pick.releaseAt.toISO()! } : {}),
    retryWindowMs: config.retry.windowSeconds * 1000,
    minGapMs: Math.ceil(1000 / config.retry.maxPerSecond),
  };
  await step(night, 'started', { pid: process.pid, clock: startedAt });
  if (picked.leftOver.length > 0)
    log(`Also due, left for the next run: ${picked.leftOver.map((d) => d.row.key).join(', ')}`);
  for (const row of night.rows) {
    await step(night, 'picked', {
      key: row.key,
      times: wantedTimes(row),
      court: row.court,
      releaseAt: night.releaseAt,
      dryRun: night.dryRun,
      noWait: !!options.noWait,
    });
  }

  // 2. Wait without a browser until the login lead (on the venue's clock, from a first look at it).
  if (!options.noWait) {
    await lookAtVenueClock(night);
    await waitForLoginLead(night);
  }

  // One run at a time on this machine: a second run waits, then finds the booking made.
  const lockFile = join(dirname(resolve(paths.status)), `.booker-${night.row.date}.lock`);
  await mkdir(dirname(lockFile), { recursive: true });
  night.lock = await waitForLock(
    lockFile,
    clock,
    night.releaseLocal + night.retryWindowMs,
    250,
    options.signal,
  );
  if (!night.lock) {
    const error = new LockHeldError(lockFile, await lockHolder(lockFile));
    return record(night, { outcome: 'failed', message: error.describe(), error: error.message });
  }

  let firedAtMs: number | undefined;
  try {
    // Another run may have finished some rows while we waited for the lock.
    const latest = await readStatus(paths.status);
    for (const row of night.rows) {
      const done = latest.bookings[row.key];
      if (done?.state !== 'booked') continue;
      settle(night, row, {
        outcome: 'already-booked',
        ...(done.bookedTime ? { bookedTime: done.bookedTime } : {}),
        ...(done.court ? { court: done.court } : {}),
        ...(done.reference ? { reference: done.reference } : {}),
        message: `Already booked by another run: ${done.court ?? 'a court'} at ${done.bookedTime ?? row.time1} on ${row.date} (ref ${done.reference ?? '?'}).`,
      });
    }
    if (unsettled(night) === 0) return await finishRows(night);

    // 3. Log in (or restore the saved session).
    await logInToVenue(night);

    // 4. My bookings first: a court already held that day is recorded, not booked again.
    const { held, blind } = await withSession(night, () => checkHeld(night));
    for (const row of night.rows) {
      const court = held.get(row.key);
      if (court) await recordRow(night, row, heldOutcome(row, court, ''));
    }
    if (unsettled(night) === 0) return await finishRows(night);

    // 5. Arm: the day view (and an addressable confirm page), ready before the release.
    let armed: Armed = await withSession(night, () => arm(night));
    const rearm = async () => (armed = await arm(night, true));

    // 6. Sync: re-check the session shortly before the release while measuring the venue's clock. A run
    // armed in the release's last second (a slow site) still waits for it, on the first look at the clock.
    const waitedForRelease = !options.noWait && clock.now() < night.releaseLocal;
    const startAtEpochMs = waitedForRelease
      ? await syncWithVenue(night, async () => void (await rearm()))
      : undefined;

    // 7. Fire: aimed at the planned press (the page waits for it), else now.
    firedAtMs = startAtEpochMs ? pageToRunClock(startAtEpochMs, night) : clock.now();
    const { fired, timing } = await fire(
      night,
      armed,
      { ...(startAtEpochMs ? { startAtEpochMs } : {}), waitedForRelease },
      rearm,
    );

    // 8-9. Verify and record.
    const result = await conclude(night, fired, timing);
    if (blind && result.outcome === 'dry-run')
      result.message += ` A real run would stop here: ${blind.message}`;
    return result;
  } catch (error) {
    return await failed(night, error, firedAtMs);
  } finally {
    await night.tracer?.stop().catch(() => undefined);
    if (night.session)
      await saveStorageState(night.session.context, paths.storageState).catch(() => undefined);
    await night.browser?.close().catch(() => undefined);
    await night.lock.release().catch(() => undefined);
  }
}

/** How many rows are still to book; the fire's targets are those rows. */
function unsettled(night: Night): number {
  night.targets = night.targets.filter((t) => !night.settled.some((r) => r.row.key === t.key));
  return night.targets.length;
}

/** Phase 3: the browser, and a session (the saved one when it still works, else a login). */
async function logInToVenue(night: Night): Promise<void> {
  night.browser = await (night.options.browserFactory ?? (() => launchBrowser()))();
  night.session = await openSession(night.browser, night.ctx, {
    storageStatePath: night.paths.storageState,
    credentials: { username: night.env.username, password: night.env.password },
  });
  await step(night, 'logged-in', { restored: night.session.restored });
  await night.shots.take(night.session.page, 'logged-in');
  night.tracer = new Tracer(
    night.session.context,
    night.options.trace ? (n) => join(night.outDir, `trace-${n}.zip`) : undefined,
    { secrets: () => [night.env.username, night.env.password] },
  );
  await night.tracer.start();
  night.session.page.on('crash', () => night.log('The browser page crashed.'));
}

/**
 * Before the release a session the venue ended is not the end of the night: log in again (once a run)
 * and do the phase over. After the release the fire has its own answer (fire.ts).
 */
async function withSession<T>(night: Night, phase: () => Promise<T>): Promise<T> {
  try {
    return await phase();
  } catch (error) {
    if (!(error instanceof SessionLostError) || night.loggedInAgain) throw error;
    night.loggedInAgain = true;
    await step(night, 'session-lost', { url: error.pageUrl });
    await logInAgain(night.session!, night.ctx, {
      storageStatePath: night.paths.storageState,
      credentials: { username: night.env.username, password: night.env.password },
      ...(night.tracer ? { tracer: night.tracer } : {}),
    });
    await step(night, 'session-renewed');
    return phase();
  }
}

/** Any error of the phases: a member-readable message, a screenshot, and a failed status entry. */
async function failed(night: Night, error: unknown, firedAtMs: number | undefined): Promise<RunResult> {
  const page = night.session?.page;
  const crashed =
    (night.browser !== undefined && !night.browser.isConnected()) ||
    /Target (page, context or browser )?(has been )?closed|browser has been closed|disconnected|crash/i.test(
      String(error),
    );
  const shot = await night.shots.take(page, 'error');
  const described =
    error instanceof BookerError
      ? error
      : crashed
        ? new BrowserCrashedError(firstLine(describeError(error)))
        : new BookerError(
            firstLine(describeError(error)),
            `Run again (npm run book -- --date ${night.row.date}) or book by hand; screenshots and the step log are in ${night.outDir}.`,
          );
  await step(night, 'error', { error: described.message, screenshot: shot });
  // As a fire that returned reports it: on the venue's clock, and only once the shot has gone.
  const fired = firedAtMs !== undefined && night.clock.now() >= firedAtMs;
  const firedOnVenue = fired ? firedAtMs + (night.estimate?.offsetMs ?? 0) : undefined;
  return record(night, {
    outcome: 'failed',
    ...(firedOnVenue !== undefined ? { firedAt: new Date(firedOnVenue).toISOString() } : {}),
    ...(night.estimate ? { serverClockOffsetMs: Math.round(night.estimate.offsetMs) } : {}),
    message: described.describe(),
    error: described.message,
  });
}

/** The first line of an error (Playwright appends a long call log). */
function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
