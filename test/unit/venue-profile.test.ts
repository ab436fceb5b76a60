import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadProfile, parseProfile, profilePath } from '../../src/venue/profile.ts';

describe('venue profiles', () => {
  it('loads the Estelle profile, and ESTELLE_BASE_URL overrides its address', async () => {
    const profile = await loadProfile('estelle');
    expect(profile.baseUrl).toBe('https://home.estellemanor.com');
    expect(profile.slots.item).toBe('div.cardBtn-bd.vr.vr_centered');
    const sandbox = await loadProfile('estelle', 'http://127.0.0.1:4000/');
    expect(sandbox.baseUrl).toBe('http://127.0.0.1:4000');
  });

  it('names every missing or wrong key with the file', async () => {
    const text = await readFile(profilePath('estelle'), 'utf8');
    const raw = parse(text) as Record<string, Record<string, unknown>>;
    delete raw.slots!.court;
    raw.paths!.login = 'page/login';
    expect(() => parseProfile(stringify(raw), 'my.yml')).toThrow(
      /my\.yml:\d+: paths\.login: must start with "\/"[\s\S]*my\.yml:\d+: slots\.court: is missing/,
    );
  });

  it('reads a profile given as a path, and says where it looked when there is none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profile-'));
    const file = join(dir, 'staging.yml');
    const text = (await readFile(profilePath('estelle'), 'utf8')).replace(
      'name: Estelle Manor',
      'name: Staging',
    );
    await writeFile(file, text);
    expect((await loadProfile(file)).name).toBe('Staging');
    await expect(loadProfile('nowhere')).rejects.toThrow(/Venue profile "nowhere" not found/);
  });
});
