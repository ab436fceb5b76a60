import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { DateTime } from 'luxon';
import type { Clock } from '../calendar/clock.ts';
import { systemClock } from '../calendar/clock.ts';
import { decideDryRun, decideWaiting, laneProblem, readYesNo, type DryRunDecision } from '../dry-run.ts';
import { previousCronTime } from './schedule-health.ts';

/**
 * Every workflow input and environment variable the Actions glue reads, read and validated in
 * ONE place. Nothing else in src/github or src/notify touches process.env.
 */

/** Environment variables that hold secrets: masked before anything is logged. */
export const SECRET_ENV = [
  'ESTELLE_PASSWORD',
  'ESTELLE_USERNAME',
  'DISCORD_WEBHOOK_URL',
  'SESSION_CACHE_KEY',
  'GITHUB_TOKEN',
] as const;

export type Trigger =
  'schedule' | 'workflow_dispatch' | 'repository_dispatch' | 'push' | 'local' | (string & {});

export interface RunContext {
  inActions: boolean;
  trigger: Trigger;
  runId?: string;
  runAttempt?: string;
  /** https://github.com/<owner>/<repo>/actions/runs/<id> */
  runUrl?: string;
  repository?: string;
  serverUrl: string;
  apiUrl: string;
  /** Branch the status is committed to (GITHUB_REF_NAME, default main). */
  branch: string;
  sha?: string;
  workspace?: string;
  /** The cron line that triggered the run (`github.event.schedule`, passed as SCHEDULED_CRON). */
  scheduledCron?: string;
  scheduleTimeZone: string;
  /** The instant the cron line fired (ISO, Europe/London), derived from SCHEDULED_CRON. */
  scheduledFor?: string;
  /** When an external trigger (or the relay) says it dispatched the run (ISO): DISPATCHED_AT, the dispatched_at input or client_payload.dispatched_at. */
  dispatchedAt?: string;
  /** When the job started (JOB_STARTED_AT, written by book.yml's first step), ISO; GitHub's timeout counts from it. */
  jobStartedAt?: string;
  /** This workflow's file name, from GITHUB_WORKFLOW_REF (default book.yml): the relay dispatches it again. */
  workflowFile: string;
  /** The branch or tag this run was started from (GITHUB_REF_NAME, default the status branch): the relay's `ref`. */
  dispatchRef: string;
  /** When this process started (ISO, Europe/London), from the injected clock. */
  startedAt: string;
  stepSummaryPath?: string;
  outputPath?: string;
}

export interface GlueInputs {
  dryRun: boolean;
  /** How the dry run was decided (sources that asked for it). */
  dryRunDecision: DryRunDecision;
  /** Why the run waits for the release or acts now. */
  waitReason: string;
  /** The concurrency lane the workflow put this run in (BOOKING_LANE), when on Actions. */
  lane?: string;
  /** Book this court date (YYYY-MM-DD) instead of what the calendar says is due. */
  bookDate?: string;
  /** Do not wait for the release: fire now (tests, manual retries). */
  noWait: boolean;
  /** Send a Discord test message and stop. */
  notifyTest: boolean;
  username?: string;
  password?: string;
  discordWebhookUrl?: string;
  /** The secret the session cache key is derived from (SESSION_CACHE_KEY, else ESTELLE_PASSWORD). */
  sessionCacheSecret?: string;
  sessionCacheSecretSource?: 'SESSION_CACHE_KEY' | 'ESTELLE_PASSWORD';
  /** The workflow token (GITHUB_TOKEN), for the status fetch and push only. */
  githubToken?: string;
  /** The key the cache restore step matched (SESSION_CACHE_MATCHED_KEY), for the log. */
  sessionCacheMatchedKey?: string;
  /** Days artifacts are kept (ARTIFACT_RETENTION_DAYS, default 7); informational for the summary. */
  artifactRetentionDays: number;
  github: RunContext;
}

export interface InputProblem {
  name: string;
  message: string;
}

/** What the command line adds (`npm run book -- --dry-run --wait --no-wait --date D`). */
export interface CommandLineFlags {
  dryRun?: boolean;
  wait?: boolean;
  noWait?: boolean;
  date?: string;
}

/** Masks every secret (and the webhook token on its own) so no later log line can show it. */
export function maskSecrets(
  env: NodeJS.ProcessEnv = process.env,
  setSecret: (value: string) => void = core.setSecret,
): number {
  let masked = 0;
  for (const name of SECRET_ENV) {
    const value = env[name]?.trim();
    if (!value) continue;
    setSecret(value);
    masked++;
    if (name === 'DISCORD_WEBHOOK_URL') {
      const token = value.split('?')[0]?.split('/').filter(Boolean).at(-1);
      if (token && token.length >= 8) setSecret(token);
    }
  }
  return masked;
}

function parseBoolean(name: string, raw: unknown, fallback: boolean, problems: InputProblem[]): boolean {
  const read = readYesNo(name, raw);
  if (read.problem) problems.push({ name, message: read.problem });
  return read.value ?? fallback;
}

/**
 * A JSON object the workflow passes whole (DISPATCH_INPUTS = toJSON(inputs), CLIENT_PAYLOAD =
 * toJSON(github.event.client_payload)); `null`, blank or missing is {}.
 */
export function jsonObject(
  name: string,
  raw: string | undefined,
  problems: InputProblem[],
): Record<string, unknown> {
  const text = raw?.trim();
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    problems.push({ name, message: `${name} is not JSON (the workflow passes it with toJSON(...)).` });
    return {};
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ name, message: `${name} is ${text.slice(0, 40)}, not a JSON object.` });
    return {};
  }
  return value as Record<string, unknown>;
}

/** A text field of the payload or the inputs: a string, or absent. */
function textField(name: string, raw: unknown, problems: InputProblem[]): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') {
    problems.push({ name, message: `${name} is ${JSON.stringify(raw)}; send it as a string.` });
    return undefined;
  }
  return raw.trim() || undefined;
}

const clean = (value: string | undefined): string | undefined => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
};

/**
 * Reads the inputs. Masks secrets first (on Actions, or when `setSecret` is given), then validates; problems are
 * returned, not thrown, so the caller can report them all at once as annotations.
 */
export function readInputs(
  env: NodeJS.ProcessEnv = process.env,
  options: {
    clock?: Clock;
    mask?: boolean;
    setSecret?: (value: string) => void;
    flags?: CommandLineFlags;
  } = {},
): { inputs: GlueInputs; problems: InputProblem[]; warnings: string[] } {
  // ::add-mask:: only means something on Actions; elsewhere it would print the secret itself.
  const mask = options.mask ?? (env.GITHUB_ACTIONS === 'true' || options.setSecret !== undefined);
  if (mask) maskSecrets(env, options.setSecret);
  const clock = options.clock ?? systemClock;
  const problems: InputProblem[] = [];
  const zone = clean(env.SCHEDULE_TIMEZONE) ?? 'Europe/London';
  const started = DateTime.fromMillis(clock.now(), { zone });
  const inActions = env.GITHUB_ACTIONS === 'true';

  const flags = options.flags ?? {};
  const eventName = clean(env.GITHUB_EVENT_NAME);
  // The raw values the workflow passes: the dispatch inputs and the external trigger's payload.
  const dispatch = jsonObject('DISPATCH_INPUTS', env.DISPATCH_INPUTS, problems);
  const payload = jsonObject('CLIENT_PAYLOAD', env.CLIENT_PAYLOAD, problems);

  const dryRunDecision = decideDryRun({
    variable: env.DRY_RUN,
    input: dispatch.dry_run,
    payload: payload.dry_run,
    ...(flags.dryRun ? { flag: true } : {}),
  });
  for (const message of dryRunDecision.problems) problems.push({ name: 'DRY_RUN', message });
  const dryRun = dryRunDecision.dryRun;
  const yes = (name: string, raw: unknown) => parseBoolean(name, raw, false, problems);
  const noWaitAsked =
    yes('NO_WAIT', env.NO_WAIT) ||
    yes('the no_wait input', dispatch.no_wait) ||
    yes('client_payload.no_wait', payload.no_wait) ||
    !!flags.noWait;
  const waitAsked =
    yes('the wait input', dispatch.wait) || yes('client_payload.wait', payload.wait) || !!flags.wait;
  const waiting = decideWaiting({
    dryRun,
    ...(eventName ? { event: eventName } : {}),
    wait: waitAsked,
    noWait: noWaitAsked,
  });
  const noWait = waiting.noWait;
  const notifyTest =
    yes('NOTIFY_TEST', env.NOTIFY_TEST) || yes('the notify_test input', dispatch.notify_test);

  const bookDateRaw =
    clean(env.BOOK_DATE) ??
    textField('the date input', dispatch.date, problems) ??
    textField('client_payload.date', payload.date, problems) ??
    clean(flags.date);
  let bookDate: string | undefined;
  if (bookDateRaw) {
    const parsed = DateTime.fromFormat(bookDateRaw, 'yyyy-MM-dd', { zone });
    if (!parsed.isValid) {
      problems.push({
        name: 'BOOK_DATE',
        message: `The court date "${bookDateRaw}" is not a date; use YYYY-MM-DD, e.g. 2026-02-15.`,
      });
    } else bookDate = bookDateRaw;
  }

  const retentionRaw = clean(env.ARTIFACT_RETENTION_DAYS);
  let artifactRetentionDays = 7;
  if (retentionRaw) {
    const n = Number(retentionRaw);
    if (!Number.isInteger(n) || n < 1 || n > 90) {
      problems.push({
        name: 'ARTIFACT_RETENTION_DAYS',
        message: `ARTIFACT_RETENTION_DAYS "${retentionRaw}" must be a whole number of days from 1 to 90.`,
      });
    } else artifactRetentionDays = n;
  }

  // A diagnostic never stops a booking: a cron line that cannot be read is only a warning.
  const warnings: string[] = [];
  const scheduledCron = clean(env.SCHEDULED_CRON);
  let scheduledFor: string | undefined;
  if (scheduledCron) {
    try {
      scheduledFor = previousCronTime(scheduledCron, zone, started)?.toISO() ?? undefined;
    } catch (error) {
      warnings.push(
        `The schedule line "${scheduledCron}" could not be read (${(error as Error).message}), so this run's ` +
          `start delay is unknown. The booking went ahead; check the cron line in .github/workflows/book.yml.`,
      );
    }
  }
  let dispatchedAt =
    clean(env.DISPATCHED_AT) ??
    textField('the dispatched_at input', dispatch.dispatched_at, problems) ??
    textField('client_payload.dispatched_at', payload.dispatched_at, problems);
  if (dispatchedAt && !DateTime.fromISO(dispatchedAt).isValid) {
    warnings.push(
      `The dispatched_at "${dispatchedAt}" is not an ISO 8601 instant (e.g. 2026-02-14T23:40:00Z); the start delay is unknown.`,
    );
    dispatchedAt = undefined;
  }

  const jobStartedAt = readJobStart(clean(env.JOB_STARTED_AT), started, warnings);

  const serverUrl = clean(env.GITHUB_SERVER_URL) ?? 'https://github.com';
  const repository = clean(env.GITHUB_REPOSITORY);
  const runId = clean(env.GITHUB_RUN_ID);
  const branch = clean(env.STATUS_BRANCH) ?? clean(env.GITHUB_REF_NAME) ?? 'main';
  const github: RunContext = {
    inActions,
    trigger: eventName ?? (inActions ? 'unknown' : 'local'),
    serverUrl,
    apiUrl: clean(env.GITHUB_API_URL) ?? 'https://api.github.com',
    branch,
    workflowFile: workflowFileOf(clean(env.GITHUB_WORKFLOW_REF)),
    dispatchRef: clean(env.GITHUB_REF_NAME) ?? branch,
    scheduleTimeZone: zone,
    startedAt: started.toISO()!,
    ...(runId ? { runId } : {}),
    ...(clean(env.GITHUB_RUN_ATTEMPT) ? { runAttempt: clean(env.GITHUB_RUN_ATTEMPT) } : {}),
    ...(repository ? { repository } : {}),
    ...(repository && runId ? { runUrl: `${serverUrl}/${repository}/actions/runs/${runId}` } : {}),
    ...(clean(env.GITHUB_SHA) ? { sha: clean(env.GITHUB_SHA) } : {}),
    ...(clean(env.GITHUB_WORKSPACE) ? { workspace: clean(env.GITHUB_WORKSPACE) } : {}),
    ...(scheduledCron ? { scheduledCron } : {}),
    ...(scheduledFor ? { scheduledFor } : {}),
    ...(dispatchedAt ? { dispatchedAt } : {}),
    ...(jobStartedAt ? { jobStartedAt } : {}),
    ...(clean(env.GITHUB_STEP_SUMMARY) ? { stepSummaryPath: clean(env.GITHUB_STEP_SUMMARY) } : {}),
    ...(clean(env.GITHUB_OUTPUT) ? { outputPath: clean(env.GITHUB_OUTPUT) } : {}),
  };

  const password = clean(env.ESTELLE_PASSWORD);
  const cacheSecret = sessionCacheSecret(env);
  const lane = clean(env.BOOKING_LANE);
  const wrongLane = laneProblem(dryRun, lane, inActions);
  if (wrongLane) problems.push({ name: 'BOOKING_LANE', message: wrongLane });
  const inputs: GlueInputs = {
    dryRun,
    dryRunDecision,
    waitReason: waiting.reason,
    ...(lane ? { lane } : {}),
    noWait,
    notifyTest,
    artifactRetentionDays,
    github,
    ...(bookDate ? { bookDate } : {}),
    ...(clean(env.GITHUB_TOKEN) ? { githubToken: clean(env.GITHUB_TOKEN) } : {}),
    ...(clean(env.SESSION_CACHE_MATCHED_KEY)
      ? { sessionCacheMatchedKey: clean(env.SESSION_CACHE_MATCHED_KEY) }
      : {}),
    ...(clean(env.ESTELLE_USERNAME) ? { username: clean(env.ESTELLE_USERNAME) } : {}),
    ...(password ? { password } : {}),
    ...(clean(env.DISCORD_WEBHOOK_URL) ? { discordWebhookUrl: clean(env.DISCORD_WEBHOOK_URL) } : {}),
    ...(cacheSecret
      ? { sessionCacheSecret: cacheSecret.secret, sessionCacheSecretSource: cacheSecret.source }
      : {}),
  };
  return { inputs, problems, warnings };
}

/**
 * JOB_STARTED_AT, as book.yml's first step writes it (`date -u +%Y-%m-%dT%H:%M:%SZ`). A value that cannot be
 * the start of this job (not an instant, later than now, or longer ago than a job may run) is a warning and is
 * not used: the relay then assumes the job started a few minutes before the script.
 */
function readJobStart(raw: string | undefined, now: DateTime, warnings: string[]): string | undefined {
  if (!raw) return undefined;
  const at = DateTime.fromISO(raw, { setZone: true });
  const minutesAgo = at.isValid ? now.diff(at, 'minutes').minutes : Number.NaN;
  if (!(minutesAgo >= -1 && minutesAgo <= 360)) {
    warnings.push(
      `JOB_STARTED_AT "${raw.slice(0, 40)}" is not this job's start (an ISO 8601 instant within the last 6 hours); ` +
        `the relay assumes the job started a few minutes before this step. Check the first step of the Book job in .github/workflows/book.yml.`,
    );
    return undefined;
  }
  return at.toISO() ?? undefined;
}

/** The workflow file of GITHUB_WORKFLOW_REF (`owner/repo/.github/workflows/book.yml@refs/heads/main`). */
function workflowFileOf(ref: string | undefined): string {
  return /\/\.github\/workflows\/([A-Za-z0-9_.-]+\.ya?ml)@/.exec(ref ?? '')?.[1] ?? 'book.yml';
}

/** The secret the session cache is keyed and encrypted with: SESSION_CACHE_KEY, else the password. */
export function sessionCacheSecret(
  env: NodeJS.ProcessEnv,
): { secret: string; source: 'SESSION_CACHE_KEY' | 'ESTELLE_PASSWORD' } | undefined {
  const key = clean(env.SESSION_CACHE_KEY);
  if (key) return { secret: key, source: 'SESSION_CACHE_KEY' };
  const password = clean(env.ESTELLE_PASSWORD);
  return password ? { secret: password, source: 'ESTELLE_PASSWORD' } : undefined;
}

/**
 * The event payload GitHub wrote for this run (GITHUB_EVENT_PATH), for fields not passed as env.
 * Missing or unreadable → {}.
 */
export function readEventPayload(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const path = clean(env.GITHUB_EVENT_PATH);
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
