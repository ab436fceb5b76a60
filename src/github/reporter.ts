import * as core from '@actions/core';
import { inGitHubActions } from './annotations.ts';
import { neutraliseCommands } from './workflow-commands.ts';

/**
 * Where the glue reports what happened. On GitHub Actions these become annotations
 * (`::notice::`, `::warning::`, `::error::`); elsewhere plain console lines.
 * Injected everywhere so tests can capture what a member would see.
 */
export interface Reporter {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export const actionsReporter: Reporter = {
  // core.info prints the message as it is; notice/warning/error are commands whose data core escapes.
  info: (message) => core.info(neutraliseCommands(message)),
  notice: (message) => core.notice(message),
  warning: (message) => core.warning(message),
  error: (message) => core.error(message),
};

export const consoleReporter: Reporter = {
  info: (message) => console.log(neutraliseCommands(message)),
  notice: (message) => console.log(neutraliseCommands(`notice: ${message}`)),
  warning: (message) => console.warn(neutraliseCommands(`warning: ${message}`)),
  error: (message) => console.error(neutraliseCommands(`error: ${message}`)),
};

export function defaultReporter(env: NodeJS.ProcessEnv = process.env): Reporter {
  return inGitHubActions(env) ? actionsReporter : consoleReporter;
}

/** A reporter that only remembers (for tests and for building summaries). */
export function memoryReporter(): Reporter & { lines: { level: keyof Reporter; message: string }[] } {
  const lines: { level: keyof Reporter; message: string }[] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    notice: (message) => lines.push({ level: 'notice', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
    error: (message) => lines.push({ level: 'error', message }),
  };
}
