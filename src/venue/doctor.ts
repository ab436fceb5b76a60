import { join } from 'node:path';
import type { Page } from 'playwright';
import { systemClock } from '../calendar/clock.ts';
import { describeError } from '../errors.ts';
import { measureServerClock } from './clock-sync.ts';
import { addressUrl, courtOrder } from './fire/page-by-page.ts';
import { parseMyBookings, parseShown } from './my-bookings.ts';
import { setDate, showDay, type DayShown } from './navigate.ts';
import { describeRead, pageLib, type BookingRowSeen, type SlotSeen } from './page/index.ts';
import {
  assertNotMaintenance,
  clickThrough,
  dismissOverlays,
  escapeRegExp,
  goTo,
  hasTextOf,
  navigateBy,
  onLoginPage,
  type VenueContext,
} from './page-tools.ts';
import { fillTemplate, formatSlot, venueUrl, type Match, type Read, type VenueProfile } from './profile.ts';
import { overlapVerdict, pressTwice } from './overlap-check.ts';
import { logIn, type Credentials } from './session.ts';

/**
 * `npm run doctor`: checks a venue profile against the live site. It reads the venue's clock from the
 * clock probe, logs in (checking the overlays it meets), walks the flow to the day view of a released date
 * and (without submitting) to the confirm step, and reports every key it can check: how many elements matched, a sample of their text, the value parsed from it. It writes
 * annotated screenshots (a box and the key's name around each match) and never books.
 */

export type KeyVerdict = 'ok' | 'broken' | 'not-checked';

export type KeyReport = {
  key: string;
  /** Where it was checked (page URL). */
  page?: string;
  matched?: number;
  sample?: string[];
  parsed?: string[];
  verdict: KeyVerdict;
  note?: string;
};

export type DoctorReport = { keys: KeyReport[]; screenshots: string[]; date: string };

type Boxed = { key: string; selector: string; text?: string };

/** Counts and samples the elements a selector (and text) matches. */
async function probe(
  page: Page,
  selector: string,
  text?: string,
): Promise<{ count: number; sample: string[] }> {
  return (await page.evaluate(
    `(() => {
      const L = window.__bookerLib;
      const els = Array.from(document.querySelectorAll(${JSON.stringify(selector)}))
        .filter((el) => ${text === undefined ? 'true' : `L.textMatches(el.textContent, ${JSON.stringify(text)})`});
      return { count: els.length, sample: els.slice(0, 3).map((el) => (el.textContent || el.value || '').replace(/\\s+/g, ' ').trim().slice(0, 60)).filter(Boolean) };
    })()`,
  )) as { count: number; sample: string[] };
}

/** Draws a labelled box around every element of each key, screenshots the page, and removes the boxes. */
async function annotated(
  page: Page,
  ctx: VenueContext,
  name: string,
  boxes: Boxed[],
): Promise<string | undefined> {
  await page
    .evaluate(
      `((boxes) => {
        const L = window.__bookerLib;
        const layer = document.createElement('div');
        layer.id = '__booker-doctor';
        layer.style.cssText = 'position:absolute;left:0;top:0;width:0;height:0;z-index:2147483647;pointer-events:none';
        document.body.appendChild(layer);
        boxes.forEach((b, i) => {
          const hue = (i * 67) % 360;
          Array.from(document.querySelectorAll(b.selector))
            .filter((el) => !b.text || L.textMatches(el.textContent, b.text))
            .slice(0, 12)
            .forEach((el) => {
              const r = el.getBoundingClientRect();
              if (r.width === 0 && r.height === 0) return;
              const box = document.createElement('div');
              box.style.cssText = 'position:absolute;border:2px solid hsl(' + hue + ',90%,45%);left:' + (r.left + scrollX - 2) + 'px;top:' + (r.top + scrollY - 2) + 'px;width:' + (r.width + 2) + 'px;height:' + (r.height + 2) + 'px';
              const label = document.createElement('div');
              label.textContent = b.key;
              label.style.cssText = 'position:absolute;left:0;top:-16px;font:11px/14px monospace;background:hsl(' + hue + ',90%,45%);color:#fff;padding:0 3px;white-space:nowrap';
              box.appendChild(label);
              layer.appendChild(box);
            });
        });
      })(${JSON.stringify(boxes)})`,
    )
    .catch(() => undefined);
  const file = await ctx.shots.take(page, `doctor-${name}`);
  await page.evaluate(`document.getElementById('__booker-doctor')?.remove()`).catch(() => undefined);
  return file;
}

/**
 * The overlays (cookie banner, pop-ups): each time `look` runs, every overlay shown is dismissed as a run
 * dismisses it, and an overlay still shown afterwards is broken (its selector is not the control that
 * closes it). `report` adds one key per overlay, once: never shown, not checked (pop-ups come and go).
 */
function overlayChecks(page: Page, ctx: VenueContext, add: (report: KeyReport) => void) {
  const seen = new Map<number, KeyReport>();
  let reported = false;
  const shown = (selector: string) =>
    page
      .locator(selector)
      .first()
      .isVisible()
      .catch(() => false);
  return {
    async look(): Promise<void> {
      const before = new Map<number, string>();
      for (const [index, selector] of ctx.profile.overlays.entries())
        if (seen.get(index)?.verdict !== 'broken' && (await shown(selector))) before.set(index, page.url());
      if (before.size === 0) return;
      await dismissOverlays(page, ctx);
      for (const [index, url] of before) {
        const selector = ctx.profile.overlays[index]!;
        const gone = await page
          .locator(selector)
          .first()
          .waitFor({ state: 'hidden', timeout: 2_000 })
          .then(
            () => true,
            () => false,
          );
        seen.set(index, {
          key: `overlays.${index}`,
          page: url,
          matched: 1,
          verdict: gone ? 'ok' : 'broken',
          note: gone
            ? `"${selector}" was shown and clicking it closed it`
            : `"${selector}" was shown and is still there after it was clicked: name the button that closes it`,
        });
      }
    },
    report(): void {
      if (reported) return;
      reported = true;
      for (const [index, selector] of ctx.profile.overlays.entries())
        add(
          seen.get(index) ?? {
            key: `overlays.${index}`,
            verdict: 'not-checked',
            note: `"${selector}" was not shown on the sign-in or home page (pop-ups come and go)`,
          },
        );
    },
  };
}

/** The selector a Read points at, from a scope selector (":self" = the scope). */
function readSelector(scope: string, read: Read): string {
  return read.selector ? `${scope} ${read.selector}` : scope;
}

export async function runDoctor(
  page: Page,
  ctx: VenueContext,
  options: { date: string; credentials: Credentials },
): Promise<DoctorReport> {
  const { profile } = ctx;
  const keys: KeyReport[] = [];
  const screenshots: string[] = [];
  const shot = async (name: string, boxes: Boxed[]) => {
    const file = await annotated(page, ctx, name, boxes);
    if (file) screenshots.push(file);
  };
  const add = (report: KeyReport) => keys.push({ page: page.url(), ...report });
  const count = async (
    key: string,
    selector: string,
    options: { text?: string; required?: boolean; whyMissing?: string } = {},
  ) => {
    const found = await probe(page, selector, options.text);
    add({
      key,
      matched: found.count,
      sample: found.sample,
      verdict: found.count > 0 ? 'ok' : options.required === false ? 'not-checked' : 'broken',
      ...(found.count === 0
        ? {
            note: `"${selector}"${options.text ? ` with text ${options.text}` : ''} matched nothing${options.whyMissing ? ` ${options.whyMissing}` : ''}`,
          }
        : {}),
    });
    return found.count;
  };
  const matchCount = (key: string, match: Match, required = true) =>
    count(key, match.selector ?? 'body', { ...(match.text ? { text: match.text } : {}), required });
  const notChecked = (key: string, note: string) => add({ key, verdict: 'not-checked', note });
  const overlays = overlayChecks(page, ctx, add);
  const done = (): DoctorReport => {
    overlays.report();
    return { keys, screenshots, date: options.date };
  };

  // The page whose Date header the clock synchronisation reads (no session needed).
  const probeUrl = venueUrl(profile, profile.paths.clockProbe);
  try {
    const look = await measureServerClock(probeUrl, systemClock, {
      probesPerRound: 1,
      rounds: 0,
      timeoutMs: ctx.timeoutMs,
    });
    add({
      key: 'paths.clockProbe',
      page: probeUrl,
      verdict: 'ok',
      note: `its Date header puts the venue's clock ${Math.round(look.offsetMs)} ms (±${Math.ceil(look.offsetUncertaintyMs)}) from this machine's`,
    });
  } catch (error) {
    add({
      key: 'paths.clockProbe',
      page: probeUrl,
      verdict: 'broken',
      note: `${describeError(error).split('\n')[0]!}: without it a run fires late, on the runner's clock`,
    });
  }

  // Sign in.
  await goTo(page, ctx, venueUrl(profile, profile.paths.login));
  await overlays.look();
  const loginBoxes: Boxed[] = [
    { key: 'login.email', selector: profile.login.email },
    { key: 'login.password', selector: profile.login.password },
    { key: 'login.submit', selector: profile.login.submit },
  ];
  for (const b of loginBoxes) await count(b.key, b.selector);
  await shot('login', loginBoxes);
  try {
    await logIn(page, ctx, options.credentials);
  } catch (error) {
    add({ key: 'login', verdict: 'broken', note: describeError(error).split('\n')[0]! });
    return done();
  }
  await count('login.loggedIn', profile.login.loggedIn);
  for (const key of ['login.error', 'login.locked'])
    notChecked(
      key,
      'shown only after a refused sign-in: the doctor never tries a wrong password (it could lock the account)',
    );
  const maintenance = await probe(page, profile.maintenance.selector ?? 'body', profile.maintenance.text);
  add({
    key: 'maintenance',
    matched: maintenance.count,
    verdict: maintenance.count === 0 ? 'ok' : 'broken',
    note:
      maintenance.count === 0
        ? 'not shown on a working page, as it should be'
        : 'matches a working page: every run would take the site for down',
  });

  // The click path.
  try {
    await goTo(page, ctx, venueUrl(profile, profile.paths.home));
    await assertNotMaintenance(page, ctx);
    await overlays.look();
    for (const [index, step] of profile.navigation.entries()) {
      await dismissOverlays(page, ctx);
      const key = `navigation.${index}`;
      const text = step.text ? fillTemplate(step.text, { date: options.date }, profile) : undefined;
      const filter =
        text === undefined
          ? undefined
          : step.exact
            ? `/^\\s*${escapeRegExp(text.trim()).replace(/\s+/g, '\\s+')}\\s*$/i`
            : text;
      const found = await count(key, step.click, filter !== undefined ? { text: filter } : {});
      await shot(`step-${index + 1}`, [
        { key, selector: step.click, ...(filter !== undefined ? { text: filter } : {}) },
      ]);
      if (found === 0) return done();
      const target = page
        .locator(step.click)
        .filter(filter !== undefined ? { hasText: hasTextOf(filter) } : {})
        .first();
      if (step.navigates) await navigateBy(page, ctx, () => clickThrough(page, ctx, target));
      else await clickThrough(page, ctx, target);
      if (await onLoginPage(page, ctx)) {
        add({
          key,
          verdict: 'broken',
          note: 'this step landed on the sign-in page (the session did not hold)',
        });
        return done();
      }
    }
  } catch (error) {
    add({ key: 'navigation', verdict: 'broken', note: describeError(error).split('\n')[0]! });
    return done();
  }
  await page.waitForLoadState('load', { timeout: ctx.timeoutMs }).catch(() => undefined);
  await dismissOverlays(page, ctx);

  // The day view.
  if (profile.dayView.date) {
    if ((await count('dayView.date.field', profile.dayView.date.field)) > 0)
      await setDate(page, ctx, options.date);
  }
  if ('click' in profile.dayView.apply) await count('dayView.apply.click', profile.dayView.apply.click);
  let day: DayShown;
  try {
    day = await showDay(page, ctx, options.date);
  } catch (error) {
    add({ key: 'dayView', verdict: 'broken', note: describeError(error).split('\n')[0]! });
    await shot('day-view', []);
    return done();
  }
  if (day.kind !== 'slots') {
    add({
      key: 'slots.item',
      verdict: 'broken',
      note:
        day.kind === 'not-open'
          ? `the day view says it is not open ("${day.text.slice(0, 80)}"): is ${options.date} released?`
          : `the day view answered ${day.kind}`,
    });
    await matchCount('dayView.notOpen', profile.dayView.notOpen, false);
    await shot('day-view', [
      { key: 'dayView.notOpen', selector: profile.dayView.notOpen.selector ?? 'body' },
    ]);
    return done();
  }
  const slots = day.slots;
  const apply = profile.dayView.apply;
  if ('click' in apply && !apply.navigates) {
    const seen = await pressTwice(page, profile, ctx.timeoutMs);
    add({
      key: 'dayView.apply.overlapping',
      matched: seen.answers.length,
      ...overlapVerdict(seen, apply.overlapping),
    });
  }
  reportSlots(add, profile, slots, options.date);
  await shot('day-view', [
    { key: 'slots.item', selector: profile.slots.item },
    { key: 'slots.time', selector: readSelector(profile.slots.item, profile.slots.time.read) },
    { key: 'slots.court', selector: readSelector(profile.slots.item, profile.slots.court) },
  ]);

  // The confirm step, without submitting it.
  const free = slots.find((s) => s.free === true);
  try {
    if (profile.confirm.address) {
      const court = courtOrder(profile)[0]!;
      const time = free
        ? (parseShown(free.time, profile.slots.time.format, profile)?.toFormat('HH:mm') ?? '19:00')
        : '19:00';
      await goTo(page, ctx, addressUrl(profile, options.date, time, court.value));
      add({
        key: 'confirm.address',
        verdict: (await onLoginPage(page, ctx)) ? 'broken' : 'ok',
        note: `opened ${page.url()}`,
      });
    } else if (free) {
      const open = () =>
        page.evaluate(
          `(() => { const L = window.__bookerLib; const item = document.querySelectorAll(${JSON.stringify(profile.slots.item)})[${free.index}]; const el = item && L.clickTarget(item, ${JSON.stringify(profile.slots.click)}); if (!el) return false; el.click(); return true; })()`,
        );
      const clickable = await page.evaluate(
        `(() => { const item = document.querySelectorAll(${JSON.stringify(profile.slots.item)})[${free.index}]; return !!(item && window.__bookerLib.clickTarget(item, ${JSON.stringify(profile.slots.click)})); })()`,
      );
      const clicked =
        clickable &&
        (profile.confirm.opens === 'page'
          ? (await navigateBy(page, ctx, open), true)
          : (await open()) !== false);
      add({
        key: 'slots.click',
        verdict: clicked ? 'ok' : 'broken',
        note: clicked
          ? `chose ${free.court} ${free.time}`
          : `"${profile.slots.click}" found nothing to click in the slot`,
      });
      if (!clicked) return done();
      if (profile.confirm.dialog) {
        await page
          .locator(profile.confirm.dialog)
          .first()
          .waitFor({ state: 'visible', timeout: ctx.timeoutMs })
          .catch(() => undefined);
        await count('confirm.dialog', profile.confirm.dialog);
        if (profile.confirm.close)
          await count('confirm.close', profile.confirm.close, {
            required: false,
            whyMissing: 'on the open dialog: it may show only after a booking (the doctor never books)',
          });
      }
    } else {
      notChecked('confirm', 'no free slot on that date to open the confirm step with');
    }
    if (profile.confirm.address || free) {
      if (profile.confirm.terms) await count('confirm.terms', profile.confirm.terms);
      await count('confirm.button', profile.confirm.button);
      await shot('confirm', [
        ...(profile.confirm.dialog ? [{ key: 'confirm.dialog', selector: profile.confirm.dialog }] : []),
        ...(profile.confirm.terms ? [{ key: 'confirm.terms', selector: profile.confirm.terms }] : []),
        { key: 'confirm.button', selector: profile.confirm.button },
        ...(profile.confirm.close ? [{ key: 'confirm.close', selector: profile.confirm.close }] : []),
      ]);
    }
  } catch (error) {
    add({ key: 'confirm', verdict: 'broken', note: describeError(error).split('\n')[0]! });
  }
  for (const key of ['confirm.success', 'confirm.reference', 'confirm.failure', 'refusals'])
    notChecked(
      key,
      'seen only after a booking is submitted (the doctor never books): the first dry run and night tell',
    );

  // My bookings.
  try {
    await goTo(page, ctx, venueUrl(profile, profile.paths.myBookings));
    const rows = (await page.evaluate(
      `window.__bookerLib.bookingsIn(document, ${JSON.stringify(profile.myBookings)})`,
    )) as BookingRowSeen[];
    const parsed = parseMyBookings(rows, profile, page.url());
    add({
      key: 'myBookings.row',
      matched: rows.length,
      verdict: rows.length > 0 ? 'ok' : 'not-checked',
      ...(rows.length === 0
        ? { note: 'no bookings listed: hold one court and run the doctor again to check the row keys' }
        : {}),
    });
    if (rows.length > 0) {
      const field = (key: 'date' | 'time', format: string) =>
        add({
          key: `myBookings.${key}`,
          sample: rows.slice(0, 3).map((r) => r[key] ?? '∅'),
          parsed: parsed.rows.slice(0, 3).map((r) => r[key] ?? '✗'),
          verdict: parsed.rows.every((r) => r[key] !== undefined) ? 'ok' : 'broken',
          note: `read with ${describeRead(profile.myBookings[key].read)}, format "${format}"`,
        });
      field('date', profile.myBookings.date.format);
      field('time', profile.myBookings.time.format);
      for (const key of ['court', 'reference'] as const) {
        const read = profile.myBookings[key];
        if (!read) continue;
        const values = rows.map((r) => r[key] ?? '');
        add({
          key: `myBookings.${key}`,
          sample: values.slice(0, 3),
          verdict: values.every(Boolean) ? 'ok' : 'broken',
        });
      }
    }
    await shot('my-bookings', [
      { key: 'myBookings.row', selector: profile.myBookings.row },
      {
        key: 'myBookings.date',
        selector: readSelector(profile.myBookings.row, profile.myBookings.date.read),
      },
      {
        key: 'myBookings.time',
        selector: readSelector(profile.myBookings.row, profile.myBookings.time.read),
      },
    ]);
  } catch (error) {
    add({ key: 'myBookings', verdict: 'broken', note: describeError(error).split('\n')[0]! });
  }
  return done();
}

/** The slot keys: what each read, and whether it parses with its format (pure). */
export function reportSlots(
  add: (r: KeyReport) => void,
  profile: VenueProfile,
  slots: SlotSeen[],
  date: string,
): void {
  add({ key: 'slots.item', matched: slots.length, verdict: 'ok' });
  const times = slots.map((s) => s.time ?? '∅');
  const parsed = slots.map((s) => parseShown(s.time, profile.slots.time.format, profile));
  const sameDay = parsed.every(
    (p) =>
      p === undefined ||
      !/[dMyLcE]/.test(profile.slots.time.format.replace(/'[^']*'/g, '')) ||
      p.toISODate() === date,
  );
  const readable = parsed.every(Boolean);
  const matchesFormat = slots.every((s, i) => {
    const p = parsed[i];
    return (
      p !== undefined &&
      pageLib.norm(s.time) ===
        pageLib.norm(formatSlot(date, p.toFormat('HH:mm'), profile.slots.time.format, profile))
    );
  });
  add({
    key: 'slots.time',
    sample: [...new Set(times)].slice(0, 3),
    parsed: parsed.slice(0, 3).map((p) => p?.toFormat('HH:mm') ?? '✗'),
    verdict: readable && sameDay && matchesFormat ? 'ok' : 'broken',
    note: `read with ${describeRead(profile.slots.time.read)}, format "${profile.slots.time.format}"${
      !readable
        ? ': some values do not parse with the format'
        : !sameDay
          ? `: the dates read are not ${date}`
          : !matchesFormat
            ? ": the values parse but do not equal the format's output (the engine compares them exactly, ignoring case and spaces)"
            : ''
    }`,
  });
  add({
    key: 'slots.court',
    sample: [...new Set(slots.map((s) => s.court))].slice(0, 4),
    verdict: slots.every((s) => s.court) ? 'ok' : 'broken',
  });
  const free = slots.filter((s) => s.free === true).length;
  const full = slots.filter((s) => s.free === false).length;
  const unknown = slots.length - free - full;
  add({
    key: 'slots.free',
    sample: [`${free} free`, `${full} full`, `${unknown} unreadable`],
    verdict: unknown === 0 ? 'ok' : 'broken',
    ...(free === 0 && unknown === 0
      ? { note: 'every slot reads as full: if courts are free on the site, slots.free is wrong' }
      : {}),
  });
}

/** The report as text lines for the terminal (pure). */
export function formatDoctorReport(report: DoctorReport, profileFile: string): string[] {
  const mark: Record<KeyVerdict, string> = { ok: '✓', broken: '✗', 'not-checked': '·' };
  const lines = [`Venue profile ${profileFile}, checked on the day view of ${report.date}:`, ''];
  for (const k of report.keys) {
    const parts = [
      `${mark[k.verdict]} ${k.key}`,
      k.matched !== undefined ? `${k.matched} matched` : undefined,
      k.sample?.length ? `e.g. ${k.sample.map((s) => JSON.stringify(s)).join(', ')}` : undefined,
      k.parsed?.length ? `→ ${k.parsed.join(', ')}` : undefined,
      k.note,
    ].filter(Boolean);
    lines.push(`  ${parts.join('  ')}`);
  }
  const broken = report.keys.filter((k) => k.verdict === 'broken');
  lines.push('');
  lines.push(
    broken.length === 0
      ? `✓ Every key the doctor could check works. Annotated screenshots: ${report.screenshots.length > 0 ? join(report.screenshots[0]!, '..') : '—'}`
      : `✗ ${broken.length} key(s) need fixing: ${broken.map((k) => k.key).join(', ')}. The annotated screenshots show what each key found.`,
  );
  return lines;
}
