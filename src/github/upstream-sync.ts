import { fileURLToPath } from 'node:url';
import * as core from '@actions/core';
import { fetch } from 'undici';
import { BOT_IDENTITY, gitIn, gitOk, type Git } from './git.ts';
import { withToken } from './git-auth.ts';

/**
 * Takes the upstream repository's fixes into a private copy, as a pull request the member reviews
 * and merges (`upstream-sync.yml`, `npm run upstream:sync`). A private copy cannot use GitHub's
 * "Sync fork" button, and a copy made with "Use this template" shares no history with upstream.
 *
 * 1. Fetch the upstream branch (a public repository: no credentials).
 * 2. Nothing new (upstream's commit is already in ours): say so and stop.
 * 3. On a new branch `upstream-sync/<commit>`, merge it. Histories that share nothing (a template
 *    copy) are joined once with --allow-unrelated-histories. A file both sides changed takes
 *    upstream's version and is listed in the pull request, except the member's own files
 *    (bookings/*), which always keep ours.
 * 4. Push the branch and open the pull request. The push needs a token with Contents, Pull
 *    requests and Workflows write: GitHub refuses workflow-file changes pushed with the job's
 *    GITHUB_TOKEN, and upstream fixes often touch .github/workflows/.
 */
export const MEMBER_FILES = ['bookings/'];

export interface UpstreamSyncOptions {
  repoDir: string;
  /** owner/name of the upstream repository. */
  upstream: string;
  branch?: string;
  /** owner/name of this repository (GITHUB_REPOSITORY). */
  repository: string;
  /** The branch the pull request goes into (default: main). */
  base?: string;
  token: string;
  serverUrl?: string;
  apiUrl?: string;
  git?: Git;
}

export type UpstreamSyncResult =
  | { kind: 'up-to-date'; message: string }
  | { kind: 'opened' | 'exists'; message: string; branch: string; url?: string; upstreamWon: string[] };

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export class UpstreamSyncError extends Error {}

export async function syncFromUpstream(opts: UpstreamSyncOptions): Promise<UpstreamSyncResult> {
  if (!REPO.test(opts.upstream))
    throw new UpstreamSyncError(`"${opts.upstream}" is not a repository (expected owner/name).`);
  const serverUrl = (opts.serverUrl ?? 'https://github.com').replace(/\/$/, '');
  const apiUrl = (opts.apiUrl ?? 'https://api.github.com').replace(/\/$/, '');
  const branch = opts.branch ?? 'main';
  const base = opts.base ?? 'main';
  const plain = opts.git ?? gitIn(opts.repoDir);
  const git = withToken(plain, opts.token, serverUrl);
  const identity = ['-c', `user.name=${BOT_IDENTITY.name}`, '-c', `user.email=${BOT_IDENTITY.email}`];

  await gitOk(plain, ['fetch', '--no-tags', '--quiet', `${serverUrl}/${opts.upstream}.git`, branch]);
  const theirs = (await gitOk(plain, ['rev-parse', 'FETCH_HEAD'])).trim();
  const known = await plain(['merge-base', '--is-ancestor', theirs, 'HEAD']);
  if (known.code === 0) {
    return {
      kind: 'up-to-date',
      message: `Up to date: ${opts.upstream}@${theirs.slice(0, 7)} is already in this repository.`,
    };
  }
  const related = (await plain(['merge-base', 'HEAD', theirs])).code === 0;
  const syncBranch = `upstream-sync/${theirs.slice(0, 12)}`;
  // Already proposed (the branch is on origin): never push over it.
  const proposed = await git(['ls-remote', '--heads', 'origin', `refs/heads/${syncBranch}`]);
  if (proposed.code === 0 && proposed.stdout.trim() !== '') {
    return {
      kind: 'exists',
      branch: syncBranch,
      upstreamWon: [],
      message: `${syncBranch} is already on origin: review and merge its pull request (or delete the branch to propose again).`,
    };
  }
  const start = (await gitOk(plain, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  await gitOk(plain, ['checkout', '--quiet', '-B', syncBranch]);
  try {
    return await mergeAndPropose(
      { ...opts, branch, base, serverUrl, apiUrl },
      plain,
      git,
      identity,
      theirs,
      related,
      syncBranch,
    );
  } finally {
    // Back where it started, so a second run compares against the same branch.
    await plain(['merge', '--abort']);
    await plain(['checkout', '--quiet', '--force', start]);
  }
}

async function mergeAndPropose(
  opts: UpstreamSyncOptions & { branch: string; base: string; serverUrl: string; apiUrl: string },
  plain: Git,
  git: Git,
  identity: string[],
  theirs: string,
  related: boolean,
  syncBranch: string,
): Promise<UpstreamSyncResult> {
  const { base, serverUrl, apiUrl } = opts;
  const merge = await plain([
    ...identity,
    'merge',
    '--no-ff',
    '--no-edit',
    ...(related ? [] : ['--allow-unrelated-histories']),
    '-m',
    `Take upstream fixes from ${opts.upstream}@${theirs.slice(0, 7)}`,
    theirs,
  ]);
  const upstreamWon: string[] = [];
  if (merge.code !== 0) {
    const conflicted = (await gitOk(plain, ['diff', '--name-only', '--diff-filter=U']))
      .split('\n')
      .filter(Boolean);
    if (conflicted.length === 0) throw new UpstreamSyncError(`git merge failed: ${merge.stderr.trim()}`);
    for (const file of conflicted) {
      const mine = MEMBER_FILES.some((prefix) => file.startsWith(prefix));
      const side = mine ? '--ours' : '--theirs';
      const picked = await plain(['checkout', side, '--', file]);
      // A file deleted on the side we keep: keep it deleted.
      if (picked.code === 0) await gitOk(plain, ['add', '--', file]);
      else await gitOk(plain, ['rm', '--quiet', '--', file]);
      if (!mine) upstreamWon.push(file);
    }
    await gitOk(plain, [...identity, '-c', 'core.editor=true', 'commit', '--no-edit', '--quiet']);
  }

  const pushed = await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${syncBranch}`]);
  if (pushed.code !== 0) {
    const why = pushed.stderr.trim().split('\n').slice(-2).join(' / ');
    throw new UpstreamSyncError(
      /workflow/i.test(why)
        ? `GitHub refused the push: the token may not change workflow files (${why}). Give UPSTREAM_SYNC_TOKEN "Workflows: Read and write".`
        : `git push failed: ${why}`,
    );
  }

  const body = [
    `Fixes from [${opts.upstream}](${serverUrl}/${opts.upstream}) up to \`${theirs.slice(0, 7)}\`, opened by the **Take upstream fixes** workflow.`,
    '',
    'Your own files (`bookings/`) are untouched. Review, let the checks run, then merge.',
    ...(related
      ? []
      : [
          '',
          'This copy shared no history with upstream (made from the template): this first merge joins them.',
        ]),
    ...(upstreamWon.length > 0
      ? [
          '',
          "These files had changes of yours that conflicted; upstream's version was taken. Re-apply your changes in this pull request if you still want them:",
          ...upstreamWon.map((f) => `- \`${f}\``),
        ]
      : []),
  ].join('\n');
  const response = await fetch(`${apiUrl}/repos/${opts.repository}/pulls`, {
    method: 'POST',
    headers: {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${opts.token}`,
      'content-type': 'application/json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'estelle-court-booker-upstream-sync',
    },
    body: JSON.stringify({
      title: `Take upstream fixes (${opts.upstream}@${theirs.slice(0, 7)})`,
      head: syncBranch,
      base,
      body,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const answer = (await response.json().catch(() => ({}))) as {
    html_url?: string;
    message?: string;
    errors?: { message?: string }[];
  };
  if (response.status === 201) {
    return {
      kind: 'opened',
      branch: syncBranch,
      upstreamWon,
      ...(answer.html_url ? { url: answer.html_url } : {}),
      message: `Opened ${answer.html_url ?? 'the pull request'}.`,
    };
  }
  const details = [answer.message, ...(answer.errors ?? []).map((e) => e.message)].filter(Boolean).join(': ');
  if (response.status === 422 && /already exists/i.test(details)) {
    return {
      kind: 'exists',
      branch: syncBranch,
      upstreamWon,
      message: `A pull request from ${syncBranch} is already open: review and merge it.`,
    };
  }
  throw new UpstreamSyncError(
    `GitHub did not open the pull request (HTTP ${response.status}${details ? `: ${details}` : ''}).`,
  );
}

async function main(): Promise<void> {
  const env = process.env;
  const upstream = env.UPSTREAM_REPOSITORY?.trim();
  const token = env.UPSTREAM_SYNC_TOKEN?.trim();
  const repository = env.GITHUB_REPOSITORY?.trim();
  const missing = [
    !upstream && 'UPSTREAM_REPOSITORY (the upstream owner/name: the input, or a repository variable)',
    !token &&
      'the UPSTREAM_SYNC_TOKEN secret (a fine-grained token for this repository: Contents, Pull requests and Workflows read and write)',
    !repository && 'GITHUB_REPOSITORY',
  ].filter(Boolean);
  if (missing.length > 0) {
    console.error(
      `upstream:sync needs ${missing.join('; ')}. See docs/your-copy.md, "Taking upstream fixes".`,
    );
    process.exitCode = 1;
    return;
  }
  try {
    const result = await syncFromUpstream({
      repoDir: process.cwd(),
      upstream: upstream!,
      repository: repository!,
      token: token!,
      ...(env.UPSTREAM_BRANCH?.trim() ? { branch: env.UPSTREAM_BRANCH.trim() } : {}),
      ...(env.GITHUB_REF_NAME?.trim() ? { base: env.GITHUB_REF_NAME.trim() } : {}),
      ...(env.GITHUB_SERVER_URL ? { serverUrl: env.GITHUB_SERVER_URL } : {}),
      ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
    });
    console.log(result.message);
  } catch (error) {
    core.error((error as Error).message);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
