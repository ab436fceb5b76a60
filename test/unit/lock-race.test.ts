import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/calendar/clock.ts';
import { tryLock } from '../../src/venue/lock.ts';
import { spawnTs, srcPath } from '../support/ts-child.ts';

const RACERS = 6;
const TRIALS = 30;

/** A real process that, told `try <file> <epoch ms>`, waits for that instant, takes the lock and says whether it got it (keeping it). */
function racer(): { child: ChildProcess; next: () => Promise<string> } {
  const child = spawnTs(
    `import { createInterface } from 'node:readline';
     import { tryLock } from ${srcPath('src/venue/lock.ts')};
     import { systemClock } from ${srcPath('src/calendar/clock.ts')};
     const held = [];
     console.log('ready');
     for await (const line of createInterface({ input: process.stdin })) {
       const [, file, at] = line.split(' ');
       await new Promise((r) => setTimeout(r, Math.max(0, Number(at) - Date.now() - 2)));
       while (Date.now() < Number(at)) {}
       const lock = await tryLock(file, systemClock);
       if (lock) held.push(lock);
       console.log(lock ? 'held' : 'busy');
     }`,
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, next: async () => String((await lines.next()).value) };
}

/** A pid that was a process on this host and is not any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
}

describe('taking over a stale lock', () => {
  let dir: string;
  const racers: ReturnType<typeof racer>[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lock-race-'));
    for (let i = 0; i < RACERS; i++) racers.push(racer());
    for (const r of racers) expect(await r.next()).toBe('ready');
  }, 60_000);
  afterAll(async () => {
    for (const r of racers) {
      r.child.stdin!.end();
      r.child.kill();
    }
    await Promise.all(racers.map((r) => (r.child.exitCode === null ? once(r.child, 'exit') : undefined)));
    await rm(dir, { recursive: true, force: true });
  });

  it(`has exactly one winner when ${RACERS} processes find it stale at once, in each of ${TRIALS} trials`, async () => {
    const winners: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const file = join(dir, `trial-${trial}.lock`);
      // A run that died holding the lock (its pid gone on this host).
      await writeFile(
        file,
        JSON.stringify({
          pid: deadPid(),
          host: hostname(),
          startedAt: '2026-12-01T23:50:00Z',
          token: `dead-${trial}`,
        }),
      );
      const at = Date.now() + 150;
      for (const r of racers) r.child.stdin!.write(`try ${file} ${at}\n`);
      const answers = await Promise.all(racers.map((r) => r.next()));
      winners.push(answers.filter((a) => a === 'held').length);
      // The lock now names one live racer, and no takeover guard is left behind.
      const holder = JSON.parse(await readFile(file, 'utf8')) as { pid: number };
      expect(racers.map((r) => r.child.pid)).toContain(holder.pid);
    }
    expect(winners).toEqual(Array(TRIALS).fill(1));
    expect((await readdir(dir)).filter((n) => !/^trial-\d+\.lock$/.test(n))).toEqual([]);
  }, 120_000);

  it('is taken over even when an earlier taker died holding the takeover guard', async () => {
    const file = join(dir, 'guarded.lock');
    const stale = { pid: deadPid(), host: hostname(), startedAt: 'x', token: 'dead-holder' };
    await writeFile(file, JSON.stringify(stale));
    await writeFile(
      `${file}.takeover-dead-holder`,
      JSON.stringify({ ...stale, pid: deadPid(), token: 'dead-taker' }),
    );
    const lock = await tryLock(file, systemClock);
    expect(lock).toBeDefined();
    expect(JSON.parse(await readFile(file, 'utf8')).pid).toBe(process.pid);
    await lock!.release();
    expect((await readdir(dir)).filter((n) => n.startsWith('guarded'))).toEqual([]);
  });
});
