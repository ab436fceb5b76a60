import { describeError } from '../errors.ts';
import {
  estimateClock,
  measureServerClock,
  sendMarginMs,
  sendTimeFor,
  type Probe,
} from '../venue/clock-sync.ts';
import { volleyFor } from '../venue/fire/volley.ts';
import { withoutHttpCache } from '../venue/http-cache.ts';
import { fireStrategy, venueUrl } from '../venue/profile.ts';
import { recheckSession } from '../venue/session.ts';
import { sleepUntil } from '../venue/wait.ts';
import { earliestRelease, step, type Night } from './night.ts';

/** A first look wider than this (± ms) came through a slow answer (a cold start, a stalled runner). */
export const COARSE_WIDE_MS = 750;
/** Looks at most, while each is wide; every look narrows the intersection of what they allow. */
export const COARSE_LOOKS = 3;

/**
 * The runner's clock may be seconds or minutes off: a quick look at the venue's Date header (±0.5 s plus
 * half the round trip) puts the schedule on the venue's time; the precise measurement comes later
 * (syncWithVenue). A look that came back wide is taken again, with a warm path, before the run trusts it.
 */
export async function lookAtVenueClock(night: Night): Promise<void> {
  const probes: Probe[] = [];
  try {
    for (let look = 0; look < COARSE_LOOKS; look += 1) {
      const one = await measureServerClock(
        venueUrl(night.profile, night.profile.paths.clockProbe),
        night.clock,
        { probesPerRound: 1, rounds: 0, timeoutMs: 10_000 },
      );
      probes.push(...one.probes);
      if (estimateClock(probes).offsetUncertaintyMs <= COARSE_WIDE_MS) break;
    }
  } catch (error) {
    if (probes.length === 0) {
      await step(night, 'offset-coarse-failed', { error: describeError(error) });
      return;
    }
  }
  const coarse = estimateClock(probes);
  night.releaseLocal = night.releaseMs - Math.round(coarse.offsetMs);
  night.releaseUncertaintyMs = Math.ceil(coarse.offsetUncertaintyMs);
  await step(night, 'offset-coarse', {
    offsetMs: Math.round(coarse.offsetMs),
    uncertaintyMs: Math.round(coarse.offsetUncertaintyMs),
    looks: probes.length,
  });
}

/** Phase 2: waits without a browser until the login lead before the release. */
export async function waitForLoginLead(night: Night): Promise<void> {
  const leadMs = night.options.loginLeadMs ?? night.config.loginLeadMinutes * 60_000;
  const until = earliestRelease(night) - leadMs;
  if (night.clock.now() >= until) return;
  await step(night, 'waiting', { until: new Date(until).toISOString() });
  await sleepUntil(night.clock, until, night.options.signal);
}

/** The clock measurement sends nothing after this long before the release. */
export const SYNC_DONE_BY_MS = 1_500;
/** A session re-check still waiting this long before the release is given up: the shot goes first. */
export const SESSION_CHECK_DONE_BY_MS = 750;

/**
 * The session re-check (recheckSession), given up (its tab closed) when it has not answered by `untilMs`:
 * a slow site must not hold the shot back, and a session lost meanwhile is recovered by the fire.
 * An error of the check itself is the run's, as before.
 */
async function recheckInTime(night: Night, untilMs: number): Promise<'checked' | 'renewed' | 'late'> {
  const giveUp = new AbortController();
  const stopWaiting = new AbortController();
  const check = recheckSession(night.session!, night.ctx, {
    storageStatePath: night.paths.storageState,
    credentials: { username: night.env.username, password: night.env.password },
    ...(night.tracer ? { tracer: night.tracer } : {}),
    signal: giveUp.signal,
  }).then((renewed) => (renewed ? ('renewed' as const) : ('checked' as const)));
  const deadline = sleepUntil(night.clock, untilMs, stopWaiting.signal).then(
    () => 'late' as const,
    () => 'late' as const,
  );
  try {
    const first = await Promise.race([check, deadline]);
    if (first === 'late') {
      check.catch(() => undefined); // rejects once its tab is closed
      giveUp.abort();
    }
    return first;
  } finally {
    stopWaiting.abort();
  }
}

/**
 * Phase 6, shortly before the release: re-checks the session in a second tab (re-arming after a new
 * login) while the venue's clock is measured, then returns the instant (epoch ms on the machine's real
 * clock, as the page reads it) at which the first request is sent so it reaches the venue just after
 * its midnight. The page does the last precise wait itself.
 */
export async function syncWithVenue(night: Night, rearm: () => Promise<void>): Promise<number> {
  const { clock, options, profile } = night;
  const syncLead = options.clockSyncLeadMs ?? 20_000;
  // On the earliest release the first look allows: a wide look makes these early, never late.
  const release = earliestRelease(night);
  const sync = (async () => {
    await sleepUntil(clock, release - syncLead, options.signal);
    return measureServerClock(venueUrl(profile, profile.paths.clockProbe), clock, {
      ...options.clockSync,
      // Done well before the release, whatever the site's speed: a late estimate would make a late shot.
      stopAtMs: release - SYNC_DONE_BY_MS,
    });
  })();
  sync.catch(() => undefined);
  await sleepUntil(clock, release - (options.sessionCheckLeadMs ?? 60_000), options.signal);
  // Armed this close to the release, the arming itself just proved the session; a second look would
  // make the shot late (and a session lost at midnight is recovered by the fire).
  if (clock.now() > release - SYNC_DONE_BY_MS) {
    await step(night, 'session-check-skipped', { why: 'armed too close to the release' });
  } else {
    const checked = await recheckInTime(night, release - SESSION_CHECK_DONE_BY_MS);
    if (checked === 'late') {
      await step(night, 'session-check-late', {
        why: `no answer ${SESSION_CHECK_DONE_BY_MS} ms before the release: fired on the armed page`,
      });
    } else if (checked === 'renewed') {
      await step(night, 'session-renewed');
      await rearm();
    } else {
      await step(night, 'session-checked');
    }
  }
  try {
    const estimate = await sync;
    night.estimate = estimate;
    // The retry window and what counts as late now key on the precise instant.
    night.releaseLocal = night.releaseMs - Math.round(estimate.offsetMs);
    night.releaseUncertaintyMs = Math.ceil(estimate.offsetUncertaintyMs);
    await step(night, 'offset-measured', {
      offsetMs: Math.round(estimate.offsetMs),
      uncertaintyMs: Math.round(estimate.offsetUncertaintyMs),
      arrivalOffsetMs: Math.round(estimate.arrivalOffsetMs),
      arrivalUncertaintyMs: Math.round(estimate.arrivalUncertaintyMs),
      oneWayMs: Math.round(estimate.oneWayMs),
      jitterMs: Math.round(estimate.jitterMs),
      probes: estimate.probes.length,
    });
  } catch (error) {
    await step(night, 'offset-failed', { error: describeError(error) });
  }
  // Without a precise estimate: late enough that even the coarse look's error cannot make it early.
  const lastSendAt = night.estimate
    ? sendTimeFor(night.releaseMs, night.estimate)
    : night.releaseLocal + (night.releaseUncertaintyMs ?? 0) + 250;
  night.volley = volleyFor({
    overlapping: 'click' in profile.dayView.apply && profile.dayView.apply.overlapping,
    inPage: fireStrategy(profile) === 'in-page',
    maxPerSecond: night.config.retry.maxPerSecond,
    ...(night.estimate
      ? { clock: { marginMs: sendMarginMs(night.estimate), minRttMs: night.estimate.minRttMs } }
      : {}),
  });
  if (night.volley) {
    // Off from now until the fire ends (fire.ts), so nothing of it sits between the hand-over and the shot.
    night.uncached = await withoutHttpCache(night.session!.page);
    if (!night.uncached) night.volley = undefined; // the presses would go one behind the other: one press
  }
  // A volley's first press goes at the estimate's own instant, its last when a lone press would.
  const sendAt = lastSendAt - (night.volley?.spanMs ?? 0);
  await step(night, 'waiting-for-release', {
    sendAt: new Date(sendAt).toISOString(),
    ...(night.volley ? { volley: { presses: night.volley.presses, spanMs: night.volley.spanMs } } : {}),
  });
  // Keep the browser's connections to the venue open (no TCP/TLS handshake after midnight): one per press.
  await sleepUntil(clock, sendAt - 1_500, options.signal);
  if (clock.now() < sendAt - 500) await warmConnections(night, night.volley?.presses ?? 1);
  // The page does the precise wait: hand it the instant ~250 ms ahead.
  await sleepUntil(clock, sendAt - 250, options.signal);
  return sendAt - (clock.now() - Date.now());
}

/**
 * Cheap requests from the page, at the same time, so the connections the first requests need are open
 * and warm (`no-store`: the browser's cache would hold identical requests back, one at a time).
 */
async function warmConnections(night: Night, count: number): Promise<void> {
  const url = venueUrl(night.profile, night.profile.paths.clockProbe);
  const one = `fetch(${JSON.stringify(url)}, { method: 'HEAD', credentials: 'same-origin', redirect: 'manual', cache: 'no-store' })`;
  await night
    .session!.page.evaluate(
      `Promise.all(Array.from({ length: ${count} }, () => ${one})).then(() => true, () => false)`,
    )
    .catch(() => false);
}
