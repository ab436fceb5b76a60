import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('the README', () => {
  it('quotes bench/summary.md exactly as npm run bench generated it', async () => {
    const readme = await readFile('README.md', 'utf8');
    const summary = (await readFile('bench/summary.md', 'utf8')).trim();
    const quoted = /<!-- bench\/summary\.md: start -->\n([\s\S]*?)\n<!-- bench\/summary\.md: end -->/.exec(
      readme,
    );
    expect(quoted, 'README.md has lost its bench/summary.md markers').not.toBeNull();
    expect(quoted![1]!.trim()).toBe(summary);
  });
});
