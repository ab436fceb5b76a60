import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { DateTime } from 'luxon';
import type { Clock } from '../calendar/clock.ts';
import { systemClock } from '../calendar/clock.ts';
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
  /** When an external trigger says it dispatched the run (DISPATCHED_AT, ISO). */
  dispatchedAt?: string;
  /** When this process started (ISO, Europe/London), from the injected clock. */
  startedAt: string;
  stepSummaryPath?: string;
  outputPath?: string;
}

export interface GlueInputs {
  dryRun: boolean;
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
  /** Days artifacts are kept (ARTIFACT_RETENTION_DAYS, default 7); informational for the summary. */
  artifactRetentionDays: number;
  github: RunContext;
}

export interface InputProblem {
  name: string;
  message: string;
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

function parseBoolean(
  name: string,
  raw: string | undefined,
  fallback: boolean,
  problems: InputProblem[],
): boolean {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  problems.push({ name, message: `${name} is "${raw}"; use true or false.` });
  return fallback;
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
  options: { clock?: Clock; mask?: boolean; setSecret?: (value: string) => void } = {},
): { inputs: GlueInputs; problems: InputProblem[] } {
  // ::add-mask:: only means something on Actions; elsewhere it would print the secret itself.
  const mask = options.mask ?? (env.GITHUB_ACTIONS === 'true' || options.setSecret !== undefined);
  if (mask) maskSecrets(env, options.setSecret);
  const clock = options.clock ?? systemClock;
  const problems: InputProblem[] = [];
  const zone = clean(env.SCHEDULE_TIMEZONE) ?? 'Europe/London';
  const started = DateTime.fromMillis(clock.now(), { zone });
  const inActions = env.GITHUB_ACTIONS === 'true';

  const dryRun = parseBoolean('DRY_RUN', env.DRY_RUN, false, problems);
  const noWait = parseBoolean('NO_WAIT', env.NO_WAIT, false, problems);
  const notifyTest = parseBoolean('NOTIFY_TEST', env.NOTIFY_TEST, false, problems);

  const bookDateRaw = clean(env.BOOK_DATE);
  let bookDate: string | undefined;
  if (bookDateRaw) {
    const parsed = DateTime.fromFormat(bookDateRaw, 'yyyy-MM-dd', { zone });
    if (!parsed.isValid) {
      problems.push({
        name: 'BOOK_DATE',
        message: `BOOK_DATE "${bookDateRaw}" is not a date; use YYYY-MM-DD, e.g. 2026-02-15.`,
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

  const scheduledCron = clean(env.SCHEDULED_CRON);
  let scheduledFor: string | undefined;
  if (scheduledCron) {
    try {
      scheduledFor = previousCronTime(scheduledCron, zone, started)?.toISO() ?? undefined;
    } catch (error) {
      problems.push({ name: 'SCHEDULED_CRON', message: `SCHEDULED_CRON: ${(error as Error).message}` });
    }
  }
  let dispatchedAt = clean(env.DISPATCHED_AT);
  if (dispatchedAt && !DateTime.fromISO(dispatchedAt).isValid) {
    problems.push({
      name: 'DISPATCHED_AT',
      message: `DISPATCHED_AT "${dispatchedAt}" is not an ISO 8601 instant.`,
    });
    dispatchedAt = undefined;
  }

  const serverUrl = clean(env.GITHUB_SERVER_URL) ?? 'https://github.com';
  const repository = clean(env.GITHUB_REPOSITORY);
  const runId = clean(env.GITHUB_RUN_ID);
  const eventName = clean(env.GITHUB_EVENT_NAME);
  const github: RunContext = {
    inActions,
    trigger: eventName ?? (inActions ? 'unknown' : 'local'),
    serverUrl,
    apiUrl: clean(env.GITHUB_API_URL) ?? 'https://api.github.com',
    branch: clean(env.STATUS_BRANCH) ?? clean(env.GITHUB_REF_NAME) ?? 'main',
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
    ...(clean(env.GITHUB_STEP_SUMMARY) ? { stepSummaryPath: clean(env.GITHUB_STEP_SUMMARY) } : {}),
    ...(clean(env.GITHUB_OUTPUT) ? { outputPath: clean(env.GITHUB_OUTPUT) } : {}),
  };

  const password = clean(env.ESTELLE_PASSWORD);
  const cacheKey = clean(env.SESSION_CACHE_KEY);
  const inputs: GlueInputs = {
    dryRun,
    noWait,
    notifyTest,
    artifactRetentionDays,
    github,
    ...(bookDate ? { bookDate } : {}),
    ...(clean(env.ESTELLE_USERNAME) ? { username: clean(env.ESTELLE_USERNAME) } : {}),
    ...(password ? { password } : {}),
    ...(clean(env.DISCORD_WEBHOOK_URL) ? { discordWebhookUrl: clean(env.DISCORD_WEBHOOK_URL) } : {}),
    ...(cacheKey
      ? { sessionCacheSecret: cacheKey, sessionCacheSecretSource: 'SESSION_CACHE_KEY' as const }
      : password
        ? { sessionCacheSecret: password, sessionCacheSecretSource: 'ESTELLE_PASSWORD' as const }
        : {}),
  };
  return { inputs, problems };
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
