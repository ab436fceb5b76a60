/* eslint-disable @typescript-eslint/no-explicit-any -- the tests edit raw YAML structures */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  fillTemplate,
  fireStrategy,
  loadProfile,
  parseProfile,
  profilePath,
} from '../../src/venue/profile.ts';

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

describe('a profile describes the flow, and says which key is wrong', () => {
  const estelle = () => readFile(profilePath('estelle'), 'utf8');
  const withChange = async (change: (raw: Record<string, any>) => void) => {
    const raw = parse(await estelle()) as Record<string, any>;
    change(raw);
    return stringify(raw);
  };

  it('rejects an unknown format token, a broken template, a bad regex and an unknown key, each on its line', async () => {
    const text = await withChange((raw) => {
      raw.slots.time.format = 'hour';
      raw.navigation[2].text = '{month}';
      raw.refusals.push({ match: { text: '/unclosed(/' }, outcome: 'taken' });
      raw.slots.colour = 'red';
    });
    let message = '';
    try {
      parseProfile(text, 'club.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/club\.yml:\d+: slots\.time\.format: has "r", which luxon does not know/);
    expect(message).toMatch(/club\.yml:\d+: navigation\.2\.text: has a \{ or \} that is not \{date:FORMAT\}/);
    expect(message).toMatch(/club\.yml:\d+: refusals\.6\.match\.text: is not a valid \/regular expression\//);
    expect(message).toMatch(/club\.yml:\d+: slots: unknown key "colour"/);
  });

  it("reads the watch's limit, and names a wrong one on its line in a member's words", async () => {
    const ok = await withChange((raw) => (raw.watch = { minIntervalMinutes: 45 }));
    expect(parseProfile(ok, 'club.yml').watch).toEqual({ minIntervalMinutes: 45 });
    expect(parseProfile(await withChange(() => undefined), 'club.yml').watch).toBeUndefined();
    const bad = await withChange((raw) => (raw.watch = { minIntervalMinutes: 'often', every: 5 }));
    let message = '';
    try {
      parseProfile(bad, 'club.yml');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(
      /club\.yml:\d+: watch\.minIntervalMinutes: must be a whole number of minutes \(expected 1 to 1440, e\.g\. 30\)/,
    );
    expect(message).toMatch(/club\.yml:\d+: watch: unknown key "every"/);
  });

  it('checks keys that depend on each other', async () => {
    const noDialog = await withChange((raw) => delete raw.confirm.dialog);
    expect(() => parseProfile(noDialog, 'a.yml')).toThrow(
      /confirm\.dialog: is required when confirm\.opens is dialog/,
    );
    const address = await withChange(
      (raw) => (raw.confirm.address = { url: '/book?d={date:yyyy-MM-dd}', courts: { A: 'a' } }),
    );
    expect(() => parseProfile(address, 'b.yml')).toThrow(
      /confirm\.address: needs confirm\.opens: page[\s\S]*confirm\.address\.url: must use/,
    );
    const overlappingPageLoad = await withChange(
      (raw) => (raw.dayView.apply = { click: '#go', navigates: true, overlapping: true }),
    );
    expect(() => parseProfile(overlappingPageLoad, 'c.yml')).toThrow(
      /dayView\.apply\.overlapping: needs navigates: false/,
    );
    const oneAtATime = await withChange((raw) => (raw.dayView.apply = { click: '#go', navigates: false }));
    expect(parseProfile(oneAtATime, 'd.yml').dayView.apply).toEqual({
      click: '#go',
      navigates: false,
      overlapping: false,
    });
  });

  it('chooses the fire strategy from the flow: in-page only when nothing after the release loads a page', async () => {
    const estelleProfile = await loadProfile('estelle');
    expect(fireStrategy(estelleProfile)).toBe('in-page');
    expect(
      fireStrategy({
        ...estelleProfile,
        dayView: { ...estelleProfile.dayView, apply: { url: '/d?date={date:yyyy-MM-dd}' } },
      }),
    ).toBe('page-by-page');
    expect(fireStrategy({ ...estelleProfile, confirm: { ...estelleProfile.confirm, opens: 'page' } })).toBe(
      'page-by-page',
    );
    expect(fireStrategy({ ...estelleProfile, confirm: { ...estelleProfile.confirm, navigates: true } })).toBe(
      'page-by-page',
    );
  });

  it('fills {date:FORMAT}, {time:FORMAT} and {court} templates, percent-encoded in URLs', () => {
    const zone = { timeZone: 'Europe/London', locale: 'en-GB' };
    expect(fillTemplate('{date:LLLL}', { date: '2026-03-29' }, zone)).toBe('March');
    expect(
      fillTemplate(
        '/reserve?d={date:d LLL yyyy}&t={time:ha}&c={court}',
        { date: '2026-12-15', time: '19:00', court: 'Court A' },
        zone,
        { url: true },
      ),
    ).toBe('/reserve?d=15%20Dec%202026&t=7pm&c=Court%20A');
  });
});
