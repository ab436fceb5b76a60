import type { Page } from 'playwright';
import {
  confirmNavigates,
  fillTemplate,
  venueUrl,
  type RefusalOutcome,
  type VenueProfile,
} from '../profile.ts';
import { SelectorMissingError, SessionLostError, StepError } from '../errors.ts';
import { actAt, readDay, showDay, type DayShown } from '../navigate.ts';
import { goTo, navigateBy, onLoginPage, type Loaded, type VenueContext } from '../page-tools.ts';
import {
  describeRead,
  pageLib,
  type BookingRowSeen,
  type FireEvent,
  type FireOutcome,
  type FireTarget,
  type SlotSeen,
  type TargetOutcome,
} from '../page/index.ts';
import { fireTargets, type FirePlan } from './plan.ts';

/**
 * The page-by-page strategy, for flows whose steps load new pages (the day view by a GET form or a URL,
 * a confirm page, a POST form): Node drives each step and waits for each page's own signals, with the
 * in-page strategy's rules — no booking request before the slots are visible (unless the booking is
 * addressable before the release, below), Time1 then Time2 and the preferred court first, bounded retry
 * honouring Retry-After within the retry window, and a look at My bookings before every booking attempt
 * that follows a failure or a retry (a court already held is never booked twice).
 *
 * When the profile says the confirm page is addressable (confirm.address: a URL from date, time and
 * court that renders before the release and is refused only when submitted), `armAddressed` opens it
 * ahead and the fire submits it so that it arrives just after the venue's midnight: one way after the
 * release instead of several round trips.
 */

/** What arming left open for an addressable booking. */
export type ArmedAddress = { key: string; time: string; court: string };

/** Courts of an addressable confirm page, the preferred one first (as members write it). */
export function courtOrder(
  profile: VenueProfile,
  preferredCourt?: string,
): { name: string; value: string }[] {
  const courts = Object.entries(profile.confirm.address?.courts ?? {}).map(([name, value]) => ({
    name,
    value,
  }));
  if (!preferredCourt) return courts;
  const preferred = courts.filter((c) => pageLib.courtMatches(preferredCourt, c.name));
  return [...preferred, ...courts.filter((c) => !preferred.includes(c))];
}

/** The addressable confirm page's URL for one court-hour. */
export function addressUrl(profile: VenueProfile, date: string, time: string, courtValue: string): string {
  return venueUrl(
    profile,
    fillTemplate(profile.confirm.address!.url, { date, time, court: courtValue }, profile, { url: true }),
  );
}

/** Opens a confirm page and gets its form ready (terms ticked); throws when it is not one. */
async function openConfirmPage(page: Page, ctx: VenueContext, url: string): Promise<Loaded> {
  const loaded = await goTo(page, ctx, url);
  if (await onLoginPage(page, ctx)) throw new SessionLostError(page.url());
  await readyConfirm(page, ctx, 'the confirm page');
  return loaded;
}

/** Ticks the terms (when the profile has them) and checks the button is there. */
async function readyConfirm(page: Page, ctx: VenueContext, step: string): Promise<void> {
  const { confirm } = ctx.profile;
  const scope = confirm.opens === 'dialog' && confirm.dialog ? page.locator(confirm.dialog) : page;
  if (confirm.terms) {
    const terms = scope.locator(confirm.terms).first();
    if ((await terms.count()) === 0) throw await missing(page, ctx, 'confirm.terms', confirm.terms, step);
    if (!(await terms.isChecked())) await terms.check({ force: true });
  }
  if ((await scope.locator(confirm.button).count()) === 0)
    throw await missing(page, ctx, 'confirm.button', confirm.button, step);
}

async function missing(page: Page, ctx: VenueContext, key: string, selector: string, step: string) {
  const shot = await ctx.shots.take(page, `missing-${key}`);
  return new SelectorMissingError(key, selector, page.url(), shot, step);
}

/** Arms an addressable booking: the first target's first court-hour confirm page, open and ready. */
export async function armAddressed(
  page: Page,
  ctx: VenueContext,
  target: FirePlan['targets'][number],
): Promise<ArmedAddress> {
  const court = courtOrder(ctx.profile, target.preferredCourt)[0]!;
  const time = target.times[0]!;
  await openConfirmPage(page, ctx, addressUrl(ctx.profile, target.date, time, court.value));
  return { key: target.key, time, court: court.name };
}

/** A result page (or dialog) after pressing confirm. */
type Result =
  | { kind: 'booked'; reference: string }
  | { kind: RefusalOutcome; message: string; retryAfterSeconds?: number }
  | { kind: 'session' };

/** Reads what the page shows after a confirm was pressed. */
async function readResult(page: Page, ctx: VenueContext, loaded: Loaded | undefined): Promise<Result> {
  if (await onLoginPage(page, ctx)) return { kind: 'session' };
  const { confirm, refusals, maintenance } = ctx.profile;
  const seen = (await page.evaluate(
    `(() => {
      const L = window.__bookerLib;
      const ok = L.findMatch(document.body, ${JSON.stringify(confirm.success)});
      const reference = ok ? (L.readValue(ok, ${JSON.stringify(confirm.reference)}) || L.readValue(document.body, ${JSON.stringify(confirm.reference)}) || '') : '';
      const scope = ${confirm.failure ? `L.findMatch(document.body, ${JSON.stringify(confirm.failure)})` : 'document.body'};
      const outcome = scope ? L.classify(scope, ${JSON.stringify(refusals)}) : null;
      const message = scope ? (scope.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 300) : '';
      const down = !!L.findMatch(document.body, ${JSON.stringify(maintenance)});
      return { ok: !!ok, reference, outcome, message, down };
    })()`,
  )) as { ok: boolean; reference: string; outcome: RefusalOutcome | null; message: string; down: boolean };
  const retry =
    loaded?.retryAfterSeconds !== undefined ? { retryAfterSeconds: loaded.retryAfterSeconds } : {};
  if (seen.ok) return { kind: 'booked', reference: seen.reference };
  if (loaded?.status === 429) return { kind: 'rate-limited', message: seen.message, ...retry };
  if (seen.outcome) return { kind: seen.outcome, message: seen.message, ...retry };
  if (seen.down || (loaded?.status ?? 0) >= 500)
    return { kind: 'maintenance', message: seen.message, ...retry };
  const shot = await ctx.shots.take(page, 'result-unknown');
  throw new StepError(
    'after Confirm',
    ['confirm.success', 'confirm.failure', 'refusals'],
    `the page shows neither the confirmation (confirm.success) nor a refusal the profile knows (refusals)${seen.message ? `: "${seen.message.slice(0, 120)}"` : ''}`,
    page.url(),
    shot,
  );
}

/** Runs the page-by-page fire. `armed` is set when armAddressed opened the first confirm page. */
export async function firePageByPage(
  page: Page,
  ctx: VenueContext,
  plan: FirePlan,
  armed?: ArmedAddress,
): Promise<FireOutcome> {
  const { profile } = ctx;
  const t0 = Date.now();
  const out: FireOutcome = {
    kind: 'done',
    targets: [],
    events: [],
    startedAtEpochMs: t0,
    confirmClickedAtEpochMs: [],
    applies: 0,
    bookingAttempts: 0,
    heldChecks: 0,
    slots: [],
    url: page.url(),
  };
  const ev = (event: string, data: Record<string, unknown> = {}) =>
    out.events.push({ ms: Date.now() - t0, event, ...data } as FireEvent);
  const deadline = t0 + plan.windowMs;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  let retried = !!plan.lookAtHeldFirst; // a failure, or a late start: look at My bookings before booking
  const bookedRefs: string[] = [];
  const limitedDates = new Set<string>();
  const targets = fireTargets(profile, plan.targets);

  /** A look at My bookings from the page (the session's cookies go with the request). */
  const heldCheck = async (target: FireTarget): Promise<TargetOutcome | undefined> => {
    out.heldChecks += 1;
    const seen = (await page.evaluate(
      `window.__bookerLib.fetchBookings(${JSON.stringify(venueUrl(profile, profile.paths.myBookings))}, ${JSON.stringify(profile.myBookings)}, ${JSON.stringify(profile.login.loggedIn)}, ${plan.stepTimeoutMs})`,
    )) as { ok: boolean; status: number; loggedOut: boolean; rows: BookingRowSeen[] };
    ev('held-check', { ok: seen.ok, rows: seen.rows.length });
    if (seen.loggedOut) throw new SessionLostError(venueUrl(profile, profile.paths.myBookings));
    if (!seen.ok)
      return {
        key: target.key,
        kind: 'error',
        code: 'held-check',
        message: `My bookings answered HTTP ${seen.status || 'nothing'}`,
      };
    if (seen.rows.some((r) => !r.date))
      return {
        key: target.key,
        kind: 'error',
        code: 'held-check',
        message: 'a row of My bookings shows no date',
      };
    const onDate = seen.rows.filter(
      (r) =>
        pageLib.norm(r.date) === pageLib.norm(target.heldDate) && !bookedRefs.includes(r.reference ?? ''),
    );
    const held =
      onDate.find((r) => target.candidates.some((c) => pageLib.norm(c.heldTime) === pageLib.norm(r.time))) ??
      (target.onlyRowOnDate ? onDate[0] : undefined);
    return held
      ? {
          key: target.key,
          kind: 'held',
          ...(held.time ? { time: held.time } : {}),
          court: held.court ?? '',
          reference: held.reference ?? '',
        }
      : undefined;
  };

  /** A target booked by the last Confirm pressed. */
  const booked = (result: TargetOutcome, time: string, court: string, reference: string) => {
    bookedRefs.push(reference);
    Object.assign(result, {
      kind: 'booked',
      time,
      court,
      reference,
      confirmedAtEpochMs: out.confirmClickedAtEpochMs.at(-1),
    });
  };

  /** Waits for the rate bound and any Retry-After before the next request of a retry. */
  const requestTimes: number[] = [];
  let nextAt = t0;
  const paced = async () => {
    const count = Math.max(1, Math.floor(plan.maxPerSecond));
    const window = (count * 1000) / plan.maxPerSecond;
    const recent = requestTimes.filter((t) => t > Date.now() - window);
    if (recent.length >= count) nextAt = Math.max(nextAt, recent[0]! + window);
    if (nextAt > Date.now()) await sleep(nextAt - Date.now());
    requestTimes.push(Date.now());
  };
  const after = (result: { retryAfterSeconds?: number }) => {
    nextAt = Math.max(
      nextAt,
      Date.now() + (result.retryAfterSeconds ? result.retryAfterSeconds * 1000 : plan.minGapMs),
    );
  };

  const press = async (startAtEpochMs = 0): Promise<Result> => {
    const { confirm } = profile;
    out.bookingAttempts += 1;
    if (confirmNavigates(profile)) {
      const loaded = await navigateBy(page, ctx, () =>
        actAt(page, startAtEpochMs, { click: confirm.button }),
      );
      out.confirmClickedAtEpochMs.push(loaded.acted ?? (startAtEpochMs || Date.now()));
      return readResult(page, ctx, loaded);
    }
    await page.evaluate(
      `(() => { const L = window.__bookerLib; for (const m of [${JSON.stringify(confirm.success)}, ${JSON.stringify(confirm.failure ?? null)}]) if (m && m.selector) document.querySelectorAll(m.selector).forEach((el) => (el.__bookerOld = true)); })()`,
    );
    const acted = await actAt(page, startAtEpochMs, {
      click: confirm.dialog ? `${confirm.dialog} ${confirm.button}` : confirm.button,
    });
    out.confirmClickedAtEpochMs.push(acted ?? Date.now());
    await page
      .waitForFunction(
        `(() => { const fresh = (m) => m && (m.selector ? Array.from(document.querySelectorAll(m.selector)).some((el) => !el.__bookerOld && (!m.text || window.__bookerLib.textMatches(el.textContent, m.text))) : window.__bookerLib.findMatch(document.body, m)); return fresh(${JSON.stringify(confirm.success)}) || fresh(${JSON.stringify(confirm.failure ?? null)}); })()`,
        undefined,
        { timeout: plan.stepTimeoutMs, polling: 16 },
      )
      .catch(() => undefined);
    return readResult(page, ctx, undefined);
  };

  /**
   * Handles a refusal: 'next-court' (taken by someone else), 'again' (retry: csrf at once, the rest
   * after the rate bound or Retry-After, with a look at My bookings first), or the target's outcome.
   */
  const onRefusal = (
    target: FireTarget,
    result: Exclude<Result, { kind: 'booked' }>,
    csrfRetries: { n: number },
  ): 'next-court' | 'again' | TargetOutcome => {
    ev('refused', {
      code: result.kind,
      ...('message' in result ? { message: result.message.slice(0, 120) } : {}),
    });
    if (result.kind === 'session') throw new SessionLostError(page.url());
    if (result.kind === 'taken') return 'next-court';
    if (result.kind === 'limit') {
      limitedDates.add(target.date);
      return { key: target.key, kind: 'limit', code: 'limit', message: result.message };
    }
    if (result.kind === 'csrf' && csrfRetries.n < 3) {
      csrfRetries.n += 1;
      return 'again';
    }
    if (result.kind !== 'csrf' && Date.now() < deadline) {
      retried = true;
      after(result);
      return 'again';
    }
    return { key: target.key, kind: 'error', code: result.kind, message: result.message };
  };

  if (profile.confirm.address) {
    for (const target of targets) {
      const row = plan.targets.find((t) => t.key === target.key)!;
      const result: TargetOutcome = { key: target.key, kind: 'unavailable' };
      out.targets.push(result);
      if (limitedDates.has(target.date)) {
        Object.assign(result, { kind: 'limit', message: 'the venue allows no more bookings on this date' });
        continue;
      }
      if (plan.dryRun) {
        const court = courtOrder(profile, row.preferredCourt)[0]!;
        if (!armed || armed.key !== target.key)
          await openConfirmPage(page, ctx, addressUrl(profile, target.date, row.times[0]!, court.value));
        Object.assign(result, { kind: 'dry-run', time: row.times[0], court: court.name });
        continue;
      }
      const csrf = { n: 0 };
      booking: for (const candidate of target.candidates) {
        for (const court of courtOrder(profile, row.preferredCourt)) {
          // The armed page is the first court-hour's confirm page, open and ready.
          let open = !(
            armed &&
            armed.key === target.key &&
            armed.time === candidate.time &&
            armed.court === court.name
          );
          armed = undefined;
          for (;;) {
            if (retried) {
              await paced();
              const held = await heldCheck(target);
              if (held) {
                Object.assign(result, held);
                break booking;
              }
            }
            if (open)
              await openConfirmPage(page, ctx, addressUrl(profile, target.date, candidate.time, court.value));
            open = true;
            ev('confirm', { time: candidate.time, court: court.name });
            const shown = await press(out.bookingAttempts === 0 ? plan.startAtEpochMs : undefined);
            if (out.bookingAttempts === 1) out.appliedAtEpochMs = out.confirmClickedAtEpochMs[0];
            if (shown.kind === 'booked') {
              booked(result, candidate.time, court.name, shown.reference);
              break booking;
            }
            const next = onRefusal(target, shown, csrf);
            if (next === 'next-court') break;
            if (next === 'again') {
              if (shown.kind === 'csrf') {
                // The refused page is the confirm page again, with a fresh token: tick and press again.
                await readyConfirm(page, ctx, 'the confirm page');
                open = false;
              }
              continue;
            }
            Object.assign(result, next);
            break booking;
          }
        }
      }
    }
    out.url = page.url();
    return out;
  }

  // Not addressable: show the day until its slots are visible, then book from what it shows.
  let dayUrl: string | undefined;
  let lastReason: string | undefined;
  let lastStatus: number | undefined;
  const untilSlots = async (date: string, startAt?: number): Promise<SlotSeen[] | undefined> => {
    for (let tries = 0; ; tries += 1) {
      if (tries > 0 && Date.now() > deadline) return undefined;
      if (tries > 0) {
        retried = true;
        await paced();
      } else requestTimes.push(Date.now());
      const again = dayUrl && !('url' in profile.dayView.apply) ? dayUrl : undefined;
      const shown: DayShown = await showDay(page, ctx, date, {
        ...(startAt && tries === 0 ? { startAtEpochMs: startAt } : {}),
        ...(again ? { again } : {}),
      });
      out.applies += 1;
      if (out.applies === 1) out.appliedAtEpochMs = startAt || Date.now();
      ev('apply', { n: out.applies, shown: shown.kind });
      if (shown.kind === 'session') throw new SessionLostError(page.url());
      if (shown.kind === 'slots') {
        if (shown.slots.some((s) => s.time === null))
          throw await missing(
            page,
            ctx,
            'slots.time.read',
            describeRead(profile.slots.time.read),
            'the day view',
          );
        if (shown.slots.every((s) => s.free === null))
          throw await missing(page, ctx, 'slots.free', JSON.stringify(profile.slots.free), 'the day view');
        if ('url' in profile.dayView.apply || profile.dayView.apply.navigates) dayUrl = page.url();
        return shown.slots;
      }
      if (shown.kind === 'not-open') lastReason = shown.text;
      if (shown.kind === 'busy') {
        lastStatus = shown.status;
        after({
          ...(shown.retryAfterSeconds !== undefined ? { retryAfterSeconds: shown.retryAfterSeconds } : {}),
        });
      }
    }
  };
  /** Back to the day's slots after a confirm page (re-reads them). */
  const reshow = async (date: string): Promise<SlotSeen[] | undefined> => {
    await paced();
    if (dayUrl) {
      const loaded = await goTo(page, ctx, dayUrl);
      const shown = await readDay(page, ctx, loaded);
      if (shown.kind === 'slots') return shown.slots;
      if (shown.kind === 'session') throw new SessionLostError(page.url());
    } else if (profile.confirm.opens === 'dialog') {
      await page.keyboard.press('Escape').catch(() => undefined);
      if (profile.confirm.close)
        await page
          .locator(profile.confirm.close)
          .first()
          .click({ timeout: 2_000 })
          .catch(() => undefined);
    }
    return untilSlots(date);
  };

  const first = targets[0] ? await untilSlots(targets[0].date, plan.startAtEpochMs) : [];
  if (!first) {
    out.kind = 'no-slots';
    out.lastStatus = lastStatus;
    out.reason = lastReason ?? 'no slots within the retry window';
    return out;
  }
  let slots: SlotSeen[] = first;
  const summarise = () => {
    out.slots = slots
      .filter((s) =>
        targets.some((t) => t.candidates.some((c) => pageLib.norm(c.expected) === pageLib.norm(s.time))),
      )
      .map(({ time, court, free }) => ({ time, court, free }));
  };
  summarise();

  for (const [ti, target] of targets.entries()) {
    const result: TargetOutcome = { key: target.key, kind: 'unavailable' };
    out.targets.push(result);
    if (limitedDates.has(target.date)) {
      Object.assign(result, { kind: 'limit', message: 'the venue allows no more bookings on this date' });
      continue;
    }
    if (ti > 0) {
      const again = await reshow(target.date);
      if (!again) {
        Object.assign(result, {
          kind: 'error',
          code: 'no-slots',
          message: lastReason ?? 'the slots did not show again',
        });
        continue;
      }
      slots = again;
    }
    const taken = new Set<string>();
    const csrf = { n: 0 };
    booking: for (let ci = 0; ci < target.candidates.length;) {
      const candidate = target.candidates[ci]!;
      const excluded = slots
        .filter((s) => taken.has(`${pageLib.norm(s.time)}|${pageLib.norm(s.court)}`))
        .map((s) => s.index);
      const pick = pageLib.chooseSlot(slots, candidate.expected, target.preferredCourt, excluded);
      if (!pick) {
        ev('full', { time: candidate.time });
        ci += 1;
        continue;
      }
      if (plan.dryRun) {
        await openSlot(page, ctx, pick);
        Object.assign(result, { kind: 'dry-run', time: candidate.time, court: pick.court });
        break;
      }
      if (retried) {
        const held = await heldCheck(target);
        if (held) {
          Object.assign(result, held);
          break;
        }
      }
      ev('pick', { time: candidate.time, court: pick.court });
      await openSlot(page, ctx, pick);
      for (;;) {
        ev('confirm', { time: candidate.time, court: pick.court });
        const shown = await press();
        if (shown.kind === 'booked') {
          booked(result, candidate.time, pick.court, shown.reference);
          break booking;
        }
        const next = onRefusal(target, shown, csrf);
        if (next === 'again' && shown.kind === 'csrf') {
          await readyConfirm(page, ctx, 'the confirm step');
          continue;
        }
        if (next === 'next-court') taken.add(`${pageLib.norm(pick.time)}|${pageLib.norm(pick.court)}`);
        if (next === 'next-court' || next === 'again') {
          const again = await reshow(target.date);
          if (!again) {
            Object.assign(result, {
              kind: 'error',
              code: 'no-slots',
              message: lastReason ?? 'the slots did not show again',
            });
            break booking;
          }
          slots = again;
          continue booking;
        }
        Object.assign(result, next);
        break booking;
      }
    }
    if (plan.dryRun && result.kind === 'unavailable') Object.assign(result, { kind: 'dry-run' });
  }
  out.url = page.url();
  return out;
}

/** Chooses a slot on the page: clicks its click element and waits for the confirm dialog or page. */
async function openSlot(page: Page, ctx: VenueContext, slot: SlotSeen): Promise<void> {
  const { slots, confirm } = ctx.profile;
  const click = () =>
    page.evaluate(
      `(() => { const L = window.__bookerLib; const item = document.querySelectorAll(${JSON.stringify(slots.item)})[${slot.index}]; const el = item && L.clickTarget(item, ${JSON.stringify(slots.click)}); if (!el) return false; el.click(); return true; })()`,
    );
  if (confirm.opens === 'page') {
    const loaded = await navigateBy(page, ctx, click);
    if (loaded.acted === false) throw await missing(page, ctx, 'slots.click', slots.click, 'choosing a slot');
    if (await onLoginPage(page, ctx)) throw new SessionLostError(page.url());
    await readyConfirm(page, ctx, 'the confirm page');
    return;
  }
  if ((await click()) === false)
    throw await missing(page, ctx, 'slots.click', slots.click, 'choosing a slot');
  const dialog = page.locator(confirm.dialog!).first();
  await dialog.waitFor({ state: 'visible', timeout: ctx.timeoutMs }).catch(async () => {
    throw await missing(page, ctx, 'confirm.dialog', confirm.dialog!, 'choosing a slot');
  });
  await readyConfirm(page, ctx, 'the confirm dialog');
}
