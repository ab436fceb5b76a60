import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shiftedClock, systemClock } from '../../src/calendar/clock.ts';
import { tryLock, waitForLock } from '../../src/venue/lock.ts';
import { preciseWaitUntil, sleepUntil } from '../../src/venue/wait.ts';

describe('the run lock', () => {
  it('is exclusive, and released only by its holder', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'lock-')), '.booker.lock');
    const first = await tryLock(file, systemClock);
    expect(first).toBeDefined();
    expect(await tryLock(file, systemClock)).toBeUndefined();
    await first!.release();
    expect(existsSync(file)).toBe(false);
    const second = await tryLock(file, systemClock);
    expect(second).toBeDefined();
    await second!.release();
  });

  it('takes over the lock of a process that died', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'lock-')), '.booker.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    await writeFile(file, JSON.stringify({ pid: dead, host: hostname(), startedAt: 'x', token: 'old' }));
    const lock = await tryLock(file, systemClock);
    expect(lock).toBeDefined();
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await lock!.release();
  });

  it('waits for a live holder, then gives up at the deadline', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'lock-')), '.booker.lock');
    const held = await tryLock(file, systemClock);
    const start = Date.now();
    expect(await waitForLock(file, systemClock, Date.now() + 300, 50)).toBeUndefined();
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    setTimeout(() => void held!.release(), 100);
    const got = await waitForLock(file, systemClock, Date.now() + 2_000, 50);
    expect(got).toBeDefined();
    await got!.release();
  });
});

describe('waiting on the injected clock', () => {
  it('sleeps until a shifted clock reads the instant, and the precise wait never returns early', async () => {
    const clock = shiftedClock(-3_600_000 * 5); // the run's clock is 5 h behind real time
    const target = clock.now() + 150;
    await sleepUntil(clock, target);
    expect(clock.now()).toBeGreaterThanOrEqual(target);
    const precise = clock.now() + 120;
    const woke = await preciseWaitUntil(clock, precise);
    expect(woke - precise).toBeGreaterThanOrEqual(0);
    // How close to the instant it lands in real time is the bench's to measure (a busy machine can
    // deschedule any process for milliseconds); the test below pins when it stops, on the clock's own readings.
  });

  it('ends the precise wait at the first clock reading at or past the instant, not before, not after', async () => {
    // A clock that moves 1 ms per reading, started inside the coarse margin (no timer sleep at all).
    let readings = 0;
    const instant = 1_000_000;
    const stepping = { now: () => instant - 10 + readings++ };
    const woke = await preciseWaitUntil(stepping, instant);
    expect(woke - instant).toBeGreaterThanOrEqual(0);
    expect(woke - instant).toBeLessThanOrEqual(1); // the reading that ended the spin, then the one returned
    expect(readings).toBeLessThanOrEqual(13);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 50);
    await expect(sleepUntil(systemClock, Date.now() + 60_000, controller.signal)).rejects.toThrow('stop');
  });
});
