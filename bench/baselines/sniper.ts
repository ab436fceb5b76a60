import { readFileSync } from 'node:fs';
import { formatSlot, venueUrl } from '../../src/venue/profile.ts';
import { CLUBHOUSE_PATHS, clubhouseReservePath, courtSlug } from '../../test/sandbox/index.ts';
import type { TrialPlacement } from '../lib/arena.ts';
import { median } from '../lib/stats.ts';
import { sleepUntilReal, type BaselineOutcome, type BaselineSession, type BaselineSpec } from './common.ts';

/**
 * Baseline (d), a pre-firing sniper. Models rockstarade/tablemate (src/tablement/sniper.py, api.py,
 * scheduler.py), a restaurant-reservation sniper:
 *
 * - its clock: `calibrate_resy_clock(samples=3)` sends HEAD requests and takes the server's offset as
 *   `Date header − (t1 + rtt / 2)`, the median of the samples. The Date header has one-second
 *   resolution (it is truncated), so the estimate reads the server as up to 1 s behind, and the sniper
 *   fires late by as much. How much depends on when it calibrates: tablemate does it in its warm-up at
 *   `drop − 30 s`, a whole second of its own clock, so the truncation costs the fraction of a second by
 *   which the venue's clock runs ahead of its own, plus the probe's trip (bench/results.md's
 *   "Clock-offset error" row measures it per case: a tenth of a second or so when the two clocks agree
 *   at 30 ms, less than its 200 ms pre-fire; several tenths at 120 ms; most of a second when the venue's
 *   clock is −4.3 s or +2.7 s off); over clock offsets at random, about half a second (the issue's). The model
 *   calibrates at a whole second of its own clock likewise (the last one before the trial's release);
 * - a warm connection: one persistent connection, warmed before the drop (here: the page's own
 *   keep-alive connection, used for the calibration moments before);
 * - "pre-fire": its first `find_slots()` goes out 180-220 ms before the computed drop (here 200 ms),
 *   then overlapping volleys (`find_slots_rapid`: 3 requests staggered 50 ms, repeated with no pause,
 *   for up to 10 s); the first answer with a slot matching its preferences is booked at once.
 *
 * What the model simplifies: one availability request every 50 ms instead of volleys of three (the same
 * rate); the booking is the venue's own booking request sent from the page (tablemate's "details" step
 * and its dual-path booking have no counterpart here); and tablemate also discards a calibration above
 * ±500 ms and trusts its NTP-corrected clock instead — the model always uses its own estimate (with the
 * guard it would fire seconds early or late whenever the venue's clock is seconds off, as in the −4.3 s
 * and +2.7 s cases).
 *
 * On the clubhouse skin the confirm form is addressable before the release (it needs no slot id), so a
 * sniper would not poll availability at all: its volley is the booking POST itself, every 50 ms from
 * 200 ms before its estimated release, until one is accepted — the pre-release POSTs are refused as
 * "not open yet" and counted as early requests.
 */

export const SNIPER_CALIBRATION_SAMPLES = 3;
export const SNIPER_PRE_FIRE_MS = 200;
export const SNIPER_PERIOD_MS = 50;
export const SNIPER_WINDOW_MS = 10_000;

const PAGE_SOURCE = readFileSync(new URL('./page/sniper.js', import.meta.url), 'utf8');

type Sample = { t1: number; t2: number; date: string | null };
type InPage = { outcome: BaselineOutcome['outcome']; shots: number; detail?: string };

/** tablemate's estimate of the venue's clock minus the real clock: median of Date − RTT midpoint. */
export function naiveOffsetMs(samples: readonly Sample[]): number | null {
  const offsets = samples
    .filter((s) => s.date !== null && Number.isFinite(Date.parse(s.date)))
    .map((s) => Date.parse(s.date!) - (s.t1 + (s.t2 - s.t1) / 2));
  return median(offsets);
}

export async function sniper(bot: BaselineSession, p: TrialPlacement): Promise<BaselineOutcome> {
  const { page, profile, skin } = bot;
  const run = (args: Record<string, unknown>) =>
    page.evaluate(`(() => { ${PAGE_SOURCE}\nreturn sniperInPage(${JSON.stringify(args)}); })()`);
  let volley: Record<string, unknown>;
  if (skin.name === 'estelle') {
    // Armed on the day view: its /spa/<id> and the CSRF token are on the page.
    const spaId = await page.locator('.day-controls').getAttribute('data-spa-id');
    const date = formatSlot(p.date, '00:00', profile.dayView.date!.format, profile);
    volley = {
      slotsUrl: `/spa/${spaId}/slots?${new URLSearchParams({ date })}`,
      bookUrl: `/spa/${spaId}/book`,
      want: { time: bot.startText(p.date, p.slot.time), court: p.slot.court },
      sel: { time: profile.slots.time.read.selector!, court: profile.slots.court.selector! },
    };
  } else {
    // The confirm form of the wanted court-hour, for its token (it renders before the release).
    await page.goto(venueUrl(profile, clubhouseReservePath(p.date, p.slot.time, p.slot.court)), {
      waitUntil: 'domcontentloaded',
    });
    const token = await page.locator('input[name="authenticity_token"]').first().inputValue();
    volley = {
      reserveUrl: CLUBHOUSE_PATHS.reserve,
      form: {
        authenticity_token: token,
        date: p.date,
        time: p.slot.time,
        court: courtSlug(p.slot.court),
        agree_rules: '1',
      },
    };
  }
  // Like tablemate's warm-up at drop − 30 s: on a whole second of its own clock (the bot's clock is the
  // real one shifted by shiftMs).
  const botNow = Date.now() + p.shiftMs;
  await sleepUntilReal(Math.ceil(botNow / 1000) * 1000 - p.shiftMs, 0);
  const samples = (await run({
    mode: 'calibrate',
    samples: SNIPER_CALIBRATION_SAMPLES,
    // tablemate HEADs "/"; the member's home page answers without a redirect (a redirect would put two
    // round trips between t1 and t2).
    probeUrl: profile.paths.home,
  })) as Sample[];
  const offsetMs = naiveOffsetMs(samples);
  if (offsetMs === null) return { outcome: 'error', detail: 'no Date header to calibrate from', reloads: 0 };
  // Venue − real as it estimates it; the venue's midnight on the real clock as it believes.
  const trueOffsetRealMs = p.shiftMs + p.trueOffsetMs;
  const startAt = p.releaseServerMs - offsetMs - SNIPER_PRE_FIRE_MS;
  await sleepUntilReal(startAt);
  const shot = (await run({
    mode: 'volley',
    skin: skin.name,
    startAtEpochMs: startAt,
    periodMs: SNIPER_PERIOD_MS,
    windowMs: SNIPER_WINDOW_MS,
    ...volley,
  })) as InPage;
  return {
    outcome: shot.outcome,
    detail: shot.detail,
    reloads: shot.shots,
    offsetErrorMs: Math.round(Math.abs(offsetMs - trueOffsetRealMs)),
  };
}

export const SNIPER: BaselineSpec = {
  name: 'sniper',
  label: 'sniper (Date-header offset, volley from −200 ms)',
  skins: ['estelle', 'clubhouse'],
  scale: 'ms',
  // Waits for a whole second of its clock (< 1 s), calibrates, fires 200 ms before its estimate.
  leadMs: SNIPER_PRE_FIRE_MS + 1_500,
  run: sniper,
};
