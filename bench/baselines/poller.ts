import type { TrialPlacement } from '../lib/arena.ts';
import { naiveWaitUntil, type BaselineOutcome, type BaselineSession, type BaselineSpec } from './common.ts';

/**
 * Baseline (b), a refresh-polling bot: from 23:59:58 on the machine's own clock it reloads the day
 * page every second (reload, show availability) and books as soon as the wanted slot shows, without
 * fixed sleeps in the booking itself (Playwright's auto-waiting).
 *
 * Single-page skin only, like the old way: it reloads Estelle's day page and presses its Show
 * Availability button, which the clubhouse skin does not have.
 */

export const POLLER_START_BEFORE_MS = 2_000;
export const POLLER_PERIOD_MS = 1_000;
export const POLLER_WINDOW_MS = 60_000;

export async function poller(bot: BaselineSession, p: TrialPlacement): Promise<BaselineOutcome> {
  const { page, profile } = bot;
  const start = p.releaseLocalMs - POLLER_START_BEFORE_MS;
  let reloads = 0;
  for (let tick = 0; start + tick * POLLER_PERIOD_MS < p.releaseLocalMs + POLLER_WINDOW_MS; tick += 1) {
    await naiveWaitUntil(page, () => p.clock.now(), start + tick * POLLER_PERIOD_MS);
    await bot.reloadAndShow(p.date);
    reloads += 1;
    // The availability fragment replaces #slots: cards, or the "not open yet" message.
    await page
      .locator(`${profile.slots.item}, ${profile.dayView.notOpen.selector}, .slots-error`)
      .first()
      .waitFor({ state: 'attached', timeout: bot.ctx.timeoutMs })
      .catch(() => undefined);
    const card = bot.freeCard(p.date, p.slot.time);
    if ((await card.count()) === 0) {
      if ((await bot.anyCard(p.date, p.slot.time).count()) > 0) return { outcome: 'unavailable', reloads };
      continue;
    }
    await card.click();
    const shown = await bot.confirm('auto');
    if (shown === 'not-open') continue;
    return { outcome: shown, reloads };
  }
  return { outcome: 'gave-up', reloads };
}

export const POLLER: BaselineSpec = {
  name: 'poller',
  label: 'refresh poller (1 s reloads from 23:59:58)',
  skins: ['estelle'],
  scale: 's',
  leadMs: POLLER_START_BEFORE_MS,
  run: poller,
};
