import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DateTime } from 'luxon';
import { fixedClock, systemClock, type Clock } from '../calendar/clock.ts';
import { didYouMean } from '../bookings/suggest.ts';
import { BookerError, describeError } from '../errors.ts';
import { printError } from '../github/workflow-commands.ts';

/** A command line the command does not understand: printed with the usage, exit code 2. */
export class UsageError extends BookerError {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with at most `maxPositionals` positionals; mistakes become UsageError. */
export function parseCommandLine<T extends Options>(
  argv: string[],
  options: T,
  usage: string,
  maxPositionals = 1,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const flag = /'([^']+)'/.exec((error as Error).message)?.[1];
    const known = Object.keys(options).map((name) => `--${name}`);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      throw new UsageError(
        `unknown option "${flag}"${didYouMean(flag, known)} (expected one of ${known.join(', ')})`,
        usage,
      );
    }
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error), usage);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[maxPositionals]}"`, usage);
  }
  return parsed;
}

/**
 * The clock for `--now` / BOOKER_NOW: an ISO 8601 instant; one without an offset is wall-clock time in
 * `timeZone` (so `--now 2026-11-30T23:40` is 23:40 London). No text: the real clock.
 */
export function clockFrom(text: string | undefined, timeZone: string, source = '--now'): Clock {
  if (text === undefined || text.trim() === '') return systemClock;
  const trimmed = text.trim();
  let instant = DateTime.fromISO(trimmed, { zone: timeZone });
  if (!instant.isValid) instant = DateTime.fromSQL(trimmed, { zone: timeZone });
  if (!instant.isValid) {
    throw new BookerError(
      `${source} "${text}" is not a date and time (expected ISO 8601, e.g. 2026-11-30T23:40 for London time or 2026-11-30T23:40:00Z)`,
    );
  }
  return fixedClock(instant.toMillis());
}

/** Plain-text table with columns padded to their widest cell. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // A loop, not Math.max(...cells): a spread of 150,000 rows overflows the stack.
  const widths = headers.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Runs a command's main function: its return value is the exit code; a BookerError prints its message and hint
 * (a UsageError also the usage, exit 2); anything else prints its message, exit 1.
 */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Errors quote the files (a YAML key, a status entry): neutralised like every line from data.
      printError(`Error: ${describeError(error)}`);
      if (error instanceof UsageError) printError(`\n${error.usage}`);
      else if (!(error instanceof BookerError) && error instanceof Error && error.stack)
        printError(error.stack);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
