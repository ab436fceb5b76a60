import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig, parseConfig } from '../../src/bookings/config.ts';
import { formatProblem } from '../../src/bookings/problem.ts';

const FILE = 'bookings/config.yml';

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map(formatProblem);
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has defaults that match the venue', () => {
    expect(DEFAULT_CONFIG).toEqual({
      timeZone: 'Europe/London',
      advanceDays: 14,
      releaseTime: '00:00:00',
      slotMinutes: 60,
      openingHours: { open: '07:00', close: '22:00' },
      loginLeadMinutes: 10,
      runWindow: { leadMinutes: 300, graceMinutes: 30 },
      retry: { windowSeconds: 180, maxPerSecond: 4 },
      relay: 'auto',
      watch: { everyMinutes: 30, cutoffMinutes: 120 },
      venue: { profile: 'estelle' },
    });
  });

  it('reads the watch settings, and refuses looking more often than every 15 minutes, on its line', () => {
    expect(parseConfig('watch:\n  everyMinutes: 45\n  cutoffMinutes: 60\n').watch).toEqual({
      everyMinutes: 45,
      cutoffMinutes: 60,
    });
    let problems: string[] = [];
    try {
      parseConfig('watch:\n  everyMinutes: 5\n  cutofMinutes: 60\n', 'c.yml');
    } catch (error) {
      problems = (error as ConfigError).problems.map(formatProblem);
    }
    expect(problems).toEqual([
      'c.yml:2: watch.everyMinutes 5 is too small (expected 15 to 1440): looking more often than every 15 minutes is more than the venue should see from one member',
      'c.yml:3: unknown setting "watch.cutofMinutes" (did you mean "cutoffMinutes"?)',
    ]);
  });

  it('uses the defaults when the file is missing or empty', async () => {
    expect(await loadConfig(join(dir, 'missing.yml'))).toEqual(DEFAULT_CONFIG);
    const empty = join(dir, 'empty.yml');
    await writeFile(empty, '# nothing set\n');
    expect(await loadConfig(empty)).toEqual(DEFAULT_CONFIG);
  });

  it('reads the committed bookings/config.yml as exactly the defaults', async () => {
    expect(await loadConfig('bookings/config.yml')).toEqual(DEFAULT_CONFIG);
  });

  it('merges a partial file over the defaults and normalises the release time', async () => {
    const file = join(dir, 'partial.yml');
    await writeFile(
      file,
      'releaseTime: "00:00:05"\nrunWindow:\n  graceMinutes: 45\nopeningHours:\n  close: "23:00"\n',
    );
    const config = await loadConfig(file);
    expect(config.releaseTime).toBe('00:00:05');
    expect(config.runWindow).toEqual({ leadMinutes: 300, graceMinutes: 45 });
    expect(config.openingHours).toEqual({ open: '07:00', close: '23:00' });
    expect(parseConfig('releaseTime: "00:01"').releaseTime).toBe('00:01:00');
  });

  it('reports every invalid value and unknown key with its line, and suggests the key meant', () => {
    const text = [
      'timeZone: Europe/Londn', // 1
      'advanceDays: 14.5', // 2
      'runWindow:', // 3
      '  leadMinutes: 400', // 4
      '  grace: 3', // 5
      'stauts: x', // 6
      'openingHours:', // 7
      '  open: "23:00"', // 8
      '  close: "22:00"', // 9
      'slotMinutes: "60"', // 10
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'bookings/config.yml:1: timeZone "Europe/Londn" is not a known time zone (expected e.g. Europe/London)',
      'bookings/config.yml:2: advanceDays 14.5 must be a whole number (expected 0 to 365)',
      'bookings/config.yml:4: runWindow.leadMinutes 400 is too large (expected 0 to 330)',
      'bookings/config.yml:5: unknown setting "runWindow.grace" (did you mean "graceMinutes"?)',
      'bookings/config.yml:6: unknown setting "stauts"',
      'bookings/config.yml:8: openingHours is not a valid range: close must be later than open (expected e.g. open "07:00", close "22:00")',
      'bookings/config.yml:10: slotMinutes "60" must be a whole number (expected 15 to 240)',
    ]);
  });

  it('suggests a misspelt top-level key', () => {
    expect(problemsOf('advanceDay: 14\n')).toEqual([
      'bookings/config.yml:1: unknown setting "advanceDay" (did you mean "advanceDays"?)',
    ]);
  });

  it('reports YAML syntax errors and a file that is not a mapping, with lines', () => {
    expect(problemsOf('advanceDays: 14\nrunWindow: [\n')[0]).toMatch(
      /^bookings\/config\.yml:\d: YAML syntax: /,
    );
    expect(problemsOf('- 1\n- 2\n')).toEqual([
      'bookings/config.yml:1: the file must be a list of "key: value" settings',
    ]);
  });

  it('explains how to fix it in the error message', () => {
    expect(() => parseConfig('advanceDays: -1', FILE)).toThrow(/advanceDays -1 is too small/);
    try {
      parseConfig('advanceDays: -1', FILE);
    } catch (error) {
      expect((error as ConfigError).describe()).toContain('→ Fix the lines above in bookings/config.yml');
    }
  });

  it('refuses an alias bomb, and 200 aliases of one anchor, naming the file, the line and the limit', () => {
    const bomb = [
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    ].join('\n');
    const many = `x: &x 1\n${Array.from({ length: 200 }, (_, i) => `k${i}: *x`).join('\n')}\n`;
    expect(problemsOf(bomb)).toEqual([
      'bookings/config.yml:2: YAML aliases (*name) go over the limit of 100 alias expansions (36 aliases in the file, the first on this line; expected plain "key: value" settings: write each value out instead of using an alias)',
    ]);
    expect(problemsOf(many)).toEqual([
      'bookings/config.yml:2: YAML aliases (*name) go over the limit of 100 alias expansions (200 aliases in the file, the first on this line; expected plain "key: value" settings: write each value out instead of using an alias)',
    ]);
    // A few aliases are still just YAML (then the keys are what is wrong).
    expect(problemsOf('x: &x 1\ny: *x\n')[0]).toContain('unknown setting "x"');
  });

  it('lists the first 100 problems in its message and counts the rest', () => {
    const keys = Array.from({ length: 1_000 }, (_, i) => `k${i}: 1`).join('\n');
    try {
      parseConfig(keys, FILE);
      expect.unreachable();
    } catch (error) {
      const message = (error as ConfigError).message.split('\n');
      expect(message).toHaveLength(102);
      expect(message.at(-1)).toBe(
        '  … and 900 more problems (900 errors), not listed: fix the first 100 above and run again',
      );
    }
  });
});
