import type { Git } from './git.ts';

/**
 * The workflow's token, handed to git only for the commands that talk to the remote (fetch, pull,
 * push). The checkout step keeps no credentials (persist-credentials: false), so nothing else in
 * the job (npm install scripts, the engine, Chromium) can push with it.
 *
 * The header is the one actions/checkout configures (src/git-auth-helper.ts:
 * `http.<server origin>/.extraheader` = `AUTHORIZATION: basic base64("x-access-token:<token>")`),
 * given through git's GIT_CONFIG_COUNT/KEY/VALUE environment (git 2.31+) for that one command: never
 * written to .git/config, never on a command line where `ps` would show it.
 */
const NETWORK = new Set(['fetch', 'pull', 'push', 'ls-remote']);

/** The git subcommand of an argument list, past any leading `-c name=value` options. */
export function gitSubcommand(args: readonly string[]): string | undefined {
  let i = 0;
  while (args[i] === '-c') i += 2;
  return args[i];
}

export function tokenHeaderConfig(token: string, serverUrl: string): Record<string, string> {
  const origin = new URL(serverUrl).origin;
  const basic = Buffer.from(`x-access-token:${token}`, 'utf8').toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}

/** A Git that adds the token header to remote commands only; without a token, git as it is. */
export function withToken(git: Git, token: string | undefined, serverUrl: string): Git {
  if (!token) return git;
  const auth = tokenHeaderConfig(token, serverUrl);
  return (args, options = {}) => {
    const sub = gitSubcommand(args);
    if (!sub || !NETWORK.has(sub)) return git(args, options);
    return git(args, { ...options, env: { ...options.env, ...auth } });
  };
}
