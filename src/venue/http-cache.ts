import type { CDPSession, Page } from 'playwright';

/**
 * Turns the page's HTTP cache off (Chromium, over CDP) until `restore()`; undefined when it cannot. A
 * volley's presses ask for the same URL, and Chromium's cache lets identical GETs through one at a time
 * (each waits for the one before it to be answered), so the cache is off while they fly.
 */
export async function withoutHttpCache(page: Page): Promise<{ restore: () => Promise<void> } | undefined> {
  let cdp: CDPSession | undefined;
  try {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  } catch {
    await cdp?.detach().catch(() => undefined);
    return undefined;
  }
  const session = cdp;
  return {
    restore: async () => {
      await session.send('Network.setCacheDisabled', { cacheDisabled: false }).catch(() => undefined);
      await session.detach().catch(() => undefined);
    },
  };
}
