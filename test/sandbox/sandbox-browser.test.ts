/**
 * The sandbox venue in real Chromium: a member's path from the login page to a booking reference,
 * the release by the server's clock, competitors, and the session rules.
 */
import { describe, expect, it } from 'vitest';
import { shiftedClock } from '../../src/calendar/clock.ts';
import {
  clickPathToMonth,
  confirm,
  ddmmyyyy,
  eventually,
  login,
  monthButtonText,
  openConfirm,
  showAvailability,
  slotCard,
  useSandboxBrowser,
  visible,
} from './helpers.ts';
import { courtDateForTests, offsetForRelease, startSandbox } from './index.ts';

const date = courtDateForTests();
const { setup, onDayView, cleanups } = useSandboxBrowser(date);

describe('signing in', () => {
  it('logs in with the observed fields, shows the member on every page, and signs out', async () => {
    const { venue, page } = await setup();
    await page.goto(`${venue.url}/page/my-bookings`);
    expect(new URL(page.url()).pathname).toBe('/page/login'); // logged out → login page
    await login(page, venue);
    expect(new URL(page.url()).pathname).toBe('/');
    for (const path of ['/', '/page/book', '/page/activity/padel-courts', '/page/my-bookings']) {
      await page.goto(`${venue.url}${path}`);
      expect(await page.locator('[data-member-email]').getAttribute('data-member-email')).toBe(
        'member@example.com',
      );
    }
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'em_session')?.httpOnly).toBe(true);
    await page.click('text=Sign out');
    await page.goto(`${venue.url}/`);
    expect(new URL(page.url()).pathname).toBe('/page/login');
  });

  it('refuses a wrong password, then locks the account after N failures', async () => {
    const { venue, page } = await setup({ faults: { lockAfterFailures: 3 } });
    const member = venue.members[0]!;
    const attempt = async (password: string) => {
      await page.goto(`${venue.url}/page/login`);
      await page.fill('input[name="email"]', member.email);
      await page.fill('input[name="password"]', password);
      await page.click('input[type="submit"]');
      return page.locator('.login-error');
    };
    const error = await attempt('wrong-1');
    expect(await error.getAttribute('data-error-code')).toBe('credentials');
    expect(await error.textContent()).toContain('incorrect');
    await attempt('wrong-2');
    const locked = await attempt('wrong-3');
    expect(await locked.getAttribute('data-error-code')).toBe('locked');
    // Now even the right password is refused.
    const still = await attempt(member.password);
    expect(await still.textContent()).toContain('locked');
    expect(venue.requests().filter((r) => r.outcome === 'locked')).toHaveLength(2);
  });

  it('sends an expired or revoked session back to the login page (pages, availability and confirm)', async () => {
    const { venue, page } = await onDayView({ sessionTtlMs: 60_000 });
    // Expiry: move the server clock past the session's lifetime.
    venue.setScenario({ clockOffsetMs: venue.scenario.clockOffsetMs + 61_000 });
    await page.click('#btnApply'); // the XHR gets 401 and the page goes to the login page
    await eventually(() => new URL(page.url()).pathname === '/page/login', { what: 'redirect to login' });

    // Revocation by the sandbox, seen by the confirm step.
    await login(page, venue);
    await clickPathToMonth(page, venue, date);
    await showAvailability(page, date);
    await openConfirm(page, date, '19:00');
    expect(venue.revokeSessions('member@example.com')).toBe(1);
    expect(await confirm(page)).toMatchObject({ error: 'session' });
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/page/login');
  });

  it('revokes every session at 23:58 London (server clock)', async () => {
    // Server clock at 23:57:00 London, a minute before the revocation: a loaded machine can take more than
    // the two seconds this once had to sign in and open a page (CI saw the login page there).
    const { venue, page } = await setup({ faults: { revokeSessionsAt: '23:58' } }, 180_000);
    await login(page, venue);
    await page.goto(`${venue.url}/page/my-bookings`);
    expect(new URL(page.url()).pathname).toBe('/page/my-bookings');
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, 119_000) }); // 23:58:01
    await page.goto(`${venue.url}/page/my-bookings`);
    expect(new URL(page.url()).pathname).toBe('/page/login');
    // A session made after 23:58 lives on.
    await login(page, venue);
    await page.goto(`${venue.url}/page/my-bookings`);
    expect(new URL(page.url()).pathname).toBe('/page/my-bookings');
  });
});

describe('getting to the day view', () => {
  it('follows home → Book now → Padel Courts → month, with a random /spa/<id> per month', async () => {
    const { venue, page } = await setup();
    await login(page, venue);
    await page.click('#book-now-button');
    const activities = await page.locator('a.activity-link').allTextContents();
    expect(activities.join(' ')).toMatch(/Spa.*Padel Courts.*Tennis/s);
    await page.locator('a.activity-link', { hasText: 'Padel Courts' }).click();
    const months = page.locator('a.btn.btn-secondary');
    expect((await months.count()) >= 1).toBe(true);
    const hrefs = await months.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(new Set(hrefs).size).toBe(hrefs.length);
    for (const href of hrefs) expect(href).toMatch(/^\/spa\/\d+$/);
    await page.locator('a.btn.btn-secondary', { hasText: monthButtonText(date) }).click();
    expect(page.url()).toBe(`${venue.url}/spa/${venue.monthId(date.slice(0, 7))}`);
    await visible(page.locator('input#from_date'));
    // A date of another month is not served by this month's page.
    const otherMonth = `${date.slice(0, 5)}${date.slice(5, 7) === '01' ? '03' : '01'}-15`;
    await page.fill('#from_date', ddmmyyyy(otherMonth));
    await page.click('#btnApply');
    expect(await visible(page.locator('.no-slots[data-reason="other-month"]'))).toBeTruthy();

    const second = await startSandbox();
    cleanups.push(() => second.stop());
    expect(second.monthId(date.slice(0, 7))).not.toBe(venue.monthId(date.slice(0, 7)));
  });

  it('refuses deep links without the click path when requireClickPath is on', async () => {
    const { venue, page } = await setup({ requireClickPath: true });
    const spa = `${venue.url}/spa/${venue.monthId(date.slice(0, 7))}`;
    // Sign in without following the redirect to the home page (the session has not seen home yet).
    const signIn = () =>
      page.context().request.post(`${venue.url}/page/login`, {
        form: { email: venue.members[0]!.email, password: venue.members[0]!.password },
        maxRedirects: 0,
      });
    expect((await signIn()).status()).toBe(302);
    const refused = await page.context().request.get(spa, { maxRedirects: 0 });
    expect(refused.status()).toBe(302);
    expect(refused.headers().location).toBe('/');
    await page.goto(spa);
    expect(page.url()).toBe(`${venue.url}/`); // the observed redirect to the home page
    await page.goto(spa); // home has now been visited in this session
    expect(page.url()).toBe(spa);
    expect(venue.requests().some((r) => r.outcome === 'redirect-home')).toBe(true);

    // Off (the default): a fresh session may deep link.
    venue.setScenario({ requireClickPath: false });
    await signIn();
    await page.goto(spa);
    expect(page.url()).toBe(spa);
  });

  it('works with a hidden #from_date behind the picker widget', async () => {
    const { page } = await onDayView({ hideDateInput: true });
    expect(await page.locator('#from_date').isVisible()).toBe(false);
    await page.click('.picker-display');
    await page
      .locator('.ui-datepicker a[data-day]', { hasText: new RegExp(`^${Number(date.slice(8))}$`) })
      .click();
    expect(await page.inputValue('#from_date')).toBe(ddmmyyyy(date));
    await page.click('#btnApply');
    await visible(page.locator('div.cardBtn-bd.vr.vr_centered').first());
    expect(await page.locator('#slots [data-slot-id]').count()).toBe(30); // 15 hours × 2 courts
  });
});

describe('booking', () => {
  it('books a court, shows the reference, lists it in My bookings, and cancels it', async () => {
    const { venue, page } = await onDayView();
    expect(await showAvailability(page, date)).toBe('cards');
    const card = slotCard(page, date, '19:00');
    expect(await card.locator('span.slot_start_show').textContent()).toBe('7:00 PM');
    expect(await card.locator('span.totalBooked').textContent()).toBe('0');
    expect(await card.locator('span.totalSlots').textContent()).toBe('1');
    await card.click();
    await visible(page.locator('#confirm-dialog[role="dialog"]'));
    expect(await page.locator('#confirm-booking').isDisabled()).toBe(true); // until the terms are ticked
    await page.check('#confirm-terms');
    // Double submission: the button disables itself on the first click.
    await page.locator('#confirm-booking').dblclick();
    await visible(page.locator('.booking-confirmation'));
    const reference = (await page.locator('.booking-reference').textContent())!.trim();
    expect(reference).toMatch(/^EM-[A-Z2-9]{6}$/);
    expect(venue.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/book'))).toHaveLength(1);
    expect(venue.ledger()).toMatchObject([{ reference, date, time: '19:00', court: 'Padel Court 1' }]);

    await page.click('.booking-confirmation a[href="/page/my-bookings"]');
    const row = page.locator(`tr.booking-row[data-reference="${reference}"]`);
    await visible(row);
    expect(await row.getAttribute('data-date')).toBe(date);
    expect(await row.getAttribute('data-time')).toBe('19:00');
    expect(await row.getAttribute('data-court')).toBe('Padel Court 1');
    expect(await row.locator('td.booking-ref').textContent()).toBe(reference);
    await row.locator('button', { hasText: 'Cancel' }).click();
    await visible(page.locator('.flash'));
    expect(await page.locator('tr.booking-row').count()).toBe(0);
    expect(venue.ledger()[0]?.cancelled).toBe(true);
    // The place is free again.
    await clickPathToMonth(page, venue, date);
    await showAvailability(page, date);
    expect(await slotCard(page, date, '19:00').locator('span.totalBooked').textContent()).toBe('0');
  });

  it('shows no slots before the release and refuses a confirm that arrives early as not-open', async () => {
    const { venue, page } = await onDayView({}, 60_000);
    expect(await showAvailability(page, date)).toBe('no-slots');
    expect(await page.locator('.no-slots').textContent()).toContain('not open yet');
    expect(await page.locator('[data-slot-id]').count()).toBe(0); // nothing to address before the release
    // After the release the cards come; then the server's clock is put back before it.
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -100) });
    expect(await showAvailability(page, date)).toBe('cards');
    await openConfirm(page, date, '07:00');
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, 5_000) });
    const result = await confirm(page);
    expect(result).toMatchObject({ error: 'not-open' });
    expect(result.message).toContain('not open yet');
    expect(venue.ledger()).toHaveLength(0);
  });

  it.each([
    { skewMs: -800, label: 'server 0.8 s behind' },
    { skewMs: 0, label: 'server on time' },
    { skewMs: 2700, label: 'server 2.7 s ahead' },
  ])('opens the slots exactly at the release by the server clock ($label)', async ({ skewMs }) => {
    // The engine's clock thinks the release is 1.2 s away; the server's clock is skewed from it.
    const engineOffset = offsetForRelease(date, 1200);
    const engine = shiftedClock(engineOffset);
    const { venue, page } = await onDayView({ clockOffsetMs: engineOffset + skewMs });
    const release = venue.releaseInstant(date);
    // What the browser sees of the server clock: the Date header (one-second resolution).
    const response = await page.goto(page.url());
    const header = Date.parse(response!.headers().date!);
    expect(Math.abs(header - (engine.now() + skewMs))).toBeLessThan(1500);
    let lastNoSlotsEngineMs = -Infinity;
    let cardsEngineMs = 0;
    await eventually(
      async () => {
        const before = engine.now();
        const seen = await showAvailability(page, date);
        if (seen === 'no-slots') lastNoSlotsEngineMs = before;
        else cardsEngineMs = engine.now();
        return seen === 'cards';
      },
      { timeoutMs: 8000, intervalMs: 20, what: 'slots after the release' },
    );
    const log = venue.requests().filter((r) => r.path.includes('/slots'));
    const firstSlots = log.find((r) => r.outcome === 'slots')!;
    expect(firstSlots.serverTimeMs).toBeGreaterThanOrEqual(release);
    for (const r of log.filter((x) => x.outcome === 'no-slots')) expect(r.serverTimeMs).toBeLessThan(release);
    // By the engine's clock the slots open at release - skew.
    expect(cardsEngineMs).toBeGreaterThanOrEqual(release - skewMs);
    if (skewMs < 1200) expect(lastNoSlotsEngineMs).toBeLessThan(release - skewMs);
    else expect(lastNoSlotsEngineMs).toBe(-Infinity); // already open when the engine first looked
  });

  it('loses a slot to a competitor who books first: confirm says unavailable, the card shows full', async () => {
    const { venue, page } = await onDayView();
    await showAvailability(page, date);
    await openConfirm(page, date, '19:00');
    // A competitor who takes Court 1 at 19:00 250 ms from now (server clock), while the member hesitates.
    const sinceRelease = venue.clock.now() - venue.releaseInstant(date);
    venue.setScenario({
      competitors: [
        {
          name: 'Quick Quentin',
          date,
          time: '19:00',
          court: 'Padel Court 1',
          afterReleaseMs: sinceRelease + 250,
        },
      ],
    });
    await eventually(() => venue.ledger().some((e) => e.client === 'competitor:Quick Quentin'), {
      what: 'the competitor',
    });
    const result = await confirm(page);
    expect(result).toMatchObject({ error: 'unavailable' });
    expect(result.message).toContain('no longer available');
    await page.click('#confirm-close');
    await showAvailability(page, date);
    const card = slotCard(page, date, '19:00');
    expect(await card.locator('span.totalBooked').textContent()).toBe('1');
    expect(await card.getAttribute('aria-disabled')).toBe('true');
    const entry = venue.ledger()[0]!;
    expect(entry.acceptedAtServerMs - venue.releaseInstant(date)).toBeGreaterThanOrEqual(sinceRelease + 250);
    expect(venue.requests().find((r) => r.client === 'competitor:Quick Quentin')?.outcome).toBe('booked');
  });

  it('lets a competitor with no court named take the first free court at the release', async () => {
    const { venue, page } = await onDayView(
      {
        competitors: [
          { name: 'A', date, time: '20:00', afterReleaseMs: 100 },
          { name: 'B', date, time: '20:00', afterReleaseMs: 150 },
        ],
      },
      600,
    );
    await eventually(() => venue.ledger().length === 2, { what: 'both competitors' });
    const [a, b] = venue.ledger();
    expect([a!.court, b!.court].sort()).toEqual(['Padel Court 1', 'Padel Court 2']);
    expect(a!.acceptedAtServerMs - venue.releaseInstant(date)).toBeGreaterThanOrEqual(100);
    expect(await showAvailability(page, date)).toBe('cards');
    expect(await slotCard(page, date, '20:00', 'Padel Court 2').getAttribute('aria-disabled')).toBe('true');
  });
});
