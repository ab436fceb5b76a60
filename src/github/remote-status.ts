import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gitIn, type Git } from './git.ts';

/**
 * A run that waited in the concurrency queue checks out the commit of the moment it was
 * triggered, which can predate another run's status commit. Before deciding, read the latest
 * status file from the remote branch.
 */
export interface RemoteStatusOptions {
  repoDir: string;
  statusPath?: string;
  remote?: string;
  branch?: string;
  git?: Git;
}

export type RemoteStatus =
  | { source: 'remote'; text: string; commit: string }
  | { source: 'missing'; commit: string }
  | { source: 'unavailable'; warning: string };

export async function fetchRemoteStatus(opts: RemoteStatusOptions): Promise<RemoteStatus> {
  const git = opts.git ?? gitIn(opts.repoDir);
  const path = opts.statusPath ?? 'bookings/status.json';
  const remote = opts.remote ?? 'origin';
  const branch = opts.branch ?? 'main';
  const fetched = await git([
    'fetch',
    '--no-tags',
    '--quiet',
    remote,
    `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`,
  ]);
  if (fetched.code !== 0) {
    return {
      source: 'unavailable',
      warning: `Could not fetch ${remote}/${branch} to read the latest status (${fetched.stderr.trim().split('\n').at(-1) ?? ''}); using the checked-out one.`,
    };
  }
  const commit = (await git(['rev-parse', `${remote}/${branch}`])).stdout.trim();
  const shown = await git(['show', `${remote}/${branch}:${path}`]);
  if (shown.code !== 0) return { source: 'missing', commit };
  return { source: 'remote', text: shown.stdout, commit };
}

/**
 * Brings the local status file up to date with the remote one when they differ, so the
 * decision and the later status commit start from the latest state. Returns what happened.
 */
export async function syncStatusFromRemote(
  opts: RemoteStatusOptions,
): Promise<{ updated: boolean; remote: RemoteStatus }> {
  const remote = await fetchRemoteStatus(opts);
  if (remote.source !== 'remote') return { updated: false, remote };
  const file = join(opts.repoDir, opts.statusPath ?? 'bookings/status.json');
  const local = await readFile(file, 'utf8').catch(() => undefined);
  if (local === remote.text) return { updated: false, remote };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, remote.text, 'utf8');
  return { updated: true, remote };
}
