import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';

const run = promisify(execFile);
let discord: DiscordStandIn;
beforeAll(async () => {
  discord = await startDiscordStandIn();
});
afterAll(async () => {
  await discord.stop();
});

async function notifyTest(env: Record<string, string>) {
  const cwd = await mkdtemp(join(tmpdir(), 'notify-cli-')); // no .env there
  try {
    const { stdout, stderr } = await run(
      join(process.cwd(), 'node_modules/.bin/tsx'),
      [join(process.cwd(), 'src/cli/notify-test.ts')],
      {
        cwd,
        env: { PATH: process.env.PATH!, ...env },
      },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe('npm run notify:test', () => {
  it('sends a test message as Actions runs it, masking the webhook first', async () => {
    const result = await notifyTest({
      DISCORD_WEBHOOK_URL: discord.url,
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'member/padel',
      GITHUB_RUN_ID: '77',
    });
    expect(result.code).toBe(0);
    expect(discord.messages().at(-1)?.violations).toEqual([]);
    expect(JSON.stringify(discord.messages().at(-1)?.payload)).toContain('actions/runs/77');
    expect(result.out).toContain(`::add-mask::${discord.url}`);
    expect(result.out.replace(/::add-mask::.*\n/g, '')).not.toContain(discord.token);
  });

  it('fails with a clear message when no webhook is set, and on a 404', async () => {
    const none = await notifyTest({});
    expect(none.code).toBe(1);
    expect(none.out).toContain('DISCORD_WEBHOOK_URL');
    discord.failNext(404, { message: 'Unknown Webhook' });
    const gone = await notifyTest({ DISCORD_WEBHOOK_URL: discord.url });
    expect(gone.code).toBe(1);
    expect(gone.out).toContain('the webhook was deleted or the URL is wrong');
    expect(gone.out).not.toContain(discord.token);
  });
});
