import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  commitStatus,
  keepUnpushedStatus,
  mergeStatusJson,
  statusCommitMessage,
} from '../../src/github/status-commit.ts';
import { fetchRemoteStatus, syncStatusFromRemote } from '../../src/github/remote-status.ts';
import { gitIn } from '../../src/github/git.ts';
import { git, repoWithRemote, writeIn } from './git-helpers.ts';

const STATUS = 'bookings/status.json';
const status = (bookings: Record<string, unknown>) =>
  `${JSON.stringify({ version: 1, bookings }, null, 2)}\n`;
const entry = (key: string, state: string, updatedAt: string, runId: string) => ({
  key,
  date: key.slice(0, 10),
  state,
  updatedAt,
  attempts: [{ runId, startedAt: updatedAt, outcome: state }],
});
const noSleep = async () => {};

describe('statusCommitMessage', () => {
  it('reads like a log line', () => {
    expect(
      statusCommitMessage({ state: 'booked', date: '2026-02-15', time: '19:00', court: 'Padel Court 2' }),
    ).toBe('status: booked 2026-02-15 19:00 Padel Court 2');
    expect(statusCommitMessage({ state: 'dry-run', date: '2026-02-15', time: '19:00', dryRun: true })).toBe(
      'status: dry-run 2026-02-15 19:00 (dry run)',
    );
  });
});

describe('commitStatus against a local bare repository', () => {
  it('commits only the status file and pushes it', async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}), 'bookings/bookings.csv': 'Date,Time1\n' });
    const work = repo.clone('runner');
    await writeIn(
      work,
      STATUS,
      status({ '2026-02-15 19:00': entry('2026-02-15 19:00', 'booked', '2026-02-01T00:00:01Z', '1') }),
    );
    await writeIn(work, 'bookings/bookings.csv', 'Date,Time1\nlocal edit that must not be committed\n');
    await writeIn(work, 'out/screenshot.png', 'png');
    git(work, 'add', 'bookings/bookings.csv'); // even something already staged stays out
    const result = await commitStatus({
      repoDir: work,
      message: 'status: booked 2026-02-15 19:00 Court 2',
      sleep: noSleep,
    });
    expect(result).toMatchObject({ ok: true, committed: true, pushed: true, attempts: 1 });
    const files = git(repo.bare, 'show', '--name-only', '--format=%s', 'main')
      .trim()
      .split('\n')
      .filter(Boolean);
    expect(files).toEqual(['status: booked 2026-02-15 19:00 Court 2', STATUS]);
    expect(git(repo.bare, 'log', '-1', '--format=%an', 'main').trim()).toBe('github-actions[bot]');
  });

  it('does nothing when the status did not change', async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}) });
    const work = repo.clone('runner');
    const result = await commitStatus({ repoDir: work, message: 'status: nothing', sleep: noSleep });
    expect(result).toMatchObject({ ok: true, committed: false, pushed: false });
  });

  it("rebases onto a member's CSV change pushed in between, then pushes (never forced)", async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}), 'bookings/bookings.csv': 'Date,Time1\n' });
    const work = repo.clone('runner');
    const member = repo.clone('member');
    await writeIn(member, 'bookings/bookings.csv', 'Date,Time1\n2026-03-01,19:00\n');
    git(member, 'commit', '--quiet', '-am', 'Add a booking');
    git(member, 'push', '--quiet', 'origin', 'main');
    const memberSha = git(member, 'rev-parse', 'HEAD').trim();

    await writeIn(
      work,
      STATUS,
      status({ '2026-02-15 19:00': entry('2026-02-15 19:00', 'booked', '2026-02-01T00:00:01Z', '1') }),
    );
    const waits: number[] = [];
    const result = await commitStatus({
      repoDir: work,
      message: 'status: booked 2026-02-15 19:00 Court 2',
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toMatchObject({ ok: true, pushed: true, attempts: 2 });
    expect(waits).toEqual([2000]);
    // The member's commit is an ancestor: a fast-forward, not a force-push.
    expect(git(repo.bare, 'merge-base', '--is-ancestor', memberSha, 'main')).toBe('');
    expect(git(repo.bare, 'show', 'main:bookings/bookings.csv')).toContain('2026-03-01');
    expect(JSON.parse(git(repo.bare, 'show', `main:${STATUS}`)).bookings['2026-02-15 19:00'].state).toBe(
      'booked',
    );
  });

  it('merges a conflicting status commit from another run', async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}) });
    const work = repo.clone('runner');
    const other = repo.clone('other-run');
    await writeIn(
      other,
      STATUS,
      status({ '2026-02-16 20:00': entry('2026-02-16 20:00', 'booked', '2026-02-02T00:00:01Z', 'other') }),
    );
    git(other, 'commit', '--quiet', '-am', 'status: booked 2026-02-16 20:00');
    git(other, 'push', '--quiet', 'origin', 'main');

    await writeIn(
      work,
      STATUS,
      status({ '2026-02-15 19:00': entry('2026-02-15 19:00', 'failed', '2026-02-01T00:00:09Z', 'mine') }),
    );
    const result = await commitStatus({
      repoDir: work,
      message: 'status: failed 2026-02-15 19:00',
      sleep: noSleep,
    });
    expect(result.ok, JSON.stringify(result.log)).toBe(true);
    expect(result.log.join('\n')).toContain('merged the status file');
    // The merge finished the rebase: no false alarm (git 2.39 leaves REBASE_HEAD behind after it), and
    // the push after it is the second attempt, not a later one.
    expect(result.log.filter((line) => /rebase failed|did not finish/.test(line))).toEqual([]);
    expect(result).toMatchObject({ pushed: true, attempts: 2 });
    expect(git(work, 'status', '--porcelain', '--untracked-files=no').trim()).toBe('');
    const merged = JSON.parse(git(repo.bare, 'show', `main:${STATUS}`));
    expect(Object.keys(merged.bookings).sort()).toEqual(['2026-02-15 19:00', '2026-02-16 20:00']);
    expect(git(repo.bare, 'log', '--format=%s', 'main').trim().split('\n')).toEqual([
      'status: failed 2026-02-15 19:00',
      'status: booked 2026-02-16 20:00',
      'seed',
    ]);
  });

  it('gives up after a bounded number of attempts and keeps the status as an artifact', async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}) });
    const work = repo.clone('runner');
    git(work, 'remote', 'set-url', 'origin', join(repo.root, 'no-such-remote.git'));
    await writeIn(
      work,
      STATUS,
      status({ k: entry('2026-02-15 19:00', 'booked', '2026-02-01T00:00:01Z', '1') }),
    );
    const waits: number[] = [];
    const result = await commitStatus({
      repoDir: work,
      message: 'status: booked',
      maxAttempts: 3,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.attempts).toBe(3);
    expect(waits).toEqual([2000, 5000]);
    expect(result.error).toContain('git push failed after 3 attempts');
    const kept = await keepUnpushedStatus(work, join(repo.root, 'out'));
    expect(await readFile(kept.path, 'utf8')).toContain('"booked"');
    expect(kept.markdown).toContain('status-unpushed.json');
  });

  it('refuses to force-push, whatever it is asked', async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}) });
    await expect(gitIn(repo.clone('x'))(['push', '--force', 'origin', 'main'])).rejects.toThrow(/force/);
    await expect(gitIn(repo.clone('y'))(['push', 'origin', '+HEAD:main'])).rejects.toThrow(/force/);
  });
});

describe('mergeStatusJson', () => {
  it('never downgrades a booked entry and unions attempts', () => {
    const a = status({ k: entry('2026-02-15 19:00', 'booked', '2026-02-01T00:00:01Z', '1') });
    const b = status({ k: entry('2026-02-15 19:00', 'failed', '2026-02-01T00:05:00Z', '2') });
    const merged = JSON.parse(mergeStatusJson(a, b));
    expect(merged.bookings.k.state).toBe('booked');
    expect(merged.bookings.k.attempts.map((x: { runId: string }) => x.runId)).toEqual(['1', '2']);
  });

  it("keeps the watch's latest look when the other side's entry wins (a look leaves updatedAt alone)", () => {
    const lost = entry('2026-02-15 19:00', 'unavailable', '2026-02-01T00:00:01Z', '1');
    const theirs = {
      ...lost,
      updatedAt: '2026-02-01T12:00:00Z',
      watch: { looks: 3, lastLookAt: '2026-02-01T10:00:00Z' },
    };
    const mine = { ...lost, watch: { looks: 4, lastLookAt: '2026-02-01T10:30:00Z', lastSeen: '19:00 full' } };
    const merged = JSON.parse(mergeStatusJson(status({ k: theirs }), status({ k: mine })));
    expect(merged.bookings.k.updatedAt).toBe('2026-02-01T12:00:00Z');
    expect(merged.bookings.k.watch).toEqual(mine.watch);
    const reverse = JSON.parse(mergeStatusJson(status({ k: mine }), status({ k: theirs })));
    expect(reverse.bookings.k.watch).toEqual(mine.watch);
  });
});

describe('mergeStatusJson: the relay record', () => {
  const link = (n: number, runId: string, extra: Record<string, unknown> = {}) => ({
    link: n,
    runId,
    trigger: n === 1 ? 'schedule' : 'relay',
    startedBy: n === 1 ? "GitHub's schedule" : 'the relay',
    startedAt: `2026-11-25T${String(10 + n).padStart(2, '0')}:00:00.000Z`,
    role: 'relay',
    ...extra,
  });
  const withRelay = (links: unknown[], reportedAt?: string) =>
    `${JSON.stringify(
      {
        version: 1,
        bookings: {},
        relay: {
          chains: [
            {
              night: '2026-11-26',
              releaseAt: '2026-11-26T00:00:00.000+00:00',
              courtDate: '2026-12-10',
              links,
              ...(reportedAt ? { reportedAt } : {}),
            },
          ],
        },
      },
      null,
      2,
    )}\n`;

  it("keeps both runs' links of one night, the later record of a run winning field by field", () => {
    const upstream = withRelay([link(1, '500', { handOverAt: '2026-11-25T16:30:00.000Z' }), link(2, '501')]);
    const ours = withRelay([
      link(1, '500', { endedAt: '2026-11-25T16:31:00.000Z', outcome: 'handed over' }),
      link(3, '502', { role: 'book' }),
    ]);
    const merged = JSON.parse(mergeStatusJson(upstream, ours));
    const links = merged.relay.chains[0].links as Record<string, unknown>[];
    expect(links.map((l) => l.runId)).toEqual(['500', '501', '502']);
    expect(links[0]).toMatchObject({ handOverAt: '2026-11-25T16:30:00.000Z', outcome: 'handed over' });
  });

  it('keeps a night reported once reported on either side, and a side without a relay record loses nothing', () => {
    const reported = withRelay([link(1, '500')], '2026-11-26T03:50:00.000Z');
    const merged = JSON.parse(mergeStatusJson(reported, withRelay([link(1, '500')])));
    expect(merged.relay.chains[0].reportedAt).toBe('2026-11-26T03:50:00.000Z');
    const none = status({});
    expect(JSON.parse(mergeStatusJson(none, reported)).relay).toEqual(JSON.parse(reported).relay);
    expect(JSON.parse(mergeStatusJson(reported, none)).relay).toEqual(JSON.parse(reported).relay);
  });

  it('leaves out a side whose relay record is not what the bot writes, keeping the readable one', () => {
    const broken = `${JSON.stringify({ version: 1, bookings: {}, relay: { chains: 'x' } })}\n`;
    const good = withRelay([link(1, '500')]);
    expect(JSON.parse(mergeStatusJson(broken, good)).relay).toEqual(JSON.parse(good).relay);
    expect(JSON.parse(mergeStatusJson(good, broken)).relay).toEqual(JSON.parse(good).relay);
  });

  it("merges two runs' relay links when their status pushes race (a real rebase)", async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}) });
    const work = repo.clone('runner');
    const other = repo.clone('other-run');
    await writeIn(other, STATUS, withRelay([link(1, '500')]));
    git(other, 'commit', '--quiet', '-am', 'status: relay link 1');
    git(other, 'push', '--quiet', 'origin', 'main');
    await writeIn(work, STATUS, withRelay([link(2, '501')]));
    const result = await commitStatus({ repoDir: work, message: 'status: relay link 2', sleep: noSleep });
    expect(result.ok, JSON.stringify(result.log)).toBe(true);
    expect(result.log.join('\n')).toContain('merged the status file');
    const final = JSON.parse(git(repo.bare, 'show', `main:${STATUS}`));
    expect(final.relay.chains[0].links.map((l: { runId: string }) => l.runId)).toEqual(['500', '501']);
  });
});

describe('remote status', () => {
  it('reads the status another run committed after this checkout, and syncs the local file', async () => {
    const repo = await repoWithRemote({ [STATUS]: status({}) });
    const queued = repo.clone('queued-run');
    const first = repo.clone('first-run');
    const booked = status({ k: entry('2026-02-15 19:00', 'booked', '2026-02-01T00:00:01Z', 'first') });
    await writeFile(join(first, STATUS), booked);
    git(first, 'commit', '--quiet', '-am', 'status: booked');
    git(first, 'push', '--quiet', 'origin', 'main');

    const remote = await fetchRemoteStatus({ repoDir: queued });
    expect(remote.source).toBe('remote');
    if (remote.source === 'remote') expect(JSON.parse(remote.text).bookings.k.state).toBe('booked');
    const synced = await syncStatusFromRemote({ repoDir: queued });
    expect(synced.updated).toBe(true);
    expect(await readFile(join(queued, STATUS), 'utf8')).toBe(booked);
    expect((await syncStatusFromRemote({ repoDir: queued })).updated).toBe(false);

    // The queued run now records its own attempt and pushes without losing the first run's.
    const mine = JSON.parse(booked);
    mine.bookings.k.attempts.push({
      runId: 'queued',
      startedAt: '2026-02-01T00:10:00Z',
      outcome: 'already-booked',
    });
    await writeFile(join(queued, STATUS), status(mine.bookings));
    const result = await commitStatus({ repoDir: queued, message: 'status: already-booked', sleep: noSleep });
    expect(result.ok, JSON.stringify(result.log)).toBe(true);
    const final = JSON.parse(git(repo.bare, 'show', `main:${STATUS}`));
    expect(final.bookings.k.attempts.map((x: { runId: string }) => x.runId)).toEqual(['first', 'queued']);
  });

  it('reports a missing file and an unreachable remote without throwing', async () => {
    const repo = await repoWithRemote({ 'README.md': 'x' });
    const work = repo.clone('w');
    expect((await fetchRemoteStatus({ repoDir: work })).source).toBe('missing');
    git(work, 'remote', 'set-url', 'origin', join(repo.root, 'gone.git'));
    const gone = await fetchRemoteStatus({ repoDir: work });
    expect(gone.source).toBe('unavailable');
  });
});

describe('statusCommitMessage', () => {
  it('names each row of a run of several', async () => {
    const { statusCommitMessage } = await import('../../src/github/status-commit.ts');
    expect(
      statusCommitMessage({ state: 'booked', date: '2026-02-15', time: '19:00', court: 'Padel Court 2' }),
    ).toBe('status: booked 2026-02-15 19:00 Padel Court 2');
    expect(
      statusCommitMessage({
        state: 'unavailable',
        date: '2026-02-15',
        rows: [
          { state: 'booked', time: '19:00', court: 'Court A' },
          { state: 'unavailable', time: '20:00' },
        ],
      }),
    ).toBe('status: 2026-02-15 booked 19:00 Court A, unavailable 20:00');
  });
});
