import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/** A marked block quoting a generated file: `<!-- FILE: start -->` … `<!-- FILE: end -->`. */
function quoted(text: string, file: string): string | undefined {
  const start = `<!-- ${file}: start -->\n`;
  const end = `\n<!-- ${file}: end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end, a);
  return a < 0 || b < 0 ? undefined : text.slice(a + start.length, b);
}

describe('the benchmark figures quoted in the docs', () => {
  it('docs/benchmarks.md quotes bench/summary.md exactly as npm run bench generated it', async () => {
    const quote = quoted(await readFile('docs/benchmarks.md', 'utf8'), 'bench/summary.md');
    expect(quote, 'docs/benchmarks.md has lost its bench/summary.md markers').toBeDefined();
    expect(quote!.trim()).toBe((await readFile('bench/summary.md', 'utf8')).trim());
  });

  it('docs/benchmarks.md quotes bench/ab.md exactly as npm run bench:ab generated it', async () => {
    const quote = quoted(await readFile('docs/benchmarks.md', 'utf8'), 'bench/ab.md');
    expect(quote, 'docs/benchmarks.md has lost its bench/ab.md markers').toBeDefined();
    expect(quote!.trim()).toBe((await readFile('bench/ab.md', 'utf8')).trim());
  });

  it('the README quotes bench/headline.md exactly as npm run bench generated it', async () => {
    const quote = quoted(await readFile('README.md', 'utf8'), 'bench/headline.md');
    expect(quote, 'README.md has lost its bench/headline.md markers').toBeDefined();
    expect(quote!.trim()).toBe((await readFile('bench/headline.md', 'utf8')).trim());
  });
});
