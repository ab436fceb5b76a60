import { join, resolve } from 'node:path';
import type { Browser } from 'playwright';
import { launchBrowser } from './browser/launch.ts';
import type { BookingRow } from './bookings/csv.ts';
import { loadConfig, type Config } from './bookings/config.ts';
import { loadBookingRows } from './bookings/load.ts';
import { firstProblems, formatProblem } from './bookings/problem.ts';
import {
  readStatus,
  recordAttempt,
  recordCutOff,
  recordLook,
  writeStatus,
  type Attempt,
  type StatusFile,
} from './bookings/status.ts';
import { systemClock, type Clock } from './calendar/clock.ts';
import { bookingWindows } from './calendar/rehearsal.ts';
import { checkWatchWindow, decideWatch, lookInterval, type WatchDecision } from './calendar/watch.ts';
import { heldOutcome } from './engine/held.ts';
import { targetOf } from './engine/load.ts';
import { DEFAULT_PATHS, type RunOptions, type RunPaths, type RunResult } from './engine/types.ts';
import { readEnvironment, type Environment } from './env.ts';
import { describeError } from './errors.ts';
import { STATE_AFTER } from './outcome.ts';
import { runBooking } from './run.ts';
import { lookAtDay, type LookFor } from './venue/look.ts';
import { assertReadable, heldFor, listMyBookings } from './venue/my-bookings.ts';
import { loadProfile, type VenueProfile } from './venue/profile.ts';
import { Screenshots } from './venue/screenshots.ts';
import { openSession, saveStorageState, type Session } from './venue/session.ts';
import { StepLog } from './venue/step-log.ts';

/**
 * The watch for cancellations, one run, top to bottom: load → which rows are due for a look (none: one
 * line, no browser) → never inside a release window → log in (the saved session) → My bookings first (a
 * court held for a row is recorded, and watching it stops) → each date's day view, read → each look
 * counted in the row's status entry (a count and the last look, no attempt line) → the date found.
 * Booking what it found is `bookCancellation`: the nightly engine, at once, for that date.
 */

/** The attempt line's trigger for what the watch records. */
export const WATCH_TRIGGER = 'watch';

export type WatchOptions = {
  clock?: Clock;
  /** Secrets and flags; default readEnvironment(process.env). */
  env?: Environment;
  paths?: Partial<RunPaths>;
  /** Screenshots and the step log; default out/watch-<time>. */
  outDir?: string;
  config?: Config;
  /** Only the rows of this court date (--date). */
  date?: string;
  /** What this run is, for an attempt line (a court found held). */
  attempt?: Pick<Attempt, 'runId' | 'runUrl' | 'scheduledFor'>;
  log?: (line: string) => void;
  browserFactory?: () => Promise<Browser>;
  /** Longest wait for one page or response (default 30 s). */
  stepTimeoutMs?: number;
};

/** One row the watch looked at this run. */
export type RowLooked = {
  row: BookingRow;
  seen: string;
  free?: { time: string; court: string };
  /** Looks counted so far, this one included. */
  looks: number;
};

export type WatchResult = {
  /**
   * idle: nothing due (or a cut-off recorded); refused: inside a release window; looked: nothing free;
   * found: a free slot matching a row (foundDate); failed: the look could not be made.
   */
  kind: 'idle' | 'refused' | 'looked' | 'found' | 'failed';
  /** For the member: what happened and, when nothing did, why and when the next look is. */
  message: string;
  looked: RowLooked[];
  /** Rows for which My bookings showed a court held: recorded, watching them stops. */
  held: { row: BookingRow; message: string }[];
  /** Rows whose cut-off passed since the last run: recorded once, watching them stopped. */
  cutOff: { row: BookingRow; looks: number; cutOffAt: string }[];
  /** The court date to book: the first row (in the file's order) with a free matching slot. */
  foundDate?: string;
  /** What each row the watch is for looks like now (after this run), for the summary. */
  watching: WatchDecision<BookingRow>[];
  exitCode: number;
  outDir: string;
  screenshots: string[];
  stepLog?: string;
};

type Loaded = {
  env: Environment;
  config: Config;
  rows: BookingRow[];
  status: StatusFile;
  profile: VenueProfile;
};

async function load(
  options: Pick<WatchOptions, 'env' | 'config'>,
  paths: RunPaths,
  clock: Clock,
  log: (line: string) => void,
): Promise<Loaded> {
  const env = options.env ?? readEnvironment();
  const config = options.config ?? (await loadConfig(paths.config));
  const { rows, problems } = await loadBookingRows(paths.bookings, config, clock);
  // Errors only: the warnings are validate's (and the one about a passed release is what the watch is for).
  const { listed, more } = firstProblems(problems.filter((p) => p.severity === 'error'));
  for (const problem of listed) log(formatProblem(problem));
  if (more) log(more);
  const status = await readStatus(paths.status);
  const profile = await loadProfile(config.venue.profile, env.baseUrl);
  return { env, config, rows, status, profile };
}

/** Re-reads the status file, applies `change` (pure) and writes it atomically. */
async function updateStatus(path: string, change: (status: StatusFile) => StatusFile): Promise<StatusFile> {
  const next = change(await readStatus(path));
  await writeStatus(path, next);
  return next;
}

/**
 * Whether the watch has anything to do now, from the files alone (no browser, no login): a row due for
 * a look, or a cut-off to record and tell. watch.yml's first step, so that most runs stop in seconds.
 */
export async function isLookDue(
  options: Pick<WatchOptions, 'env' | 'config' | 'date' | 'clock'> & { paths?: Partial<RunPaths> },
): Promise<{ due: boolean; summary: string }> {
  const clock = options.clock ?? systemClock;
  const paths: RunPaths = { ...DEFAULT_PATHS, ...options.paths };
  const loaded = await load(options, paths, clock, () => undefined);
  const rows = loaded.rows.filter((r) => !options.date || r.date === options.date);
  const decision = decideWatch(rows, loaded.status, clock, loaded.config, loaded.profile.watch);
  return { due: decision.due.length > 0 || decision.cutOff.length > 0, summary: decision.summary };
}

/** One run of the watch: looks at the rows due, records each look, and says which date to book. */
export async function runWatch(options: WatchOptions = {}): Promise<WatchResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const paths: RunPaths = { ...DEFAULT_PATHS, ...options.paths };
  const startedAt = new Date(clock.now()).toISOString();
  const outDir = resolve(options.outDir ?? join('out', `watch-${startedAt.replace(/[:.]/g, '-')}`));
  const result = (partial: Partial<WatchResult> & Pick<WatchResult, 'kind' | 'message'>): WatchResult => ({
    looked: [],
    held: [],
    cutOff: [],
    watching: [],
    screenshots: [],
    exitCode: partial.kind === 'failed' ? 1 : 0,
    outDir,
    ...partial,
  });

  // 1. Load, and which rows are due. A file that cannot be read: failed, before any browser.
  let loaded: Loaded;
  try {
    loaded = await load(options, paths, clock, log);
  } catch (error) {
    return result({ kind: 'failed', message: describeError(error) });
  }
  const { env, config, profile } = loaded;
  const rows = loaded.rows.filter((r) => !options.date || r.date === options.date);
  const interval = lookInterval(config, profile.watch);
  if (interval.note) log(interval.note);
  const decide = (status: StatusFile) => decideWatch(rows, status, clock, config, profile.watch);
  let decision = decide(loaded.status);

  // 2. Rows whose cut-off passed since they were last looked at: recorded once (no browser).
  const cutOff: WatchResult['cutOff'] = [];
  if (decision.cutOff.length > 0) {
    let status: StatusFile;
    try {
      status = await updateStatus(paths.status, (s) =>
        decision.cutOff.reduce((acc, d) => recordCutOff(acc, d.row, startedAt), s),
      );
    } catch (error) {
      return result({ kind: 'failed', message: describeError(error) });
    }
    for (const d of decision.cutOff) {
      cutOff.push({
        row: d.row,
        looks: status.bookings[d.row.key]?.watch?.looks ?? 0,
        cutOffAt: d.cutOffAt.toISO()!,
      });
      log(`Stopped watching ${d.row.key}: ${d.reason}.`);
    }
    decision = decide(status);
  }
  if (decision.due.length === 0) {
    return result({
      kind: 'idle',
      message: `Nothing to look at: ${decision.summary}.`,
      cutOff,
      watching: watched(decision.all),
    });
  }

  // 3. Never inside a release window (a look is a login; two at the release is what the venue may flag).
  const window = checkWatchWindow({
    clock,
    windows: bookingWindows(loaded.rows, loaded.status, config),
    timeZone: config.timeZone,
  });
  if (!window.ok) {
    return result({ kind: 'refused', message: window.message, cutOff, watching: watched(decision.all) });
  }

  // 4-6. Log in, My bookings first, then each date's day view.
  const steps = new StepLog(outDir, clock, log);
  const shots = new Screenshots(outDir, profile);
  const ctx = { profile, shots, timeoutMs: options.stepTimeoutMs ?? 30_000 };
  const step = (name: string, data?: Record<string, unknown>) => void steps.step(name, data);
  step('watch-started', { pid: process.pid, due: decision.due.map((d) => d.row.key) });
  let browser: Browser | undefined;
  let session: Session | undefined;
  const held: WatchResult['held'] = [];
  const looked: RowLooked[] = [];
  try {
    browser = await (options.browserFactory ?? (() => launchBrowser()))();
    session = await openSession(browser, ctx, {
      storageStatePath: paths.storageState,
      credentials: { username: env.username, password: env.password },
    });
    step('logged-in', { restored: session.restored });
    const page = session.page;

    const bookings = await listMyBookings(page, ctx);
    await assertReadable(page, ctx, bookings);
    const due: WatchDecision<BookingRow>[] = [];
    for (const d of decision.due) {
      const court = heldFor(bookings, targetOf(d.row, loaded.rows));
      if (!court) {
        due.push(d);
        continue;
      }
      const recorded = heldOutcome(d.row, court, ', listed on My bookings');
      const state = recorded.state ?? STATE_AFTER[recorded.outcome]!;
      await updateStatus(paths.status, (s) =>
        recordAttempt(s, d.row, {
          ...options.attempt,
          trigger: WATCH_TRIGGER,
          startedAt,
          outcome: state,
          ...(recorded.bookedTime ? { bookedTime: recorded.bookedTime } : {}),
          ...(recorded.court ? { court: recorded.court } : {}),
          ...(recorded.reference ? { reference: recorded.reference } : {}),
        }),
      );
      held.push({ row: d.row, message: recorded.message });
      step('already-held', { key: d.row.key, state, time: court.time, court: court.court });
    }
    if (held.length > 0) await shots.take(page, 'my-bookings-held');

    for (const date of [...new Set(due.map((d) => d.row.date))]) {
      const onDate = due.filter((d) => d.row.date === date);
      const wanted: LookFor[] = onDate.map((d) => ({
        key: d.row.key,
        date,
        times: d.times,
        ...(d.row.court ? { preferredCourt: d.row.court } : {}),
      }));
      const day = await lookAtDay(page, ctx, date, wanted);
      await shots.take(page, `day-${date}`);
      const at = new Date(clock.now()).toISOString();
      for (const d of onDate) {
        const row = day.kind === 'slots' ? day.rows.find((r) => r.key === d.row.key) : undefined;
        const seen =
          day.kind === 'busy'
            ? `the venue was busy (HTTP ${day.status})`
            : day.kind === 'not-open'
              ? `no slots shown ("${day.text.slice(0, 80)}")`
              : row!.seen;
        const status = await updateStatus(paths.status, (s) => recordLook(s, d.row, { at, seen }));
        const looks = status.bookings[d.row.key]?.watch?.looks ?? 1;
        looked.push({ row: d.row, seen, looks, ...(row?.free ? { free: row.free } : {}) });
        step('looked', { key: d.row.key, seen, looks });
      }
    }
  } catch (error) {
    const shot = await shots.take(session?.page, 'error');
    step('error', { error: describeError(error).split('\n')[0], ...(shot ? { screenshot: shot } : {}) });
    return result({
      kind: 'failed',
      message: `The watch could not look: ${describeError(error)}`,
      held,
      looked,
      cutOff,
      watching: watched(decide(await readStatus(paths.status).catch(() => loaded.status)).all),
      screenshots: [...shots.files],
      stepLog: steps.textPath,
    });
  } finally {
    if (session) await saveStorageState(session.context, paths.storageState).catch(() => undefined);
    await browser?.close().catch(() => undefined);
  }

  const after = decide(await readStatus(paths.status));
  const found = looked.find((l) => l.free);
  const common = {
    held,
    looked,
    cutOff,
    watching: watched(after.all),
    screenshots: [...shots.files],
    stepLog: steps.textPath,
  };
  if (found) {
    step('found', { key: found.row.key, time: found.free!.time, court: found.free!.court });
    return result({
      kind: 'found',
      foundDate: found.row.date,
      message: `A court came free: ${found.free!.court || 'a court'} at ${found.free!.time} on ${found.row.date} (for ${found.row.key}).`,
      ...common,
    });
  }
  const lines = [
    ...held.map((h) => `${h.row.key}: ${h.message}`),
    ...looked.map((l) => `${l.row.key}: ${l.seen} (look ${l.looks}).`),
  ];
  return result({
    kind: 'looked',
    message:
      `${looked.length > 0 ? 'Nothing came free.' : 'Nothing left to look at.'} ${lines.join(' ')} ${after.summary ? `Next: ${after.summary}.` : ''}`.trim(),
    ...common,
  });
}

/** The decisions of the rows the watch is for (not those it never watches). */
function watched(all: WatchDecision<BookingRow>[]): WatchDecision<BookingRow>[] {
  return all.filter((d) => d.kind !== 'not-watched');
}

/**
 * Books a court the watch found for `date`: first checks again that the date is still watched (the
 * booking may run minutes or hours after the look, queued behind the nightly run: the row may be booked
 * by then, or past its cut-off, or a release may be near), then the nightly engine at once (--no-wait
 * --date: My bookings first, Time1 else Time2 with its fallback, on whichever strategy the profile
 * uses, verified, recorded with an attempt line whose trigger is `watch`).
 */
export async function bookCancellation(
  options: RunOptions & { date: string; runBooking?: (options: RunOptions) => Promise<RunResult> },
): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((line: string) => console.log(line));
  const paths: RunPaths = { ...DEFAULT_PATHS, ...options.paths };
  const { runBooking: engine = runBooking, ...rest } = options;
  const stillWanted = await whyNotBook(options, paths, clock);
  if (stillWanted) {
    const result: RunResult = {
      outcome: 'nothing-due',
      message: `Nothing booked for ${options.date}: ${stillWanted}`,
      attempts: 0,
      screenshots: [],
      stepLog: '',
      outDir: options.outDir ?? '',
      exitCode: 0,
      rows: [],
    };
    log(result.message);
    await options.onResult?.(result);
    return result;
  }
  return engine({
    ...rest,
    clock,
    log,
    noWait: true,
    date: options.date,
    attempt: { ...options.attempt, trigger: WATCH_TRIGGER },
  });
}

/** Why the watch should no longer book `date` now, or undefined when it should. */
async function whyNotBook(
  options: RunOptions & { date: string },
  paths: RunPaths,
  clock: Clock,
): Promise<string | undefined> {
  let loaded: Loaded;
  try {
    loaded = await load(options, paths, clock, () => undefined);
  } catch {
    return undefined; // the engine reports a file it cannot read, before any login
  }
  const onDate = loaded.rows.filter((r) => r.date === options.date);
  const decisions = decideWatch(onDate, loaded.status, clock, loaded.config, loaded.profile.watch).all;
  // Just looked at: "resting" is still watched.
  if (!decisions.some((d) => d.kind === 'due' || d.kind === 'resting')) {
    const why = decisions.map((d) => `${d.row.key} ${d.reason}`).join('; ');
    return `the watch no longer wants it (${why || `no row for ${options.date}`}).`;
  }
  const window = checkWatchWindow({
    clock,
    windows: bookingWindows(loaded.rows, loaded.status, loaded.config),
    timeZone: loaded.config.timeZone,
  });
  return window.ok ? undefined : window.message;
}
