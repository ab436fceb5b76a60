import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accountId,
  cacheKeyPrefix,
  decryptSession,
  discardInvalidSession,
  encryptSession,
  restoreSession,
  saveSession,
  SessionCacheError,
} from '../../src/github/session-cache.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { parseStorageState } from '../../src/venue/storage-state.ts';

const cookie = {
  name: 'sid',
  value: 'abc',
  domain: 'venue.test',
  path: '/',
  expires: -1,
  httpOnly: true,
  secure: false,
  sameSite: 'Lax',
};
const state = JSON.stringify({ cookies: [cookie], origins: [] });

/** A real envelope with one field changed. */
function tampered(change: (e: Record<string, unknown>) => void, plaintext = state): string {
  const envelope = JSON.parse(encryptSession(plaintext, 'secret', 'acct')) as Record<string, unknown>;
  change(envelope);
  return JSON.stringify(envelope);
}

describe('encryptSession / decryptSession', () => {
  it('round-trips and never stores the plain text', () => {
    const envelope = encryptSession(state, 'secret', 'acct');
    expect(envelope).not.toContain('sid');
    const parsed = JSON.parse(envelope);
    expect(parsed).toMatchObject({ v: 1, alg: 'aes-256-gcm', kdf: 'scrypt', N: 16384, r: 8, p: 1 });
    expect(Buffer.from(parsed.tag, 'base64')).toHaveLength(16);
    expect(decryptSession(envelope, 'secret', 'acct')).toBe(state);
    expect(encryptSession(state, 'secret', 'acct')).not.toBe(envelope); // fresh salt and IV
  });

  it('rejects a wrong key, another account, tampering and junk', () => {
    const envelope = encryptSession(state, 'secret', 'acct');
    expect(() => decryptSession(envelope, 'other', 'acct')).toThrow(SessionCacheError);
    expect(() => decryptSession(envelope, 'secret', 'someone-else')).toThrow(SessionCacheError);
    const flipped = tampered((e) => {
      const data = Buffer.from(String(e.data), 'base64');
      data[0] = data[0]! ^ 1;
      e.data = data.toString('base64');
    });
    expect(() => decryptSession(flipped, 'secret', 'acct')).toThrow(/could not be decrypted/);
    expect(() => decryptSession('not json', 'secret', 'acct')).toThrow(SessionCacheError);
    expect(() => decryptSession(JSON.stringify({ v: 99 }), 'secret', 'acct')).toThrow(/unknown format/);
  });

  it('requires the full 16-byte GCM tag (a 4-byte tag would be forgeable in 2^32 tries)', () => {
    // The first 4 bytes of the real tag: GCM without a required tag length accepts it.
    const short = tampered((e) => {
      e.tag = Buffer.from(String(e.tag), 'base64').subarray(0, 4).toString('base64');
    });
    expect(() => decryptSession(short, 'secret', 'acct')).toThrow(/authentication tag must be 16 bytes/);
  });

  it.each([
    ['p', 5, /key-derivation parameter p is above 4/],
    ['p', 1_000_000, /key-derivation parameter p is above 4/],
    ['r', 1, /key-derivation parameter r is below 8/],
    ['r', 1024, /key-derivation parameter r is above 16/],
    ['N', 2 ** 20, /key-derivation parameter N is above 65536/],
    ['N', 20000, /N must be a power of two/],
    ['N', 1024, /key-derivation parameter N is below 16384/],
    ['p', 1.5, /p must be a whole number/],
  ])('refuses scrypt %s = %s before deriving any key', (name, value, message) => {
    const envelope = tampered((e) => {
      e[name] = value;
    });
    expect(() => decryptSession(envelope, 'secret', 'acct')).toThrow(message);
  });

  it('refuses a salt or IV of the wrong length', () => {
    const salt = tampered((e) => {
      e.salt = Buffer.alloc(4).toString('base64');
    });
    expect(() => decryptSession(salt, 'secret', 'acct')).toThrow(/salt must be 16 bytes/);
    const iv = tampered((e) => {
      e.iv = 'not base64!';
    });
    expect(() => decryptSession(iv, 'secret', 'acct')).toThrow(/iv is not base64/);
  });
});

describe('parseStorageState (the one check the cache and the engine share)', () => {
  it.each([
    ['42', 'top level'],
    ['null', 'top level'],
    ['{"cookies":"x"}', 'cookies'],
    ['{"cookies":[],"origins":{}}', 'origins'],
    ['{"cookies":[{"name":"sid"}],"origins":[]}', 'cookies.0.value'],
    ['[]', 'top level'],
  ])('refuses %s (valid JSON, not a storage state), naming where', (text, where) => {
    const check = parseStorageState(text);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toContain(where);
  });

  it('accepts what Playwright writes, and keeps fields a newer one adds', () => {
    const check = parseStorageState(
      JSON.stringify({ cookies: [{ ...cookie, partitionKey: 'x' }], origins: [] }),
    );
    expect(check.ok && check.state.cookies[0]).toMatchObject({ partitionKey: 'x' });
    expect(parseStorageState('not json')).toEqual({ ok: false, reason: 'it is not JSON' });
  });
});

describe('the cache key', () => {
  it('is per account, the same whatever the case, and shows neither the username nor its plain hash', () => {
    const prefix = cacheKeyPrefix('Member@Example.com ', 'k1');
    expect(prefix).toBe(cacheKeyPrefix('member@example.com', 'k1'));
    expect(prefix).toMatch(/^session-v1-[0-9a-f]{16}-$/);
    expect(prefix).not.toContain('member');
    const plain = createHash('sha256').update('member@example.com').digest('hex').slice(0, 16);
    expect(prefix).not.toContain(plain);
    expect(accountId('other@example.com', 'k1')).not.toBe(accountId('member@example.com', 'k1'));
  });
});

describe('restoreSession / saveSession (around the cache steps, on the restored file)', () => {
  async function setup() {
    const dir = await mkdtemp(join(tmpdir(), 'session-cache-'));
    await mkdir(join(dir, '.auth'));
    const statePath = join(dir, '.auth', 'estelle.json');
    const encryptedPath = join(dir, '.auth', 'estelle.json.enc');
    const common = {
      statePath,
      encryptedPath,
      username: 'Member@Example.com',
      secret: 'k1',
      inActions: true,
    };
    return { dir, statePath, encryptedPath, common };
  }

  it('encrypts after a run and decrypts the restored file before the next one', async () => {
    const { statePath, encryptedPath, common } = await setup();
    await writeFile(statePath, state);
    const saved = await saveSession({ ...common, reporter: memoryReporter() });
    expect(saved.done).toBe(true);
    expect(await readFile(encryptedPath, 'utf8')).not.toContain('sid');

    await writeFile(statePath, 'stale');
    const restored = await restoreSession({
      ...common,
      matchedKey: 'session-v1-x-100-1',
      reporter: memoryReporter(),
    });
    expect(restored).toMatchObject({ done: true, reason: expect.stringContaining('session-v1-x-100-1') });
    expect(await readFile(statePath, 'utf8')).toBe(state);
    expect(existsSync(encryptedPath)).toBe(false); // only what this run saves is cached again
  });

  it('says so on a cache miss', async () => {
    const { common } = await setup();
    const restored = await restoreSession({ ...common, reporter: memoryReporter() });
    expect(restored).toMatchObject({ done: false, reason: expect.stringContaining('cache miss') });
  });

  it('ignores, with a notice, a cache encrypted under another key', async () => {
    const { statePath, encryptedPath, common } = await setup();
    await writeFile(encryptedPath, encryptSession(state, 'old', accountId(common.username, 'old')));
    await writeFile(statePath, 'untouched');
    const reporter = memoryReporter();
    const restored = await restoreSession({ ...common, reporter });
    expect(restored.done).toBe(false);
    expect(reporter.lines).toEqual([
      { level: 'notice', message: expect.stringContaining('could not be decrypted') },
    ]);
    expect(await readFile(statePath, 'utf8')).toBe('untouched');
    expect(existsSync(encryptedPath)).toBe(false);
  });

  it.each(['42', 'null', '{"cookies":"x"}'])(
    'discards a cached session that decrypts to %s, with a notice, and does not write it',
    async (plaintext) => {
      const { statePath, encryptedPath, common } = await setup();
      await writeFile(
        encryptedPath,
        encryptSession(plaintext, common.secret, accountId(common.username, common.secret)),
      );
      const reporter = memoryReporter();
      const restored = await restoreSession({ ...common, reporter });
      expect(restored.done).toBe(false);
      expect(existsSync(statePath)).toBe(false);
      expect(reporter.lines).toEqual([
        { level: 'notice', message: expect.stringMatching(/not a Playwright storage state.*log in afresh/) },
      ]);
      expect(existsSync(encryptedPath)).toBe(false);
    },
  );

  it('never caches a session file that is not a storage state', async () => {
    const { statePath, encryptedPath, common } = await setup();
    await writeFile(statePath, '{"cookies":"x"}');
    const reporter = memoryReporter();
    const saved = await saveSession({ ...common, reporter });
    expect(saved.done).toBe(false);
    expect(existsSync(encryptedPath)).toBe(false);
    expect(reporter.lines[0]?.message).toContain('not a Playwright storage state');
  });

  it('removes a broken local session file before the engine reads it', async () => {
    const { statePath } = await setup();
    await writeFile(statePath, 'null');
    const reporter = memoryReporter();
    expect(await discardInvalidSession(statePath, reporter)).toBe(true);
    expect(existsSync(statePath)).toBe(false);
    expect(reporter.lines[0]?.message).toMatch(/discarded: it is JSON but not a Playwright storage state/);
    await writeFile(statePath, state);
    expect(await discardInvalidSession(statePath, reporter)).toBe(false);
    expect(existsSync(statePath)).toBe(true);
  });

  it('is a no-op outside Actions and without a secret, and never throws on save trouble', async () => {
    const { common } = await setup();
    expect(await restoreSession({ ...common, inActions: false })).toEqual({
      done: false,
      reason: 'not running on GitHub Actions',
    });
    expect((await saveSession({ ...common, secret: undefined })).done).toBe(false);
    const reporter = memoryReporter();
    expect(await saveSession({ ...common, reporter })).toEqual({
      done: false,
      reason: 'no session file to save',
    });
  });
});
