import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as cache from '@actions/cache';
import { defaultReporter, type Reporter } from './reporter.ts';

/**
 * The venue session (Playwright storageState) reused across nights through @actions/cache.
 * Caches can be restored by workflows of other branches and of pull requests, so the session is
 * encrypted before it is cached: AES-256-GCM with a key derived by scrypt from a secret
 * (SESSION_CACHE_KEY when set, else ESTELLE_PASSWORD), a fresh salt and IV each save, and the
 * account bound in as associated data. Anything that cannot be decrypted is ignored with a notice.
 */

export const ENVELOPE_VERSION = 1;
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;

export interface Envelope {
  v: typeof ENVELOPE_VERSION;
  alg: 'aes-256-gcm';
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

export class SessionCacheError extends Error {}

function deriveKey(secret: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(secret, salt, 32, { ...params, maxmem: 64 * 1024 * 1024 });
}

const aadFor = (account: string): Buffer =>
  Buffer.from(`estelle-session-cache:v${ENVELOPE_VERSION}:${account}`);

/** Encrypts a storageState (JSON text) into a versioned envelope (JSON text). */
export function encryptSession(plaintext: string, secret: string, account = ''): string {
  if (!secret) throw new SessionCacheError('no secret to derive the session cache key from');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, salt, SCRYPT), iv);
  cipher.setAAD(aadFor(account));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    alg: 'aes-256-gcm',
    kdf: 'scrypt',
    ...SCRYPT,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return JSON.stringify(envelope);
}

/** Decrypts an envelope; throws SessionCacheError when it is not ours, tampered or the key is wrong. */
export function decryptSession(envelopeText: string, secret: string, account = ''): string {
  let envelope: Envelope;
  try {
    envelope = JSON.parse(envelopeText) as Envelope;
  } catch {
    throw new SessionCacheError('the cached session is not an encrypted envelope');
  }
  if (envelope?.v !== ENVELOPE_VERSION || envelope.alg !== 'aes-256-gcm' || envelope.kdf !== 'scrypt') {
    throw new SessionCacheError(`the cached session has an unknown format (version ${String(envelope?.v)})`);
  }
  if (
    ![envelope.N, envelope.r, envelope.p].every((n) => Number.isInteger(n) && n > 0) ||
    envelope.N > 1 << 20
  ) {
    throw new SessionCacheError('the cached session has invalid key-derivation parameters');
  }
  try {
    const key = deriveKey(secret, Buffer.from(envelope.salt, 'base64'), envelope);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(aadFor(account));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(envelope.data, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SessionCacheError(
      'the cached session could not be decrypted (the key changed or the cache was altered)',
    );
  }
}

/** The parts of @actions/cache we use; tests pass a directory-backed implementation. */
export interface CacheBackend {
  isFeatureAvailable(): boolean;
  restoreCache(paths: string[], primaryKey: string, restoreKeys?: string[]): Promise<string | undefined>;
  saveCache(paths: string[], key: string): Promise<number>;
}

export const actionsCache: CacheBackend = {
  isFeatureAvailable: () => cache.isFeatureAvailable(),
  restoreCache: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
  saveCache: (paths, key) => cache.saveCache(paths, key),
};

export function accountHash(username: string): string {
  return createHash('sha256').update(username.trim().toLowerCase()).digest('hex').slice(0, 16);
}

/** `session-v1-<hash of username>-` : the restore prefix; a save appends the run id. */
export function cacheKeyPrefix(username: string): string {
  return `session-v${ENVELOPE_VERSION}-${accountHash(username)}-`;
}

export interface SessionCacheOptions {
  /** Where the engine reads/writes the plain storageState (e.g. .auth/storage-state.json). */
  statePath: string;
  /** The encrypted file that goes into the cache (default `${statePath}.enc`). */
  encryptedPath?: string;
  username: string | undefined;
  secret: string | undefined;
  runId: string | undefined;
  runAttempt?: string;
  inActions: boolean;
  backend?: CacheBackend;
  reporter?: Reporter;
}

export type CacheOutcome = { done: boolean; reason: string; key?: string };

function prepare(
  opts: SessionCacheOptions,
): { ok: false; reason: string } | { ok: true; encryptedPath: string } {
  if (!opts.inActions) return { ok: false, reason: 'not running on GitHub Actions' };
  if (!opts.username || !opts.secret) return { ok: false, reason: 'no username or secret to key the cache' };
  const backend = opts.backend ?? actionsCache;
  if (!backend.isFeatureAvailable())
    return { ok: false, reason: 'the Actions cache service is not available' };
  return { ok: true, encryptedPath: opts.encryptedPath ?? `${opts.statePath}.enc` };
}

/** Restores and decrypts the last saved session. Never throws; anything wrong → a notice. */
export async function restoreSession(opts: SessionCacheOptions): Promise<CacheOutcome> {
  const reporter = opts.reporter ?? defaultReporter();
  const ready = prepare(opts);
  if (!ready.ok) return { done: false, reason: ready.reason };
  const backend = opts.backend ?? actionsCache;
  const prefix = cacheKeyPrefix(opts.username!);
  const primary = `${prefix}${opts.runId ?? 'local'}`;
  try {
    await mkdir(dirname(ready.encryptedPath), { recursive: true });
    const hit = await backend.restoreCache([ready.encryptedPath], primary, [prefix]);
    if (!hit) return { done: false, reason: 'no cached session yet' };
    const text = await readFile(ready.encryptedPath, 'utf8');
    const plain = decryptSession(text, opts.secret!, accountHash(opts.username!));
    JSON.parse(plain); // a storageState is JSON
    await mkdir(dirname(opts.statePath), { recursive: true });
    await writeFile(opts.statePath, plain, { encoding: 'utf8', mode: 0o600 });
    return { done: true, reason: 'restored', key: hit };
  } catch (error) {
    const reason =
      error instanceof SessionCacheError ? error.message : `restore failed: ${(error as Error).message}`;
    reporter.notice(`Saved session ignored: ${reason}. The run will log in afresh.`);
    return { done: false, reason };
  } finally {
    await rm(ready.encryptedPath, { force: true });
  }
}

/** Encrypts the current session and saves it to the cache. Never throws. */
export async function saveSession(opts: SessionCacheOptions): Promise<CacheOutcome> {
  const reporter = opts.reporter ?? defaultReporter();
  const ready = prepare(opts);
  if (!ready.ok) return { done: false, reason: ready.reason };
  const backend = opts.backend ?? actionsCache;
  const key = `${cacheKeyPrefix(opts.username!)}${opts.runId ?? 'local'}${opts.runAttempt ? `-${opts.runAttempt}` : ''}`;
  try {
    const plain = await readFile(opts.statePath, 'utf8');
    await writeFile(ready.encryptedPath, encryptSession(plain, opts.secret!, accountHash(opts.username!)), {
      encoding: 'utf8',
      mode: 0o600,
    });
    await backend.saveCache([ready.encryptedPath], key);
    return { done: true, reason: 'saved', key };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no session file to save'
        : (error as Error).message;
    reporter.notice(`Session not cached: ${reason}.`);
    return { done: false, reason };
  } finally {
    await rm(ready.encryptedPath, { force: true });
  }
}
