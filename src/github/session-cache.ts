import { createCipheriv, createDecipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { parseStorageState } from '../venue/storage-state.ts';
import { defaultReporter, type Reporter } from './reporter.ts';

/**
 * The venue session (Playwright storageState) kept between nights in the Actions cache.
 *
 * Moving the file in and out of the cache is done by book.yml's `actions/cache/restore` and
 * `actions/cache/save` steps: only a JavaScript action gets the runner's cache service variables
 * (ACTIONS_RUNTIME_TOKEN and the service URL), never a `run:` step such as ours. This module does
 * the rest, on a file at SESSION_CACHE_FILE: before the run it decrypts what the restore step put
 * there into the engine's storageState; after the run it encrypts the engine's storageState there
 * for the save step.
 *
 * Caches can be restored by workflows of other branches and of pull requests, so the session is
 * encrypted: AES-256-GCM (16-byte tag) with a key derived by scrypt from a secret
 * (SESSION_CACHE_KEY when set, else ESTELLE_PASSWORD), a fresh salt and IV each save, and the
 * account bound in as associated data. Anything that cannot be decrypted, or that decrypts to
 * something that is not a storage state, is discarded with a notice: the run logs in afresh.
 */

export const ENVELOPE_VERSION = 1;
/** The encrypted session, relative to the workspace: book.yml's cache steps use this same path. */
export const SESSION_CACHE_FILE = '.auth/estelle.json.enc';
/** The parameters we write. */
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
/**
 * What we accept from a cached envelope, checked before any key is derived: N a power of two from
 * 2^14 to 2^16, r from 8 to 16, p from 1 to 4 (at most 128 MiB and a few seconds of work);
 * anything else is not ours, or was made to stall the run.
 */
export const SCRYPT_BOUNDS = {
  N: { min: 2 ** 14, max: 2 ** 16 },
  r: { min: 8, max: 16 },
  p: { min: 1, max: 4 },
};
const GCM_TAG_BYTES = 16;
const MAX_ENVELOPE_CHARS = 4 * 1024 * 1024;

export class SessionCacheError extends Error {}

const base64 = (bytes: number | undefined, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, `${what} is not base64`)
    .refine((s) => bytes === undefined || Buffer.from(s, 'base64').length === bytes, {
      message: `${what} must be ${bytes} bytes`,
    });

const bounded = (name: 'N' | 'r' | 'p') =>
  z
    .number()
    .int(`${name} must be a whole number`)
    .min(SCRYPT_BOUNDS[name].min, `key-derivation parameter ${name} is below ${SCRYPT_BOUNDS[name].min}`)
    .max(SCRYPT_BOUNDS[name].max, `key-derivation parameter ${name} is above ${SCRYPT_BOUNDS[name].max}`);

const envelopeSchema = z.object({
  v: z.literal(ENVELOPE_VERSION),
  alg: z.literal('aes-256-gcm'),
  kdf: z.literal('scrypt'),
  N: bounded('N').refine((n) => (n & (n - 1)) === 0, 'key-derivation parameter N must be a power of two'),
  r: bounded('r'),
  p: bounded('p'),
  salt: base64(16, 'salt'),
  iv: base64(12, 'iv'),
  tag: base64(GCM_TAG_BYTES, 'the authentication tag'),
  data: base64(undefined, 'data'),
});

export type Envelope = z.infer<typeof envelopeSchema>;

function deriveKey(secret: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(secret, salt, 32, { ...params, maxmem: 256 * 1024 * 1024 });
}

const aadFor = (account: string): Buffer =>
  Buffer.from(`estelle-session-cache:v${ENVELOPE_VERSION}:${account}`);

/** Encrypts a storageState (JSON text) into a versioned envelope (JSON text). */
export function encryptSession(plaintext: string, secret: string, account = ''): string {
  if (!secret) throw new SessionCacheError('no secret to derive the session cache key from');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(secret, salt, SCRYPT), iv, {
    authTagLength: GCM_TAG_BYTES,
  });
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

/**
 * Decrypts an envelope; throws SessionCacheError when it is not ours, tampered, made to stall the
 * key derivation, or the key is wrong. Every field is checked before any key is derived.
 */
export function decryptSession(envelopeText: string, secret: string, account = ''): string {
  if (envelopeText.length > MAX_ENVELOPE_CHARS)
    throw new SessionCacheError('the cached session is larger than any session we save');
  let raw: unknown;
  try {
    raw = JSON.parse(envelopeText);
  } catch {
    throw new SessionCacheError('the cached session is not an encrypted envelope');
  }
  const version = (raw as { v?: unknown } | null)?.v;
  if (version !== ENVELOPE_VERSION) {
    throw new SessionCacheError(`the cached session has an unknown format (version ${String(version)})`);
  }
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SessionCacheError(`the cached session's envelope is refused: ${issue.message}`);
  }
  const envelope = parsed.data;
  try {
    const key = deriveKey(secret, Buffer.from(envelope.salt, 'base64'), envelope);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'), {
      authTagLength: GCM_TAG_BYTES,
    });
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

/**
 * Who the cache entry belongs to, without saying: HMAC-SHA256 of the lower-cased username under
 * the cache secret, 16 hex characters. Cache keys are listed to anyone who can read the repository
 * (Actions → Caches); a plain hash of an e-mail could be confirmed by guessing it, this cannot.
 */
export function accountId(username: string, secret: string): string {
  return createHmac('sha256', `estelle-session-cache-account:${secret}`)
    .update(username.trim().toLowerCase())
    .digest('hex')
    .slice(0, 16);
}

/** `session-v1-<account id>-`: book.yml restores by this prefix and saves it + run id + attempt. */
export function cacheKeyPrefix(username: string, secret: string): string {
  return `session-v${ENVELOPE_VERSION}-${accountId(username, secret)}-`;
}

export interface SessionCacheOptions {
  /** Where the engine reads and writes the plain storageState (e.g. .auth/estelle.json). */
  statePath: string;
  /** The encrypted file the cache steps restore and save (SESSION_CACHE_FILE in the workspace). */
  encryptedPath: string;
  username: string | undefined;
  secret: string | undefined;
  inActions: boolean;
  /** The key the restore step matched (its `cache-matched-key` output), for the log. */
  matchedKey?: string;
  reporter?: Reporter;
}

export type CacheOutcome = { done: boolean; reason: string };

function ready(opts: SessionCacheOptions): string | undefined {
  if (!opts.inActions) return 'not running on GitHub Actions';
  if (!opts.username || !opts.secret) return 'no username or secret to key the cache';
  return undefined;
}

/**
 * Before the run: decrypts what the restore step left at `encryptedPath` into the engine's
 * storageState. Never throws; anything wrong → a notice, and the run logs in afresh. The encrypted
 * file is removed either way, so only a session this run saves is cached again.
 */
export async function restoreSession(opts: SessionCacheOptions): Promise<CacheOutcome> {
  const reporter = opts.reporter ?? defaultReporter();
  const notReady = ready(opts);
  if (notReady) return { done: false, reason: notReady };
  if (!existsSync(opts.encryptedPath)) {
    return {
      done: false,
      reason:
        'no saved session (a cache miss: the first run, or none saved in the last 7 days); the run will log in',
    };
  }
  try {
    const text = await readFile(opts.encryptedPath, 'utf8');
    const plain = decryptSession(text, opts.secret!, accountId(opts.username!, opts.secret!));
    const state = parseStorageState(plain);
    if (!state.ok) throw new SessionCacheError(`the cached session was discarded: ${state.reason}`);
    await mkdir(dirname(opts.statePath), { recursive: true });
    await writeFile(opts.statePath, plain, { encoding: 'utf8', mode: 0o600 });
    return {
      done: true,
      reason: `restored the session saved by an earlier run${opts.matchedKey ? ` (cache key ${opts.matchedKey})` : ''}`,
    };
  } catch (error) {
    const reason =
      error instanceof SessionCacheError ? error.message : `restore failed: ${(error as Error).message}`;
    reporter.notice(`Saved session ignored: ${reason}. The run will log in afresh.`);
    return { done: false, reason };
  } finally {
    await rm(opts.encryptedPath, { force: true });
  }
}

/**
 * After the run: encrypts the engine's storageState to `encryptedPath` for the save step. Only a
 * real storage state is saved (a broken file is never cached again). Never throws.
 */
export async function saveSession(opts: SessionCacheOptions): Promise<CacheOutcome> {
  const reporter = opts.reporter ?? defaultReporter();
  const notReady = ready(opts);
  if (notReady) return { done: false, reason: notReady };
  await rm(opts.encryptedPath, { force: true });
  try {
    const plain = await readFile(opts.statePath, 'utf8');
    const state = parseStorageState(plain);
    if (!state.ok) throw new SessionCacheError(`the session file is not saved: ${state.reason}`);
    await mkdir(dirname(opts.encryptedPath), { recursive: true });
    await writeFile(
      opts.encryptedPath,
      encryptSession(plain, opts.secret!, accountId(opts.username!, opts.secret!)),
      { encoding: 'utf8', mode: 0o600 },
    );
    return { done: true, reason: 'encrypted for the cache (the next step saves it)' };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no session file to save'
        : (error as Error).message;
    reporter.notice(`Session not cached: ${reason}.`);
    return { done: false, reason };
  }
}

/**
 * Before the engine reads it: a local session file that is not a storage state (corrupt, or JSON
 * of another shape) is removed with a notice, so the run logs in afresh and writes a good one.
 */
export async function discardInvalidSession(statePath: string, reporter: Reporter): Promise<boolean> {
  const text = await readFile(statePath, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const state = parseStorageState(text);
  if (state.ok) return false;
  await rm(statePath, { force: true });
  reporter.notice(`Saved session ${statePath} discarded: ${state.reason}. The run will log in afresh.`);
  return true;
}
