import { cp, mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cacheKeyPrefix,
  decryptSession,
  encryptSession,
  restoreSession,
  saveSession,
  SessionCacheError,
  type CacheBackend,
} from '../../src/github/session-cache.ts';
import { memoryReporter } from '../../src/github/reporter.ts';

/** A cache backed by a real directory, with @actions/cache's key / restore-key semantics. */
function directoryCache(dir: string): CacheBackend & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    isFeatureAvailable: () => true,
    async saveCache(paths, key) {
      if (keys.includes(key)) throw new Error(`Unable to reserve cache with key ${key}`);
      await mkdir(join(dir, key), { recursive: true });
      for (const p of paths) await cp(p, join(dir, key, basename(p)));
      keys.push(key);
      return keys.length;
    },
    async restoreCache(paths, primaryKey, restoreKeys = []) {
      const hit =
        keys.find((k) => k === primaryKey) ??
        [...keys].reverse().find((k) => restoreKeys.some((prefix) => k.startsWith(prefix)));
      if (!hit) return undefined;
      for (const p of paths) await cp(join(dir, hit, basename(p)), p);
      return hit;
    },
  };
}

const state = JSON.stringify({ cookies: [{ name: 'sid', value: 'abc', domain: 'venue.test' }], origins: [] });

describe('encryptSession / decryptSession', () => {
  it('round-trips and never stores the plain text', () => {
    const envelope = encryptSession(state, 'secret', 'acct');
    expect(envelope).not.toContain('sid');
    const parsed = JSON.parse(envelope);
    expect(parsed).toMatchObject({ v: 1, alg: 'aes-256-gcm', kdf: 'scrypt' });
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['salt', 'iv', 'tag', 'data']));
    expect(decryptSession(envelope, 'secret', 'acct')).toBe(state);
    expect(encryptSession(state, 'secret', 'acct')).not.toBe(envelope); // fresh salt and IV
  });

  it('rejects a wrong key, another account, tampering and junk', () => {
    const envelope = encryptSession(state, 'secret', 'acct');
    expect(() => decryptSession(envelope, 'other', 'acct')).toThrow(SessionCacheError);
    expect(() => decryptSession(envelope, 'secret', 'someone-else')).toThrow(SessionCacheError);
    const tampered = JSON.parse(envelope);
    const data = Buffer.from(tampered.data, 'base64');
    data[0] = data[0]! ^ 1;
    tampered.data = data.toString('base64');
    expect(() => decryptSession(JSON.stringify(tampered), 'secret', 'acct')).toThrow(SessionCacheError);
    expect(() => decryptSession('not json', 'secret', 'acct')).toThrow(SessionCacheError);
    expect(() => decryptSession(JSON.stringify({ v: 99 }), 'secret', 'acct')).toThrow(/unknown format/);
  });
});

describe('restoreSession / saveSession', () => {
  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), 'session-cache-'));
    const backend = directoryCache(join(dir, 'cache'));
    const statePath = join(dir, '.auth', 'storage-state.json');
    return { dir, backend, statePath };
  }

  it('saves encrypted and restores the latest session of the account on a later run', async () => {
    const { dir, backend, statePath } = await setup();
    await mkdir(join(dir, '.auth'));
    await writeFile(statePath, state);
    const common = {
      statePath,
      username: 'Member@Example.com',
      secret: 'k1',
      inActions: true,
      backend,
      reporter: memoryReporter(),
    };
    const saved = await saveSession({ ...common, runId: '100', runAttempt: '1' });
    expect(saved).toMatchObject({ done: true, key: `${cacheKeyPrefix('member@example.com')}100-1` });
    expect(saved.key).not.toContain('Member');
    const cached = await readFile(join(dir, 'cache', saved.key!, 'storage-state.json.enc'), 'utf8');
    expect(cached).not.toContain('sid');
    expect(existsSync(`${statePath}.enc`)).toBe(false);

    await writeFile(statePath, 'stale');
    const restored = await restoreSession({ ...common, runId: '101' });
    expect(restored).toMatchObject({ done: true, key: saved.key });
    expect(await readFile(statePath, 'utf8')).toBe(state);
  });

  it('ignores, with a notice, a cache encrypted under another key', async () => {
    const { dir, backend, statePath } = await setup();
    await mkdir(join(dir, '.auth'));
    await writeFile(statePath, state);
    await saveSession({
      statePath,
      username: 'm',
      secret: 'old',
      runId: '1',
      inActions: true,
      backend,
      reporter: memoryReporter(),
    });
    await writeFile(statePath, 'untouched');
    const reporter = memoryReporter();
    const restored = await restoreSession({
      statePath,
      username: 'm',
      secret: 'new',
      runId: '2',
      inActions: true,
      backend,
      reporter,
    });
    expect(restored.done).toBe(false);
    expect(reporter.lines).toEqual([
      { level: 'notice', message: expect.stringContaining('could not be decrypted') },
    ]);
    expect(await readFile(statePath, 'utf8')).toBe('untouched');
  });

  it('is a no-op outside Actions and without a secret, and never throws on save trouble', async () => {
    const { backend, statePath } = await setup();
    expect(
      await restoreSession({ statePath, username: 'm', secret: 's', runId: '1', inActions: false, backend }),
    ).toEqual({
      done: false,
      reason: 'not running on GitHub Actions',
    });
    expect(
      (
        await saveSession({
          statePath,
          username: 'm',
          secret: undefined,
          runId: '1',
          inActions: true,
          backend,
        })
      ).done,
    ).toBe(false);
    const reporter = memoryReporter();
    const missing = await saveSession({
      statePath,
      username: 'm',
      secret: 's',
      runId: '1',
      inActions: true,
      backend,
      reporter,
    });
    expect(missing).toEqual({ done: false, reason: 'no session file to save' });
    expect(
      (await restoreSession({ statePath, username: 'm', secret: 's', runId: '1', inActions: true, backend }))
        .reason,
    ).toBe('no cached session yet');
  });
});
