/**
 * How the GitHub Actions runner finds workflow commands in a step's output, transcribed from its source
 * (actions/runner at 258d6c857db3519913f7deb6004b60172f8043ae):
 *
 * - src/Runner.Sdk/ProcessInvoker.cs StartReadStream: stdout and stderr are read with
 *   StreamReader.ReadLine (a line ends at `\n`, `\r` or `\r\n`); both streams go to OutputManager.
 * - src/Runner.Worker/Handlers/OutputManager.cs OnDataReceived: a line holding `##[` or `::` is offered
 *   to ActionCommandManager.TryProcessCommand, which tries ActionCommand.TryParseV2, then TryParse.
 * - src/Runner.Common/ActionCommand.cs TryParseV2: `message.TrimStart()`, must start with `::`, needs a
 *   second `::`; the name is what precedes the first space; it must be registered (case-insensitive).
 * - TryParse: `message.IndexOf("##[")` anywhere in the line, then `]`; the name as above.
 * - Registered: `stop-commands` and the extensions' Command names in ActionCommandManager.cs.
 *
 * Used by tests to read what our commands print exactly as the runner would.
 */
export const REGISTERED_COMMANDS = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
];

export type RunnerCommand = { line: string; syntax: 'v2' | 'v1'; command: string; data: string };

/** .NET char.IsWhiteSpace: Zs, Zl, Zp, U+0009–U+000D, U+0085. */
const DOTNET_LEADING_WHITESPACE = /^[\p{Zs}\p{Zl}\p{Zp}\t\n\v\f\r\u0085]+/u;

export function runnerLines(output: string): string[] {
  return output.split(/\r\n|\r|\n/);
}

export function parseRunnerCommand(
  line: string,
  registered: readonly string[] = REGISTERED_COMMANDS,
): RunnerCommand | undefined {
  if (!line.includes('##[') && !line.includes('::')) return undefined;
  const known = new Set(registered.map((c) => c.toLowerCase()));
  // TryParseV2
  const trimmed = line.replace(DOTNET_LEADING_WHITESPACE, '');
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2);
    if (end >= 0) {
      const info = trimmed.slice(2, end);
      const space = info.indexOf(' ');
      const command = space < 0 ? info : info.slice(0, space);
      if (known.has(command.toLowerCase())) {
        return { line, syntax: 'v2', command, data: trimmed.slice(end + 2) };
      }
    }
  }
  // TryParse
  const prefix = line.indexOf('##[');
  if (prefix >= 0) {
    const rb = line.indexOf(']', prefix);
    if (rb >= 0) {
      const info = line.slice(prefix + 3, rb);
      const space = info.indexOf(' ');
      const command = space < 0 ? info : info.slice(0, space);
      if (known.has(command.toLowerCase())) return { line, syntax: 'v1', command, data: line.slice(rb + 1) };
    }
  }
  return undefined;
}

/** Every command the runner would execute in this output. */
export function runnerCommands(output: string): RunnerCommand[] {
  return runnerLines(output).flatMap((line) => parseRunnerCommand(line) ?? []);
}
