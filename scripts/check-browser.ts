/**
 * Can this machine run the headless Chromium the bot needs? Picks it as the bot does
 * (src/browser/launch.ts: CHROMIUM_PATH, Playwright's download, a system Chromium, BROWSER_CHANNEL),
 * starts it and opens a page. Exit 0 when it works; 1, with the reason, when it does not.
 * Used by scripts/setup.sh (`npm run setup`).
 */
import { chooseBrowser, launchBrowser } from '../src/browser/launch.ts';

try {
  const choice = chooseBrowser();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setContent('<p>ok</p>');
    const where =
      choice.executablePath ?? (choice.channel ? `channel ${choice.channel}` : "Playwright's Chromium");
    console.log(`Browser: ${where} (${choice.source}), version ${browser.version()}: it starts.`);
  } finally {
    await browser.close();
  }
} catch (error) {
  console.log(`Browser: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 1;
}
