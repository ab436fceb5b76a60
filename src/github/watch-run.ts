import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import { DateTime } from 'luxon';
import { DEFAULT_CONFIG, loadConfig } from '../bookings/config.ts';
import { readStatus, type StatusFile } from '../bookings/status.ts';
import { systemClock, type Clock } from '../calendar/clock.ts';
import type { WatchDecision } from '../calendar/watch.ts';
import type { BookingRow } from '../bookings/csv.ts';
import { laneFor } from '../dry-run.ts';
import { buildWatchStoppedMessage } from '../notify/message.ts';
import { sendDiscord, type SendResult } from '../notify/discord.ts';
import type { RunResult } from '../run.ts';
import type { WatchResult } from '../watch.ts';
import { runOnActions, type ActionsRunReport, type EngineOptions } from './actions-run.ts';
import { markdownCell, writeJobSummary } from './annotations.ts';
import { withToken } from './git-auth.ts';
import { gitIn } from './git.ts';
import { readInputs, type CommandLineFlags } from './inputs.ts';
import { markdownText } from './markdown.ts';
import { syncStatusFromRemote } from './remote-status.ts';
import { defaultReporter, type Reporter } from './reporter.ts';
import { discardInvalidSession, restoreSession, saveSession, SESSION_CACHE_FILE } from './session-cache.ts';
import { commitStatus, type StatusCommitResult } from './status-commit.ts';

/**
 * The watch for cancellations as GitHub Actions runs it (watch.yml), a thin layer over src/watch.ts and
 * the nightly run's own glue:
 * - the look (`npm run watch -- --look`, job `look`): inputs (secrets masked first) → the saved session
 *   → the latest status from origin → the look → step outputs (found_date, lane) → the status commit
 *   of the look → Discord only when watching a row stops at its cut-off → the job summary;
 * - the booking (`npm run watch -- --book DATE`, job `book`, in the booking concurrency group): the
 *   nightly run's glue (runOnActions) around bookCancellation, so the booking is the nightly one's in
 *   every way (its Discord message, summary, outputs and status commit) but for its trigger, `watch`;
 * - without --look (a member's machine): the look, then at once the booking of what it found.
 */

/** The look step's outputs (`needs.look.outputs.<name>` in watch.yml). */
export const WATCH_OUTPUT = {
  /** The court date to book, or '' when nothing came free. */
  foundDate: 'found_date',
  /** The concurrency lane the booking job must queue in (booking, or rehearsal for a dry run). */
  lane: 'lane',
  /** idle, refused, looked, found or failed. */
  outcome: 'outcome',
} as const;

/** What the glue passes to the look. */
export interface LookOptions {
  date?: string;
  outDir: string;
  attempt: { runId?: string; runUrl?: string; scheduledFor?: string };
}

export interface WatchRunOptions {
  /** Look and report what was found; never book (watch.yml's look job). */
  lookOnly?: boolean;
  /** Book what a look found for this court date, without looking (watch.yml's book job). */
  bookDate?: string;
  flags?: Pick<CommandLineFlags, 'dryRun' | 'date'>;
  runWatch: (options: LookOptions) => Promise<WatchResult>;
  bookCancellation: (options: EngineOptions & { date: string }) => Promise<RunResult>;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  repoDir?: string;
  statusPath?: string;
  /** config.yml, for the cut-off in the Discord message (default bookings/config.yml, from repoDir). */
  configPath?: string;
  storageStatePath?: string;
  sessionCachePath?: string;
  /** Screenshots and the step log of the look (default out/watch); the booking's go in `booking/` below it. */
  outDir?: string;
  reporter?: Reporter;
  sleep?: (ms: number) => Promise<void>;
}

export interface WatchRunReport {
  exitCode: number;
  look?: WatchResult;
  statusCommit?: StatusCommitResult;
  discord?: SendResult;
  summary?: string;
  outputs?: Record<string, string>;
  booking?: ActionsRunReport<RunResult>;
}

export async function watchOnActions(opts: WatchRunOptions): Promise<WatchRunReport> {
  const outDir = resolve(opts.outDir ?? join(opts.repoDir ?? process.cwd(), 'out', 'watch'));
  if (opts.bookDate) {
    const booking = await bookFound(opts, opts.bookDate, outDir);
    return { exitCode: booking.exitCode, booking };
  }
  const look = await lookOnActions(opts, outDir);
  const found = look.look?.foundDate;
  if (look.exitCode !== 0 || opts.lookOnly || !found) return look;
  const booking = await bookFound(opts, found, join(outDir, 'booking'));
  return { ...look, booking, exitCode: booking.exitCode };
}

/** The nightly run's glue around the watch's booking of `date`. */
async function bookFound(
  opts: WatchRunOptions,
  date: string,
  outDir: string,
): Promise<ActionsRunReport<RunResult>> {
  return runOnActions<RunResult & { foundBy?: string }>({
    ...common(opts),
    outDir,
    flags: { ...opts.flags, noWait: true, date },
    runBooking: async (engine) => {
      const result = await opts.bookCancellation({ ...engine, date });
      return result.outcome === 'nothing-due'
        ? result
        : { ...result, foundBy: 'the watch for cancellations (a court came free after the release)' };
    },
  });
}

function common(opts: WatchRunOptions) {
  return {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.repoDir ? { repoDir: opts.repoDir } : {}),
    ...(opts.statusPath ? { statusPath: opts.statusPath } : {}),
    ...(opts.configPath ? { configPath: opts.configPath } : {}),
    ...(opts.storageStatePath ? { storageStatePath: opts.storageStatePath } : {}),
    ...(opts.sessionCachePath ? { sessionCachePath: opts.sessionCachePath } : {}),
    ...(opts.reporter ? { reporter: opts.reporter } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
  };
}

async function group<T>(inActions: boolean, name: string, fn: () => Promise<T>): Promise<T> {
  return inActions ? core.group(name, fn) : fn();
}

/** The look as the look job runs it. */
async function lookOnActions(opts: WatchRunOptions, outDir: string): Promise<WatchRunReport> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const reporter = opts.reporter ?? defaultReporter(env);
  const repoDir = opts.repoDir ?? process.cwd();
  const statusPath = opts.statusPath ?? 'bookings/status.json';

  // 1. Inputs, secrets masked first. A look books nothing, so the lane it runs in does not matter.
  const { inputs, problems, warnings } = readInputs(env, {
    clock,
    ...(opts.flags ? { flags: opts.flags } : {}),
  });
  const stops = problems.filter((p) => p.name !== 'BOOKING_LANE');
  if (stops.length > 0) {
    for (const p of stops) reporter.error(p.message);
    return { exitCode: 1 };
  }
  for (const warning of warnings) reporter.warning(warning);
  const gh = inputs.github;
  if (env === process.env) delete process.env.GITHUB_TOKEN;
  const git = withToken(gitIn(repoDir), inputs.githubToken, gh.serverUrl);
  const cache = {
    statePath: resolve(repoDir, opts.storageStatePath ?? '.auth/estelle.json'),
    encryptedPath: resolve(repoDir, opts.sessionCachePath ?? SESSION_CACHE_FILE),
    username: inputs.username,
    secret: inputs.sessionCacheSecret,
    inActions: gh.inActions,
    reporter,
    ...(inputs.sessionCacheMatchedKey ? { matchedKey: inputs.sessionCacheMatchedKey } : {}),
  };

  // 2. The saved session, and the latest status another run may have pushed.
  if (gh.inActions) {
    await group(true, 'Decrypt the saved session', async () => {
      reporter.info(`Session cache: ${(await restoreSession(cache)).reason}`);
    });
    await group(true, 'Read the latest status from origin', async () => {
      const synced = await syncStatusFromRemote({ repoDir, statusPath, branch: gh.branch, git });
      if (synced.remote.source === 'unavailable') reporter.warning(synced.remote.warning);
      else
        reporter.info(synced.updated ? `Status updated from origin/${gh.branch}.` : 'Status is up to date.');
    });
  }
  await discardInvalidSession(cache.statePath, reporter);

  try {
    // 3. The look.
    const plannedStart = gh.scheduledFor ?? gh.dispatchedAt;
    const look = await group(gh.inActions, 'Look for a cancellation', () =>
      opts.runWatch({
        ...(inputs.bookDate ? { date: inputs.bookDate } : {}),
        outDir,
        attempt: {
          ...(gh.runId ? { runId: gh.runId } : {}),
          ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
          ...(plannedStart ? { scheduledFor: plannedStart } : {}),
        },
      }),
    );
    if (look.kind === 'failed') reporter.error(look.message);
    else reporter.info(look.message);

    // 4. Step outputs: what the booking job needs.
    const outputs = {
      [WATCH_OUTPUT.foundDate]: look.foundDate ?? '',
      [WATCH_OUTPUT.lane]: laneFor(inputs.dryRunDecision),
      [WATCH_OUTPUT.outcome]: look.kind,
    };
    if (gh.inActions && env.GITHUB_OUTPUT) {
      for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
    }
    const report: WatchRunReport = { exitCode: look.exitCode, look, outputs };

    // 5. The status commit of the look (the count of looks, a court found held, a cut-off).
    if (gh.inActions) {
      const commit = await group(true, 'Commit the status', () =>
        commitStatus({
          repoDir,
          statusPath,
          branch: gh.branch,
          git,
          message: watchCommitMessage(look),
          ...(opts.sleep ? { sleep: opts.sleep } : {}),
        }),
      );
      report.statusCommit = commit;
      for (const line of commit.log) reporter.info(line);
      if (!commit.ok) reporter.warning(`The status of the look was not pushed: ${commit.error}`);
    }

    // 6. Discord: never per look; once when watching rows stops at their cut-off.
    const config = await loadConfig(resolve(repoDir, opts.configPath ?? 'bookings/config.yml')).catch(
      () => DEFAULT_CONFIG,
    );
    if (look.cutOff.length > 0) {
      report.discord = await group(gh.inActions, 'Notify Discord', () =>
        sendDiscord(
          inputs.discordWebhookUrl,
          buildWatchStoppedMessage(look.cutOff, {
            clock,
            cutoffMinutes: config.watch.cutoffMinutes,
            timeZone: config.timeZone,
            ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
          }),
          { reporter, ...(opts.sleep ? { sleep: opts.sleep } : {}) },
        ),
      );
    }

    // 7. The job summary.
    const status = await readStatus(join(repoDir, statusPath)).catch(() => undefined);
    report.summary = renderWatchSummary(look, status, {
      timeZone: config.timeZone,
      ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
      ...(opts.lookOnly ? { lookOnly: true } : {}),
    });
    await writeJobSummary(report.summary, env);
    return report;
  } finally {
    if (gh.inActions) {
      await group(true, 'Encrypt the session for the cache', async () => {
        reporter.info(`Session cache: ${(await saveSession(cache)).reason}`);
      });
    }
  }
}

/** The status commit's message for a look (no text from the venue's pages: dates and times only). Pure. */
export function watchCommitMessage(look: WatchResult): string {
  const parts = [
    ...look.held.map((h) => `${h.row.key} held`),
    ...look.looked.map((l) => `${l.row.key} ${l.free ? `found ${l.free.time}` : 'looked'} (look ${l.looks})`),
    ...look.cutOff.map((c) => `${c.row.key} stopped at its cut-off`),
  ];
  return `status: watch ${parts.join(', ') || look.kind}`;
}

const TITLE: Record<WatchResult['kind'], string> = {
  idle: '💤 Watch for cancellations: nothing to look at',
  refused: '⏸️ Watch for cancellations: not now (a release is near)',
  looked: '👀 Watch for cancellations: nothing came free',
  found: '🎾 Watch for cancellations: a court came free',
  failed: '❌ Watch for cancellations: the look failed',
};

/** The look job's summary: what happened, and each watched row's looks, last look and next step. Pure. */
export function renderWatchSummary(
  look: WatchResult,
  status: StatusFile | undefined,
  ctx: { timeZone: string; runUrl?: string; lookOnly?: boolean },
): string {
  const when = (iso: string | undefined) =>
    iso ? DateTime.fromISO(iso, { setZone: true }).setZone(ctx.timeZone).toFormat('ccc d LLL HH:mm') : '';
  const next = (d: WatchDecision<BookingRow>) =>
    d.kind === 'resting'
      ? `next look ${d.nextLookAt!.setZone(ctx.timeZone).toFormat('ccc d LLL HH:mm')}`
      : d.kind === 'due'
        ? 'due now'
        : d.reason;
  const lines = [`## ${TITLE[look.kind]}`, '', markdownText(look.message), ''];
  if (look.kind === 'found' && ctx.lookOnly)
    lines.push(
      `The **book** job books ${markdownText(look.foundDate ?? '')} next, in the booking's queue.`,
      '',
    );
  if (look.watching.length > 0) {
    lines.push('| Row | Times watched | Looks | Last look | Last seen | Watched until | Next |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const d of look.watching) {
      const w = status?.bookings[d.row.key]?.watch;
      lines.push(
        `| ${[
          markdownCell(d.row.key),
          markdownCell(d.times.join(', ') || '—'),
          markdownCell(w?.looks ?? 0),
          markdownCell(when(w?.lastLookAt)),
          markdownCell(w?.lastSeen),
          markdownCell(d.cutOffAt.setZone(ctx.timeZone).toFormat('ccc d LLL HH:mm')),
          markdownCell(next(d)),
        ].join(' | ')} |`,
      );
    }
    lines.push('');
  }
  if (ctx.runUrl) lines.push(`- [This run](${ctx.runUrl})`, '');
  return lines.join('\n');
}
