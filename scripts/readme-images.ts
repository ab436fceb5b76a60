/**
 * npm run readme:images — the two pictures the README shows, made from a real run so they stay current:
 * the demo books a court on the sandbox venue, and its confirmation screenshot (credentials masked, as
 * every screenshot is) and its job summary (rendered as GitHub renders Markdown: micromark with GFM, in a
 * page styled like GitHub's, screenshotted in Chromium) are written to docs/images/.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { launchBrowser } from '../src/browser/launch.ts';
import { runDemo } from './demo.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'images');

/** The job summary's Markdown as an HTML page that looks like GitHub's rendering of it. */
export function summaryPage(markdown: string): string {
  const body = micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()] });
  return `<!doctype html><html><head><meta charset="utf-8"><style>
    body { font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #fff; }
    main { max-width: 960px; padding: 24px 32px; border: 1px solid #d1d9e0; border-radius: 6px; margin: 16px; }
    h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin-top: 0; }
    h3 { font-size: 1.25em; }
    table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
    th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
    th { font-weight: 600; background: #f6f8fa; }
    tr:nth-child(2n) td { background: #f6f8fa; }
    code { background: #eff1f3; border-radius: 6px; padding: .2em .4em; font: 85% ui-monospace, SFMono-Regular, Menlo, monospace; }
    blockquote { color: #59636e; border-left: .25em solid #d1d9e0; margin: 0 0 16px; padding: 0 1em; }
    a { color: #0969da; text-decoration: none; }
  </style></head><body><main>${body}</main></body></html>`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'readme-images-'));
  try {
    const report = await runDemo({ outDir: join(dir, 'demo'), print: () => undefined });
    if (report.exitCode !== 0) throw new Error(`the demo ended with exit code ${report.exitCode}`);
    await mkdir(OUT, { recursive: true });
    const confirmation = report.actions.result?.screenshots.find((f) => basename(f).includes('confirmation'));
    if (!confirmation) throw new Error('the demo left no confirmation screenshot');
    await copyFile(confirmation, join(OUT, 'confirmation.png'));

    const markdown = await readFile(join(report.dir, 'summary.md'), 'utf8');
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1024, height: 600 } })).newPage();
      await page.setContent(summaryPage(markdown));
      await page.locator('main').screenshot({ path: join(OUT, 'job-summary.png') });
    } finally {
      await browser.close();
    }
    console.log(
      `Wrote ${join('docs', 'images', 'confirmation.png')} and ${join('docs', 'images', 'job-summary.png')}.`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
