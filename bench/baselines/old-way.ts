import type { TrialPlacement } from '../lib/arena.ts';
import { naiveWaitUntil, type BaselineOutcome, type BaselineSession, type BaselineSpec } from './common.ts';

/**
 * Baseline (a), the old way: the bot the engine replaces. It waits on the machine's own clock (no
 * offset sync) until midnight, then reloads the day page and clicks through with fixed sleeps between
 * the steps. When the slots are not shown yet it sleeps and reloads again (kinder than the original,
 * which simply failed). Fixed sleeps belong here only: they model the old bot.
 *
 * It runs on the single-page skin only: the bot it models was written for Estelle's pages (its Show
 * Availability button, its cards and their parent as the clickable element, its dialog); on the
 * clubhouse skin its first step after the day view finds nothing to press.
 */

export const OLD_WAY_STEP_WAIT_MS = 2_000;
/** Gives up this long after its local midnight. */
export const OLD_WAY_WINDOW_MS = 60_000;

export async function oldWay(bot: BaselineSession, p: TrialPlacement): Promise<BaselineOutcome> {
  const { page } = bot;
  const wait = OLD_WAY_STEP_WAIT_MS;
  await naiveWaitUntil(page, () => p.clock.now(), p.releaseLocalMs);
  let reloads = 0;
  while (p.clock.now() < p.releaseLocalMs + OLD_WAY_WINDOW_MS) {
    await bot.reloadAndShow(p.date);
    reloads += 1;
    await page.waitForTimeout(wait);
    const card = bot.freeCard(p.date, p.slot.time);
    if ((await card.count()) === 0) {
      if ((await bot.anyCard(p.date, p.slot.time).count()) > 0) return { outcome: 'unavailable', reloads };
      await page.waitForTimeout(wait); // "not open yet": sleep, then reload
      continue;
    }
    await card.click();
    const shown = await bot.confirm(wait);
    if (shown === 'not-open') continue;
    return { outcome: shown, reloads };
  }
  return { outcome: 'gave-up', reloads };
}

export const OLD_WAY: BaselineSpec = {
  name: 'old-way',
  label: 'old way (local clock, fixed 2 s waits)',
  skins: ['estelle'],
  scale: 's',
  leadMs: 0,
  run: oldWay,
};
