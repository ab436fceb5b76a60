import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A Node process running TypeScript `code` (an ES module: top-level await, `import` of src/…ts by
 * absolute path). Node itself with tsx as a loader, not the tsx CLI: the CLI runs the code in a
 * grandchild, which a kill of the child would leave running.
 */
export function spawnTs(code: string, options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    ...options,
  });
}

export function srcPath(path: string): string {
  return JSON.stringify(resolve(ROOT, path));
}
