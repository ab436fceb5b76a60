import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStorageState } from '../../src/venue/storage-state.ts';
import { scene, type Scene } from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/**
 * A saved session that is valid JSON but not a Playwright storage state used to reach
 * browser.newContext({ storageState }), which throws: every later run failed before logging in.
 * The engine now checks the file with the same schema as the session cache, logs in afresh, and
 * writes a good one over it.
 */
describe('the engine and a saved session that is not one', () => {
  it.each(['42', 'null', '{"cookies":"x"}'])(
    'ignores %s, logs in afresh and replaces it',
    async (text) => {
      current = await scene({ leadMs: 3 * 60_000 });
      await mkdir(dirname(current.paths.storageState), { recursive: true });
      await writeFile(current.paths.storageState, text);
      const logins: unknown[] = [];
      const result = await current.run({
        dryRun: true,
        noWait: true,
        date: current.date,
        onStep: (name, data) => {
          if (name === 'logged-in') logins.push(data);
        },
      });
      expect(result.outcome, result.message).toBe('dry-run');
      expect(logins).toEqual([{ restored: false }]);
      expect(parseStorageState(await readFile(current.paths.storageState, 'utf8')).ok).toBe(true);
    },
    45_000,
  );
});
