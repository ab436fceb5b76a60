import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeTab } from '../../src/browser/close-tab.ts';
import { launchBrowser } from '../../src/browser/launch.ts';

let server: Server;
let url: string;
let browser: Browser;
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>tab</title><p>a page</p>');
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((closed) => server?.close(closed));
});

describe('closeTab', () => {
  it('closes a tab whose close raced a navigation commit (Chromium drops that close), every time', async () => {
    const context = await browser.newContext();
    try {
      for (let i = 0; i < 10; i += 1) {
        const page = await context.newPage();
        await page.goto(url);
        // The reload commits while the close is on its way: playwright#42068's reproduction.
        await page
          .evaluate(() => {
            location.reload();
            return new Promise(() => {});
          })
          .catch(() => undefined);
        await closeTab(page);
        expect(page.isClosed(), `tab ${i + 1} of 10`).toBe(true);
      }
      expect(context.pages()).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
