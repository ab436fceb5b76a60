import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../src/browser/launch.ts';
import { fireArgs, type FirePlan } from '../../src/venue/fire/plan.ts';
import { PAGE_LIB_SOURCE, pageProfile, type FireOutcome } from '../../src/venue/page/index.ts';
import { loadProfile } from '../../src/venue/profile.ts';

/**
 * The page's own fire (`__bookerLib.fire`) in real Chromium against a real HTTP server on 127.0.0.1,
 * whose answers each test times to the millisecond: a small day view in the markup the Estelle profile
 * reads (its Show Availability button fetches the slots and renders what comes back, the last answer
 * winning), a confirm dialog, and a My bookings page.
 */

type Route = (req: IncomingMessage, res: ServerResponse, n: number) => unknown;
const wait = (ms: number) => new Promise((done) => setTimeout(done, ms));
const DATE = '2026-12-18';

let server: Server;
let base: string;
let browser: Browser;
let slotsRoute: Route;
let slotsAtMs: number[];
let bookings: number;
let myBookingsDelayMs: number;

const DAY_VIEW = `<!doctype html><title>Day view</title><body data-member-email="member@example.com">
<button id="btnApply" type="button">Show availability</button>
<div id="slots"></div>
<div id="confirm-dialog" role="dialog" hidden>
  <label><input id="confirm-terms" type="checkbox"> I accept the terms</label>
  <button id="confirm-booking" type="button">Confirm booking</button>
  <button id="confirm-close" type="button">Close</button>
  <div id="confirm-result"></div>
</div>
<script>
  const slots = document.getElementById('slots');
  const dialog = document.getElementById('confirm-dialog');
  let chosen = null;
  document.getElementById('btnApply').onclick = () =>
    fetch('/slots', { cache: 'no-store' }).then((r) => r.text()).then((html) => (slots.innerHTML = html), () => {});
  slots.addEventListener('click', (event) => {
    const card = event.target.closest('[data-slot-id]');
    if (!card) return;
    chosen = card.getAttribute('data-slot-id');
    dialog.hidden = false;
  });
  document.getElementById('confirm-booking').onclick = () =>
    fetch('/book', { method: 'POST', body: chosen }).then((r) => r.text()).then((reference) => {
      document.getElementById('confirm-result').innerHTML =
        '<div class="booking-confirmation">Booked: <strong class="booking-reference">' + reference + '</strong></div>';
    });
</script>`;

/** Two courts at 19:00, free, in the Estelle markup (the card's parent is what takes the click). */
const cards = (render: number) =>
  ['Padel Court 1', 'Padel Court 2']
    .map(
      (court, i) =>
        `<a data-slot-id="${render}-${i}"><div class="cardBtn-bd vr vr_centered">` +
        `<span class="slot_start">18/12/2026 19:00:00</span><span class="slot-subject-spa">${court}</span>` +
        `<span class="totalBooked">0</span><span class="totalSlots">1</span></div></a>`,
    )
    .join('');
const NOT_OPEN = '<p class="no-slots">Bookings for this date open at midnight.</p>';

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/slots') {
        slotsAtMs.push(Date.now());
        return slotsRoute(req, res, slotsAtMs.length);
      }
      if (req.url === '/book') {
        bookings += 1;
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(`REF-${bookings}`);
      }
      if (req.url === '/my-bookings') {
        await wait(myBookingsDelayMs);
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<body data-member-email="member@example.com"><table></table></body>');
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(DAY_VIEW);
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
});

/** Opens the day view and runs the fire with `plan` (its first press 300 ms from now). */
async function fire(plan: Partial<FirePlan>): Promise<FireOutcome> {
  slotsAtMs = [];
  bookings = 0;
  const profile = await loadProfile('estelle', base);
  const page = await browser.newPage();
  try {
    await page.addInitScript({ content: PAGE_LIB_SOURCE });
    await page.goto(`${base}/day`);
    const full: FirePlan = {
      targets: [{ key: `${DATE} 19:00`, date: DATE, times: ['19:00'], onlyRowOnDate: true }],
      dryRun: false,
      maxPerSecond: 4,
      minGapMs: 250,
      windowMs: 3_000,
      stepTimeoutMs: 2_000,
      applyFirst: true,
      startAtEpochMs: Date.now() + 300,
      ...plan,
    };
    const args = fireArgs(profile, full, pageProfile(profile), `${base}/my-bookings`);
    return (await page.evaluate(`window.__bookerLib.fire(${JSON.stringify(args)})`)) as FireOutcome;
  } finally {
    await page.close();
  }
}

describe('the in-page fire', () => {
  it('presses no more once a press of the volley is answered 429: the next press waits out the Retry-After', async () => {
    // The 429 comes back at once; the volley's other presses are planned 300 and 600 ms after the first,
    // long after it is in the page: they would be follow-ups, not presses already on their way.
    slotsRoute = (_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' });
        return res.end('slow down');
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(NOT_OPEN);
    };
    const outcome = await fire({ windowMs: 1_600, volley: { presses: 3, spanMs: 600, graceMs: 2_000 } });

    expect(outcome.events).toContainEqual(expect.objectContaining({ event: 'http-error', status: 429 }));
    const [first, ...rest] = slotsAtMs;
    expect(rest.length).toBeGreaterThan(0); // it pressed again, after the Retry-After
    expect(rest[0]! - first!).toBeGreaterThanOrEqual(1_000 - 20);
  }, 30_000);

  it('picks again when a late answer replaces the slots during its look at My bookings, instead of clicking a card no longer in the page', async () => {
    // Press 1: "not open". Press 2: answered 900 ms late (the page stops waiting for it after 100 ms).
    // The press after the retry: slots at once; then the look at My bookings (a retry came first) takes
    // 1 s, and press 2's late answer renders the slots anew in the middle of it.
    myBookingsDelayMs = 1_000;
    slotsRoute = async (_req, res, n) => {
      if (n === 2) await wait(900);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(n === 1 ? NOT_OPEN : cards(n));
    };
    const outcome = await fire({ volley: { presses: 2, spanMs: 20, graceMs: 100 } });

    expect(outcome).toMatchObject({ kind: 'done' });
    expect(outcome.targets[0]).toMatchObject({ kind: 'booked', court: 'Padel Court 1', reference: 'REF-1' });
    expect(bookings).toBe(1);
    const names = outcome.events.map((e) => e.event);
    expect(names).toContain('rerendered');
    // The look at My bookings still holds for the new cards: no booking request went in between.
    expect(names.filter((name) => name === 'held-check')).toHaveLength(1);
  }, 30_000);
});
