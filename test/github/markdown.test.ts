import { describe, expect, it } from 'vitest';
import { markdownText } from '../../src/github/markdown.ts';
import { renderSummary } from '../../src/github/summary.ts';

describe('markdownText (free text in the job summary)', () => {
  it('escapes what Markdown or HTML would read as markup, and keeps URLs and words as they are', () => {
    expect(markdownText('update src/venue/profiles/<venue>.yml & retry')).toBe(
      'update src/venue/profiles/\\<venue\\>.yml \\& retry',
    );
    expect(markdownText('*x* _y_ `z` [a](b) c|d ~e~')).toBe(
      '\\*x\\* \\_y\\_ \\`z\\` \\[a\\](b) c\\|d \\~e\\~',
    );
    expect(markdownText('see https://github.com/member/padel/actions/runs/1')).toBe(
      'see https://github.com/member/padel/actions/runs/1',
    );
    expect(markdownText('back\\slash')).toBe('back\\\\slash');
  });

  it('keeps a line from starting a list, a heading or a quote, and multi-line text inside the quote', () => {
    expect(markdownText('- a\n# b\n12. c\n+ d')).toBe('\\- a\n> \\# b\n> 12\\. c\n> \\+ d');
  });

  it("is what the failure summary uses for the engine's message", () => {
    const summary = renderSummary({
      outcome: 'failed',
      attempts: 0,
      message: 'update slots.card in the venue profile (src/venue/profiles/<venue>.yml)',
      screenshots: [],
    });
    expect(summary).toContain(
      '> update slots.card in the venue profile (src/venue/profiles/\\<venue\\>.yml)',
    );
  });
});
