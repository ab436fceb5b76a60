import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `npm run setup` on this machine: dependencies present, a browser that starts. */

const ROOT = resolve(import.meta.dirname, '..', '..');

function setup(env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; output: string }>((done) => {
    execFile(
      'bash',
      ['scripts/setup.sh'],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        done({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: `${stdout}${stderr}`,
        });
      },
    );
  });
}

describe('npm run setup', () => {
  it('finds the dependencies installed and a browser that starts, and says the next command', async () => {
    const { code, output } = await setup();
    expect(code, output).toBe(0);
    expect(output).toContain('Dependencies: ok');
    expect(output).toMatch(/Browser: .+: it starts\./);
    expect(output).toContain('Ready: npm run demo');
  });

  it('stops with what to do when CHROMIUM_PATH points at nothing (and installs nothing)', async () => {
    const { code, output } = await setup({ CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(code).toBe(1);
    expect(output).toContain('CHROMIUM_PATH=/nonexistent/chromium does not start a browser');
    expect(output).not.toContain('Installing');
  });
});
