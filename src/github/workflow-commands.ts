/**
 * Text from data (CSV cells, YAML keys, the venue's pages) made safe to print where the GitHub Actions
 * runner reads a step's stdout and stderr for workflow commands. The rules are the runner's own
 * (actions/runner, src/Runner.Worker/Handlers/OutputManager.cs and src/Runner.Common/ActionCommand.cs):
 *
 * - output is read line by line with .NET's StreamReader.ReadLine, so `\n`, `\r` and `\r\n` each end a line;
 * - a line is a command (`::name props::data`) when, after TrimStart (.NET whitespace, which includes
 *   U+0085 and U+00A0), it starts with `::` (TryParseV2);
 * - failing that, a line holding `##[name props]data` ANYWHERE is a command too (TryParse, the old
 *   syntax): `Court ##[add-mask]x` in the middle of a line counts.
 *
 * So every line is neutralised: a `::` at its start (after any whitespace) gets a backslash before it,
 * and every `##[` becomes `##[\` (what the runner itself does to its own markers in user output); the
 * command names `\error`, `\add-mask`, … are never registered. Control characters other than tab are
 * shown as `\xNN`. Pure.
 */
export function neutraliseCommands(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) =>
      line
        .replace(CONTROLS, (c) => controlEscape(c))
        .replace(LEADING_COMMAND, '$1\\::')
        .replace(/##\[/g, '##[\\'),
    )
    .join('\n');
}

/** C0 and C1 controls but tab (line ends are split on before). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Leading whitespace as .NET's String.TrimStart sees it (char.IsWhiteSpace), then `::`. */
const LEADING_COMMAND = /^([\s\u0085\p{Zs}\p{Zl}\p{Zp}]*)::/u;

function controlEscape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  // U+0085 NEXT LINE is whitespace to the runner, not a line end: escape it like any control.
  return `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * JSON for stdout: valid JSON whose parsed values are unchanged, with no `##[` in its text (written
 * `##\u005b`); JSON.stringify already escapes line breaks and controls, and its lines start with
 * whitespace and a bracket or quote, never `::`.
 */
export function jsonForActions(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/##\[/g, '##\\u005b');
}

/** console.log for data: every line neutralised. */
export function printLine(text: string): void {
  console.log(neutraliseCommands(text));
}

/** console.error for data: every line neutralised. */
export function printError(text: string): void {
  console.error(neutraliseCommands(text));
}
