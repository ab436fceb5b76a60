import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncFromUpstream } from '../../src/github/upstream-sync.ts';
import { git, writeIn } from './git-helpers.ts';

/**
 * `npm run upstream:sync` with real git: an "upstream" bare repository laid out as
 * <server>/<owner>/<name>.git (a file:// server URL), the member's copy with its own bare origin,
 * and a local stand-in for GitHub's "create a pull request" API.
 */
type Pull = {
  url?: string;
  auth?: string;
  body: { title: string; head: string; base: string; body: string };
};
let pulls: Pull[] = [];
let answer = 201;
let apiUrl = '';
const server = createServer((req, res) => {
  let text = '';
  req.on('data', (c) => (text += c));
  req.on('end', () => {
    pulls.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(text) });
    if (answer === 201)
      res.writeHead(201).end(JSON.stringify({ html_url: 'https://github.com/member/padel/pull/7' }));
    else
      res.writeHead(422).end(
        JSON.stringify({
          message: 'Validation Failed',
          errors: [{ message: 'A pull request already exists for member:upstream-sync/x.' }],
        }),
      );
  });
});
beforeAll(async () => {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

async function world() {
  const root = await mkdtemp(join(tmpdir(), 'upstream-'));
  await mkdir(join(root, 'upstream-owner'));
  const upstreamBare = join(root, 'upstream-owner', 'court-booker.git');
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', upstreamBare);
  const upstream = join(root, 'upstream-work');
  git(root, 'clone', '--quiet', upstreamBare, upstream);
  git(upstream, 'checkout', '--quiet', '-b', 'main');
  await writeIn(upstream, 'bookings/bookings.csv', 'Date,Time1,Time2,Status\n2026-12-10,7pm,8pm,Book\n');
  await writeIn(upstream, '.github/workflows/book.yml', "on:\n  schedule:\n    - cron: '17 19 * * *'\n");
  await writeIn(upstream, 'src/run.ts', 'export const version = 1;\n');
  git(upstream, 'add', '-A');
  git(upstream, 'commit', '--quiet', '-m', 'v1');
  git(upstream, 'push', '--quiet', 'origin', 'main');
  const sync = (repoDir: string) =>
    syncFromUpstream({
      repoDir,
      upstream: 'upstream-owner/court-booker',
      repository: 'member/padel',
      token: 'pat-123',
      serverUrl: `file://${root}`,
      apiUrl,
    });
  return { root, upstream, sync };
}

async function upstreamFix(upstream: string) {
  await writeIn(upstream, 'src/run.ts', 'export const version = 2;\n');
  await writeIn(upstream, '.github/workflows/book.yml', "on:\n  schedule:\n    - cron: '13 22 * * *'\n");
  await writeIn(upstream, 'bookings/bookings.csv', 'Date,Time1,Time2,Status\n2027-01-01,7pm,,Book\n');
  git(upstream, 'commit', '--quiet', '-am', 'v2: a fix');
  git(upstream, 'push', '--quiet', 'origin', 'main');
  return git(upstream, 'rev-parse', 'HEAD').trim();
}

describe('syncFromUpstream', () => {
  it("opens a pull request with upstream's fixes, keeps the member's bookings, and lists files where upstream won", async () => {
    pulls = [];
    answer = 201;
    const { root, upstream, sync } = await world();
    // The member's copy (a fork or an import: it shares upstream's history), with its own bare origin.
    const originBare = join(root, 'member-origin.git');
    git(root, 'clone', '--quiet', '--bare', join(root, 'upstream-owner', 'court-booker.git'), originBare);
    const copy = join(root, 'copy');
    git(root, 'clone', '--quiet', originBare, copy);
    await writeIn(copy, 'bookings/bookings.csv', 'Date,Time1,Time2,Status\n2026-12-24,10am,,Book\n');
    await writeIn(copy, '.github/workflows/book.yml', "on:\n  schedule:\n    - cron: '37 23 * * *'\n");
    git(copy, 'commit', '--quiet', '-am', 'my bookings and fewer schedule lines');
    git(copy, 'push', '--quiet', 'origin', 'main');

    expect((await sync(copy)).kind).toBe('up-to-date'); // nothing new upstream yet
    const fix = await upstreamFix(upstream);
    const result = await sync(copy);
    expect(result).toMatchObject({
      kind: 'opened',
      branch: `upstream-sync/${fix.slice(0, 12)}`,
      url: 'https://github.com/member/padel/pull/7',
    });

    const branch = `upstream-sync/${fix.slice(0, 12)}`;
    expect(git(originBare, 'show', `${branch}:src/run.ts`)).toBe('export const version = 2;\n');
    expect(git(originBare, 'show', `${branch}:bookings/bookings.csv`)).toContain('2026-12-24'); // ours
    expect(git(originBare, 'show', `${branch}:.github/workflows/book.yml`)).toContain('13 22'); // upstream's
    expect(git(originBare, 'merge-base', '--is-ancestor', fix, branch)).toBe('');
    expect(git(originBare, 'show', 'main:src/run.ts')).toBe('export const version = 1;\n'); // main untouched

    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ url: '/repos/member/padel/pulls', auth: 'Bearer pat-123' });
    expect(pulls[0]!.body).toMatchObject({ head: branch, base: 'main' });
    expect(pulls[0]!.body.body).toContain('- `.github/workflows/book.yml`');
    expect(pulls[0]!.body.body).not.toContain('bookings.csv`');
    expect(await readFile(join(copy, '.git', 'config'), 'utf8')).not.toContain('extraheader');

    // Run again: the branch is already proposed, nothing is pushed over it.
    expect(await sync(copy)).toMatchObject({
      kind: 'exists',
      message: expect.stringContaining('already on origin'),
    });
    expect(pulls).toHaveLength(1);
    // The branch deleted but its pull request still open (GitHub answers 422): said plainly.
    git(originBare, 'branch', '-D', branch);
    answer = 422;
    expect(await sync(copy)).toMatchObject({
      kind: 'exists',
      message: expect.stringContaining('already open'),
    });
  });

  it('joins a template copy (no shared history) once, keeping bookings/', async () => {
    pulls = [];
    answer = 201;
    const { root, upstream, sync } = await world();
    const originBare = join(root, 'template-origin.git');
    git(root, 'init', '--quiet', '--bare', '--initial-branch=main', originBare);
    const copy = join(root, 'template-copy');
    git(root, 'clone', '--quiet', originBare, copy);
    git(copy, 'checkout', '--quiet', '-b', 'main');
    // "Use this template": the same files in one fresh commit, then the member's bookings.
    await writeIn(copy, 'src/run.ts', 'export const version = 1;\n');
    await writeIn(copy, '.github/workflows/book.yml', "on:\n  schedule:\n    - cron: '17 19 * * *'\n");
    await writeIn(copy, 'bookings/bookings.csv', 'Date,Time1,Time2,Status\n2026-12-31,9am,,Book\n');
    git(copy, 'add', '-A');
    git(copy, 'commit', '--quiet', '-m', 'Initial commit');
    git(copy, 'push', '--quiet', 'origin', 'main');
    await upstreamFix(upstream);

    const result = await sync(copy);
    expect(result.kind).toBe('opened');
    const branch = (result as { branch: string }).branch;
    expect(git(originBare, 'show', `${branch}:src/run.ts`)).toBe('export const version = 2;\n');
    expect(git(originBare, 'show', `${branch}:bookings/bookings.csv`)).toContain('2026-12-31');
    expect(pulls[0]!.body.body).toContain('shared no history with upstream');
  });

  it('refuses an upstream that is not owner/name', async () => {
    await expect(
      syncFromUpstream({ repoDir: '.', upstream: 'https://evil/x', repository: 'm/p', token: 't' }),
    ).rejects.toThrow('is not a repository (expected owner/name)');
  });
});
