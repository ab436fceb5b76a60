/**
 * The sandbox venue's faults in real Chromium: overlays that block clicks, a rotated CSRF token,
 * markup drift, the daily limit, 429, 5xx around midnight, maintenance, and latency.
 */
import { describe, expect, it } from 'vitest';
import {
  confirm,
  eventually,
  login,
  openConfirm,
  showAvailability,
  slotCard,
  useSandboxBrowser,
  visible,
} from './helpers.ts';
import { courtDateForTests, offsetForRelease } from './index.ts';

const date = courtDateForTests();
const { setup, onDayView } = useSandboxBrowser(date);

describe('overlays', () => {
  it('blocks clicks with a cookie banner and a marketing pop-up until each is dismissed', async () => {
    const { venue, page } = await setup({
      overlays: { cookieBanner: true, marketing: true, marketingDelayMs: 150 },
    });
    await page.goto(`${venue.url}/page/login`);
    await visible(page.locator('#cookie-banner'));
    // The banner covers the form: a click on the submit button is intercepted.
    await expect(page.click('input[type="submit"]', { timeout: 600 })).rejects.toThrow(
      /intercepts pointer events/,
    );
    await page.click('#cookie-accept');
    expect(await page.locator('#cookie-banner').count()).toBe(0);
    await login(page, venue);
    // The marketing widget arrives a moment after the page and covers it too.
    await visible(page.locator('.triptease-close'));
    await expect(page.click('#book-now-button', { timeout: 600 })).rejects.toThrow(
      /intercepts pointer events/,
    );
    await page.click('.triptease-close');
    await page.click('#book-now-button');
    expect(new URL(page.url()).pathname).toBe('/page/book');
    // Dismissals are remembered for the rest of the session: no overlay on the next pages.
    await page.goto(`${venue.url}/`);
    expect(await page.locator('#cookie-banner, #marketing-popup').count()).toBe(0);
  });

  it('closes the marketing pop-up with Escape', async () => {
    const { venue, page } = await setup({ overlays: { marketing: true } });
    await login(page, venue);
    await visible(page.locator('#marketing-popup'));
    await page.keyboard.press('Escape');
    expect(await page.locator('#marketing-popup').count()).toBe(0);
    await page.click('#book-now-button');
  });
});

describe('faults at the confirm step', () => {
  it('rotates the CSRF token: the first confirm gets a csrf error and a fresh token, the second books', async () => {
    const { venue, page } = await onDayView({ faults: { rotateCsrf: true } });
    await showAvailability(page, date);
    await openConfirm(page, date, '19:00');
    const first = await confirm(page);
    expect(first).toMatchObject({ error: 'csrf' });
    expect(await page.locator('#confirm-booking').isEnabled()).toBe(true); // the member may press again
    const second = await confirm(page);
    expect(second.reference).toMatch(/^EM-/);
    expect(
      venue
        .requests()
        .filter((r) => r.method === 'POST' && r.path.endsWith('/book'))
        .map((r) => r.outcome),
    ).toEqual(['csrf', 'booked']);
  });

  it('enforces one court per member per day', async () => {
    const { venue, page } = await onDayView({ faults: { dailyLimitPerMember: 1 } });
    await showAvailability(page, date);
    await openConfirm(page, date, '19:00');
    expect((await confirm(page)).reference).toBeTruthy();
    await page.click('#confirm-close');
    await showAvailability(page, date);
    await openConfirm(page, date, '20:00', 'Padel Court 2');
    const second = await confirm(page);
    expect(second).toMatchObject({ error: 'limit' });
    expect(venue.ledger()).toHaveLength(1);
  });

  it('answers 5xx for a stretch around midnight; the page shows an error and a retry after it books', async () => {
    const { venue, page } = await onDayView({
      faults: { serverErrors: { status: 500, fromMs: -1000, toMs: 60_000, scope: 'booking' } },
    });
    await showAvailability(page, date);
    await openConfirm(page, date, '19:00');
    expect(await confirm(page)).toMatchObject({ error: 'error' });
    expect(venue.requests().at(-1)).toMatchObject({ status: 500, outcome: 'server-error' });
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -61_000) });
    expect((await confirm(page)).reference).toMatch(/^EM-/);
  });

  it('answers 429 with Retry-After to availability and booking requests', async () => {
    const { venue, page } = await onDayView();
    venue.setScenario({ faults: { rateLimit: { retryAfterSeconds: 2, count: 1, scope: 'availability' } } });
    expect(await showAvailability(page, date)).toBe('error');
    expect(await page.locator('.slots-error').getAttribute('data-status')).toBe('429');
    expect(await showAvailability(page, date)).toBe('cards');
    venue.setScenario({ faults: { rateLimit: { count: 1, scope: 'booking' } } }); // a fresh count
    await openConfirm(page, date, '19:00');
    const refused = await confirm(page);
    expect(refused.error).toBe('error');
    expect(refused.message).toContain('2 seconds');
    expect(await page.locator('.booking-error').getAttribute('data-retry-after')).toBe('2');
    expect((await confirm(page)).reference).toMatch(/^EM-/);
  });
});

describe('site-wide faults', () => {
  it('shows a maintenance page on every page while maintenance is on', async () => {
    const { venue, page } = await setup({ faults: { maintenance: true } });
    const res = await page.goto(`${venue.url}/page/login`);
    expect(res?.status()).toBe(503);
    await visible(page.locator('#maintenance'));
    expect(await page.locator('input[name="email"]').count()).toBe(0);
    venue.setScenario({ faults: { maintenance: false } });
    await page.goto(`${venue.url}/page/login`);
    await visible(page.locator('input[name="email"]'));
  });

  it('renders drifted markup: slot_start renamed to slot-start', async () => {
    const { page } = await onDayView({ faults: { markupDrift: true } });
    expect(await showAvailability(page, date)).toBe('cards');
    expect(await page.locator('span.slot_start').count()).toBe(0);
    expect(await page.locator('span.slot-start').count()).toBe(30);
    expect(await page.locator('span.slot_start_show').count()).toBe(30); // only the one class drifted
  });

  it('is slow when told to: latency on every request and a slow first paint', async () => {
    const { venue, page } = await onDayView();
    venue.setScenario({ latency: { oneWayMs: 150, jitterMs: 50 }, slowFirstPaintMs: 400 });
    const t0 = Date.now();
    await page.goto(`${venue.url}/page/my-bookings`, { waitUntil: 'commit' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(650); // 2 × 150 + 400, loosely
    // Going back while that page is still loading races its navigation (Chromium: "Not attached to an active page").
    await page.waitForLoadState('load');
    const t1 = Date.now();
    await page.goBack();
    await showAvailability(page, date);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(300);
    const slotsRequest = venue.requests().findLast((r) => r.path.includes('/slots'))!;
    expect(slotsRequest.serverTimeMs - slotsRequest.realTimeMs).toBe(venue.scenario.clockOffsetMs);
    await eventually(() => slotCard(page, date, '19:00').isVisible(), { what: 'the card' });
  });
});
