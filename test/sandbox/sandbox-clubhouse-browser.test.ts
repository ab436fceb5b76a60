/**
 * The clubhouse skin in real Chromium: every step a page load, from the log-in page to a reference on
 * a result page and a row in My reservations; the release by the server's clock; competitors, the
 * cookie notice and the refusals a member reads.
 */
import type { ScenarioPatch } from './index.ts';
import { describe, expect, it } from 'vitest';
import { shiftedClock } from '../../src/calendar/clock.ts';
import {
  clubClickPathToMonth,
  clubLogin,
  confirmReservation,
  findSessions,
  monthTabText,
  sessionCard,
  sessionsState,
} from './clubhouse/helpers.ts';
import { eventually, useSandboxBrowser, visible } from './helpers.ts';
import { clubhouseReservePath, clubhouseSessionsPath, courtDateForTests, offsetForRelease } from './index.ts';

const date = courtDateForTests();
const { setup } = useSandboxBrowser(date);

/** A clubhouse sandbox (release of `date` `inMs` away) and a page. */
function club(patch: ScenarioPatch = {}, inMs = -500) {
  return setup({ skin: 'clubhouse', ...patch }, inMs);
}

/** Logged in and on the sessions page of `date`, by the click path and the GET form. */
async function onSessions(patch: ScenarioPatch = {}, inMs = -500) {
  const ready = await club(patch, inMs);
  await clubLogin(ready.page, ready.venue);
  await clubClickPathToMonth(ready.page, ready.venue, date);
  await findSessions(ready.page, date);
  return ready;
}

describe('clubhouse in Chromium: signing in', () => {
  it('logs in, shows "Signed in as" and the e-mail on every page, refuses a wrong password, locks, logs out', async () => {
    const { venue, page } = await club({ faults: { lockAfterFailures: 3 } });
    await page.goto(`${venue.url}/members/reservations`);
    expect(new URL(page.url()).pathname).toBe('/members/sign-in');
    await visible(page.getByText('Please log in to continue.'));

    const attempt = async (email: string, password: string) => {
      await page.goto(`${venue.url}/members/sign-in`);
      await page.fill('#user_email', email);
      await page.fill('#user_password', password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.waitForLoadState();
      return (
        await page
          .locator('.alert--error')
          .textContent({ timeout: 2000 })
          .catch(() => '')
      )?.trim();
    };
    expect(await attempt('member@example.com', 'wrong')).toBe('Invalid email or password.');

    await clubLogin(page, venue, venue.members[1]);
    expect(new URL(page.url()).pathname).toBe('/members');
    for (const path of ['/members', '/members/book', '/members/book/padel', '/members/reservations']) {
      await page.goto(`${venue.url}${path}`);
      expect(await page.locator('.signed-in-as').textContent()).toBe('Signed in as Sam Taylor');
      expect(await page.locator('.account-email').textContent()).toBe('partner@example.com');
    }
    const cookie = (await page.context().cookies()).find((c) => c.name === '_cherwell_session');
    expect(cookie?.httpOnly).toBe(true);
    await page.getByRole('link', { name: 'Log out' }).click();
    expect(new URL(page.url()).pathname).toBe('/members/sign-in');

    expect(await attempt('member@example.com', 'wrong')).toBe('Invalid email or password.');
    expect(await attempt('member@example.com', 'wrong')).toContain('Your account has been locked');
    expect(await attempt('member@example.com', 'correct-horse-battery')).toContain('locked');
  });
});

describe('clubhouse in Chromium: getting to the day view', () => {
  it('clicks dashboard → Book a court → Padel → month tab, and Find sessions loads sessions?date=', async () => {
    const { venue, page } = await club();
    await clubLogin(page, venue);
    await page.getByRole('link', { name: 'Book a court' }).click();
    expect(await page.locator('.sport-title').allTextContents()).toEqual([
      'Tennis',
      'Padel',
      'Squash',
      'Pickleball',
    ]);
    await page.locator('a.sport-tile', { hasText: 'Padel' }).click();
    const tabs = await page.locator('a.month-tab').allTextContents();
    for (const tab of tabs) expect(tab).toMatch(/^[A-Z][a-z]{2} \d{4}$/);
    expect(tabs).toContain(monthTabText(date));
    await page.getByRole('link', { name: monthTabText(date), exact: true }).click();
    expect(new URL(page.url()).pathname).toBe(`/members/book/padel/${date.slice(0, 7)}`);
    expect(await page.getAttribute('#session-date', 'type')).toBe('date');
    expect(await findSessions(page, date)).toBe('open');
    expect(page.url()).toBe(`${venue.url}/members/book/padel/sessions?date=${date}`);
    expect(await page.inputValue('#session-date')).toBe(date); // the form shows the day it loaded
    expect(await page.locator('li.session-card').count()).toBe(30);
  });

  it('redirects a deep link to the sessions page to the dashboard until the click path was followed', async () => {
    const { venue, page } = await club({ requireClickPath: true });
    const member = venue.members[0]!;
    const signIn = await page.context().request.post(`${venue.url}/members/sign-in`, {
      form: { 'user[email]': member.email, 'user[password]': member.password },
      maxRedirects: 0,
    });
    expect(signIn.status()).toBe(303);
    const sessions = `${venue.url}${clubhouseSessionsPath(date)}`;
    await page.goto(sessions);
    expect(page.url()).toBe(`${venue.url}/members`);
    await page.goto(sessions); // the dashboard has now been seen in this session
    expect(page.url()).toBe(sessions);
    expect(await sessionsState(page)).toBe('open');
  });
});

describe('clubhouse in Chromium: the release', () => {
  it.each([
    { skewMs: -800, label: 'server 0.8 s behind' },
    { skewMs: 0, label: 'server on time' },
    { skewMs: 2700, label: 'server 2.7 s ahead' },
  ])('lists sessions exactly from the release by the server clock ($label)', async ({ skewMs }) => {
    const engineOffset = offsetForRelease(date, 1200);
    const engine = shiftedClock(engineOffset);
    const { venue, page } = await club({ clockOffsetMs: engineOffset + skewMs });
    await clubLogin(page, venue);
    await clubClickPathToMonth(page, venue, date);
    const release = venue.releaseInstant(date);
    const sessions = `${venue.url}${clubhouseSessionsPath(date)}`;
    let lastClosedEngineMs = -Infinity;
    let openEngineMs = 0;
    await eventually(
      async () => {
        const before = engine.now();
        const response = await page.goto(sessions);
        const state = await sessionsState(page);
        if (state === 'not-open') {
          lastClosedEngineMs = before;
          expect(await page.getByText('These sessions are not open for booking yet.').isVisible()).toBe(true);
        } else {
          openEngineMs = engine.now();
          const header = Date.parse(response!.headers().date!);
          expect(Math.abs(header - (engine.now() + skewMs))).toBeLessThan(1500);
        }
        return state === 'open';
      },
      { timeoutMs: 8000, intervalMs: 20, what: 'sessions after the release' },
    );
    const log = venue.requests().filter((r) => r.path.startsWith('/members/book/padel/sessions'));
    expect(log.find((r) => r.outcome === 'slots')!.serverTimeMs).toBeGreaterThanOrEqual(release);
    for (const r of log.filter((x) => x.outcome === 'no-slots')) expect(r.serverTimeMs).toBeLessThan(release);
    expect(openEngineMs).toBeGreaterThanOrEqual(release - skewMs);
    if (skewMs < 1200) expect(lastClosedEngineMs).toBeLessThan(release - skewMs);
    else expect(lastClosedEngineMs).toBe(-Infinity);
  });

  it('opens the confirm page by its URL before the release; submitting then says not open yet; after, it books', async () => {
    // A minute ahead, then the server clock is moved past the release: under load, signing in and
    // opening the page once took longer than the four seconds this test used to wait for.
    const { venue, page } = await club({}, 60_000);
    await clubLogin(page, venue);
    await page.goto(`${venue.url}${clubhouseReservePath(date, '19:00', 'Court B')}`);
    await visible(page.getByRole('heading', { name: 'Confirm your reservation' }));
    expect(await page.locator('.reservation-summary').textContent()).toContain('Court B');
    const early = await confirmReservation(page);
    expect(early.error).toMatch(/^Booking for this session is not open yet\. It opens at 00:00 on /);
    expect(venue.ledger()).toHaveLength(0);
    // The refusal page carries the form again: submit it once the release has passed on the server clock.
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -500) });
    expect(venue.clock.now()).toBeGreaterThanOrEqual(venue.releaseInstant(date));
    const booked = await confirmReservation(page);
    expect(booked.reference).toMatch(/^CH-\d{4}-[A-Z]$/);
    expect(venue.ledger()).toMatchObject([{ reference: booked.reference, time: '19:00', court: 'Court B' }]);
  });
});

describe('clubhouse in Chromium: booking', () => {
  it('reserves from a card, shows the reference on a new page, lists it in My reservations and cancels it', async () => {
    const { venue, page } = await onSessions();
    const card = sessionCard(page, date, '19:00', 'Court A');
    expect(await card.locator('time').textContent()).toBe('7pm');
    expect(await card.locator('time').getAttribute('datetime')).toBe(`${date}T19:00`);
    await card.getByRole('link', { name: 'Reserve' }).click();
    expect(page.url()).toBe(`${venue.url}/members/book/padel/reserve?date=${date}&time=19:00&court=court-a`);
    // A double click on a slow line: one submission, with the button disabled and reading "Reserving…"
    // as the form leaves (recorded in the page, which is gone by the time we could look), one POST.
    await page.check('#agree-rules');
    await page.evaluate(() => {
      document.querySelector('form.reserve-form')!.addEventListener('submit', () => {
        const button = document.querySelector<HTMLButtonElement>('#reserve-submit')!;
        const seen = JSON.parse(sessionStorage.getItem('submits') ?? '[]') as unknown[];
        seen.push({ disabled: button.disabled, text: button.textContent });
        sessionStorage.setItem('submits', JSON.stringify(seen));
      });
    });
    venue.setScenario({ latency: { oneWayMs: 150, jitterMs: 0 } });
    await page.locator('#reserve-submit').dblclick();
    await page.waitForURL(/\/confirmation\//);
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('submits')!))).toEqual([
      { disabled: true, text: 'Reserving…' },
    ]);
    venue.setScenario({ latency: { oneWayMs: 0, jitterMs: 0 } });
    const text = (await page.locator('.result-reference').textContent())!;
    const reference = /Your reference is (CH-\d{4}-[A-Z])\./.exec(text)?.[1];
    expect(reference).toBeDefined();
    expect(venue.requests().filter((r) => r.method === 'POST' && r.outcome === 'booked')).toHaveLength(1);
    expect(venue.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/reserve'))).toHaveLength(
      1,
    );

    await page.getByRole('link', { name: 'View my reservations' }).click();
    const row = page.locator('table.reservations tbody tr', { hasText: reference! });
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(0, 4)).toEqual([
      expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}$/),
      '7pm',
      'Court A',
      reference,
    ]);
    await row.getByRole('button', { name: 'Cancel' }).click();
    await visible(page.getByText(`Reservation ${reference} has been cancelled.`));
    expect(await page.locator('table.reservations').count()).toBe(0);
    expect(venue.ledger()[0]).toMatchObject({ reference, cancelled: true });
    await page.goto(`${venue.url}${clubhouseSessionsPath(date)}`);
    expect(
      await sessionCard(page, date, '19:00', 'Court A').getByRole('link', { name: 'Reserve' }).count(),
    ).toBe(1);
  });

  it('refuses without the rules box, then books when it is ticked', async () => {
    const { venue, page } = await onSessions();
    await sessionCard(page, date, '08:00', 'Court B').getByRole('link', { name: 'Reserve' }).click();
    const refused = await confirmReservation(page, { agree: false });
    expect(refused.error).toBe('Please tick "I agree to the club rules" to confirm your reservation.');
    expect(venue.ledger()).toHaveLength(0);
    expect((await confirmReservation(page)).reference).toMatch(/^CH-/);
  });

  it('loses a session to a competitor while on the confirm page: "just been taken", and the card reads Full', async () => {
    const { venue, page } = await onSessions();
    await sessionCard(page, date, '19:00', 'Court A').getByRole('link', { name: 'Reserve' }).click();
    const sinceRelease = venue.clock.now() - venue.releaseInstant(date);
    venue.setScenario({
      competitors: [
        { name: 'Quick Quentin', date, time: '19:00', court: 'Court A', afterReleaseMs: sinceRelease + 200 },
      ],
    });
    await eventually(() => venue.ledger().some((e) => e.client === 'competitor:Quick Quentin'), {
      what: 'the competitor',
    });
    const result = await confirmReservation(page);
    expect(result.error).toBe('Sorry, this session has just been taken.');
    expect(await page.locator('#reserve-submit').count()).toBe(0);
    await page.getByRole('link', { name: 'See other sessions' }).click();
    const card = sessionCard(page, date, '19:00', 'Court A');
    expect(await card.getAttribute('class')).toBe('session-card session-card--full');
    expect(await card.locator('.session-status').textContent()).toBe('Full');
    expect(await card.getByRole('link', { name: 'Reserve' }).count()).toBe(0);
    expect(await sessionCard(page, date, '19:00', 'Court B').getAttribute('class')).toBe('session-card');
  });

  it('re-renders the confirm page after a rotated CSRF token; pressing again books', async () => {
    const { venue, page } = await onSessions({ faults: { rotateCsrf: true } });
    await sessionCard(page, date, '21:00', 'Court A').getByRole('link', { name: 'Reserve' }).click();
    const first = await confirmReservation(page);
    expect(first.error).toBe(
      'This page had expired, so nothing was booked. Please confirm your reservation again.',
    );
    expect((await confirmReservation(page)).reference).toMatch(/^CH-/);
    expect(
      venue
        .requests()
        .filter((r) => r.method === 'POST' && r.path.endsWith('/reserve'))
        .map((r) => r.outcome),
    ).toEqual(['csrf', 'booked']);
  });

  it('sends an expired session to the log-in page from the confirm POST', async () => {
    const { venue, page } = await onSessions({ sessionTtlMs: 60_000 });
    await sessionCard(page, date, '19:00', 'Court A').getByRole('link', { name: 'Reserve' }).click();
    venue.setScenario({ clockOffsetMs: venue.scenario.clockOffsetMs + 61_000 });
    await confirmReservation(page);
    expect(new URL(page.url()).pathname).toBe('/members/sign-in');
    await visible(page.getByText('Your session has expired. Please log in again.'));
    expect(venue.ledger()).toHaveLength(0);
  });
});

describe('clubhouse in Chromium: overlays and faults', () => {
  it('covers the page with its cookie notice until a choice is made, and remembers the choice', async () => {
    const { venue, page } = await club({ overlays: { cookieBanner: true, marketing: true } });
    await page.goto(`${venue.url}/members/sign-in`);
    await visible(page.locator('#cc-notice'));
    await expect(page.getByRole('button', { name: 'Log in' }).click({ timeout: 600 })).rejects.toThrow(
      /intercepts pointer events/,
    );
    await page.getByRole('button', { name: 'Allow all cookies' }).click();
    expect(await page.locator('#cc-notice').count()).toBe(0);
    await clubLogin(page, venue);
    expect(await page.locator('#cc-notice, .triptease-close, #cookie-banner').count()).toBe(0); // no marketing pop-up on this skin
    expect((await page.context().cookies()).find((c) => c.name === 'cherwell_cookies')?.value).toBe('all');
  });

  it('shows 429 (Retry-After), 5xx and maintenance as pages of its own', async () => {
    const { venue, page } = await onSessions();
    venue.setScenario({ faults: { rateLimit: { retryAfterSeconds: 3, count: 1, scope: 'availability' } } });
    const limited = await page.reload();
    expect(limited?.status()).toBe(429);
    expect(limited?.headers()['retry-after']).toBe('3');
    await visible(page.getByRole('heading', { name: 'Too many requests' }));
    expect(await page.getByText('Please wait 3 seconds and try again.').count()).toBe(1);
    expect((await page.reload())?.status()).toBe(200);

    await sessionCard(page, date, '19:00', 'Court A').getByRole('link', { name: 'Reserve' }).click();
    venue.setScenario({ faults: { serverErrors: { status: 502, scope: 'booking' } } });
    await page.check('#agree-rules');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.click('#reserve-submit'),
    ]);
    expect(response.status()).toBe(502);
    await visible(page.getByRole('heading', { name: 'Something went wrong' }));
    expect(await page.getByText('(error 502)').count()).toBe(1);
    expect(venue.ledger()).toHaveLength(0);

    venue.setScenario({ faults: { serverErrors: null, maintenance: true } });
    const down = await page.goto(`${venue.url}/members`);
    expect(down?.status()).toBe(503);
    await visible(page.getByRole('heading', { name: 'Down for scheduled maintenance' }));
    expect(await page.locator('.signed-in-as').count()).toBe(0);
  });

  it('renders drifted cards: no datetime attribute, so a time[datetime] selector finds nothing', async () => {
    const { page } = await onSessions({ faults: { markupDrift: true } });
    expect(await page.locator('li.session-card').count()).toBe(30);
    expect(await page.locator('li.session-card time[datetime]').count()).toBe(0);
    expect(await page.locator('li.session-card time[data-start]').count()).toBe(30);
  });
});
