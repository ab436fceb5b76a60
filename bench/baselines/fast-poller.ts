import { readFileSync } from 'node:fs';
import { clubhouseSessionsPath } from '../../test/sandbox/index.ts';
import type { TrialPlacement } from '../lib/arena.ts';
import {
  loadBy,
  sleepUntilReal,
  venueToRealMs,
  type BaselineOutcome,
  type BaselineSession,
  type BaselineSpec,
} from './common.ts';

/**
 * Baseline (c), a fast poller on a correct clock. Models the strongest published pollers:
 *
 * - dan-r-mount/sport-court-booker (court_booker.py): logs in before midnight ("pre-warm"), sleeps in
 *   chunks until the last 5 s, then checks the runner's (NTP-synced) clock every 50 ms until midnight
 *   UK time, then books through the page;
 * - scalgary/auto-booking (TennisBookingBot.py): polls the page's DOM (WebDriverWait, poll_frequency
 *   0.1 s) for the slot's "Book" button, refreshing when it is not there, and clicks it on first sight.
 *
 * What the model keeps: a correct clock (it is given the venue's TRUE offset — the runner's NTP clock
 * and a venue clock that is right), pre-login and arming, a sleep until just before midnight, then
 * polling the availability every 50 ms in the page and booking on first sight (the wanted time, the
 * preferred court first). What it simplifies — in the peers' favour: both peers have fixed waits in
 * their booking path (dan-r-mount: 3 s after changing the date, 1 s between the dialog's steps;
 * scalgary: 1-3 s after each refresh) and drive clicks from Python over WebDriver/CDP; the model has no
 * fixed wait, polls without reloading (as scalgary's DOM poll) and does the first-sight clicks inside
 * the page, so it is an upper bound on how fast either could be.
 *
 * On each skin it follows the site's own pages, as both peers do (neither knows a confirm page could be
 * reached early): estelle — it presses "Show Availability" every 50 ms (the site's XHR; presses do not
 * wait for the previous answer), then clicks the card, ticks the terms and confirms; clubhouse — it
 * fetches the sessions page every 50 ms from the page, then loads the free card's confirm page, ticks
 * the rules box and submits the form.
 */

export const FAST_POLLER_PERIOD_MS = 50;
/** It starts polling this long before midnight on its (correct) clock. */
export const FAST_POLLER_START_BEFORE_MS = 300;
/** Gives up this long after it started polling. */
export const FAST_POLLER_WINDOW_MS = 20_000;

const PAGE_SOURCE = readFileSync(new URL('./page/fast-poller.js', import.meta.url), 'utf8');

/** In the confirm page as it is being parsed: tick the rules box and press Confirm once the button exists. */
const SUBMIT_WHEN_PARSED = `new Promise((resolve) => {
  const go = () => {
    const button = document.querySelector('#reserve-submit');
    if (!button) return false;
    const box = document.querySelector('#agree-rules');
    if (box && !box.checked) box.click();
    button.click();
    resolve(true);
    return true;
  };
  if (go()) return;
  const obs = new MutationObserver(() => { if (go()) obs.disconnect(); });
  obs.observe(document, { childList: true, subtree: true });
})`;

type InPage = {
  outcome: 'booked' | 'lost' | 'gave-up' | 'error' | 'seen';
  polls: number;
  detail?: string;
  href?: string | null;
};

export async function fastPoller(bot: BaselineSession, p: TrialPlacement): Promise<BaselineOutcome> {
  const { page, profile, skin } = bot;
  // Its clock is right: the venue's midnight, in real time, minus its start margin.
  const startAt = venueToRealMs(p, p.releaseServerMs) - FAST_POLLER_START_BEFORE_MS;
  await sleepUntilReal(startAt);
  const common = {
    skin: skin.name,
    startAtEpochMs: startAt,
    periodMs: FAST_POLLER_PERIOD_MS,
    windowMs: FAST_POLLER_WINDOW_MS,
    stepTimeoutMs: bot.ctx.timeoutMs,
  };
  if (skin.name === 'estelle') {
    const args = {
      ...common,
      want: { time: bot.startText(p.date, p.slot.time), court: p.slot.court },
      sel: {
        apply: 'click' in profile.dayView.apply ? profile.dayView.apply.click : '',
        item: profile.slots.item,
        time: profile.slots.time.read.selector!,
        court: profile.slots.court.selector!,
        terms: profile.confirm.terms!,
        button: profile.confirm.button,
        success: profile.confirm.success.selector!,
        failure: profile.confirm.failure!.selector!,
      },
    };
    const seen = await evaluate(bot, args);
    return {
      outcome: seen.outcome === 'seen' ? 'error' : seen.outcome,
      detail: seen.detail,
      reloads: seen.polls,
    };
  }
  const seen = await evaluate(bot, {
    ...common,
    want: { time: p.slot.time, court: p.slot.court },
    sessionsUrl: clubhouseSessionsPath(p.date),
  });
  if (seen.outcome !== 'seen' || !seen.href)
    return {
      outcome: seen.outcome === 'seen' ? 'error' : seen.outcome,
      detail: seen.detail,
      reloads: seen.polls,
    };
  // First sight: the page went to the card's confirm page at once; the rules box and Confirm as soon as
  // its form is parsed (not waiting for the page's assets), then the result page.
  const confirmPath = new URL(seen.href, page.url()).pathname;
  await page.waitForURL((url) => url.pathname === confirmPath, {
    waitUntil: 'commit',
    timeout: bot.ctx.timeoutMs,
  });
  await loadBy(page, bot.ctx.timeoutMs, () => page.evaluate(SUBMIT_WHEN_PARSED));
  return { ...(await clubhouseResult(bot)), reloads: seen.polls };
}

/** What a clubhouse result page says (booked, taken, or something else). */
export async function clubhouseResult(bot: BaselineSession): Promise<Omit<BaselineOutcome, 'reloads'>> {
  const { page } = bot;
  if ((await page.locator('.result-reference').count()) > 0) return { outcome: 'booked' };
  const error = (
    (await page
      .locator('.alert--error')
      .first()
      .textContent()
      .catch(() => '')) ?? ''
  ).trim();
  if (/just been taken/i.test(error)) return { outcome: 'lost', detail: error };
  return { outcome: 'error', detail: error || `no result on ${page.url()}` };
}

async function evaluate(bot: BaselineSession, args: Record<string, unknown>): Promise<InPage> {
  return (await bot.page.evaluate(
    `(() => { ${PAGE_SOURCE}\nreturn fastPollerInPage(${JSON.stringify(args)}); })()`,
  )) as InPage;
}

export const FAST_POLLER: BaselineSpec = {
  name: 'fast-poller',
  label: 'fast poller (correct clock, 50 ms in-page polls)',
  skins: ['estelle', 'clubhouse'],
  scale: 'ms',
  leadMs: FAST_POLLER_START_BEFORE_MS,
  run: fastPoller,
};
