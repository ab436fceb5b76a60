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

/** Escapes text for one cell of a Markdown table; empty cells show a dash. */
export function markdownCell(text: string | number | undefined | null): string {
  if (text === undefined || text === null || text === '') return '—';
  return String(text).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
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
