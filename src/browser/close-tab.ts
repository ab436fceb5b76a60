import { setTimeout as delay } from 'node:timers/promises';
import type { Page } from 'playwright';

/** How long a tab gets to close before it is asked again. */
export const CLOSE_WAIT_MS = 1_000;

/**
 * Closes a tab, always within a few seconds. Chromium can acknowledge a close that races a navigation
 * commit and then drop it (crbug.com/536385539, playwright#42068): `page.close()` then waits forever, and
 * a second `page.close()` only waits on the first. Asking again through the page itself (`Page.close`,
 * what `runBeforeUnload: true` sends, and which does not wait) closes it. Resolves whether or not the tab
 * closed: the caller has given the tab up either way.
 */
export async function closeTab(page: Page): Promise<void> {
  const closed = page.close().then(
    () => true,
    () => true,
  );
  const within = () => Promise.race([closed, delay(CLOSE_WAIT_MS).then(() => false)]);
  if (await within()) return;
  await page.close({ runBeforeUnload: true }).catch(() => undefined);
  await within();
}
