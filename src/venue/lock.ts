import { open, readFile, rm, stat } from 'node:fs/promises';
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
    return JSON.parse(await readFile(file, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/**
 * Takes an exclusive lock file (O_EXCL create) holding this process's pid. A lock whose process is
 * gone on this host, or that is older than `staleMs`, is taken over. Returns undefined when another
 * live run holds it.
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
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(JSON.stringify(holder));
      await handle.close();
      return {
        file,
        release: async () => {
          const current = await readHolder(file);
          if (current?.token === token) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = await readHolder(file);
      const age = await stat(file).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      const stale = current
        ? (current.host === hostname() && !alive(current.pid)) || age > staleMs
        : age > 5_000; // unreadable: a writer that died between create and write
      if (!stale) return undefined;
      await rm(file, { force: true });
    }
  }
  return undefined;
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
