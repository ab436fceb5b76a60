import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Member',
      GIT_AUTHOR_EMAIL: 'm@example.com',
      GIT_COMMITTER_NAME: 'Member',
      GIT_COMMITTER_EMAIL: 'm@example.com',
    },
  });
}

export async function writeIn(dir: string, path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

/** A bare "origin" with one commit on main, and a clone of it. */
export async function repoWithRemote(
  files: Record<string, string>,
): Promise<{ root: string; bare: string; clone: (name: string) => string }> {
  const root = await mkdtemp(join(tmpdir(), 'status-git-'));
  const bare = join(root, 'origin.git');
  git(root, 'init', '--bare', '--initial-branch=main', bare);
  const seed = join(root, 'seed');
  git(root, 'clone', '--quiet', bare, seed);
  git(seed, 'checkout', '--quiet', '-b', 'main');
  for (const [path, text] of Object.entries(files)) await writeIn(seed, path, text);
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'seed');
  git(seed, 'push', '--quiet', 'origin', 'main');
  return {
    root,
    bare,
    clone: (name: string) => {
      const dir = join(root, name);
      git(root, 'clone', '--quiet', '--branch', 'main', bare, dir);
      return dir;
    },
  };
}
