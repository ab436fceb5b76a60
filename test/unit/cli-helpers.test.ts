import { describe, expect, it } from 'vitest';
import { clockFrom, parseCommandLine, textTable, UsageError } from '../../src/cli/args.ts';
import { boundedMarkdownTable, markdownTable, repoPath } from '../../src/github/annotations.ts';

describe('command-line helpers', () => {
  it('reads --now as London wall-clock time unless it carries an offset', () => {
    expect(new Date(clockFrom('2026-07-01T00:00', 'Europe/London').now()).toISOString()).toBe(
      '2026-06-30T23:00:00.000Z',
    );
    expect(new Date(clockFrom('2026-07-01T00:00:00Z', 'Europe/London').now()).toISOString()).toBe(
      '2026-07-01T00:00:00.000Z',
    );
    expect(new Date(clockFrom('2026-12-01 23:40', 'Europe/London').now()).toISOString()).toBe(
      '2026-12-01T23:40:00.000Z',
    );
    expect(() => clockFrom('tonight', 'Europe/London', 'BOOKER_NOW')).toThrow(
      /^BOOKER_NOW "tonight" is not a date and time/,
    );
  });

  it('refuses unknown flags and extra arguments with a suggestion', () => {
    const options = { json: { type: 'boolean' as const }, now: { type: 'string' as const } };
    expect(parseCommandLine(['file.csv', '--json'], options, 'usage').values.json).toBe(true);
    expect(() => parseCommandLine(['--jsno'], options, 'usage')).toThrow(
      new UsageError(
        'unknown option "--jsno" (did you mean "--json"?) (expected one of --json, --now)',
        'usage',
      ),
    );
    expect(() => parseCommandLine(['a.csv', 'b.csv'], options, 'usage')).toThrow(
      'unexpected argument "b.csv"',
    );
  });

  it('pads plain-text tables and escapes Markdown ones', () => {
    expect(textTable(['A', 'Long header'], [['wide cell', 'x']])).toBe(
      'A          Long header\nwide cell  x',
    );
    expect(markdownTable(['Note', 'Court'], [['a | b', undefined]])).toBe(
      '| Note | Court |\n| --- | --- |\n| a \\| b | — |',
    );
  });

  it('annotates repository-relative paths', () => {
    expect(repoPath('/ws/repo/bookings/bookings.csv', { GITHUB_WORKSPACE: '/ws/repo' })).toBe(
      'bookings/bookings.csv',
    );
    expect(repoPath('/tmp/x.csv', { GITHUB_WORKSPACE: '/ws/repo' })).toBe('/tmp/x.csv');
    expect(repoPath('bookings/bookings.csv', {})).toBe('bookings/bookings.csv');
  });

  it('lays out 150,000 rows as text, and a summary table of them within bounds', () => {
    const rows = Array.from({ length: 150_000 }, (_, i) => [
      String(i + 2),
      '2026-12-15',
      i === 7 ? 'a wider cell' : 'x',
    ]);
    const lines = textTable(['Line', 'Date', 'Court'], rows).split('\n');
    expect(lines).toHaveLength(150_001);
    expect(lines[0]).toBe('Line    Date        Court');
    const table = boundedMarkdownTable(['Line', 'Date', 'Court'], rows);
    expect(table.split('\n')).toHaveLength(2 + 500 + 2);
    expect(table.endsWith('_… and 149,500 more rows, not shown._')).toBe(true);
  });
});
