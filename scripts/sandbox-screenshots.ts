/**
 * Screenshots of the sandbox venue, so a person can see what the engine books against.
 *
 *   npm run sandbox:screenshots [-- --out DIR]     (default out/sandbox-screenshots/)
 *
 * Starts a sandbox whose release for the court date 14 days ahead has just passed, a few places
 * already taken, then walks the member's path in Chromium: login, home, padel months, day view,
 * confirm dialog, confirmation, My bookings, plus the cookie banner and the maintenance page.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright';
import { launchBrowser } from '../src/browser/launch.ts';
import { courtDateForTests, offsetForRelease, startSandbox } from '../test/sandbox/index.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = resolve(values.out ?? 'out/sandbox-screenshots');
await mkdir(outDir, { recursive: true });

const date = courtDateForTests();
const [y, m, d] = date.split('-');
const venue = await startSandbox({
  clockOffsetMs: offsetForRelease(date, -60_000),
  overlays: { cookieBanner: true, marketing: true },
  preBooked: [
    { date, time: '18:00', court: 'Padel Court 1' },
    { date, time: '19:00', court: 'Padel Court 2' },
    { date, time: '20:00' },
    { date, time: '20:00' },
  ],
});
const browser = await launchBrowser();
const written: string[] = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const shot = async (name: string, p: Page = page, fullPage = false) => {
    const path = join(outDir, `${name}.png`);
    await p.screenshot({ path, fullPage });
    written.push(path);
  };
  const member = venue.members[0]!;

  await page.goto(`${venue.url}/page/login`);
  await shot('00-cookie-banner');
  await page.click('#cookie-accept');
  await shot('01-login');
  await page.fill('input[name="email"]', member.email);
  await page.fill('input[name="password"]', 'not-my-password');
  await page.click('input[type="submit"]');
  await page.locator('.login-error').waitFor();
  await shot('02-login-error');
  await page.fill('input[name="password"]', member.password);
  await page.click('input[type="submit"]');
  await page.locator('.triptease-close').waitFor();
  await shot('03-marketing-popup');
  await page.click('.triptease-close');
  await shot('04-home');
  await page.click('#book-now-button');
  await shot('05-activities');
  await page.locator('a.activity-link', { hasText: 'Padel Courts' }).click();
  await shot('06-padel-months');
  const month = new Date(`${date}T12:00:00Z`).toLocaleString('en-GB', { month: 'long' }).toUpperCase();
  await page.locator('a.btn.btn-secondary', { hasText: month }).click();
  await page.fill('#from_date', `${d}/${m}/${y}`);
  await page.click('.picker-display');
  await shot('07-date-picker');
  await page.click('#btnApply');
  await page.locator('div.cardBtn-bd.vr.vr_centered').first().waitFor();
  await shot('08-day-view', page, true);
  await page.locator('[data-slot-id]', { hasText: '7:00 PM' }).filter({ hasText: 'Padel Court 1' }).click();
  await page.check('#confirm-terms');
  await shot('09-confirm-dialog');
  await page.click('#confirm-booking');
  await page.locator('.booking-reference').waitFor();
  await shot('10-confirmation');
  await page.goto(`${venue.url}/page/my-bookings`);
  await shot('11-my-bookings');

  venue.setScenario({ faults: { maintenance: true } });
  await page.goto(`${venue.url}/`);
  await shot('12-maintenance');
  await context.close();
} finally {
  await browser.close();
  await venue.stop();
}
console.log(`Wrote ${written.length} screenshots to ${outDir}:`);
for (const path of written) console.log(`  ${path}`);
