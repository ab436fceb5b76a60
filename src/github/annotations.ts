import { appendFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import * as core from '@actions/core';

/** A message attached to a file and line in the GitHub UI (pull request "Files changed", checks). */
export type Annotation = {
  file: string;
  /** 1-based; 0 or absent annotates the file as a whole. */
  line?: number;
  message: string;
  severity: 'error' | 'warning' | 'notice';
  title?: string;
};

export function inGitHubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** Emits each annotation as a workflow command (`::error file=...,line=...::message`) on stdout. */
export function annotate(annotations: readonly Annotation[]): void {
  for (const a of annotations) {
    const properties: core.AnnotationProperties = {
      file: repoPath(a.file),
      ...(a.title ? { title: a.title } : {}),
    };
    if (a.line && a.line > 0) properties.startLine = a.line;
    if (a.severity === 'error') core.error(a.message, properties);
    else if (a.severity === 'warning') core.warning(a.message, properties);
    else core.notice(a.message, properties);
  }
}

/** GitHub places annotations by repository-relative path: an absolute path inside the workspace is made relative. */
export function repoPath(file: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!isAbsolute(file)) return file;
  const inside = relative(env.GITHUB_WORKSPACE ?? process.cwd(), file);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : file;
}

/**
 * Text from data as literal Markdown text (GitHub-flavoured, with its math): every character that could
 * start a construct is backslash-escaped — `\\`, a backtick (code span), `[` `]` (links, images), `<` `>`
 * (HTML, autolinks, quotes), `&` (entities), `$` (math), `|` (table cells), `@`, the `:` of `://` and
 * the `.` of `www.` (GFM links bare addresses) — and `*`, `_`, `~` unless
 * both their neighbours are spaces (then they can neither open nor close emphasis, and a cron line
 * `7 23 * * *` stays readable). Line breaks become spaces. Pure.
 */
export function escapeMarkdown(text: string): string {
  const chars = [...text.replace(/\r\n?|\n/g, ' ')];
  return chars
    .map((c, i) => {
      if ('\\`[]<>&$|@'.includes(c)) return `\\${c}`;
      // GFM links bare addresses: break `scheme://` and `www.` (`@` above breaks e-mail addresses).
      if (c === ':' && chars[i + 1] === '/' && chars[i + 2] === '/') return '\\:';
      if (c === '.' && /(^|[^a-z0-9])www$/i.test(chars.slice(Math.max(0, i - 4), i).join(''))) return '\\.';
      if ('*_~'.includes(c)) {
        const spaced = (n: string | undefined) => n === undefined || /\s/.test(n);
        return spaced(chars[i - 1]) && spaced(chars[i + 1]) ? c : `\\${c}`;
      }
      return c;
    })
    .join('');
}

/**
 * A code span that shows `text` exactly, whatever it holds: fenced by one more backtick than its longest
 * run of backticks, padded when it starts or ends with one, line breaks as spaces; `inTable`: `|` escaped
 * (GFM splits table cells on it even inside code, and unescapes it there; elsewhere the backslash would
 * show). Pure.
 */
export function markdownCode(text: string, options: { inTable?: boolean } = {}): string {
  const line = text.replace(/\r\n?|\n/g, ' ');
  const body = options.inTable ? line.replace(/\|/g, '\\|') : line;
  const longest = (body.match(/`+/g) ?? []).reduce((n, run) => Math.max(n, run.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/**
 * Escapes text for one cell of a Markdown table (escapeMarkdown; line breaks as `<br>`); empty cells
 * show a dash. A value written as one code span (`` `EM-42` ``) stays a code span, safely fenced.
 */
export function markdownCell(text: string | number | undefined | null): string {
  if (text === undefined || text === null || text === '') return '—';
  const value = String(text);
  const code = /^`([^`]+)`$/.exec(value);
  if (code) return markdownCode(code[1]!, { inTable: true });
  return value
    .split(/\r\n?|\n/)
    .map(escapeMarkdown)
    .join('<br>');
}

/**
 * Rows a job summary table shows. GitHub refuses a step summary over 1 MiB ("upload aborted, supports
 * content up to a size of 1024k"), and nobody reads 150,000 rows.
 */
export const MAX_SUMMARY_ROWS = 500;

/** A GitHub-flavoured Markdown table of at most `maxRows` rows, and a line counting the rest. Pure. */
export function boundedMarkdownTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | undefined | null)[])[],
  maxRows = MAX_SUMMARY_ROWS,
): string {
  if (rows.length <= maxRows) return markdownTable(headers, rows);
  return `${markdownTable(headers, rows.slice(0, maxRows))}\n\n_… and ${(rows.length - maxRows).toLocaleString('en-GB')} more rows, not shown._`;
}

/** A GitHub-flavoured Markdown table. Pure. */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | undefined | null)[])[],
): string {
  const line = (cells: readonly (string | number | undefined | null)[]) =>
    `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(headers), `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * Appends Markdown to the job summary (the file named by GITHUB_STEP_SUMMARY). Returns false, writing
 * nothing, outside GitHub Actions.
 */
export async function writeJobSummary(
  markdown: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!inGitHubActions(env) || !path) return false;
  await appendFile(path, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
