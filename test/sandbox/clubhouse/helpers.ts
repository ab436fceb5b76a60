/**
 * Test helpers for the clubhouse skin: a member's path in Playwright (every step a page load) and a
 * plain HTTP client with form posts. The selectors here are the skin's markup as its README states it.
 */
import type { Locator, Page } from 'playwright';
import type { Member } from '../venue.ts';
import type { Sandbox } from '../index.ts';
import { CLUBHOUSE_PATHS as P, clubhouseReservePath, clubhouseSessionsPath } from './paths.ts';

/** The month tab's text for a court date, e.g. "Dec 2026" (written out here, not taken from the pages). */
export function monthTabText(date: string): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${months[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

export async function clubLogin(page: Page, venue: Sandbox, member = venue.members[0]!): Promise<void> {
  await page.goto(`${venue.url}${P.signIn}`);
  await page.fill('#user_email', member.email);
  await page.fill('#user_password', member.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('.signed-in-as').waitFor();
}

/** Dashboard → Book a court → Padel → the month tab of `date`. */
export async function clubClickPathToMonth(page: Page, venue: Sandbox, date: string): Promise<void> {
  await page.goto(`${venue.url}${P.home}`);
  await page.getByRole('link', { name: 'Book a court' }).click();
  await page.locator('a.sport-tile', { hasText: 'Padel' }).click();
  await page.getByRole('link', { name: monthTabText(date), exact: true }).click();
  await page.locator('#session-date').waitFor();
}

/** Fills the date field and presses Find sessions (a GET form: a new page). */
export async function findSessions(page: Page, date: string): Promise<'open' | 'not-open' | 'other'> {
  await page.fill('#session-date', date);
  await Promise.all([
    page.waitForURL(/\/sessions\?date=/),
    page.getByRole('button', { name: 'Find sessions' }).click(),
  ]);
  return sessionsState(page);
}

export async function sessionsState(page: Page): Promise<'open' | 'not-open' | 'other'> {
  if ((await page.locator('ul.session-list').count()) > 0) return 'open';
  if ((await page.getByText('not open for booking yet').count()) > 0) return 'not-open';
  return 'other';
}

/** The card of a court-hour on the sessions page ('19:00', 'Court A'), found by its datetime attribute. */
export function sessionCard(page: Page, date: string, time: string, court = 'Court A'): Locator {
  return page
    .locator('li.session-card')
    .filter({ has: page.locator(`time[datetime="${date}T${time}"]`) })
    .filter({ has: page.locator('.session-court', { hasText: court }) });
}

/** On a confirm page: tick the rules (unless told not to), press Confirm reservation, read the new page. */
export async function confirmReservation(
  page: Page,
  { agree = true } = {},
): Promise<{ reference?: string; error?: string; url: string }> {
  if (agree) await page.check('#agree-rules');
  await Promise.all([page.waitForEvent('framenavigated'), page.click('#reserve-submit')]);
  await page.waitForLoadState('domcontentloaded');
  const result = page.locator('.result-reference');
  if ((await result.count()) > 0) {
    const text = (await result.textContent()) ?? '';
    return { reference: /Your reference is (\S+?)\.?$/.exec(text.trim())?.[1], url: page.url() };
  }
  const error = page.locator('.alert--error');
  return { error: ((await error.count()) > 0 ? await error.textContent() : '')?.trim(), url: page.url() };
}

// ------------------------------------------------------------------ plain HTTP

export interface ClubHttpMember {
  cookie: string;
  get(path: string): Promise<Response>;
  /** A form post (application/x-www-form-urlencoded), redirects not followed. */
  post(path: string, form: Record<string, string>): Promise<Response>;
  /** GETs the confirm page of a court-hour and returns its form token (authenticity_token). */
  openReserve(
    date: string,
    time: string,
    court: string,
  ): Promise<{ res: Response; html: string; token: string }>;
  /** POSTs the confirm form of a court-hour. */
  reserve(
    date: string,
    time: string,
    court: string,
    token: string,
    options?: { agree?: boolean },
  ): Promise<Response>;
}

export function tokenOf(html: string): string {
  const token = /name="authenticity_token" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no authenticity_token on the page');
  return token;
}

/** Signs in over HTTP and loads the dashboard (so requireClickPath is satisfied). */
export async function clubHttpLogin(
  venue: Sandbox,
  member: Member = venue.members[0]!,
  { visitHome = true } = {},
): Promise<ClubHttpMember> {
  const res = await fetch(`${venue.url}${P.signIn}`, {
    method: 'POST',
    body: new URLSearchParams({ 'user[email]': member.email, 'user[password]': member.password }),
    redirect: 'manual',
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (res.status !== 303 || !cookie.startsWith('_cherwell_session=')) {
    throw new Error(`login failed: ${res.status}`);
  }
  const get = (path: string) => fetch(`${venue.url}${path}`, { redirect: 'manual', headers: { cookie } });
  const post = (path: string, form: Record<string, string>) =>
    fetch(`${venue.url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  if (visitHome) await get(P.home);
  return {
    cookie,
    get,
    post,
    async openReserve(date, time, court) {
      const res = await get(clubhouseReservePath(date, time, court));
      const html = await res.text();
      return { res, html, token: tokenOf(html) };
    },
    reserve(date, time, court, token, { agree = true } = {}) {
      const slug = court.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      return post(P.reserve, {
        authenticity_token: token,
        date,
        time,
        court: slug,
        ...(agree ? { agree_rules: '1' } : {}),
      });
    },
  };
}

/** The sessions page's HTML for a date. */
export async function clubSessions(
  member: ClubHttpMember,
  date: string,
): Promise<{ status: number; html: string }> {
  const res = await member.get(clubhouseSessionsPath(date));
  return { status: res.status, html: await res.text() };
}

/** The <li> of a court-hour in a sessions page's HTML, or undefined. */
export function cardHtml(html: string, date: string, time: string, court: string): string | undefined {
  return [...html.matchAll(/<li class="[^"]*">[\s\S]*?<\/li>/g)]
    .map((m) => m[0])
    .find((li) => li.includes(`="${date}T${time}"`) && li.includes(`>${court}<`));
}

/** Text of a page without tags, whitespace collapsed (for matching what a member reads). */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<\/?(strong|em|b|small|span|a|time)\b[^>]*>/g, '') // inline: no gap
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&')
    .replace(/\s+/g, ' ')
    .trim();
}
