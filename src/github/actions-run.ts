import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as core from '@actions/core';
import type { Clock } from '../calendar/clock.ts';
import { systemClock } from '../calendar/clock.ts';
import { sendDiscord, type SendResult } from '../notify/discord.ts';
import {
  buildOutcomeMessage,
  buildTestMessage,
  shouldNotify,
  type OutcomeReport,
} from '../notify/message.ts';
import { readInputs, type GlueInputs } from './inputs.ts';
import { writeOutputs } from './outputs.ts';
import { defaultReporter, type Reporter } from './reporter.ts';
import { syncStatusFromRemote } from './remote-status.ts';
import { scheduleHealth, type StartRecord } from './schedule-health.ts';
import { restoreSession, saveSession, type CacheBackend } from './session-cache.ts';
import {
  commitStatus,
  keepUnpushedStatus,
  statusCommitMessage,
  type StatusCommitResult,
} from './status-commit.ts';
import { renderSummary } from './summary.ts';
import { writeJobSummary } from './annotations.ts';

/**
 * The nightly run as GitHub Actions runs it, around the engine: read inputs (secrets masked first)
 * → restore the encrypted session → read the latest status from origin → run the booking → step
 * outputs → status commit → Discord → job summary → save the session → exit code.
 * The engine is injected (`runBooking`), so wiring src/run.ts in is one call.
 */

/** What the glue passes to the engine (a subset of src/run.ts RunOptions). */
export interface EngineOptions {
  date?: string;
  dryRun: boolean;
  noWait: boolean;
  outDir: string;
  attempt: { runId?: string; runUrl?: string; trigger?: string; scheduledFor?: string };
}

/** What the glue needs back (src/run.ts RunResult satisfies it). */
export interface EngineResult extends OutcomeReport {
  outDir: string;
  exitCode: number;
}

export interface ActionsRunOptions<R extends EngineResult> {
  runBooking: (options: EngineOptions) => Promise<R>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** The repository working tree (default cwd). */
  repoDir?: string;
  statusPath?: string;
  /** Playwright storageState the engine uses (default .auth/estelle.json). */
  storageStatePath?: string;
  /** Where screenshots, the step log and status-unpushed.json go (default out/booking). */
  outDir?: string;
  reporter?: Reporter;
  cacheBackend?: CacheBackend;
  /** Waits between push and Discord retries (tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
}

export interface ActionsRunReport<R extends EngineResult> {
  exitCode: number;
  inputs?: GlueInputs;
  result?: R;
  statusCommit?: StatusCommitResult;
  discord?: SendResult;
  summary?: string;
}

async function group<T>(inActions: boolean, name: string, fn: () => Promise<T>): Promise<T> {
  return inActions ? core.group(name, fn) : fn();
}

/** The recorded starts (scheduledFor/startedAt) in a status file, for schedule health. */
export function startsFromStatus(text: string | undefined): StartRecord[] {
  if (!text) return [];
  try {
    const status = JSON.parse(text) as { bookings?: Record<string, { attempts?: Partial<StartRecord>[] }> };
    return Object.values(status.bookings ?? {})
      .flatMap((entry) => entry.attempts ?? [])
      .filter((a): a is StartRecord => typeof a.startedAt === 'string')
      .map((a) => ({ startedAt: a.startedAt, ...(a.scheduledFor ? { scheduledFor: a.scheduledFor } : {}) }));
  } catch {
    return [];
  }
}

function pickScreenshot(paths: string[]): string | undefined {
  return paths.find((p) => /confirm/i.test(basename(p))) ?? paths.at(-1);
}

export async function runOnActions<R extends EngineResult>(
  opts: ActionsRunOptions<R>,
): Promise<ActionsRunReport<R>> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const reporter = opts.reporter ?? defaultReporter(env);
  const repoDir = opts.repoDir ?? process.cwd();
  const statusPath = opts.statusPath ?? 'bookings/status.json';
  const outDir = opts.outDir ?? join(repoDir, 'out', 'booking');

  // 1. Inputs, secrets masked before anything is logged.
  const { inputs, problems } = readInputs(env, { clock });
  const gh = inputs.github;
  if (problems.length > 0) {
    for (const p of problems) reporter.error(p.message);
    return { exitCode: 1, inputs };
  }
  const sendOpts = { reporter, ...(opts.sleep ? { sleep: opts.sleep } : {}) };

  if (inputs.notifyTest) {
    const discord = await sendDiscord(
      inputs.discordWebhookUrl,
      buildTestMessage({
        ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
        ...(gh.repository ? { repository: gh.repository } : {}),
      }),
      sendOpts,
    );
    return { exitCode: discord.sent ? 0 : 1, inputs, discord };
  }

  const cache = {
    statePath: join(repoDir, opts.storageStatePath ?? '.auth/estelle.json'),
    username: inputs.username,
    secret: inputs.sessionCacheSecret,
    runId: gh.runId,
    ...(gh.runAttempt ? { runAttempt: gh.runAttempt } : {}),
    inActions: gh.inActions,
    reporter,
    ...(opts.cacheBackend ? { backend: opts.cacheBackend } : {}),
  };

  // 2. The saved session, and the latest status another run may have pushed.
  if (gh.inActions) {
    await group(gh.inActions, 'Restore the saved session', async () => {
      const restored = await restoreSession(cache);
      reporter.info(`Session cache: ${restored.reason}`);
    });
  }
  if (gh.inActions) {
    await group(gh.inActions, 'Read the latest status from origin', async () => {
      const synced = await syncStatusFromRemote({ repoDir, statusPath, branch: gh.branch });
      if (synced.remote.source === 'unavailable') reporter.warning(synced.remote.warning);
      else
        reporter.info(synced.updated ? `Status updated from origin/${gh.branch}.` : 'Status is up to date.');
    });
  }

  // 3. The engine. The attempt line records when the run was meant to start: its cron line's time,
  //    or when an outside scheduler says it dispatched it.
  const plannedStart = gh.scheduledFor ?? gh.dispatchedAt;
  const result = await group(gh.inActions, 'Book', () =>
    opts.runBooking({
      ...(inputs.bookDate ? { date: inputs.bookDate } : {}),
      dryRun: inputs.dryRun,
      noWait: inputs.noWait,
      outDir,
      attempt: {
        trigger: gh.trigger,
        ...(gh.runId ? { runId: gh.runId } : {}),
        ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
        ...(plannedStart ? { scheduledFor: plannedStart } : {}),
      },
    }),
  );
  const report: ActionsRunReport<R> = { exitCode: result.exitCode, inputs, result };
  if (result.outcome === 'failed') reporter.error(result.message);
  else if (result.outcome === 'unavailable' || result.outcome === 'unverified')
    reporter.warning(result.message);
  writeOutputs(result, env);

  const statusText = await readFile(join(repoDir, statusPath), 'utf8').catch(() => undefined);
  const current: StartRecord = {
    startedAt: gh.startedAt,
    ...(plannedStart ? { scheduledFor: plannedStart } : {}),
  };
  const past = startsFromStatus(statusText).filter((s) => s.startedAt !== current.startedAt);
  const { warning: lateStart } = scheduleHealth(past, current);
  if (lateStart) reporter.warning(lateStart);

  // 4. The status commit (only on Actions: a local run never pushes).
  const sections: { title: string; markdown: string }[] = [];
  if (gh.inActions) {
    const commit = await group(gh.inActions, 'Commit the status', () =>
      commitStatus({
        repoDir,
        statusPath,
        branch: gh.branch,
        message: statusCommitMessage({
          state: result.outcome,
          ...(result.row ? { date: result.row.date, time: result.bookedTime ?? result.row.time1 } : {}),
          ...(result.court ? { court: result.court } : {}),
        }),
        ...(opts.sleep ? { sleep: opts.sleep } : {}),
      }),
    );
    report.statusCommit = commit;
    for (const line of commit.log) reporter.info(line);
    if (!commit.ok) {
      reporter.error(`The status was NOT pushed: ${commit.error}. ${commit.hint}`);
      const kept = await keepUnpushedStatus(repoDir, outDir, statusPath).catch(() => undefined);
      sections.push({ title: 'Status not pushed', markdown: kept?.markdown ?? commit.error });
    }
  }

  // 5. Discord: a warning at worst, never the exit code.
  if (shouldNotify(result, lateStart ? { lateStart } : {})) {
    const shot = pickScreenshot(result.screenshots);
    const screenshotPng = shot ? await readFile(shot).catch(() => undefined) : undefined;
    report.discord = await group(gh.inActions, 'Notify Discord', () =>
      sendDiscord(
        inputs.discordWebhookUrl,
        buildOutcomeMessage(result, {
          clock,
          ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
          ...(lateStart ? { lateStart } : {}),
          ...(screenshotPng ? { screenshotPng } : {}),
        }),
        sendOpts,
      ),
    );
    if (report.discord.warning) sections.push({ title: 'Discord', markdown: report.discord.warning });
  }

  // 6. The job summary.
  const summary = renderSummary(result, {
    trigger: gh.trigger,
    startedAt: gh.startedAt,
    dryRun: inputs.dryRun,
    artifactRetentionDays: inputs.artifactRetentionDays,
    ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
    ...(gh.runId
      ? { artifactName: `booking-${result.row?.date ?? 'none'}-${gh.runId}-${gh.runAttempt ?? '1'}` }
      : {}),
    ...(gh.scheduledCron ? { scheduledCron: gh.scheduledCron } : {}),
    ...(gh.scheduledFor ? { scheduledFor: gh.scheduledFor } : {}),
    ...(gh.dispatchedAt ? { dispatchedAt: gh.dispatchedAt } : {}),
    ...(lateStart ? { lateStart } : {}),
    sections,
  });
  await writeJobSummary(summary, env);
  report.summary = summary;

  // 7. Keep the session for tomorrow.
  if (gh.inActions) {
    await group(gh.inActions, 'Save the session', async () => {
      const saved = await saveSession(cache);
      reporter.info(`Session cache: ${saved.reason}`);
    });
  }
  return report;
}
