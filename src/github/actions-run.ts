import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
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
import { readEventPayload, readInputs, type CommandLineFlags, type GlueInputs } from './inputs.ts';
import { writeOutputs } from './outputs.ts';
import { defaultReporter, type Reporter } from './reporter.ts';
import { syncStatusFromRemote } from './remote-status.ts';
import { scheduleHealth, type StartRecord } from './schedule-health.ts';
import { formatProblem, loadBookings } from '../bookings/csv.ts';
import { loadConfig } from '../bookings/config.ts';
import { readStatus } from '../bookings/status.ts';
import { bookingWindows, checkRehearsal } from '../calendar/rehearsal.ts';
import { DRY_RUN_SOURCE_NAMES } from '../dry-run.ts';
import { gitIn } from './git.ts';
import { withToken } from './git-auth.ts';
import { discardInvalidSession, restoreSession, saveSession, SESSION_CACHE_FILE } from './session-cache.ts';
import {
  commitStatus,
  keepUnpushedStatus,
  statusCommitMessage,
  type StatusCommitResult,
} from './status-commit.ts';
import { renderSummary } from './summary.ts';
import { writeJobSummary } from './annotations.ts';
import { markdownText } from './markdown.ts';
import { recognizeTrigger } from '../relay/trigger.ts';
import { endRelayLink, runRelay, type RelayRun } from './relay-run.ts';
import type { RelayStepResult } from './relay-step.ts';
import { renderRelayRunSummary } from './relay-summary.ts';

/**
 * The nightly run as GitHub Actions runs it, around the engine: read inputs (secrets masked first)
 * → restore the encrypted session → read the latest status from origin → the relay (book now, or wait
 * and hand over to a successor, or stop) → run the booking → step outputs → status commit → Discord →
 * job summary → save the session → exit code.
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
  /** What the command line asked for (--dry-run, --wait, --no-wait, --date): decided with the rest. */
  flags?: CommandLineFlags;
  clock?: Clock;
  /** The repository working tree (default cwd). */
  repoDir?: string;
  statusPath?: string;
  /** Playwright storageState the engine uses (default .auth/estelle.json, from repoDir). */
  storageStatePath?: string;
  /** The encrypted session book.yml's cache steps restore and save (default SESSION_CACHE_FILE). */
  sessionCachePath?: string;
  /** bookings.csv and config.yml, for the rehearsal check (default bookings/…, from repoDir). */
  bookingsPath?: string;
  configPath?: string;
  /** Where screenshots, the step log and status-unpushed.json go (default out/booking). */
  outDir?: string;
  reporter?: Reporter;
  /** Waits between push and Discord retries (tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
  /** The relay's wait until its hand-over (default: sleeps until `clock` reads the instant). */
  sleepUntil?: (ms: number) => Promise<void>;
}

export interface ActionsRunReport<R extends EngineResult> {
  exitCode: number;
  inputs?: GlueInputs;
  result?: R;
  statusCommit?: StatusCommitResult;
  discord?: SendResult;
  summary?: string;
  /** The relay step's result, when it ran (on Actions). */
  relay?: RelayStepResult;
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

/** The screenshot a message shows: the confirmation when booked, the error page when it failed. */
export /** A fenced code block no text can close early (the fence is longer than any run of backticks in it). */
function fenced(text: string, lang: string): string {
  const fence = '`'.repeat(Math.max(3, ...(text.match(/`+/g) ?? []).map((run) => run.length + 1)));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function pickScreenshot(outcome: string, paths: string[]): string | undefined {
  const want = outcome === 'failed' ? /error|fail|refused/i : /confirm/i;
  return paths.find((p) => want.test(basename(p))) ?? paths.at(-1);
}

/**
 * The engine's message, for people who cannot see the runner's disk: a path under the run's folder
 * becomes the file's name in the run's artifact.
 */
export function forMembers(message: string, outDir: string, artifact: string | undefined): string {
  const where = artifact ? `the run's artifact ${artifact}` : "the run's artifact";
  const dir = outDir.replace(/\/+$/, '');
  return message
    .split(`${dir}/`)
    .map((part, i) => (i === 0 ? part : part.replace(/^([^\s)]+)/, `$1 in ${where}`)))
    .join('')
    .replaceAll(dir, where);
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

  // 1. Inputs, secrets masked before anything is logged; every dry-run source decided in one place.
  const { inputs, problems, warnings } = readInputs(env, {
    clock,
    ...(opts.flags ? { flags: opts.flags } : {}),
  });
  const gh = inputs.github;
  if (problems.length > 0) {
    // Before any login: an unreadable dry-run value or a wrong lane never becomes a real booking.
    for (const p of problems) reporter.error(p.message);
    return { exitCode: 1, inputs };
  }
  // The token is for git alone: nothing the engine starts (Chromium) inherits it.
  if (env === process.env) delete process.env.GITHUB_TOKEN;
  const git = withToken(gitIn(repoDir), inputs.githubToken, gh.serverUrl);
  for (const warning of warnings) reporter.warning(warning);
  if (inputs.dryRun) {
    reporter.info(
      `Dry run (asked by ${inputs.dryRunDecision.because.join(', ')}): nothing will be booked; ${inputs.waitReason}.`,
    );
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
    statePath: resolve(repoDir, opts.storageStatePath ?? '.auth/estelle.json'),
    encryptedPath: resolve(repoDir, opts.sessionCachePath ?? SESSION_CACHE_FILE),
    username: inputs.username,
    secret: inputs.sessionCacheSecret,
    inActions: gh.inActions,
    reporter,
    ...(inputs.sessionCacheMatchedKey ? { matchedKey: inputs.sessionCacheMatchedKey } : {}),
  };

  // 2. The saved session (the cache restore step put it beside the engine's file, encrypted),
  //    and the latest status another run may have pushed.
  if (gh.inActions) {
    await group(gh.inActions, 'Decrypt the saved session', async () => {
      const restored = await restoreSession(cache);
      reporter.info(`Session cache: ${restored.reason}`);
    });
  }
  await discardInvalidSession(cache.statePath, reporter);
  if (gh.inActions) {
    await group(gh.inActions, 'Read the latest status from origin', async () => {
      const synced = await syncStatusFromRemote({ repoDir, statusPath, branch: gh.branch, git });
      if (synced.remote.source === 'unavailable') reporter.warning(synced.remote.warning);
      else
        reporter.info(synced.updated ? `Status updated from origin/${gh.branch}.` : 'Status is up to date.');
    });
  }

  // 3. A rehearsal keeps out of a real booking's way: refused, before logging in, when it would
  //    overlap a release this repository books for real (none does when DRY_RUN is set on the repository).
  const everyRunRehearses =
    gh.inActions && inputs.dryRunDecision.because.includes(DRY_RUN_SOURCE_NAMES.variable);
  if (inputs.dryRun && !everyRunRehearses) {
    const refusal = await rehearsalRefusal({
      clock,
      waits: !inputs.noWait,
      bookings: resolve(repoDir, opts.bookingsPath ?? 'bookings/bookings.csv'),
      config: resolve(repoDir, opts.configPath ?? 'bookings/config.yml'),
      status: resolve(repoDir, statusPath),
    });
    if (refusal) {
      reporter.error(refusal);
      const summary = `## 🧪 Dry run refused\n\n${markdownText(refusal)}\n`;
      await writeJobSummary(summary, env);
      return { exitCode: 1, inputs, summary };
    }
  }

  const artifactName = gh.runId
    ? (date: string | undefined) => `booking-${date ?? 'none'}-${gh.runId}-${gh.runAttempt ?? '1'}`
    : undefined;
  // Who started this run (the schedule, a relay link, an external scheduler, a member), from the event itself.
  const payload = readEventPayload(env);
  const trigger = recognizeTrigger(env, payload);
  for (const problem of trigger.problems) reporter.notice(problem);
  // When the run was meant to start: its cron line's time, or when the sender says it dispatched it.
  const plannedStart = gh.scheduledFor ?? gh.dispatchedAt;
  try {
    // 4. The relay (on Actions): a run too early for tonight's release waits and hands over to a successor
    //    instead of booking; a run with nothing to do ends here; a run within reach goes on to the engine.
    let relay: RelayRun = { ran: false };
    if (gh.inActions) {
      relay = await group(gh.inActions, 'Relay: book now, or hand over to a later run', () =>
        runRelay({
          inputs,
          trigger,
          payload,
          clock,
          reporter,
          repoDir,
          statusPath,
          bookingsPath: opts.bookingsPath ?? 'bookings/bookings.csv',
          configPath: opts.configPath ?? 'bookings/config.yml',
          git,
          ...(plannedStart ? { plannedStart } : {}),
          ...(opts.sleep ? { sleep: opts.sleep } : {}),
          ...(opts.sleepUntil ? { sleepUntil: opts.sleepUntil } : {}),
        }),
      );
    }
    const relayed = relay.ran && 'result' in relay ? relay.result : undefined;
    const relayCrashed = relay.ran && 'crashed' in relay ? relay.crashed : undefined;
    if (relayCrashed) {
      reporter.error(
        `The relay step failed (${relayCrashed}); this run goes on as it would without the relay, so tonight's chain may be broken.`,
      );
    }
    if (relayed && relayed.decision.action === 'wait-then-hand-over') {
      // This run waited for its hand-over: it handed over, found it was not needed, or could not hand over.
      // The night is its successor's (or a later run's), and this job has no time left to wait for the
      // release: no engine, no login. A failed hand-over fails the run (it booked nothing, so no booked
      // night turns into a failed one).
      //
      // A run the relay stopped at once (nothing due, tonight booked, relay off and too early…) still goes
      // to the engine below: it decides from its own reading of the bookings, without a browser when nothing
      // is due, so a row the relay's reading missed is never lost.
      if (relayed.outcome === 'dispatch-failed')
        reporter.error(`The relay could not hand over: ${relayed.error}`);
      const relaySections = warnings.map((w) => ({
        title: 'Warning',
        markdown: `> [!WARNING]\n> ${markdownText(w)}`,
      }));
      // The engine would have shown what is wrong in the bookings file: a run that ends here shows it too.
      const problems = relay.ran && 'problems' in relay ? relay.problems : [];
      for (const problem of problems) reporter.warning(formatProblem(problem));
      if (problems.length > 0) {
        relaySections.push({
          title: `Problems in ${opts.bookingsPath ?? 'bookings/bookings.csv'}`,
          markdown: problems.map((p) => `- ${markdownText(formatProblem(p))}`).join('\n'),
        });
      }
      const summary = renderRelayRunSummary(relayed, relaySections);
      await writeJobSummary(summary, env);
      return {
        exitCode: relayed.outcome === 'dispatch-failed' ? 1 : 0,
        inputs,
        summary,
        relay: relayed,
      };
    }

    // 5. The engine. The attempt line records how the run was started and when it was meant to start.
    const result = await group(gh.inActions, 'Book', () =>
      opts.runBooking({
        ...(inputs.bookDate ? { date: inputs.bookDate } : {}),
        dryRun: inputs.dryRun,
        noWait: inputs.noWait,
        outDir,
        attempt: {
          trigger: trigger.kind,
          ...(gh.runId ? { runId: gh.runId } : {}),
          ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
          ...(plannedStart ? { scheduledFor: plannedStart } : {}),
        },
      }),
    );
    // A relay step that failed leaves a run that found nothing to do as a failure: the chain may be broken.
    const exitCode = relayCrashed && result.outcome === 'nothing-due' ? 1 : result.exitCode;
    const report: ActionsRunReport<R> = {
      exitCode,
      inputs,
      result,
      ...(relayed ? { relay: relayed } : {}),
    };
    const artifact = artifactName?.(result.row?.date);
    // What members read (annotations, Discord, the summary) names files in the artifact, not on the runner.
    const shown = { ...result, message: forMembers(result.message, result.outDir ?? outDir, artifact) };
    if (result.outcome === 'failed') reporter.error(shown.message);
    else if (result.outcome === 'unavailable' || result.outcome === 'unverified')
      reporter.warning(shown.message);
    writeOutputs(result, env);

    const statusText = await readFile(join(repoDir, statusPath), 'utf8').catch(() => undefined);
    const current: StartRecord = {
      startedAt: gh.startedAt,
      ...(plannedStart ? { scheduledFor: plannedStart } : {}),
    };
    const past = startsFromStatus(statusText).filter((s) => s.startedAt !== current.startedAt);
    const { warning: lateStart } = scheduleHealth(past, current);
    if (lateStart) reporter.warning(lateStart);

    // 6. The booking link's end and outcome in tonight's chain, before the status commit carries it.
    if (relayed) {
      await endRelayLink(relayed, {
        repoDir,
        statusPath,
        ...(gh.runId ? { runId: gh.runId } : {}),
        outcome: result.outcome,
        atMs: clock.now(),
      });
    }

    // 7. The status commit (only on Actions: a local run never pushes).
    const sections: { title: string; markdown: string }[] = warnings.map((w) => ({
      title: 'Warning',
      markdown: `> [!WARNING]\n> ${markdownText(w)}`,
    }));
    // A court is held but the status file could not say so: loud, with what to commit.
    if (result.unrecorded) {
      reporter.error(
        `The status file could not be written (${result.unrecorded.error}) and nothing was committed; the job summary holds what to commit as bookings/status.json.`,
      );
      if (result.unrecorded.statusText)
        sections.push({
          title: 'Status file not written',
          markdown: fenced(result.unrecorded.statusText.trimEnd(), 'json'),
        });
    }
    // Not when the status file could not be written: what is on disk is the state before the booking, and
    // a commit saying "booked" over it would tell the next run the opposite of the truth.
    if (gh.inActions && !result.unrecorded) {
      const commit = await group(gh.inActions, 'Commit the status', () =>
        commitStatus({
          repoDir,
          statusPath,
          branch: gh.branch,
          git,
          message: statusCommitMessage({
            state: result.outcome,
            ...(result.row ? { date: result.row.date, time: result.bookedTime ?? result.row.time1 } : {}),
            ...(result.court ? { court: result.court } : {}),
            ...(result.rows && result.rows.length > 1
              ? {
                  rows: result.rows.map((r) => ({
                    state: r.outcome,
                    time: r.bookedTime ?? r.row.time1,
                    ...(r.court ? { court: r.court } : {}),
                  })),
                }
              : {}),
          }),
          ...(opts.sleep ? { sleep: opts.sleep } : {}),
        }),
      );
      report.statusCommit = commit;
      for (const line of commit.log) reporter.info(line);
      if (!commit.ok) {
        reporter.error(`The status was NOT pushed: ${commit.error}. ${commit.hint}`);
        const kept = await keepUnpushedStatus(repoDir, outDir, statusPath).catch(() => undefined);
        sections.push({ title: 'Status not pushed', markdown: kept?.markdown ?? markdownText(commit.error) });
      }
    }

    // 8. Discord: a warning at worst, never the exit code. A run the relay stopped at once (six lines a day,
    //    hours late when GitHub is) is not worth a message for starting late: its summary says so.
    const lateStartMessage = relayed?.decision.action === 'stop' ? undefined : lateStart;
    if (shouldNotify(result, lateStartMessage ? { lateStart: lateStartMessage } : {})) {
      const shot = pickScreenshot(result.outcome, result.screenshots);
      const screenshotPng = shot ? await readFile(shot).catch(() => undefined) : undefined;
      report.discord = await group(gh.inActions, 'Notify Discord', () =>
        sendDiscord(
          inputs.discordWebhookUrl,
          buildOutcomeMessage(shown, {
            clock,
            ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
            ...(lateStart ? { lateStart } : {}),
            ...(screenshotPng ? { screenshotPng } : {}),
          }),
          sendOpts,
        ),
      );
      if (report.discord.warning)
        sections.push({ title: 'Discord', markdown: markdownText(report.discord.warning) });
    }

    // 9. The job summary, with the relay's section when it ran.
    const summary = renderSummary(shown, {
      trigger: gh.trigger,
      startedAt: gh.startedAt,
      dryRun: inputs.dryRun,
      artifactRetentionDays: inputs.artifactRetentionDays,
      ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
      ...(artifact ? { artifactName: artifact } : {}),
      ...(gh.scheduledCron ? { scheduledCron: gh.scheduledCron } : {}),
      ...(gh.scheduledFor ? { scheduledFor: gh.scheduledFor } : {}),
      ...(gh.dispatchedAt ? { dispatchedAt: gh.dispatchedAt } : {}),
      ...(lateStart ? { lateStart } : {}),
      sections,
    });
    const fullSummary = relayed ? `${summary}\n${relayed.summary}` : summary;
    await writeJobSummary(fullSummary, env);
    report.summary = fullSummary;
    return report;
  } finally {
    // 10. Keep the session for tomorrow: encrypted here, saved by the cache save step after this one.
    if (gh.inActions) {
      await group(gh.inActions, 'Encrypt the session for the cache', async () => {
        const saved = await saveSession(cache);
        reporter.info(`Session cache: ${saved.reason}`);
      });
    }
  }
}

/** Why a dry run may not go ahead now (src/calendar/rehearsal.ts), or undefined. */
async function rehearsalRefusal(paths: {
  clock: Clock;
  waits: boolean;
  bookings: string;
  config: string;
  status: string;
}): Promise<string | undefined> {
  let windows;
  let config;
  try {
    config = await loadConfig(paths.config);
    const { rows } = await loadBookings(paths.bookings, config, paths.clock);
    windows = bookingWindows(rows, await readStatus(paths.status), config);
  } catch {
    return undefined; // the engine reports a file it cannot read, before any login
  }
  const check = checkRehearsal({
    clock: paths.clock,
    waits: paths.waits,
    windows,
    leadMinutes: config.runWindow.leadMinutes,
    retryWindowSeconds: config.retry.windowSeconds,
    timeZone: config.timeZone,
  });
  return check.ok ? undefined : check.message;
}
