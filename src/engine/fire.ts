import { SessionLostError, StepError } from '../venue/errors.ts';
import { fireInPage } from '../venue/fire/in-page.ts';
import { firePageByPage } from '../venue/fire/page-by-page.ts';
import type { FirePlan } from '../venue/fire/plan.ts';
import type { FireOutcome } from '../venue/page/index.ts';
import { onLoginPage } from '../venue/page-tools.ts';
import { logInAgain } from '../venue/session.ts';
import type { Armed } from './arm.ts';
import { step, type Night } from './night.ts';

/** When the fire's requests happened and how the venue judged them, for the member and the status file. */
export type FireTiming = {
  /** On the venue's clock when it was measured, so it reads against the venue's midnight. */
  firedAt: string;
  latencyMs?: number;
  serverClockOffsetMs?: number;
  attempts: number;
};

/** A page epoch time (the machine's real clock) on the run's clock. */
export function pageToRunClock(pageEpochMs: number, night: Pick<Night, 'clock'>): number {
  return pageEpochMs + (night.clock.now() - Date.now());
}

/**
 * Phase 7, fire: the strategy the profile's flow calls for (in-page for a single-page flow, else page by
 * page), with one recovery when the venue has dropped the session meanwhile: a navigation counts as a
 * lost session only when it lands on the sign-in page; then the bot logs in, re-arms and fires again.
 */
export async function fire(
  night: Night,
  armed: Armed,
  options: { startAtEpochMs?: number; waitedForRelease: boolean },
  rearm: () => Promise<Armed>,
): Promise<{ fired: FireOutcome; timing: FireTiming }> {
  const { clock, config } = night;
  // Started after the release: the look at My bookings before arming may be seconds old by the first shot.
  const late = !night.dryRun && !options.waitedForRelease && clock.now() >= night.releaseLocal;
  const plan = (startAtEpochMs?: number): FirePlan => ({
    targets: night.targets,
    dryRun: night.dryRun,
    maxPerSecond: config.retry.maxPerSecond,
    minGapMs: night.minGapMs,
    // A dry run before the release (--no-wait) looks once and reports; otherwise retry until the window closes.
    windowMs:
      night.dryRun && !options.waitedForRelease && clock.now() < night.releaseLocal
        ? 0
        : Math.max(night.releaseLocal + night.retryWindowMs - clock.now(), 1_000),
    stepTimeoutMs: night.ctx.timeoutMs,
    applyFirst: true,
    ...(startAtEpochMs ? { startAtEpochMs } : {}),
    ...(startAtEpochMs && night.volley ? { volley: night.volley } : {}),
    ...(late ? { lookAtHeldFirst: true } : {}),
  });
  const firedAtMs = clock.now();
  let current = armed;
  let fired: FireOutcome | undefined;
  try {
    for (let round = 0; ; round += 1) {
      const lost = await fireOnce(night, current, plan(round === 0 ? options.startAtEpochMs : undefined));
      if (lost.kind !== 'session') {
        fired = lost;
        break;
      }
      if (round > 0) {
        fired = lost;
        break;
      }
      await step(night, 'session-lost', { url: night.session!.page.url() });
      await logInAgain(night.session!, night.ctx, {
        storageStatePath: night.paths.storageState,
        credentials: { username: night.env.username, password: night.env.password },
        ...(night.tracer ? { tracer: night.tracer } : {}),
      });
      current = await rearm();
    }
  } finally {
    await night.uncached?.restore();
    night.uncached = undefined;
  }

  const appliedAt = fired.appliedAtEpochMs ? pageToRunClock(fired.appliedAtEpochMs, night) : firedAtMs;
  const estimate = night.estimate;
  /** A run-clock instant on the venue's clock, relative to its midnight (when the clock was measured). */
  const onVenueClock = (runMs: number) =>
    estimate ? Math.round(runMs + estimate.offsetMs - night.releaseMs) : undefined;
  await step(
    night,
    'fired',
    { estimatedServerMs: onVenueClock(appliedAt), strategy: current.strategy },
    appliedAt,
  );
  let latencyMs: number | undefined;
  const firstConfirm = fired.confirmClickedAtEpochMs[0];
  if (firstConfirm) {
    const confirmAt = pageToRunClock(firstConfirm, night);
    const confirmServerMs = onVenueClock(confirmAt);
    await step(night, 'confirm-sent', { estimatedServerMs: confirmServerMs }, confirmAt);
    // The booking request reaches the venue one way after it is sent: that is when it is judged.
    if (confirmServerMs !== undefined && estimate)
      latencyMs = Math.round(confirmServerMs + estimate.oneWayMs);
  }
  await step(night, 'fire-result', {
    kind: fired.targets[0]?.kind ?? fired.kind,
    applies: fired.applies,
    bookings: fired.bookingAttempts,
    heldChecks: fired.heldChecks,
    events: fired.events,
  });
  await night.shots.take(night.session!.page, 'after-fire');
  return {
    fired,
    timing: {
      firedAt: new Date(appliedAt + (estimate?.offsetMs ?? 0)).toISOString(),
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(estimate ? { serverClockOffsetMs: Math.round(estimate.offsetMs) } : {}),
      attempts: fired.bookingAttempts,
    },
  };
}

/** One fire; a lost session comes back as kind 'session' (the caller recovers once). */
async function fireOnce(night: Night, armed: Armed, plan: FirePlan): Promise<FireOutcome> {
  const page = night.session!.page;
  const lostSession = (): FireOutcome => ({
    kind: 'session',
    targets: [],
    events: [],
    startedAtEpochMs: Date.now(),
    confirmClickedAtEpochMs: [],
    applies: 0,
    bookingAttempts: 0,
    heldChecks: 0,
    slots: [],
    url: page.url(),
  });
  if (armed.strategy === 'page-by-page') {
    try {
      return await firePageByPage(page, night.ctx, plan, armed.address);
    } catch (error) {
      if (error instanceof SessionLostError) return lostSession();
      throw error;
    }
  }
  const armedUrl = page.url();
  try {
    return await fireInPage(page, night.ctx, plan);
  } catch (error) {
    // The page went away under the in-page script: a lost session only if it landed on the sign-in page.
    if (!/context was destroyed|navigat/i.test(String(error))) throw error;
    await page
      .waitForURL((url) => url.href !== armedUrl, { timeout: night.ctx.timeoutMs })
      .catch(() => undefined);
    await page.waitForLoadState('domcontentloaded', { timeout: night.ctx.timeoutMs }).catch(() => undefined);
    if (await onLoginPage(page, night.ctx)) return lostSession();
    const shot = await night.shots.take(page, 'fire-navigated');
    throw new StepError(
      'the in-page fire',
      ['dayView.apply.navigates', 'confirm.opens', 'confirm.navigates'],
      'the page loaded another page while the profile says the day view and the confirm dialog stay on one page (set navigates: true where a step loads a page)',
      page.url(),
      shot,
    );
  }
}
