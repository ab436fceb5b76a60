import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../src/browser/launch.ts';
import { fireArgs, type FirePlan } from '../../src/venue/fire/plan.ts';
import { PAGE_LIB_SOURCE, pageProfile, type FireOutcome } from '../../src/venue/page/index.ts';
import { loadProfile } from '../../src/venue/profile.ts';

/**
 * The in-page fire holds the page's focus() and scrollIntoView() calls from the slot's click to the press
 * of Confirm (`layoutHold` in src/venue/page/lib.js): on a freshly rendered day view each forces a full
 * layout before the booking request can leave. Real Chromium, a real HTTP server on 127.0.0.1, a day view
 * in the markup the Estelle profile reads whose slot click focuses the terms and scrolls the dialog into
 * view, as sites' dialogs do. Each page writes what happened, in order, to `window.__log`.
 */

const DATE = '2026-12-18';
let server: Server;
let base: string;
let browser: Browser;

/** ?enable=focus: Confirm is enabled by the terms' focus (not by ticking them); ?button=none: no Confirm. */
const dayView = (query: URLSearchParams) => `<!doctype html><title>Day view</title>
<body data-member-email="member@example.com">
<button id="btnApply" type="button">Show availability</button>
<div id="slots"></div>
<div style="height: 3000px"></div>
<div id="confirm-dialog" role="dialog" hidden>
  <label><input id="confirm-terms" type="checkbox"> I accept the terms</label>
  ${query.get('button') === 'none' ? '' : '<button id="confirm-booking" type="button" disabled>Confirm booking</button>'}
  <div id="confirm-result"></div>
</div>
<script>
  const log = (window.__log = []);
  const slots = document.getElementById('slots');
  const dialog = document.getElementById('confirm-dialog');
  const terms = document.getElementById('confirm-terms');
  const button = document.getElementById('confirm-booking');
  const enableOnFocus = ${JSON.stringify(query.get('enable') === 'focus')};
  document.getElementById('btnApply').onclick = () =>
    fetch('/slots').then((r) => r.text()).then((html) => (slots.innerHTML = html));
  slots.addEventListener('click', (event) => {
    if (!event.target.closest('[data-slot-id]')) return;
    log.push('slot clicked');
    dialog.hidden = false;
    terms.focus();
    dialog.scrollIntoView();
    log.push('dialog open');
  });
  terms.addEventListener('focus', () => {
    log.push('terms focused');
    if (enableOnFocus && button) button.disabled = false;
  });
  terms.addEventListener('change', () => {
    if (!enableOnFocus && button) button.disabled = !terms.checked;
  });
  if (button)
    button.onclick = () => {
      log.push('booking sent');
      fetch('/book', { method: 'POST' }).then((r) => r.text()).then((reference) => {
        log.push('booking answered');
        document.getElementById('confirm-result').innerHTML =
          '<div class="booking-confirmation">Booked: <strong class="booking-reference">' + reference + '</strong></div>';
      });
    };
</script>`;

/** Two courts at 19:00, free, in the Estelle markup. */
const CARDS = ['Padel Court 1', 'Padel Court 2']
  .map(
    (court, i) =>
      `<a data-slot-id="s-${i}"><div class="cardBtn-bd vr vr_centered">` +
      `<span class="slot_start">18/12/2026 19:00:00</span><span class="slot-subject-spa">${court}</span>` +
      `<span class="totalBooked">0</span><span class="totalSlots">1</span></div></a>`,
  )
  .join('');

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (url.pathname === '/slots') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(CARDS);
    }
    if (url.pathname === '/book') {
      // Answered a little later, so what the page does while the booking is on its way can be seen.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('REF-1');
      }, 150);
      return;
    }
    if (url.pathname === '/my-bookings') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<body data-member-email="member@example.com"><table></table></body>');
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(dayView(url.searchParams));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

type Seen = { outcome: FireOutcome; log: string[]; focused: string; scrollY: number; ownMethods: boolean };

/** Opens the day view (`query` picks its behaviour) and runs the fire for 19:00 at once; what the page saw. */
async function fireOn(query: string): Promise<Seen> {
  const profile = await loadProfile('estelle', base);
  const page: Page = await browser.newPage();
  try {
    await page.addInitScript({ content: PAGE_LIB_SOURCE });
    await page.goto(`${base}/day?${query}`);
    await page.evaluate(`window.__own = [HTMLElement.prototype.focus, Element.prototype.scrollIntoView]`);
    const plan: FirePlan = {
      targets: [{ key: `${DATE} 19:00`, date: DATE, times: ['19:00'], onlyRowOnDate: true }],
      dryRun: false,
      maxPerSecond: 4,
      minGapMs: 250,
      windowMs: 3_000,
      stepTimeoutMs: 1_500,
      applyFirst: true,
    };
    const args = fireArgs(profile, plan, pageProfile(profile), `${base}/my-bookings`);
    const outcome = (await page.evaluate(`window.__bookerLib.fire(${JSON.stringify(args)})`)) as FireOutcome;
    return {
      outcome,
      ...((await page.evaluate(`({
        log: window.__log,
        focused: document.activeElement ? document.activeElement.id : '',
        scrollY: window.scrollY,
        ownMethods: HTMLElement.prototype.focus === window.__own[0] && Element.prototype.scrollIntoView === window.__own[1],
      })`)) as Omit<Seen, 'outcome'>),
    };
  } finally {
    await page.close();
  }
}

describe('the layout held back while booking', () => {
  it("sends the booking before the slot click's focus and scroll, and makes both once Confirm is pressed, before the answer", async () => {
    const seen = await fireOn('');

    expect(seen.outcome.targets[0]).toMatchObject({ kind: 'booked', reference: 'REF-1' });
    expect(seen.log).toEqual([
      'slot clicked',
      'dialog open',
      'booking sent',
      'terms focused',
      'booking answered',
    ]);
    expect(seen.focused).toBe('confirm-terms'); // the same element got its focus
    expect(seen.scrollY).toBeGreaterThan(1_000); // and the dialog, below a tall page, was scrolled to
    expect(seen.outcome.events).toContainEqual(
      expect.objectContaining({ event: 'layout-released', calls: 2 }),
    );
    expect(seen.ownMethods).toBe(true);
  }, 30_000);

  it('gives the site its focus as soon as the fire has to wait for the page: a Confirm enabled by that focus is pressed', async () => {
    const seen = await fireOn('enable=focus');

    expect(seen.outcome.targets[0]).toMatchObject({ kind: 'booked', reference: 'REF-1' });
    expect(seen.log).toEqual([
      'slot clicked',
      'dialog open',
      'terms focused',
      'booking sent',
      'booking answered',
    ]);
    expect(seen.ownMethods).toBe(true);
  }, 30_000);

  it('puts the page’s own focus and scrollIntoView back when the fire stops between the slot click and Confirm', async () => {
    const seen = await fireOn('button=none');

    expect(seen.outcome).toMatchObject({ kind: 'selector-missing', key: 'confirm.button' });
    expect(seen.log).toEqual(['slot clicked', 'dialog open', 'terms focused']); // made, not lost
    expect(seen.ownMethods).toBe(true);
  }, 30_000);
});
