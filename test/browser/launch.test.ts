import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseBrowser, launchBrowser } from '../../src/browser/launch.ts';

describe('chooseBrowser', () => {
  it('uses CHROMIUM_PATH when it points at a file', () => {
    const fake = join(mkdtempSync(join(tmpdir(), 'browser-')), 'chromium');
    writeFileSync(fake, '');
    expect(chooseBrowser({ CHROMIUM_PATH: fake })).toEqual({ executablePath: fake, source: 'CHROMIUM_PATH' });
  });

  it('refuses a CHROMIUM_PATH that does not exist, saying what to do', () => {
    expect(() => chooseBrowser({ CHROMIUM_PATH: '/nowhere/chromium' })).toThrow(
      /no file is there; fix or unset it/,
    );
  });

  it('uses a browser channel when BROWSER_CHANNEL is set (the runner image Chrome fallback)', () => {
    expect(chooseBrowser({ BROWSER_CHANNEL: 'chrome' })).toEqual({ channel: 'chrome', source: 'channel' });
  });
});

describe('launchBrowser', () => {
  it('starts a real headless Chromium that renders a page', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent('<button type="button">Book</button>');
      expect(await page.getByRole('button', { name: 'Book' }).count()).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
