import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { decideDryRun } from './dry-run.ts';
import { BookerError } from './errors.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything the bot reads from the environment; secrets never live in the repository. */
export type Environment = {
  /** ESTELLE_USERNAME: the member's login e-mail. */
  username?: string;
  /** ESTELLE_PASSWORD */
  password?: string;
  /** DISCORD_WEBHOOK_URL: where outcomes are posted; unset = no notifications. */
  discordWebhookUrl?: string;
  /** DRY_RUN: go through everything but the final "book" click. */
  dryRun: boolean;
  /** LOG_LEVEL: debug | info | warn | error (default info). */
  logLevel: LogLevel;
  /** ESTELLE_BASE_URL: the venue's address (default from the venue profile; the sandbox sets its own). */
  baseUrl?: string;
  /** BOOKER_NOW: an ISO 8601 instant that fixes the clock (plan, rehearsals). */
  now?: string;
};

/**
 * Reads and checks the environment. Empty values count as unset: GitHub Actions passes a secret that does not
 * exist as an empty string.
 */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  const get = (name: string) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  // The same decision the Actions glue makes (src/dry-run.ts), from the one source a local run has.
  const dryRun = decideDryRun({ variable: env.DRY_RUN });
  if (dryRun.problems.length > 0) {
    throw new BookerError(
      dryRun.problems.join(' '),
      'Set DRY_RUN=true to rehearse without booking, or leave it unset to book for real.',
    );
  }
  const logLevel = (get('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new BookerError(
      `LOG_LEVEL "${env.LOG_LEVEL}" is not a log level (expected one of ${LOG_LEVELS.join(', ')})`,
    );
  }
  const baseUrl = get('ESTELLE_BASE_URL');
  if (baseUrl !== undefined && !URL.canParse(baseUrl)) {
    throw new BookerError(
      `ESTELLE_BASE_URL "${baseUrl}" is not a URL (expected e.g. https://home.estellemanor.com)`,
    );
  }
  const discordWebhookUrl = get('DISCORD_WEBHOOK_URL');
  if (discordWebhookUrl !== undefined && !URL.canParse(discordWebhookUrl)) {
    throw new BookerError(
      'DISCORD_WEBHOOK_URL is not a URL (expected https://discord.com/api/webhooks/...)',
      'Copy the webhook URL again from the Discord channel settings (Integrations → Webhooks).',
    );
  }
  return {
    username: get('ESTELLE_USERNAME'),
    password: get('ESTELLE_PASSWORD'),
    discordWebhookUrl,
    dryRun: dryRun.dryRun,
    logLevel: logLevel as LogLevel,
    baseUrl,
    now: get('BOOKER_NOW'),
  };
}

/**
 * Loads a git-ignored `.env` file for local runs, the way `process.loadEnvFile` does (same parser), but never
 * overriding a variable that is already set (even to an empty string), on every Node version.
 * A missing file is fine: in GitHub Actions the values come from secrets.
 */
export function loadDotEnv(path = '.env', env: NodeJS.ProcessEnv = process.env): void {
  if (!existsSync(path)) return;
  const values = parseEnv(readFileSync(path, 'utf8'));
  for (const [name, value] of Object.entries(values)) {
    if (env[name] === undefined && value !== undefined) env[name] = value;
  }
}
