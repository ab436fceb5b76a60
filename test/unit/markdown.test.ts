import { describe, expect, it } from 'vitest';
import { escapeMarkdown, markdownCell, markdownCode, markdownTable } from '../../src/github/annotations.ts';
import { htmlText, renderGitHubMarkdown } from '../support/markdown.ts';

// What a Note, a Court or a venue's page could hold, aimed at a job summary.
const HOSTILE = [
  'a `backtick` breaks out of a code span',
  'a ``double`` and a trailing `',
  'pipes | split | cells',
  '<img src=x onerror=alert(1)> <b>bold</b> <!-- comment',
  '[click](https://evil.example) ![img](https://evil.example/x.png) [ref]',
  '**bold** *em* _em_ __strong__ ~~struck~~ ~one~',
  '$x^2$ and $$\\text{math}$$',
  '&amp; &lt;entity&gt; &#64;',
  '\\` backslash then backtick \\\\',
  'snake_case_name and 2*3*4',
  '# not a heading, - not a list, > not a quote, 1. not a list',
];

describe('Markdown escaping, checked by rendering it as GitHub does', () => {
  it('escapeMarkdown: any text renders as exactly that text', () => {
    for (const text of HOSTILE) {
      expect(renderGitHubMarkdown(`Note: ${escapeMarkdown(text)}`), text).toBe(
        `<p>Note: ${htmlText(text)}</p>`,
      );
    }
  });

  it('markdownCode: a code span that shows any text exactly, also inside a table', () => {
    for (const text of HOSTILE) {
      expect(renderGitHubMarkdown(`- ${markdownCode(text)}`), text).toBe(
        `<ul>\n<li><code>${htmlText(text)}</code></li>\n</ul>`,
      );
      const table = renderGitHubMarkdown(
        `| a | b |\n| --- | --- |\n| ${markdownCode(text, { inTable: true })} | end |`,
      );
      expect(table, text).toContain(`<td><code>${htmlText(text)}</code></td>\n<td>end</td>`);
    }
  });

  it('markdownTable: every cell stays in its column and renders as its text', () => {
    const rendered = renderGitHubMarkdown(
      markdownTable(
        ['Court', 'Status'],
        HOSTILE.map((t) => [t, 'x']),
      ),
    );
    const cells = [...rendered.matchAll(/<td>(.*?)<\/td>/gs)].map((m) => m[1]);
    expect(cells).toEqual(HOSTILE.flatMap((t) => [htmlText(t), 'x']));
  });

  it('markdownCell: a value written as one code span stays one, a cron line stays readable', () => {
    expect(renderGitHubMarkdown(`| r |\n| --- |\n| ${markdownCell('`EM-42`')} |`)).toContain(
      '<td><code>EM-42</code></td>',
    );
    expect(markdownCell('7 23 * * *')).toBe('7 23 * * *');
    expect(markdownCell('two\nlines')).toBe('two<br>lines');
    expect(markdownCell(undefined)).toBe('—');
  });
});
