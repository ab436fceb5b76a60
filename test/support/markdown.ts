import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { math, mathHtml } from 'micromark-extension-math';

/**
 * Markdown rendered as GitHub renders a job summary: GitHub-flavoured Markdown with math, by micromark
 * (CommonMark- and GFM-spec compliant). Raw HTML is passed through, as GitHub does before sanitising,
 * so a test sees any tag a cell could inject.
 */
export function renderGitHubMarkdown(markdown: string): string {
  return micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm(), math()],
    htmlExtensions: [gfmHtml(), mathHtml()],
  });
}

export function htmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
