import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, loadConfig, parseConfig } from '../../src/bookings/config.ts';

describe('the relay setting in bookings/config.yml', () => {
  it('defaults to auto, and the committed file says auto', async () => {
    expect(DEFAULT_CONFIG.relay).toBe('auto');
    expect((await loadConfig('bookings/config.yml')).relay).toBe('auto');
  });

  it('takes auto, true or false', () => {
    expect(parseConfig('relay: auto\n').relay).toBe('auto');
    expect(parseConfig('relay: true\n').relay).toBe(true);
    expect(parseConfig('relay: false\n').relay).toBe(false);
  });

  it('rejects anything else with its line and what to write instead', () => {
    for (const value of ['sometimes', '"yes"', '1', 'on']) {
      let error: unknown;
      try {
        parseConfig(`# settings\nrelay: ${value}\n`);
      } catch (e) {
        error = e;
      }
      expect(error, value).toBeInstanceOf(ConfigError);
      const problem = (error as ConfigError).problems[0]!;
      expect(problem.line).toBe(2);
      expect(problem.message).toMatch(
        /^relay .* must be auto, true or false \(auto: on for a public repository/,
      );
    }
  });

  it('suggests the key when it is misspelt', () => {
    expect(() => parseConfig('rellay: true\n')).toThrow(
      /unknown setting "rellay" \(did you mean "relay"\?\)/,
    );
  });
});
