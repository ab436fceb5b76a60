import { setTimeout as delay } from 'node:timers/promises';
import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RelayStateSchema, type RelayState } from '../bookings/relay-state.ts';
import { mergeRelayState } from '../relay/chain.ts';
import { BOT_IDENTITY, gitIn, gitOk, type Git } from './git.ts';

/**
 * Commits the status file — and only the status file — and pushes it. When main moved meanwhile
 * (a member merged a CSV change, or another run committed), it rebases and retries a few times with
 * back-off. It never force-pushes. A final failure is returned, not thrown: the caller turns it
 * into a loud error annotation and keeps the status in the summary and the artifact.
 */

export interface StatusCommitOptions {
  /** The repository's working tree. */
  repoDir: string;
  /** The status file, relative to repoDir (default bookings/status.json). */
  statusPath?: string;
  message: string;
  /** The branch to push to (default main). */
  branch?: string;
  remote?: string;
  /** Push attempts in all (default 4). */
  maxAttempts?: number;
  /** Waits between attempts (default 2 s, 5 s, 10 s). */
  backoffMs?: number[];
  sleep?: (ms: number) => Promise<void>;
  /**
   * Resolves a rebase conflict in the status file: given the upstream text and ours, returns the
   * merged text. Default: mergeStatusJson.
   */
  merge?: (upstream: string, ours: string) => string;
  git?: Git;
}

export type StatusCommitResult =
  | { ok: true; committed: boolean; pushed: boolean; sha?: string; attempts: number; log: string[] }
  | {
      ok: false;
      committed: boolean;
      pushed: false;
      attempts: number;
      error: string;
      hint: string;
      log: string[];
    };

export interface StatusMessageParts {
  state: string;
  date?: string;
  time?: string;
  court?: string;
  dryRun?: boolean;
  /** A run of several rows: each row's state, time and court. */
  rows?: { state: string; time?: string; court?: string }[];
}

/** `status: booked 2026-02-15 19:00 Padel Court 2`; several rows: `status: 2026-02-15 booked 19:00 Court A, booked 20:00 Court B` */
export function statusCommitMessage(parts: StatusMessageParts): string {
  const words =
    parts.rows && parts.rows.length > 1
      ? [parts.date, parts.rows.map((r) => [r.state, r.time, r.court].filter(Boolean).join(' ')).join(', ')]
          .filter(Boolean)
          .join(' ')
      : [parts.state, parts.date, parts.time, parts.court].filter(Boolean).join(' ');
  return `status: ${words}${parts.dryRun ? ' (dry run)' : ''}`.replace(/\s+/g, ' ').trim();
}

type Json = Record<string, unknown>;
interface WatchLike extends Json {
  lastLookAt?: string;
}
interface EntryLike extends Json {
  state?: string;
  updatedAt?: string;
  watch?: WatchLike;
  attempts?: Json[];
}

/**
 * Merges two status files (contract shape `{version, bookings: {key: entry}, relay?}`): every booking of
 * both; for a key in both, the newer entry (updatedAt) wins, except that a booked entry is never
 * replaced by a non-booked one; attempts are the union of both, in start order. The relay's chains are
 * merged link by link (src/relay/chain.ts mergeRelayState), so two runs that recorded links of the same
 * night at once both keep theirs.
 */
export function mergeStatusJson(upstream: string, ours: string): string {
  const a = JSON.parse(upstream.replace(/^\uFEFF/, '')) as {
    version?: number;
    bookings?: Record<string, EntryLike>;
  };
  const b = JSON.parse(ours.replace(/^\uFEFF/, '')) as {
    version?: number;
    bookings?: Record<string, EntryLike>;
  };
  const bookings: Record<string, EntryLike> = { ...(a.bookings ?? {}) };
  for (const [key, mine] of Object.entries(b.bookings ?? {})) {
    const theirs = bookings[key];
    if (!theirs) {
      bookings[key] = mine;
      continue;
    }
    const mineNewer = (mine.updatedAt ?? '') >= (theirs.updatedAt ?? '');
    let winner = mineNewer ? mine : theirs;
    if (theirs.state === 'booked' && mine.state !== 'booked') winner = theirs;
    else if (mine.state === 'booked' && theirs.state !== 'booked') winner = mine;
    const seen = new Set<string>();
    const attempts = [...(theirs.attempts ?? []), ...(mine.attempts ?? [])]
      .filter((attempt) => {
        const id = `${String(attempt.runId ?? '')}|${String(attempt.startedAt ?? '')}|${String(attempt.outcome ?? '')}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      })
      .sort((x, y) => String(x.startedAt ?? '').localeCompare(String(y.startedAt ?? '')));
    // The watch's count of looks: the entry that looked last (a look leaves updatedAt alone).
    const watch = [theirs.watch, mine.watch]
      .filter((w): w is WatchLike => typeof w === 'object' && w !== null)
      .sort((x, y) => String(y.lastLookAt ?? '').localeCompare(String(x.lastLookAt ?? '')))[0];
    bookings[key] = { ...winner, ...(watch ? { watch } : {}), attempts };
  }
  const sorted = Object.fromEntries(Object.entries(bookings).sort(([x], [y]) => x.localeCompare(y)));
  const relay = mergeRelay((a as { relay?: unknown }).relay, (b as { relay?: unknown }).relay);
  return `${JSON.stringify({ ...a, ...b, version: b.version ?? a.version ?? 1, bookings: sorted, ...relay }, null, 2)}\n`;
}

/**
 * The merged `relay` field. A side whose record is not what the bot writes is left out of the merge rather than
 * guessed at (the other side's record stands); when neither can be read, ours is kept as it was.
 */
function mergeRelay(upstream: unknown, ours: unknown): { relay?: unknown } {
  const read = (value: unknown): RelayState | undefined => {
    const parsed = RelayStateSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  };
  const merged = mergeRelayState(read(upstream), read(ours));
  if (merged) return { relay: merged };
  return ours !== undefined ? { relay: ours } : upstream !== undefined ? { relay: upstream } : {};
}

const REJECTED =
  /\[rejected\]|non-fast-forward|fetch first|failed to push some refs|\(stale info\)|cannot lock ref/i;

export async function commitStatus(opts: StatusCommitOptions): Promise<StatusCommitResult> {
  const git = opts.git ?? gitIn(opts.repoDir);
  const path = opts.statusPath ?? 'bookings/status.json';
  const remote = opts.remote ?? 'origin';
  const branch = opts.branch ?? 'main';
  const maxAttempts = opts.maxAttempts ?? 4;
  const backoff = opts.backoffMs ?? [2000, 5000, 10_000];
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const merge = opts.merge ?? mergeStatusJson;
  const identity = ['-c', `user.name=${BOT_IDENTITY.name}`, '-c', `user.email=${BOT_IDENTITY.email}`];
  const log: string[] = [];
  const fail = (error: string, attempts: number, committed: boolean): StatusCommitResult => ({
    ok: false,
    committed,
    pushed: false,
    attempts,
    error,
    hint:
      `The status was not pushed, so the next run may not know about it. It is in this run's summary and ` +
      `artifact (status-unpushed.json); commit it by hand to ${path} if it matters.`,
    log,
  });

  try {
    await gitOk(git, ['add', '--', path]);
    const staged = await git(['diff', '--cached', '--quiet', '--', path]);
    if (staged.code === 0) {
      log.push('status file unchanged: nothing to commit');
      return { ok: true, committed: false, pushed: false, attempts: 0, log };
    }
    // A commit with a pathspec commits only that path, whatever else is staged.
    await gitOk(git, [...identity, 'commit', '--no-verify', '-m', opts.message, '--only', '--', path]);
    log.push(`committed: ${opts.message}`);
  } catch (error) {
    return fail((error as Error).message, 0, false);
  }

  let lastError = '';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const push = await git(['push', '--porcelain', remote, `HEAD:refs/heads/${branch}`]);
    if (push.code === 0) {
      const sha = (await git(['rev-parse', 'HEAD'])).stdout.trim();
      log.push(`pushed ${sha.slice(0, 7)} to ${remote}/${branch} (attempt ${attempt})`);
      return { ok: true, committed: true, pushed: true, sha, attempts: attempt, log };
    }
    lastError = (push.stderr || push.stdout).trim().split('\n').slice(-3).join(' / ');
    log.push(`push attempt ${attempt} failed: ${lastError}`);
    if (attempt === maxAttempts) break;
    await sleep(backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 2000);
    if (!REJECTED.test(push.stderr + push.stdout)) continue; // network or auth trouble: just retry
    try {
      await rebaseOnto(git, remote, branch, path, merge, identity, log);
    } catch (error) {
      lastError = (error as Error).message;
      log.push(`rebase failed: ${lastError}`);
    }
  }
  return fail(`git push failed after ${maxAttempts} attempts: ${lastError}`, maxAttempts, true);
}

async function rebaseOnto(
  git: Git,
  remote: string,
  branch: string,
  path: string,
  merge: (upstream: string, ours: string) => string,
  identity: string[],
  log: string[],
): Promise<void> {
  const pull = await git([...identity, 'pull', '--rebase', '--autostash', '--no-edit', remote, branch]);
  if (pull.code === 0) {
    log.push(`rebased onto ${remote}/${branch}`);
    return;
  }
  // A conflict. Only the status file may be resolved automatically.
  for (let step = 0; step < 20; step++) {
    const conflicted = (await git(['diff', '--name-only', '--diff-filter=U'])).stdout
      .split('\n')
      .filter(Boolean);
    if (conflicted.length === 0) break;
    if (conflicted.some((file) => file !== path)) {
      await git(['rebase', '--abort']);
      throw new Error(`rebase conflict outside the status file (${conflicted.join(', ')})`);
    }
    // During a rebase, stage 2 is the upstream side and stage 3 the commit being replayed.
    const upstream = (await git(['show', `:2:${path}`])).stdout;
    const ours = (await git(['show', `:3:${path}`])).stdout;
    let merged: string;
    try {
      merged = merge(upstream, ours);
    } catch (error) {
      await git(['rebase', '--abort']);
      throw new Error(`could not merge the status files: ${(error as Error).message}`, { cause: error });
    }
    const top = (await gitOk(git, ['rev-parse', '--show-toplevel'])).trim();
    await writeFile(join(top, path), merged, 'utf8');
    await gitOk(git, ['add', '--', path]);
    const cont = await git([...identity, '-c', 'core.editor=true', 'rebase', '--continue']);
    log.push('merged the status file with the upstream one');
    if (cont.code === 0) break;
  }
  if (await rebaseInProgress(git)) {
    await git(['rebase', '--abort']);
    throw new Error('the rebase did not finish');
  }
  log.push(`rebased onto ${remote}/${branch}`);
}

/**
 * Whether a rebase is stopped mid-way: its state folder (rebase-merge, or rebase-apply for the old
 * backend) exists, which is what git itself checks. Not REBASE_HEAD: git 2.39 leaves that ref behind
 * after a rebase that stopped on a conflict and was then continued to the end.
 */
async function rebaseInProgress(git: Git): Promise<boolean> {
  for (const dir of ['rebase-merge', 'rebase-apply']) {
    const path = (await git(['rev-parse', '--path-format=absolute', '--git-path', dir])).stdout.trim();
    if (path && existsSync(path)) return true;
  }
  return false;
}

/**
 * Keeps the status that could not be pushed as an artifact file (`<outDir>/status-unpushed.json`)
 * and returns its path and a Markdown section for the job summary.
 */
export async function keepUnpushedStatus(
  repoDir: string,
  outDir: string,
  statusPath = 'bookings/status.json',
): Promise<{ path: string; markdown: string }> {
  await mkdir(outDir, { recursive: true });
  const target = join(outDir, 'status-unpushed.json');
  await copyFile(join(repoDir, statusPath), target);
  const text = await readFile(target, 'utf8');
  const markdown = [
    `> [!CAUTION]`,
    `> The status could not be pushed. It is kept below and in the artifact as \`status-unpushed.json\`.`,
    '',
    '<details><summary>bookings/status.json</summary>',
    '',
    '```json',
    text.length > 60_000 ? `${text.slice(0, 60_000)}\n…` : text.trimEnd(),
    '```',
    '',
    '</details>',
  ].join('\n');
  return { path: target, markdown };
}
