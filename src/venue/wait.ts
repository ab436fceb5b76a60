import type { Clock } from '../calendar/clock.ts';

/** Longest single timer: the clock is re-read at least this often, so a shifted/jumping clock is followed. */
const MAX_CHUNK_MS = 30_000;

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Coarse sleep until `clock` reads `instantMs` (or later). Sleeps in chunks and re-reads the
 * clock after each, so it never oversleeps by more than a timer's slack.
 */
export async function sleepUntil(clock: Clock, instantMs: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const remaining = instantMs - clock.now();
    if (remaining <= 0) return;
    await delay(Math.min(remaining, MAX_CHUNK_MS), signal);
  }
}

/**
 * Precise wait: a coarse sleep until ~`coarseMarginMs` before the instant, then a yielding
 * spin (setImmediate) re-reading the clock, so it returns within about a millisecond of it.
 */
export async function preciseWaitUntil(
  clock: Clock,
  instantMs: number,
  coarseMarginMs = 60,
): Promise<number> {
  await sleepUntil(clock, instantMs - coarseMarginMs);
  while (clock.now() < instantMs) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return clock.now();
}
