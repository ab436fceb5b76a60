/**
 * npx tsx bench/experiments/fire-paths.ts [--trials N] [--hedge-ms N] [--out FILE]
 *
 * An experiment, not a product path: what would a different post-release path buy? Every trial uses
 * the engine's own pieces up to the release (click-path arming, installFireScript, measureServerClock,
 * sendTimeFor, warmConnection, preciseWaitUntil) and then fires one of three ways, rotating:
 *
 * - click:  the engine's fire script (booker.fire): Show Availability → wait for the cards → click the
 *           card → tick the terms → Confirm, all through the site's own page.
 * - direct: the same two requests made from the page with fetch (availability fragment parsed in an
 *           inert <template>, then POST the booking with the page's CSRF token): no render, no layout,
 *           no dialog. Needs the site's availability and booking URLs (sandbox: .day-controls[data-spa-id]).
 * - hedged: direct, with a first availability request --hedge-ms earlier than the engine would send it
 *           and a second at the engine's time; the first that shows the slot wins.
 * - inpage: the engine's fire script, but handed to the page 300 ms early with the send instant, and
 *           the page waits for it itself: no Node-side spin, no DevTools round trip at the release.
 *
 * Release latency is the sandbox ledger's acceptedAtServerMs − midnight, as in npm run bench.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { launchBrowser } from '../../src/browser/launch.ts';
import { fire, fireArgs, installFireScript, warmConnection, type FirePlan } from '../../src/venue/booker.ts';
import { measureServerClock, sendTimeFor } from '../../src/venue/clock-sync.ts';
import { openDayView } from '../../src/venue/navigate.ts';
import type { VenueContext } from '../../src/venue/page-tools.ts';
import { loadProfile, venueUrl } from '../../src/venue/profile.ts';
import { Screenshots } from '../../src/venue/screenshots.ts';
import { logIn } from '../../src/venue/session.ts';
import { preciseWaitUntil, sleepUntil } from '../../src/venue/wait.ts';
import { PAGE_INIT_SCRIPT } from '../../src/venue/page-scripts.ts';
import { Arena, type BenchCase } from '../lib/arena.ts';
import { trialMetrics } from '../lib/metrics.ts';
import { latencyFor, physicalFloorMs, summarize } from '../lib/stats.ts';

const DIRECT_SCRIPT = `async (a) => {
  const t0 = performance.now();
  const ev = [];
  const mark = (e) => ev.push([e, Math.round((performance.now() - t0) * 10) / 10]);
  const spa = document.querySelector('.day-controls').getAttribute('data-spa-id');
  const url = '/spa/' + spa + '/slots?' + new URLSearchParams({ date: a.date });
  const look = (n) => fetch(url, { credentials: 'same-origin' }).then((r) => r.text()).then((html) => {
    mark('answer' + n);
    const tpl = document.createElement('template');
    tpl.innerHTML = html;
    for (const card of tpl.content.querySelectorAll(a.sel.card)) {
      const start = card.querySelector(a.sel.slotStart);
      if (!start || start.textContent.trim() !== a.slotStart) continue;
      const booked = parseInt((card.querySelector(a.sel.booked) || {}).textContent || '0', 10);
      const cap = parseInt((card.querySelector(a.sel.capacity) || {}).textContent || '0', 10);
      if (booked < cap && card.parentElement) return card.parentElement.getAttribute('data-slot-id');
    }
    return null;
  });
  const tries = [look(1)];
  mark('look1');
  if (a.hedgeMs !== null) tries.push(new Promise((r) => setTimeout(r, a.hedgeMs)).then(() => { mark('look2'); return look(2); }));
  const slotId = await new Promise((resolve) => {
    let left = tries.length;
    const miss = () => { if (--left === 0) resolve(null); };
    for (const t of tries) t.then((id) => (id ? resolve(id) : miss()), miss);
  });
  mark('slot');
  if (!slotId) return { ok: false, ev };
  const meta = document.querySelector('meta[name="csrf-token"]');
  const res = await fetch('/spa/' + spa + '/book', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ slotId, csrf: meta ? meta.getAttribute('content') : '' }),
  });
  mark('booked');
  return { ok: res.ok, status: res.status, ev };
}`;

type Variant = 'click' | 'direct' | 'hedged' | 'inpage';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { trials: { type: 'string' }, 'hedge-ms': { type: 'string' }, out: { type: 'string' } },
  });
  const trials = Number(values.trials ?? 8);
  const hedgeMs = Number(values['hedge-ms'] ?? 20);
  const benchCase: BenchCase = {
    name: '30 ms, venue clock ±0',
    latencyLabel: '30 ± 10 ms',
    latency: latencyFor(30, 10),
    skewMs: 0,
    heldToGoals: true,
  };
  const arena = await Arena.start(benchCase, 'exp');
  const browser = await launchBrowser();
  const profile = await loadProfile('estelle', arena.venue.url);
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: profile.timeZone });
  await context.addInitScript({ content: PAGE_INIT_SCRIPT });
  const page = await context.newPage();
  const ctx: VenueContext = {
    profile,
    shots: new Screenshots('/tmp/bench-exp-shots', profile),
    timeoutMs: 15_000,
  };
  await logIn(page, ctx, { username: arena.member, password: arena.password });
  const variants: Variant[] = ['click', 'inpage', 'direct', 'hedged'];
  const rows: {
    variant: Variant;
    trial: number;
    latencyMs: number | null;
    slotsShownMs: number | null;
    ev: unknown;
  }[] = [];
  try {
    for (let t = 0; t < trials * variants.length; t += 1) {
      const variant = variants[t % variants.length]!;
      const p = arena.place(t, { ms: 7_000, on: 'venue' });
      await openDayView(page, ctx, p.date);
      await installFireScript(page);
      const estimate = await measureServerClock(venueUrl(profile, profile.paths.clockProbe), p.clock);
      const sendAt = sendTimeFor(p.releaseServerMs, estimate) - (variant === 'hedged' ? hedgeMs : 0);
      await sleepUntil(p.clock, sendAt - 1_500);
      await warmConnection(page, venueUrl(profile, profile.paths.clockProbe));
      const plan: FirePlan = {
        date: p.date,
        times: [p.slot.time],
        dryRun: false,
        maxPerSecond: 4,
        minGapMs: 250,
        windowMs: 10_000,
        stepTimeoutMs: 15_000,
        applyFirst: true,
      };
      let ev: unknown;
      if (variant === 'inpage') {
        await preciseWaitUntil(p.clock, sendAt - 300);
        const targetEpoch = sendAt - p.shiftMs; // the page's clock is the real clock
        ev = await page.evaluate(`(async (target, args) => {
          const now = () => performance.timeOrigin + performance.now();
          if (now() < target - 4) await new Promise((r) => setTimeout(r, target - 4 - now()));
          while (now() < target) {}
          return (await window.__bookerFire(args)).events;
        })(${targetEpoch}, ${JSON.stringify(fireArgs(ctx, plan))})`);
      } else if (variant === 'click') {
        await preciseWaitUntil(p.clock, sendAt);
        ev = (await fire(page, ctx, plan)).events;
      } else {
        await preciseWaitUntil(p.clock, sendAt);
        const args = {
          date: DateTime.fromISO(p.date, { zone: profile.timeZone }).toFormat(profile.dayView.dateFormat),
          slotStart: DateTime.fromISO(`${p.date}T${p.slot.time}`, { zone: profile.timeZone }).toFormat(
            profile.dayView.slotStartFormat,
          ),
          sel: {
            card: profile.dayView.card,
            slotStart: profile.dayView.slotStart,
            booked: profile.dayView.booked,
            capacity: profile.dayView.capacity,
          },
          hedgeMs: variant === 'hedged' ? hedgeMs : null,
        };
        ev = await page.evaluate(`(${DIRECT_SCRIPT})(${JSON.stringify(args)})`);
      }
      const m = trialMetrics(await arena.facts(p));
      rows.push({ variant, trial: t, latencyMs: m.releaseLatencyMs, slotsShownMs: m.slotsShownMs, ev });
      console.log(
        `${variant.padEnd(6)} #${t + 1}: accepted +${m.releaseLatencyMs ?? '—'} ms (availability at +${m.slotsShownMs ?? '—'}, early availability ${m.availabilityTooEarly}, early bookings ${m.earlyRequests})`,
      );
    }
  } finally {
    await context.close();
    await browser.close();
    await arena.stop();
  }
  const floor = physicalFloorMs(benchCase.latency);
  const summary = variants.map((v) => {
    const s = summarize(
      rows.filter((r) => r.variant === v).flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs])),
    );
    return { variant: v, ...s, overheadP95: s.p95 === null ? null : s.p95 - floor };
  });
  console.table(summary);
  if (values.out)
    await writeFile(values.out, `${JSON.stringify({ hedgeMs, floor, summary, rows }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
