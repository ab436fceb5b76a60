import type { Config } from '../bookings/config.ts';
import type { BookingRow } from '../bookings/csv.ts';
import type { StatusFile } from '../bookings/status.ts';
import type { DiscordMessage } from '../notify/discord.ts';
import { buildBrokenChainMessage } from '../notify/relay-message.ts';
import {
  brokenLinks,
  chainFor,
  dispatchRecord,
  linkRecord,
  markReported,
  updateLink,
  withLink,
  type BrokenLink,
} from '../relay/chain.ts';
import {
  checkBeforeDispatch,
  decideRelay,
  nextDispatchAttempt,
  type RelayDecision,
} from '../relay/decide.ts';
import { successorInputs, type TriggerRecord } from '../relay/trigger.ts';
import type { DispatchResult } from './dispatch.ts';
import { renderRelaySummary, type RelayStepOutcome } from './relay-summary.ts';

/**
 * The relay's step of a run, taken before login and before the engine, with every outside thing injected
 * (the clock and its sleep, the status as the remote has it, the status push, the dispatch, Discord), so the
 * Actions entry wires it in with one call:
 *
 *   decide → morning check (report last night's broken links once) → record this link → and then
 *   - book: return; the caller runs the engine and then `endBookLink`. A booking run that is already inside the
 *     login lead (or past the release) does nothing that costs time before the engine: its record is written to
 *     the file without a push (the status commit after the engine carries it) and the morning check waits for
 *     the next run;
 *   - stop: return;
 *   - wait-then-hand-over: sleep until the hand-over, re-read the status, check the chain, dispatch the
 *     successor (retrying a transient failure every 2 minutes until the latest safe instant), record it.
 *
 * It never throws for a dispatch that fails: the outcome says so, with the member-readable reason.
 */

export interface RelayStepDeps {
  now(): number;
  sleepUntil(ms: number): Promise<void>;
  /** The latest status (the caller fetches it from the remote first). */
  readStatus(): Promise<StatusFile>;
  /**
   * Writes the status and, unless `push` is false, commits and pushes it; false when the push failed (the step
   * goes on).
   */
  saveStatus(status: StatusFile, message: string, options?: { push: boolean }): Promise<boolean>;
  /** Sends the successor's workflow_dispatch (src/github/dispatch.ts with the run's GITHUB_TOKEN). */
  dispatch(inputs: Record<string, string>): Promise<DispatchResult>;
  /** Sends a Discord message (src/notify/discord.ts); its result is not the step's concern. */
  notify(message: DiscordMessage): Promise<unknown>;
  log(line: string): void;
}

export interface RelayStepOptions {
  config: Config;
  rows: readonly BookingRow[];
  trigger: TriggerRecord;
  relay: { enabled: boolean; reason: string };
  run: { runId?: string; runUrl?: string; startedAt: string; scheduledFor?: string; jobStartedAt?: number };
  dryRun?: boolean;
  noWait?: boolean;
  /** The court date of a --date run, carried to the successor. */
  date?: string;
  deps: RelayStepDeps;
}

export interface RelayStepResult {
  outcome: RelayStepOutcome;
  decision: RelayDecision;
  /** The job summary's relay section. */
  summary: string;
  /** Last night's broken links, reported this run. */
  reported: BrokenLink[];
  /** Why the hand-over failed, for an error annotation. */
  error?: string;
  /** Why a run that planned to hand over ended without doing so (tonight booked meanwhile, a later link). */
  ended?: string;
  status: StatusFile;
}

const PERMANENT = new Set(['bad-request', 'unauthorized', 'forbidden', 'not-found', 'invalid']);

/** How long before the login lead a booking run may still spend on a push and a Discord message. */
const URGENT_MARGIN_MS = 2 * 60_000;

export async function runRelayStep(opts: RelayStepOptions): Promise<RelayStepResult> {
  const { deps, config } = opts;
  let status = await deps.readStatus();
  let dirty: string | undefined;

  const decision = decideRelay({
    now: deps.now(),
    config,
    rows: opts.rows,
    status,
    trigger: opts.trigger,
    ...(opts.run.runId ? { runId: opts.run.runId } : {}),
    relay: opts.relay,
    ...(opts.run.jobStartedAt !== undefined ? { jobStartedAt: opts.run.jobStartedAt } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(opts.noWait ? { noWait: true } : {}),
  });
  deps.log(`Relay: ${decision.reason}`);
  // A booking run close to the release goes straight to the engine.
  const urgent =
    decision.action === 'book' &&
    (!decision.night ||
      deps.now() >=
        decision.night.releaseAt.toMillis() - config.loginLeadMinutes * 60_000 - URGENT_MARGIN_MS);

  // The morning check: last night's broken links, reported once.
  const reported = urgent ? [] : brokenLinks(status, deps.now(), config);
  if (reported.length > 0) {
    await deps.notify(
      buildBrokenChainMessage(reported, {
        now: deps.now(),
        timeZone: config.timeZone,
        ...(opts.run.runUrl ? { runUrl: opts.run.runUrl } : {}),
      }),
    );
    for (const b of reported) deps.log(`Relay: ${b.message}`);
    status = markReported(
      status,
      [...new Set(reported.map((b) => b.night))],
      new Date(deps.now()).toISOString(),
    );
    dirty = 'status: relay broken link reported';
  }

  const record = linkRecord(decision, opts.trigger, opts.run);
  if (record) {
    status = withLink(status, record.night, record.link);
    dirty = `status: relay link ${record.link.link} (${record.link.role}) for the night of ${record.night.night}`;
  }
  if (dirty) await deps.saveStatus(status, dirty, { push: !urgent });

  const finish = (
    outcome: RelayStepOutcome,
    why: { error?: string; ended?: string } = {},
  ): RelayStepResult => ({
    outcome,
    decision,
    reported,
    status,
    ...(why.error ? { error: why.error } : {}),
    ...(why.ended ? { ended: why.ended } : {}),
    summary: renderRelaySummary({
      decision,
      trigger: opts.trigger,
      relay: opts.relay,
      timeZone: config.timeZone,
      ...(decision.night ? { chain: chainFor(status, decision.night.night) } : {}),
    }),
  });
  if (decision.action === 'book') return finish('book');
  if (decision.action === 'stop') return finish('stopped');

  // Wait, check, hand over.
  const night = decision.night.night;
  const latest = decision.latestHandOverAt.toMillis();
  let attemptAt = decision.handOverAt.toMillis();
  for (;;) {
    await deps.sleepUntil(attemptAt);
    const fresh = await deps.readStatus();
    status = withLink(
      fresh,
      decision.night,
      chainFor(status, night)!.links.find((l) => l.link === decision.link)!,
    );
    const check = checkBeforeDispatch({
      status,
      rows: opts.rows,
      night,
      link: decision.link,
      ...(opts.run.runId ? { runId: opts.run.runId } : {}),
      config,
    });
    const at = new Date(deps.now()).toISOString();
    if (!check.ok) {
      deps.log(`Relay: ${check.reason}`);
      status = updateLink(status, night, opts.run.runId, decision.link, {
        endedAt: at,
        outcome: 'no hand-over',
      });
      await deps.saveStatus(status, `status: relay link ${decision.link} ended without a hand-over`);
      return finish('stopped', { ended: check.reason ?? 'no hand-over needed' });
    }
    const result = await deps.dispatch(
      successorInputs({
        night,
        link: decision.link + 1,
        ...(opts.run.runId ? { fromRunId: opts.run.runId } : {}),
        dispatchedAt: at,
        ...(opts.date ? { date: opts.date } : {}),
      }),
    );
    const retryAt =
      result.ok || PERMANENT.has(result.reason) ? undefined : nextDispatchAttempt(deps.now(), latest);
    if (!result.ok && retryAt !== undefined) {
      deps.log(
        `Relay: the hand-over failed (${result.message}); trying again at ${new Date(retryAt).toISOString()}.`,
      );
      attemptAt = retryAt;
      continue;
    }
    status = updateLink(status, night, opts.run.runId, decision.link, {
      dispatch: dispatchRecord(at, result),
      endedAt: new Date(deps.now()).toISOString(),
      outcome: result.ok ? 'handed over' : 'hand-over failed',
    });
    await deps.saveStatus(
      status,
      `status: relay link ${decision.link} ${result.ok ? 'handed over' : 'could not hand over'} for the night of ${night}`,
    );
    deps.log(`Relay: ${result.message}`);
    return result.ok ? finish('handed-over') : finish('dispatch-failed', { error: result.message });
  }
}

/** After the engine: the booking link's end and outcome in tonight's chain. */
export function endBookLink(
  status: StatusFile,
  decision: RelayDecision,
  runId: string | undefined,
  outcome: string,
  atIso: string,
): StatusFile {
  if (decision.action !== 'book' || !decision.night) return status;
  return updateLink(status, decision.night.night, runId, decision.link ?? 1, { endedAt: atIso, outcome });
}
