import { link, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Clock } from '../calendar/clock.ts';
import { sleepUntil } from './wait.ts';

/** A lock held by this process; release() removes it (only if it is still ours). */
export type Lock = { file: string; release(): Promise<void> };

type Holder = { pid: number; host: string; startedAt: string; token: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const holder = JSON.parse(await readFile(file, 'utf8')) as Holder;
    return typeof holder?.token === 'string' ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** What is at `file` now: its identity (the holder's token, or the inode of an unreadable file) and age. */
type Seen = { id: string; holder?: Holder; ageMs: number };

async function look(file: string): Promise<Seen | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  const holder = await readHolder(file);
  return {
    id: holder ? holder.token : `unreadable-${info.ino}-${info.mtimeMs}`,
    ...(holder ? { holder } : {}),
    ageMs: Date.now() - info.mtimeMs,
  };
}

function isStale(seen: Seen, staleMs: number): boolean {
  return seen.holder
    ? (seen.holder.host === hostname() && !alive(seen.holder.pid)) || seen.ageMs > staleMs
    : seen.ageMs > 5_000; // unreadable: a writer that died between create and write
}

/**
 * Creates `file` holding `holder`, only if it does not exist: written to a private file first, then
 * hard-linked into place (link fails if the name exists), so the lock never exists half-written.
 * Filesystems without hard links get an exclusive create (O_EXCL) instead.
 */
async function createExclusive(file: string, holder: Holder): Promise<boolean> {
  const draft = `${file}.${holder.token}.new`;
  await writeFile(draft, JSON.stringify(holder), { mode: 0o644 });
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(JSON.stringify(holder));
      await handle.close();
      return true;
    } catch (fallback) {
      if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallback;
    }
  } finally {
    await rm(draft, { force: true });
  }
}

/** The guard that only one process at a time may hold to change the lock instance `id`. */
function guardFor(file: string, id: string): string {
  return `${file}.takeover-${id.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

/**
 * Takes `file` for `holder`: creates it, or replaces it when what is there is stale. Replacing is where
 * two runs could both win (each removing the other's fresh lock): so a stale lock instance is replaced
 * only by the one process that creates its guard file (`<file>.takeover-<its token>`, O_EXCL-like), and
 * only if the lock is still that instance once the guard is held. The guard is itself taken the same
 * way, so a taker that died holding one does not block the lock for ever.
 */
async function acquire(file: string, holder: Holder, staleMs: number, depth = 0): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createExclusive(file, holder)) return true;
    const seen = await look(file);
    if (!seen) continue; // released meanwhile: try to create it again
    if (!isStale(seen, staleMs) || depth >= 3) return false;
    const guard = guardFor(file, seen.id);
    const guardHolder: Holder = { ...holder, token: `${holder.token}-g${depth}` };
    if (!(await acquire(guard, guardHolder, staleMs, depth + 1))) return false; // another run is taking it over
    try {
      const now = await look(file);
      if (!now) continue; // released meanwhile
      if (now.id !== seen.id) return false; // already taken over by someone else
      const draft = `${file}.${holder.token}.new`;
      await writeFile(draft, JSON.stringify(holder), { mode: 0o644 });
      await rename(draft, file);
      return true;
    } finally {
      if ((await readHolder(guard))?.token === guardHolder.token) await rm(guard, { force: true });
    }
  }
  return false;
}

/**
 * Takes an exclusive lock file holding this process's pid. A lock whose process is gone on this host,
 * or that is older than `staleMs`, is taken over, by exactly one of the runs that find it stale.
 * Returns undefined when another live run holds it.
 */
export async function tryLock(
  file: string,
  clock: Clock,
  staleMs = 6 * 60 * 60_000,
): Promise<Lock | undefined> {
  const token = `${process.pid}-${clock.now()}-${Math.random().toString(36).slice(2)}`;
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(clock.now()).toISOString(),
    token,
  };
  if (!(await acquire(file, holder, staleMs))) return undefined;
  return {
    file,
    release: async () => {
      // Removing is a change too: under the guard of our own instance, so that it cannot race a
      // takeover of a lock that has grown stale by age (then the taker replaces it; nothing to do).
      const guard = guardFor(file, token);
      if (!(await createExclusive(guard, { ...holder, token: `${token}-release` }))) return;
      try {
        if ((await readHolder(file))?.token === token) await rm(file, { force: true });
      } finally {
        await rm(guard, { force: true });
      }
    },
  };
}

/** Describes who holds a lock, for messages. */
export async function lockHolder(file: string): Promise<string> {
  const current = await readHolder(file);
  return current ? `pid ${current.pid} on ${current.host} since ${current.startedAt}` : 'unknown holder';
}

/** Waits (polling every `pollMs`) until the lock is ours or `untilMs` passes on `clock`. */
export async function waitForLock(
  file: string,
  clock: Clock,
  untilMs: number,
  pollMs = 250,
  signal?: AbortSignal,
): Promise<Lock | undefined> {
  for (;;) {
    const lock = await tryLock(file, clock);
    if (lock) return lock;
    if (clock.now() >= untilMs) return undefined;
    await sleepUntil(clock, Math.min(untilMs, clock.now() + pollMs), signal);
  }
}
