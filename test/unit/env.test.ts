import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDotEnv, readEnvironment } from '../../src/env.ts';

describe('readEnvironment', () => {
  it('reads every variable, treating empty ones (missing Actions secrets) as unset', () => {
    expect(
      readEnvironment({
        ESTELLE_USERNAME: 'member@example.com',
        ESTELLE_PASSWORD: 'secret',
        DISCORD_WEBHOOK_URL: '',
        DRY_RUN: 'TRUE',
        LOG_LEVEL: 'Debug',
        ESTELLE_BASE_URL: 'http://127.0.0.1:4000',
        BOOKER_NOW: '2026-11-30T23:40:00Z',
      }),
    ).toEqual({
      username: 'member@example.com',
      password: 'secret',
      discordWebhookUrl: undefined,
      dryRun: true,
      logLevel: 'debug',
      baseUrl: 'http://127.0.0.1:4000',
      now: '2026-11-30T23:40:00Z',
    });
  });

  it('defaults to booking for real at log level info', () => {
    expect(readEnvironment({})).toMatchObject({ dryRun: false, logLevel: 'info' });
    for (const yes of ['1', 'yes', 'on', 'true']) expect(readEnvironment({ DRY_RUN: yes }).dryRun).toBe(true);
    for (const no of ['0', 'no', 'off', 'false', ''])
      expect(readEnvironment({ DRY_RUN: no }).dryRun).toBe(false);
  });

  it('refuses values it cannot understand, saying what is expected', () => {
    expect(() => readEnvironment({ DRY_RUN: 'maybe' })).toThrow(
      'DRY_RUN (the repository variable or the environment) is "maybe", which is not a yes/no value: use true or false',
    );
    expect(() => readEnvironment({ LOG_LEVEL: 'loud' })).toThrow(
      'LOG_LEVEL "loud" is not a log level (expected one of debug, info, warn, error)',
    );
    expect(() => readEnvironment({ ESTELLE_BASE_URL: 'estelle' })).toThrow(
      /ESTELLE_BASE_URL "estelle" is not a URL/,
    );
    expect(() => readEnvironment({ DISCORD_WEBHOOK_URL: 'nope' })).toThrow(
      /DISCORD_WEBHOOK_URL is not a URL/,
    );
  });
});

describe('loadDotEnv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'env-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a .env file without overriding variables already set (even empty ones)', async () => {
    const file = join(dir, '.env');
    await writeFile(
      file,
      '# local secrets\nESTELLE_USERNAME=file@example.com\nESTELLE_PASSWORD="p w"\nLOG_LEVEL=debug\nDRY_RUN=true\n',
    );
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', DRY_RUN: '' };
    loadDotEnv(file, env);
    expect(env).toEqual({
      ESTELLE_USERNAME: 'file@example.com',
      ESTELLE_PASSWORD: 'p w',
      LOG_LEVEL: 'warn',
      DRY_RUN: '',
    });
  });

  it('does nothing when the file is missing', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(() => loadDotEnv(join(dir, 'missing.env'), env)).not.toThrow();
    expect(env).toEqual({});
  });
});
