import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDispatchRequest, dispatchWorkflow, type DispatchRequest } from '../../src/github/dispatch.ts';
import { successorInputs } from '../../src/relay/trigger.ts';
import { startGitHubStandIn } from './github-standin.ts';

const TOKEN = 'ghs_standin_token_0123456789';
const running: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

async function standIn(reply?: Parameters<typeof startGitHubStandIn>[0]) {
  const server = await startGitHubStandIn(reply);
  running.push(server.stop);
  return server;
}

function request(apiUrl: string, extra: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    apiUrl,
    repository: 'member/padel',
    workflow: 'book.yml',
    ref: 'main',
    inputs: successorInputs({
      night: '2026-11-26',
      link: 2,
      fromRunId: '16250421337',
      dispatchedAt: '2026-11-25T16:37:00.000Z',
    }),
    token: TOKEN,
    ...extra,
  };
}

describe('dispatchWorkflow against a local stand-in for the GitHub API', () => {
  it("sends GitHub's documented request: endpoint, headers, API version, {ref, inputs}; 204 is started", async () => {
    const gh = await standIn();
    const result = await dispatchWorkflow(request(gh.url));
    expect(result).toEqual({ ok: true, status: 204, message: 'Started book.yml in member/padel at main.' });
    expect(gh.seen).toHaveLength(1);
    const seen = gh.seen[0]!;
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/repos/member/padel/actions/workflows/book.yml/dispatches');
    expect(seen.headers.accept).toBe('application/vnd.github+json');
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen.headers['x-github-api-version']).toBe('2022-11-28');
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['user-agent']).toBeTruthy();
    expect(seen.body).toEqual({
      ref: 'main',
      inputs: {
        dry_run: 'false',
        trigger: 'relay',
        relay: '2026-11-26/2/16250421337',
        dispatched_at: '2026-11-25T16:37:00.000Z',
      },
    });
  });

  it('asks for the run details when told to, and returns the new run', async () => {
    const gh = await standIn();
    const result = await dispatchWorkflow(request(gh.url, { returnRunDetails: true }));
    expect((gh.seen[0]!.body as { return_run_details?: boolean }).return_run_details).toBe(true);
    expect(result).toMatchObject({
      ok: true,
      status: 200,
      runId: '16250421400',
      htmlUrl: 'https://github.com/member/padel/actions/runs/16250421400',
    });
  });

  it('403: names the permission to add, in book.yml and for a fine-grained token', async () => {
    const gh = await standIn(() => ({
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
      },
    }));
    const result = await dispatchWorkflow(request(gh.url));
    expect(result).toMatchObject({ ok: false, reason: 'forbidden', status: 403 });
    expect(result.message).toContain('("Resource not accessible by integration")');
    expect(result.message).toContain('`permissions: actions: write`');
    expect(result.message).toContain('"Actions: Read and write"');
  });

  it('a 403 for the rate limit says to wait, not to change permissions', async () => {
    const gh = await standIn(() => ({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'retry-after': '60' },
      body: { message: 'API rate limit exceeded' },
    }));
    const result = await dispatchWorkflow(request(gh.url));
    expect(result).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect(result.message).toMatch(/try again in 60 s/);
    expect(result.message).not.toMatch(/actions: write/);
  });

  it('404: an unknown workflow, or a repository the token cannot see', async () => {
    const gh = await standIn();
    const result = await dispatchWorkflow(request(gh.url, { workflow: 'booking.yml' }));
    expect(result).toMatchObject({ ok: false, reason: 'not-found', status: 404 });
    expect(result.message).toMatch(/no workflow booking\.yml in member\/padel .*"Repository access"/);
  });

  it("422: GitHub's reason, with what usually causes it", async () => {
    const gh = await standIn();
    const result = await dispatchWorkflow(request(gh.url, { ref: 'mian' }));
    expect(result).toMatchObject({ ok: false, reason: 'invalid', status: 422 });
    expect(result.message).toMatch(/\("No ref found for: mian"\)\. The branch may not exist/);
    const unexpected = await standIn(() => ({
      status: 422,
      body: { message: 'Unexpected inputs provided: ["relay"]' },
    }));
    const old = await dispatchWorkflow(request(unexpected.url));
    expect(old.message).toMatch(
      /Unexpected inputs provided.*an input is one it does not declare \(update book\.yml\)/,
    );
  });

  it('401 and 5xx are reported too', async () => {
    const gh = await standIn();
    expect(await dispatchWorkflow(request(gh.url, { token: 'x y' }))).toMatchObject({
      ok: false,
      reason: 'unauthorized',
    });
    const down = await standIn(() => ({ status: 502, body: { message: 'Server Error' } }));
    const result = await dispatchWorkflow(request(down.url));
    expect(result).toMatchObject({ ok: false, reason: 'server', status: 502 });
    expect(result.message).toMatch(/Try again in a minute/);
  });

  it('a network failure (connection dropped, or nothing listening) is a result, never an exception', async () => {
    const gh = await standIn(() => ({ status: 0, hangUp: true }));
    const dropped = await dispatchWorkflow(request(gh.url));
    expect(dropped).toMatchObject({ ok: false, reason: 'network' });
    expect(dropped.message).toMatch(
      /^Could not reach 127\.0\.0\.1:\d+ to start book\.yml in member\/padel at main/,
    );
    const closed = await freePort();
    const refused = await dispatchWorkflow(request(`http://127.0.0.1:${closed}`, { timeoutMs: 5000 }));
    expect(refused).toMatchObject({ ok: false, reason: 'network' });
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('never puts the token in a message, even when GitHub echoes it', async () => {
    const gh = await standIn(() => ({ status: 403, body: { message: `token ${TOKEN} is not allowed` } }));
    const result = await dispatchWorkflow(request(gh.url));
    expect(result.message).not.toContain(TOKEN);
    expect(result.message).toContain('token *** is not allowed');
  });

  it('sends nothing for a request that cannot be right', async () => {
    const gh = await standIn();
    for (const bad of [
      { repository: 'padel' },
      { workflow: '../../x' },
      { ref: '' },
      { token: ' ' },
      { inputs: { 'bad name': 'x' } },
      { apiUrl: 'not a url' },
    ] as Partial<DispatchRequest>[]) {
      const result = await dispatchWorkflow(request(gh.url, bad));
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, reason: 'bad-request' });
    }
    expect(gh.seen).toHaveLength(0);
    expect(buildDispatchRequest(request('https://api.github.com/'))).toMatchObject({
      url: 'https://api.github.com/repos/member/padel/actions/workflows/book.yml/dispatches',
    });
  });
});

const run = promisify(execFile);

async function dispatchCli(args: string[], env: Record<string, string>) {
  const cwd = await mkdtemp(join(tmpdir(), 'dispatch-cli-')); // no .env there
  try {
    const { stdout, stderr } = await run(
      join(process.cwd(), 'node_modules/.bin/tsx'),
      [join(process.cwd(), 'src/cli/dispatch.ts'), ...args],
      { cwd, env: { PATH: process.env.PATH!, ...env } },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run dispatch: a member testing a fine-grained token from their machine', () => {
  it("sends the scheduler's request with the token from the environment; repo and ref from the arguments", async () => {
    const gh = await standIn();
    const test = await dispatchCli(['--repo', 'member/padel', '--api-url', gh.url], { GITHUB_TOKEN: TOKEN });
    expect(test.code).toBe(0);
    expect(test.out).toMatch(
      /✓ 200: Started book\.yml in member\/padel at main: https:\/\/github\.com\/member\/padel\/actions\/runs\/16250421400\./,
    );
    expect(test.out).not.toContain(TOKEN);
    const body = gh.seen[0]!.body as { ref: string; inputs: Record<string, string> };
    expect(gh.seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(body.ref).toBe('main');
    expect(body.inputs).toMatchObject({
      notify_test: 'true',
      trigger: 'external',
      source: 'npm run dispatch',
    });
    expect(Date.parse(body.inputs.dispatched_at!)).toBeGreaterThan(Date.now() - 60_000);

    const real = await dispatchCli(
      [
        '--repo',
        'member/padel',
        '--ref',
        'main',
        '--book',
        '--source',
        'cron-job.org',
        '--input',
        'date=2026-12-10',
        '--api-url',
        gh.url,
      ],
      { GH_TOKEN: TOKEN },
    );
    expect(real.code).toBe(0);
    expect((gh.seen[1]!.body as { inputs: Record<string, string> }).inputs).toMatchObject({
      dry_run: 'false',
      trigger: 'external',
      source: 'cron-job.org',
      date: '2026-12-10',
    });
  });

  it('exits 1 with the permission to add when GitHub says 403, and 2 without a token or repository', async () => {
    const gh = await standIn(() => ({
      status: 403,
      body: { message: 'Resource not accessible by personal access token' },
    }));
    const refused = await dispatchCli(['--repo', 'member/padel', '--api-url', gh.url], {
      GITHUB_TOKEN: TOKEN,
    });
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/✗ 403: the token may not start workflows in member\/padel/);
    expect(refused.out).toContain('"Actions: Read and write"');
    const noToken = await dispatchCli(['--repo', 'member/padel', '--api-url', gh.url], {});
    expect(noToken.code).toBe(2);
    expect(noToken.out).toMatch(/no token: set GITHUB_TOKEN to a fine-grained personal access token/);
    expect((await dispatchCli(['--api-url', gh.url], { GITHUB_TOKEN: TOKEN })).code).toBe(2);
    expect(gh.seen).toHaveLength(1);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
