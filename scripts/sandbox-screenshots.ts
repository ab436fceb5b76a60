/**
 * Screenshots of the sandbox venue, so a person can see what the engine books against.
 *
 *   npm run sandbox:screenshots [-- --skin estelle|clubhouse --out DIR]
 *       (default out/sandbox-screenshots/, or out/sandbox-screenshots-clubhouse/ for the clubhouse skin)
 *
 * Starts a sandbox whose release for the court date 14 days ahead has just passed, a few places
 * already taken, then walks the member's path in Chromium. Estelle: login, home, padel months, day
 * view, confirm dialog, confirmation, My bookings, plus the cookie banner and the maintenance page.
 * Clubhouse: every page of the skin, its refusals and its fault pages (see clubhouseWalk below).
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright';
import { launchBrowser } from '../src/browser/launch.ts';
import {
  clubhouseReservePath,
  clubhouseSessionsPath,
  courtDateForTests,
  offsetForRelease,
  startSandbox,
} from '../test/sandbox/index.ts';

const { values } = parseArgs({ options: { out: { type: 'string' }, skin: { type: 'string' } } });
const skin = values.skin ?? 'estelle';
if (skin !== 'estelle' && skin !== 'clubhouse') {
  console.error(`--skin must be estelle or clubhouse, got "${skin}"`);
  process.exit(2);
}
const outDir = resolve(
  values.out ?? (skin === 'clubhouse' ? 'out/sandbox-screenshots-clubhouse' : 'out/sandbox-screenshots'),
);
await mkdir(outDir, { recursive: true });

const date = courtDateForTests();
const [y, m, d] = date.split('-');
const written: string[] = [];
const shotIn =
  (page: Page) =>
  async (name: string, p: Page = page, fullPage = false): Promise<void> => {
    const path = join(outDir, `${name}.png`);
    await p.screenshot({ path, fullPage });
    written.push(path);
  };

if (skin === 'clubhouse') await clubhouseWalk();
else await estelleWalk();

console.log(`Wrote ${written.length} screenshots to ${outDir}:`);
for (const path of written) console.log(`  ${path}`);

async function estelleWalk(): Promise<void> {
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
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const shot = shotIn(page);
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
}

/** Every page of the clubhouse skin, in the order a member meets them, then its refusals and faults. */
async function clubhouseWalk(): Promise<void> {
  const venue = await startSandbox({
    skin: 'clubhouse',
    clockOffsetMs: offsetForRelease(date, -60_000),
    overlays: { cookieBanner: true },
    faults: { lockAfterFailures: 3 },
    preBooked: [
      { date, time: '18:00', court: 'Court A' },
      { date, time: '19:00', court: 'Court B' },
      { date, time: '20:00' },
      { date, time: '20:00' },
    ],
  });
  const browser: Browser = await launchBrowser();
  const nextDay = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d) + 1)).toISOString().slice(0, 10);
  try {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const shot = shotIn(page);
    const member = venue.members[0]!;
    const submit = async (selector: string) => {
      await Promise.all([page.waitForEvent('framenavigated'), page.click(selector)]);
      await page.waitForLoadState();
    };

    await page.goto(`${venue.url}/members/sign-in`);
    await shot('00-cookie-notice');
    await page.click('.cc-allow');
    await shot('01-sign-in');
    await page.fill('#user_email', member.email);
    await page.fill('#user_password', 'not-my-password');
    await submit('button[type="submit"]');
    await shot('02-sign-in-error');
    await page.fill('#user_password', member.password);
    await submit('button[type="submit"]');
    await shot('03-dashboard');
    await page.getByRole('link', { name: 'Book a court' }).click();
    await shot('04-book-a-court');
    await page.locator('a.sport-tile', { hasText: 'Padel' }).click();
    await shot('05-padel-months');
    const monthTab = new Date(`${date}T12:00:00Z`).toLocaleString('en-US', {
      month: 'short',
      timeZone: 'UTC',
    });
    await page.getByRole('link', { name: `${monthTab} ${y}`, exact: true }).click();
    await shot('06-month');
    await page.fill('#session-date', nextDay);
    await submit('button:has-text("Find sessions")');
    await shot('07-sessions-not-open');
    await page.fill('#session-date', date);
    await submit('button:has-text("Find sessions")');
    await shot('08-sessions', page, true);
    await page
      .locator('li.session-card')
      .filter({ has: page.locator(`time[datetime="${date}T19:00"]`) })
      .filter({ hasText: 'Court A' })
      .getByRole('link', { name: 'Reserve' })
      .click();
    await shot('09-reserve');
    await submit('#reserve-submit');
    await shot('10-reserve-rules-refused');
    await page.check('#agree-rules');
    await submit('#reserve-submit');
    await shot('11-confirmation');

    await page.goto(`${venue.url}${clubhouseReservePath(date, '18:00', 'Court A')}`); // pre-booked
    await page.check('#agree-rules');
    await submit('#reserve-submit');
    await shot('12-taken');
    venue.setScenario({ faults: { dailyLimitPerMember: 1 } });
    await page.goto(`${venue.url}${clubhouseReservePath(date, '21:00', 'Court B')}`);
    await page.check('#agree-rules');
    await submit('#reserve-submit');
    await shot('13-daily-limit');
    venue.setScenario({ faults: { dailyLimitPerMember: 0, rotateCsrf: true } });
    await page.goto(`${venue.url}${clubhouseReservePath(date, '10:00', 'Court B')}`);
    await page.check('#agree-rules');
    await submit('#reserve-submit');
    await shot('14-csrf-expired');
    venue.setScenario({ faults: { rotateCsrf: false } });
    await page.goto(`${venue.url}${clubhouseReservePath(nextDay, '19:00', 'Court A')}`);
    await page.check('#agree-rules');
    await submit('#reserve-submit');
    await shot('15-not-open-yet');

    await page.goto(`${venue.url}/members/reservations`);
    await shot('16-my-reservations');
    await submit('table.reservations tbody tr:first-child button:has-text("Cancel")');
    await shot('17-cancelled');

    venue.setScenario({ faults: { rateLimit: { retryAfterSeconds: 2, count: 1, scope: 'availability' } } });
    await page.goto(`${venue.url}${clubhouseSessionsPath(date)}`);
    await shot('18-too-many-requests');
    venue.setScenario({ faults: { rateLimit: null, serverErrors: { status: 503, scope: 'availability' } } });
    await page.goto(`${venue.url}${clubhouseSessionsPath(date)}`);
    await shot('19-server-error');
    venue.setScenario({ faults: { serverErrors: null, maintenance: true } });
    await page.goto(`${venue.url}/members`);
    await shot('20-maintenance');
    venue.setScenario({ faults: { maintenance: false } });

    venue.revokeSessions();
    await page.goto(`${venue.url}/members/reservations`);
    await shot('21-session-expired');
    for (let i = 0; i < 3; i++) {
      await page.fill('#user_email', venue.members[1]!.email);
      await page.fill('#user_password', 'guess-' + i);
      await submit('button[type="submit"]');
    }
    await shot('22-locked');
    await context.close();
  } finally {
    await browser.close();
    await venue.stop();
  }
}
