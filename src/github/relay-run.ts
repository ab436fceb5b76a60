import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../bookings/config.ts';
import type { BookingRow } from '../bookings/csv.ts';
import { loadBookingRows } from '../bookings/load.ts';
import type { Problem } from '../bookings/problem.ts';
import { readStatus, writeStatus } from '../bookings/status.ts';
import type { Clock } from '../calendar/clock.ts';
import { describeError } from '../errors.ts';
import { sendDiscord } from '../notify/discord.ts';
import type { TriggerRecord } from '../relay/trigger.ts';
import { repositoryVisibility, resolveRelay } from '../relay/visibility.ts';
import { sleepUntil as sleepUntilOn } from '../venue/wait.ts';
import { dispatchWorkflow } from './dispatch.ts';
import type { Git } from './git.ts';
import type { GlueInputs } from './inputs.ts';
import { endBookLink, runRelayStep, type RelayStepResult } from './relay-step.ts';
import { syncStatusFromRemote } from './remote-status.ts';
import type { Reporter } from './reporter.ts';
import { commitStatus } from './status-commit.ts';

/**
 * The relay step of a run on Actions (src/github/relay-step.ts), with the real adapters: the status as the
 * remote has it (fetch, then bookings/status.json), the status push (src/github/status-commit.ts), the
 * successor's workflow_dispatch with the job's GITHUB_TOKEN (src/github/dispatch.ts, this workflow file, this
 * run's branch), Discord, and a sleep on the run's clock. The configuration and the rows are loaded as the engine
 * loads them; when they cannot be read the relay stays out of the way and the engine reports the file.
 */

export interface RelayRunContext {
  inputs: GlueInputs;
  trigger: TriggerRecord;
  /** The event payload GitHub wrote (GITHUB_EVENT_PATH): the repository's visibility is read from it. */
  payload: unknown;
  clock: Clock;
  reporter: Reporter;
  repoDir: string;
  /** Relative to repoDir. */
  statusPath: string;
  bookingsPath: string;
  configPath: string;
  git: Git;
  /** When the run was meant to start (its cron line's instant, or the sender's dispatch time). */
  plannedStart?: string;
  /** Waits between push and Discord retries. */
  sleep?: (ms: number) => Promise<void>;
  /** Sleeps until the run's clock reads an instant (default: src/venue/wait.ts sleepUntil on `clock`). */
  sleepUntil?: (ms: number) => Promise<void>;
}

export type RelayRun =
  /** The files could not be read: the engine runs and reports them. */
  | { ran: false }
  | {
      ran: true;
      result: RelayStepResult;
      config: Config;
      /** What is wrong in bookings.csv (the engine logs these when it runs; a run that ends here shows them). */
      problems: Problem[];
    }
  /** The step itself failed (not a dispatch failure, which is a result): the engine runs as without the relay. */
  | { ran: true; crashed: string };

export async function runRelay(ctx: RelayRunContext): Promise<RelayRun> {
  const { inputs, reporter } = ctx;
  const gh = inputs.github;
  let config: Config;
  let rows: BookingRow[];
  let problems: Problem[];
  try {
    config = await loadConfig(resolve(ctx.repoDir, ctx.configPath));
    const loaded = await loadBookingRows(resolve(ctx.repoDir, ctx.bookingsPath), config, ctx.clock);
    problems = loaded.problems;
    rows = loaded.rows.filter((row) => row.book && (!inputs.bookDate || row.date === inputs.bookDate));
  } catch {
    return { ran: false };
  }
  const file = join(ctx.repoDir, ctx.statusPath);
  let reads = 0;
  const sendOpts = { reporter, ...(ctx.sleep ? { sleep: ctx.sleep } : {}) };
  const jobStartedAt = gh.jobStartedAt ? Date.parse(gh.jobStartedAt) : undefined;
  try {
    const result = await runRelayStep({
      config,
      rows,
      trigger: ctx.trigger,
      relay: resolveRelay(config.relay, repositoryVisibility(ctx.payload)),
      run: {
        ...(gh.runId ? { runId: gh.runId } : {}),
        ...(gh.runUrl ? { runUrl: gh.runUrl } : {}),
        startedAt: gh.startedAt,
        ...(ctx.plannedStart ? { scheduledFor: ctx.plannedStart } : {}),
        ...(jobStartedAt !== undefined ? { jobStartedAt } : {}),
      },
      dryRun: inputs.dryRun,
      noWait: inputs.noWait,
      ...(inputs.bookDate ? { date: inputs.bookDate } : {}),
      deps: {
        now: () => ctx.clock.now(),
        sleepUntil: ctx.sleepUntil ?? ((ms) => sleepUntilOn(ctx.clock, ms)),
        // The first read is the file the run has just brought up to date; later ones (after a wait) fetch again.
        readStatus: async () => {
          if (reads++ > 0) {
            const synced = await syncStatusFromRemote({
              repoDir: ctx.repoDir,
              statusPath: ctx.statusPath,
              branch: gh.branch,
              git: ctx.git,
            });
            if (synced.remote.source === 'unavailable') reporter.warning(synced.remote.warning);
          }
          return readStatus(file);
        },
        saveStatus: async (status, message, options) => {
          await writeStatus(file, status);
          if (options?.push === false) return true;
          const commit = await commitStatus({
            repoDir: ctx.repoDir,
            statusPath: ctx.statusPath,
            branch: gh.branch,
            git: ctx.git,
            message,
            ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
          });
          for (const line of commit.log) reporter.info(line);
          if (!commit.ok) {
            reporter.warning(
              `The relay's record was not pushed (${commit.error}); the chain goes on, and the next push carries it.`,
            );
          }
          return commit.ok;
        },
        dispatch: (successor) =>
          dispatchWorkflow({
            apiUrl: gh.apiUrl,
            repository: gh.repository ?? '',
            workflow: gh.workflowFile,
            ref: gh.dispatchRef,
            inputs: successor,
            token: inputs.githubToken ?? '',
            returnRunDetails: true,
          }),
        notify: (message) => sendDiscord(inputs.discordWebhookUrl, message, sendOpts),
        log: (line) => reporter.info(line),
      },
    });
    return { ran: true, result, config, problems };
  } catch (error) {
    return { ran: true, crashed: describeError(error) };
  }
}

/**
 * After the engine, before the status commit: the booking link's end and outcome in tonight's chain. A status
 * file that cannot be read now is the engine's to report; the link then stays open (the morning check says so).
 */
export async function endRelayLink(
  relay: RelayStepResult,
  ctx: { repoDir: string; statusPath: string; runId?: string; outcome: string; atMs: number },
): Promise<boolean> {
  if (relay.decision.action !== 'book' || !relay.decision.night) return false;
  const file = join(ctx.repoDir, ctx.statusPath);
  try {
    const status = await readStatus(file);
    const ended = endBookLink(
      status,
      relay.decision,
      ctx.runId,
      ctx.outcome,
      new Date(ctx.atMs).toISOString(),
    );
    await writeStatus(file, ended);
    return true;
  } catch {
    return false;
  }
}
