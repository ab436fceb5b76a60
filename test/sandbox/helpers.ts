/**
 * Test helpers for driving the sandbox venue: a browser member's path (Playwright) and a plain HTTP
 * client (fetch) for races and headers. Shared by test/sandbox/*.test.ts and usable by other suites.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser } from '../../src/browser/launch.ts';
import { offsetForRelease, startSandbox, type Sandbox, type ScenarioPatch } from './index.ts';

/** Polls `check` until it returns a truthy value (web-first style assertions without @playwright/test). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 25, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until a locator is visible. */
export async function visible(locator: Locator, timeoutMs = 5000): Promise<Locator> {
  await locator.waitFor({ state: 'visible', timeout: timeoutMs });
  return locator;
}

/** "2026-12-08" → "08/12/2026" */
export function ddmmyyyy(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** The month button text for a court date, e.g. "DECEMBER". */
export function monthButtonText(date: string): string {
  return new Date(`${date}T12:00:00Z`)
    .toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })
    .toUpperCase();
}

export async function login(page: Page, venue: Sandbox, member = venue.members[0]!): Promise<void> {
  await page.goto(`${venue.url}/page/login`);
  await page.fill('input[name="email"]', member.email);
  await page.fill('input[name="password"]', member.password);
  await page.click('input[type="submit"]');
  await visible(page.locator('[data-member-email]'));
}

/** Home → Book now → Padel Courts → month button: the observed click path. */
export async function clickPathToMonth(page: Page, venue: Sandbox, date: string): Promise<void> {
  await page.goto(`${venue.url}/`);
  await page.click('#book-now-button');
  await page.locator('a.activity-link', { hasText: 'Padel Courts' }).click();
  await page.locator('a.btn.btn-secondary', { hasText: monthButtonText(date) }).click();
  await visible(page.locator('#btnApply'));
}

/** Sets #from_date and presses Show Availability; resolves when #slots shows cards or .no-slots. */
export async function showAvailability(page: Page, date: string): Promise<'cards' | 'no-slots' | 'error'> {
  await page.evaluate((value) => {
    const input = document.querySelector<HTMLInputElement>('#from_date')!;
    input.value = value;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    document.querySelector('#slots')!.innerHTML = '';
  }, ddmmyyyy(date));
  await page.click('#btnApply');
  const seen = page.locator('#slots div.cardBtn-bd, #slots .no-slots, #slots .slots-error');
  await seen.first().waitFor();
  if ((await page.locator('#slots .no-slots').count()) > 0) return 'no-slots';
  if ((await page.locator('#slots .slots-error').count()) > 0) return 'error';
  return 'cards';
}

/** The clickable parent of the card for a time ("19:00") and court. */
export function slotCard(page: Page, date: string, time: string, court = 'Padel Court 1'): Locator {
  return page
    .locator('#slots [data-slot-id]')
    .filter({ has: page.locator('span.slot-subject-spa', { hasText: court }) })
    .filter({ has: page.locator('span.slot_start', { hasText: `${ddmmyyyy(date)} ${time}:00` }) });
}

/** Opens the confirm dialog for a slot and ticks the terms. */
export async function openConfirm(page: Page, date: string, time: string, court?: string): Promise<void> {
  await slotCard(page, date, time, court).click();
  await visible(page.locator('#confirm-dialog'));
  await page.check('#confirm-terms');
}

/** Presses Confirm booking and returns the reference, or the error code. */
export async function confirm(page: Page): Promise<{ reference?: string; error?: string; message?: string }> {
  await page.click('#confirm-booking');
  const result = page.locator('#confirm-result .booking-confirmation, #confirm-result .booking-error');
  await result.first().waitFor();
  const ref = page.locator('#confirm-result .booking-reference');
  if ((await ref.count()) > 0) return { reference: (await ref.textContent())!.trim() };
  const error = page.locator('#confirm-result .booking-error');
  return {
    error: (await error.getAttribute('data-error-code')) ?? undefined,
    message: (await error.textContent())?.trim(),
  };
}

// ------------------------------------------------------------------ plain HTTP

export interface HttpMember {
  cookie: string;
  get(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, init?: RequestInit): Promise<Response>;
}

export async function httpLogin(venue: Sandbox, member = venue.members[0]!): Promise<HttpMember> {
  const res = await fetch(`${venue.url}/page/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: member.email, password: member.password }),
    redirect: 'manual',
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (res.status !== 302 || !cookie.startsWith('em_session=')) throw new Error(`login failed: ${res.status}`);
  await fetch(`${venue.url}/`, { headers: { cookie } });
  return {
    cookie,
    get: (path, init = {}) =>
      fetch(`${venue.url}${path}`, { redirect: 'manual', ...init, headers: { cookie } }),
    post: (path, body, init = {}) =>
      fetch(`${venue.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        ...init,
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}

/** Loads the day view of the date's month: its spa id and the CSRF token on the page. */
export async function httpDayView(
  venue: Sandbox,
  member: HttpMember,
  date: string,
): Promise<{ id: number; csrf: string }> {
  const id = venue.monthId(date.slice(0, 7));
  const html = await (await member.get(`/spa/${id}`)).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no csrf token on the day view');
  return { id, csrf };
}

/** The slot ids of a day as {`HH:mm Court`: id}. */
export async function httpSlots(
  member: HttpMember,
  id: number,
  date: string,
): Promise<Record<string, string>> {
  const html = await (await member.get(`/spa/${id}/slots?date=${ddmmyyyy(date)}`)).text();
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/data-slot-id="([^"]+)" data-summary="([^|]+)\|[^|]+\|([^"]+)"/g)) {
    const [, slotId, court, label] = m;
    out[`${to24(label!)} ${court}`] = slotId!;
  }
  return out;
}

function to24(label: string): string {
  const m = /^(\d+):(\d{2}) (AM|PM)$/.exec(label);
  if (!m) return label;
  const h = (Number(m[1]) % 12) + (m[3] === 'PM' ? 12 : 0);
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

// ------------------------------------------------------------------ vitest fixture

/**
 * One Chromium per test file, one sandbox and one fresh browser context per test, all cleaned up.
 * Call at the top of a test file; `setup(patch, inMs)` starts a sandbox whose release of `date` is
 * `inMs` away on its clock (negative: already released).
 */
export function useSandboxBrowser(date: string) {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function setup(
    patch: ScenarioPatch = {},
    inMs = -500,
  ): Promise<{ venue: Sandbox; page: Page; context: BrowserContext }> {
    const venue = await startSandbox({ clockOffsetMs: offsetForRelease(date, inMs), ...patch });
    cleanups.push(() => venue.stop());
    const context = await browser!.newContext();
    context.setDefaultTimeout(8000);
    cleanups.push(() => context.close());
    const page = await context.newPage();
    return { venue, page, context };
  }
  /** Logged in and on the day view of `date`'s month, by the click path. */
  async function onDayView(patch: ScenarioPatch = {}, inMs = -500) {
    const ready = await setup(patch, inMs);
    await login(ready.page, ready.venue);
    await clickPathToMonth(ready.page, ready.venue, date);
    return ready;
  }
  return { setup, onDayView, cleanups, browser: () => browser! };
}
