import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('docs/nightly-run.md', () => {
  it('quotes bench/schedule.md exactly as npm run bench:schedule generated it', async () => {
    const readme = await readFile('docs/nightly-run.md', 'utf8');
    const generated = (await readFile('bench/schedule.md', 'utf8')).trim();
    const quoted = /<!-- bench\/schedule\.md: start -->\n([\s\S]*?)\n<!-- bench\/schedule\.md: end -->/.exec(
      readme,
    );
    expect(quoted, 'docs/nightly-run.md has lost its bench/schedule.md markers').not.toBeNull();
    expect(quoted![1]!.trim()).toBe(generated);
  });

  it('quotes the figures it recommends from the generated file', async () => {
    const readme = await readFile('docs/nightly-run.md', 'utf8');
    const generated = await readFile('bench/schedule.md', 'utf8');
    // Every "N min a month" or percentage in the "Which design?" advice must appear in bench/schedule.md.
    const advice = /<!-- which design: start -->([\s\S]*?)<!-- which design: end -->/.exec(readme);
    expect(advice, 'docs/nightly-run.md has lost its "which design" markers').not.toBeNull();
    const figures =
      advice![1]!.match(/\b\d{1,3}(?:,\d{3})*(?:\.\d+)?%|\b\d{1,3}(?:,\d{3})+\b|\b\d{3,}\b/g) ?? [];
    expect(figures.length).toBeGreaterThan(3);
    for (const figure of figures) expect(generated, figure).toContain(figure);
  });
});
