import { execFile } from 'node:child_process';

/**
 * The only place that runs the `git` binary. Every call is non-interactive, and the arguments
 * are checked: nothing here may ever force-push.
 */
export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Git = (args: string[], options?: { env?: Record<string, string> }) => Promise<GitResult>;

export const BOT_IDENTITY = {
  name: 'github-actions[bot]',
  email: '41898282+github-actions[bot]@users.noreply.github.com',
};

export function gitIn(cwd: string): Git {
  return (args, options = {}) => {
    if (args.some((a) => a === '--force' || a === '-f' || a.startsWith('--force-') || /^\+/.test(a))) {
      if (args[0] === 'push') return Promise.reject(new Error('refusing to force-push'));
    }
    return new Promise((resolve) => {
      execFile(
        'git',
        args,
        {
          cwd,
          env: {
            ...process.env,
            GIT_TERMINAL_PROMPT: '0',
            GIT_EDITOR: 'true',
            LC_ALL: 'C',
            ...options.env,
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  };
}

export async function gitOk(git: Git, args: string[], env?: Record<string, string>): Promise<string> {
  const result = await git(args, env ? { env } : {});
  if (result.code !== 0) {
    throw new Error(
      `git ${args[0]} failed: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ')}`,
    );
  }
  return result.stdout;
}
