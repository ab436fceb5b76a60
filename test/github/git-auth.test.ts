import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitIn, type Git } from '../../src/github/git.ts';
import { gitSubcommand, withToken } from '../../src/github/git-auth.ts';
import { git, repoWithRemote } from './git-helpers.ts';

/**
 * The workflow token reaches git only for the remote commands, as the header actions/checkout
 * sets (AUTHORIZATION: basic base64("x-access-token:<token>") for the server's origin), and is
 * never written to .git/config. Real git against a real HTTP server on 127.0.0.1.
 */
describe('withToken', () => {
  it('sends the token as checkout does, to the server, on fetch and push, and writes nothing to .git/config', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const repo = await repoWithRemote({ 'bookings/status.json': '{}\n' });
      const work = repo.clone('runner');
      git(work, 'remote', 'set-url', 'origin', `${url}/member/padel.git`);
      const config = await readFile(join(work, '.git', 'config'), 'utf8');
      const authed = withToken(gitIn(work), 'ghs_secret_token', url);
      const fetched = await authed(['fetch', 'origin', 'main']);
      const pushed = await authed(['-c', 'user.name=bot', 'push', 'origin', 'HEAD:refs/heads/main']);
      expect(fetched.code).not.toBe(0); // our server has no repository; the header is what we look at
      expect(pushed.code).not.toBe(0);
      const expected = `basic ${Buffer.from('x-access-token:ghs_secret_token').toString('base64')}`;
      expect(seen.length).toBeGreaterThanOrEqual(2);
      for (const headers of seen) expect(headers.authorization).toBe(expected);
      expect(await readFile(join(work, '.git', 'config'), 'utf8')).toBe(config);
      expect(config).not.toContain('extraheader');

      // Without the wrapper, git sends no token.
      seen.length = 0;
      await gitIn(work)(['fetch', 'origin', 'main']);
      expect(seen.every((h) => h.authorization === undefined)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('adds the header to remote commands only', async () => {
    const calls: { args: string[]; env?: Record<string, string> }[] = [];
    const recorder: Git = async (args, options = {}) => {
      calls.push({ args, ...(options.env ? { env: options.env } : {}) });
      return { code: 0, stdout: '', stderr: '' };
    };
    const authed = withToken(recorder, 'tok', 'https://github.com');
    for (const args of [
      ['add', '--', 'x'],
      ['commit', '-m', 'push'],
      ['-c', 'a=b', 'pull', '--rebase'],
      ['push', 'origin'],
      ['fetch'],
    ])
      await authed(args);
    const withHeader = calls.filter((c) => c.env?.GIT_CONFIG_KEY_0).map((c) => gitSubcommand(c.args));
    expect(withHeader).toEqual(['pull', 'push', 'fetch']);
    expect(calls.find((c) => c.args[0] === 'push')!.env).toMatchObject({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.https://github.com/.extraheader',
    });
    expect(withToken(recorder, undefined, 'https://github.com')).toBe(recorder);
  });
});
