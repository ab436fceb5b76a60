import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyStatus, readStatus, recordAttempt, writeStatus } from '../../src/bookings/status.ts';
import { spawnTs, srcPath } from '../support/ts-child.ts';

const temps = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.tmp')).sort();

/** A status big enough (a few MB) that each atomic write spends a while with its temporary file open. */
function bigStatus() {
  let status = emptyStatus();
  for (let i = 0; i < 20_000; i++) {
    status = recordAttempt(
      status,
      { key: '2026-12-15 19:00', date: '2026-12-15' },
      {
        startedAt: `2026-12-01T23:50:${String(i % 60).padStart(2, '0')}.000Z`,
        outcome: 'failed',
        error: 'x'.repeat(80),
      },
    );
  }
  return status;
}

describe('temporary files of killed status writes', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-orphans-'));
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('are removed by the next write; a live writer’s temporary file is never touched', async () => {
    const file = join(dir, 'status.json');
    await writeFile(join(dir, 'big.json'), JSON.stringify(bigStatus()));

    // 1. A real writer, SIGKILLed while its temporary file exists: it leaves an orphan.
    let orphans: string[] = [];
    for (let attempt = 0; attempt < 10 && orphans.length === 0; attempt++) {
      const writer = spawnTs(
        `import { readFileSync } from 'node:fs';
         import { writeStatus } from ${srcPath('src/bookings/status.ts')};
         const status = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'big.json'))}, 'utf8'));
         for (;;) await writeStatus(${JSON.stringify(file)}, status);`,
        { stdio: 'ignore' },
      );
      children.push(writer);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && writer.exitCode === null && (await temps(dir)).length === 0)
        await new Promise((r) => setTimeout(r, 1));
      writer.kill('SIGKILL');
      await once(writer, 'exit');
      orphans = await temps(dir);
    }
    expect(orphans).toHaveLength(1);
    expect(orphans[0]).toMatch(/^\.status\.json\.\d+\.[0-9a-f]{8}\.tmp$/);

    // 2. A live writer: a process that has its own temporary file open and has not renamed it yet.
    const live = spawn(
      process.execPath,
      [
        '-e',
        `require('node:fs').writeFileSync(${JSON.stringify(dir)} + '/.status.json.' + process.pid + '.0badf00d.tmp', 'half');
         console.log('ready'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    children.push(live);
    await once(live.stdout!, 'data');
    const liveTemp = `.status.json.${live.pid}.0badf00d.tmp`;

    // 3. The next run's write removes the orphan and leaves the live writer's file alone.
    await writeStatus(file, emptyStatus());
    expect(await temps(dir)).toEqual([liveTemp]);
    expect(await readFile(join(dir, liveTemp), 'utf8')).toBe('half');
    expect(await readStatus(file)).toEqual(emptyStatus());

    // 4. Once that writer is gone too, its file is an orphan like any other.
    live.kill('SIGKILL');
    await once(live, 'exit');
    await writeStatus(file, emptyStatus());
    expect(await temps(dir)).toEqual([]);
  }, 120_000);
});
