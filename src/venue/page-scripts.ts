/**
 * Scripts that run inside the venue's page. They are plain JavaScript strings (not functions
 * serialised by Playwright) so that no transpiler helper leaks into the page.
 *
 * Why in the page: after the release every Playwright call is a round trip over the DevTools
 * protocol, and a render-wait-click-confirm sequence done call by call costs tens of milliseconds
 * the race does not have. FIRE_SCRIPT does the whole post-release path in one evaluate, driving the
 * page's own elements (real clicks, so the site's own scripts, tokens and requests run), and
 * returns what happened.
 */

/**
 * Installed before any page script (context.addInitScript): records the status and Retry-After
 * of every fetch/XHR response, so the fire script can see 429s and 5xx that the page itself only
 * shows as a message.
 */
export const PAGE_INIT_SCRIPT = `(() => {
  if (window.__booker) return;
  const b = (window.__booker = { responses: [], seq: 0 });
  const push = (r) => { r.seq = ++b.seq; r.at = performance.now(); b.responses.push(r); if (b.responses.length > 200) b.responses.shift(); };
  const origFetch = window.fetch;
  if (origFetch) {
    window.fetch = function (input, init) {
      const url = typeof input === 'string' ? input : (input && input.url) || String(input);
      const started = performance.now();
      return origFetch.call(this, input, init).then(
        (res) => { push({ url, status: res.status, retryAfter: res.headers.get('retry-after'), started }); return res; },
        (err) => { push({ url, status: 0, error: String(err), started }); throw err; },
      );
    };
  }
  const XHR = window.XMLHttpRequest;
  if (XHR) {
    const open = XHR.prototype.open;
    const send = XHR.prototype.send;
    XHR.prototype.open = function (method, url) { this.__bookerUrl = String(url); return open.apply(this, arguments); };
    XHR.prototype.send = function () {
      const started = performance.now();
      this.addEventListener('loadend', () => push({ url: this.__bookerUrl, status: this.status, retryAfter: this.getResponseHeader('retry-after'), started }));
      return send.apply(this, arguments);
    };
  }
})();`;

export type FireArgs = {
  sel: {
    showAvailability: string;
    slotsContainer: string;
    card: string;
    slotStart: string;
    court: string;
    booked: string;
    capacity: string;
    noSlots: string;
    dialog: string;
    terms: string;
    button: string;
    success: string;
    reference: string;
    failure: string;
    maintenance: string;
    overlays: string[];
  };
  /** Candidate times in order of preference, each with the slot_start text that identifies it. */
  times: { time: string; slotStart: string }[];
  preferredCourt?: string;
  dryRun: boolean;
  /** At most this many availability refreshes in any one second (config.retry.maxPerSecond). */
  maxPerSecond: number;
  /** Spacing of booking retries (1000 / maxPerSecond). */
  minGapMs: number;
  /** Give up retrying after this long (the retry window). */
  windowMs: number;
  /** Longest wait for one response (pages at midnight can take 10-20 s). */
  stepTimeoutMs: number;
  /** False: look at what is already on the page first (dry run, --no-wait after an earlier apply). */
  applyFirst: boolean;
  /** Epoch ms (the machine's real clock, as the page reads it) at which to press Show Availability. */
  startAtEpochMs?: number;
};

export type FireEvent = { ms: number; event: string; [key: string]: unknown };

export type SlotSeen = { time: string; court: string; booked: number; capacity: number };

export type FireOutcome = (
  | { kind: 'booked'; time: string; court: string; reference: string; alreadyHeld: boolean }
  | { kind: 'dry-run'; time?: string; court?: string }
  | { kind: 'unavailable' }
  | { kind: 'no-slots'; lastStatus?: number; reason: string }
  | { kind: 'selector-missing'; key: string; selector: string }
  | { kind: 'session' }
  | { kind: 'error'; code: string; message: string }
) & {
  events: FireEvent[];
  /** performance.timeOrigin + start: the page's epoch ms when the script started. */
  startedAtEpochMs: number;
  /** Epoch ms (page clock) of the first availability click. */
  appliedAtEpochMs?: number;
  /** Epoch ms (page clock) of the booking click (Confirm). */
  confirmClickedAtEpochMs?: number;
  applies: number;
  bookingAttempts: number;
  slots: SlotSeen[];
  url: string;
};

/** The post-release path in one evaluate: `(${FIRE_SCRIPT})(args)` resolves to a FireOutcome. */
export const FIRE_SCRIPT = `async (args) => {
  const S = args.sel;
  // The precise wait happens here, in the page: the script is sent ~250 ms early, sleeps, then spins
  // for the last few ms, so no protocol round trip or busy Node process sits between the instant and the click.
  if (args.startAtEpochMs) {
    const target = args.startAtEpochMs - (Date.now() - performance.now());
    while (target - performance.now() > 12) await new Promise((r) => setTimeout(r, Math.min(target - performance.now() - 10, 200)));
    while (performance.now() < target) { /* spin: at most ~12 ms */ }
  }
  const t0 = performance.now();
  const out = { events: [], startedAtEpochMs: performance.timeOrigin + t0, applies: 0, bookingAttempts: 0, slots: [], url: location.href };
  const ev = (event, data) => out.events.push(Object.assign({ ms: Math.round((performance.now() - t0) * 10) / 10, event }, data || {}));
  const q = (s, root) => (root || document).querySelector(s);
  const qa = (s, root) => Array.from((root || document).querySelectorAll(s));
  // Shown = in the document and not inside a [hidden] element (no layout is forced, unlike getClientRects).
  const visible = (el) => !!el && el.isConnected && !el.closest('[hidden]') && el.style.display !== 'none';
  const text = (el) => (el && el.textContent ? el.textContent.trim() : '');
  const num = (el) => { const n = parseInt(text(el), 10); return Number.isFinite(n) ? n : NaN; };
  const deadline = t0 + args.windowMs;
  const done = (result) => Object.assign(out, result);
  const b = window.__booker || { responses: [], seq: 0 };

  // Resolves with the first truthy value of check(), re-checked on every DOM mutation (and every 25 ms).
  const waitFor = (check, timeoutMs) => new Promise((resolve) => {
    let finished = false;
    const finish = (v) => { if (finished) return; finished = true; obs.disconnect(); clearInterval(iv); clearTimeout(to); resolve(v); };
    const tick = () => { try { const v = check(); if (v) finish(v); } catch (e) { finish({ thrown: String(e) }); } };
    const obs = new MutationObserver(tick);
    obs.observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
    const iv = setInterval(tick, 25);
    const to = setTimeout(() => finish(null), Math.max(0, timeoutMs));
    tick();
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  const mark = (sel) => qa(sel).forEach((el) => { el.__bookerOld = true; });
  const fresh = (sel) => qa(sel).find((el) => !el.__bookerOld);
  const errorResponseSince = (seq) => b.responses.find((r) => r.seq > seq && (r.status === 0 || r.status === 429 || r.status >= 500));

  const readSlots = () => qa(S.card).map((card) => {
    const start = q(S.slotStart, card);
    return { card, start: start ? text(start) : null, court: text(q(S.court, card)), booked: num(q(S.booked, card)), capacity: num(q(S.capacity, card)) };
  });
  const summarise = (slots) => {
    out.slots = slots.map((s) => {
      const t = args.times.find((c) => c.slotStart === s.start);
      return { time: t ? t.time : s.start, court: s.court, booked: s.booked, capacity: s.capacity };
    }).filter((s) => args.times.some((c) => c.time === s.time));
  };
  const choose = (slots, slotStart) => {
    const free = slots.filter((s) => s.start === slotStart && s.booked < s.capacity);
    if (args.preferredCourt) {
      const p = free.find((s) => s.court.toLowerCase() === args.preferredCourt.toLowerCase());
      if (p) return p;
    }
    return free[0];
  };

  // 1. Refresh the availability until the day's slots are visible (bounded rate, Retry-After honoured).
  let slots = null;
  let nextApplyAt = t0;
  const applyTimes = [];
  let lastStatus;
  let lastReason;
  let lookFirst = !args.applyFirst;
  for (;;) {
    if (lookFirst) {
      lookFirst = false;
      const cards = readSlots();
      if (cards.length > 0) { slots = cards; ev('cards-present', { cards: cards.length }); break; }
    }
    if (out.applies > 0 && performance.now() > deadline) return done({ kind: 'no-slots', lastStatus, reason: lastReason || 'no slots within the retry window' });
    const apply = q(S.showAvailability);
    if (!apply) return done({ kind: 'selector-missing', key: 'dayView.showAvailability', selector: S.showAvailability });
    // Rate bound: at most maxPerSecond refreshes in any second (a sliding window), so a request that
    // arrived a hair before midnight is followed at once, not a whole interval later.
    const rateCount = Math.max(1, Math.floor(args.maxPerSecond));
    const rateWindow = (rateCount * 1000) / args.maxPerSecond;
    const recent = applyTimes.filter((t) => t > performance.now() - rateWindow);
    if (recent.length >= rateCount) nextApplyAt = Math.max(nextApplyAt, recent[0] + rateWindow);
    if (nextApplyAt > performance.now()) await sleep(nextApplyAt - performance.now());
    mark(S.card); mark(S.noSlots); mark(S.maintenance);
    const seq = b.seq;
    apply.click();
    out.applies += 1;
    if (out.applies === 1) out.appliedAtEpochMs = performance.timeOrigin + performance.now();
    ev('apply', { n: out.applies });
    applyTimes.push(performance.now());
    const seen = await waitFor(() => {
      if (fresh(S.card)) return 'cards';
      if (fresh(S.noSlots)) return 'no-slots';
      if (fresh(S.maintenance)) return 'maintenance';
      const r = errorResponseSince(seq);
      if (r) return r;
      return null;
    }, args.stepTimeoutMs);
    if (seen === 'cards') {
      slots = readSlots();
      ev('cards', { cards: slots.length });
      break;
    }
    if (seen === 'no-slots') { lastReason = text(fresh(S.noSlots)); ev('no-slots'); continue; }
    if (seen === 'maintenance') { lastStatus = 503; ev('maintenance'); continue; }
    if (seen && typeof seen === 'object' && 'status' in seen) {
      lastStatus = seen.status;
      ev('http-error', { status: seen.status, retryAfter: seen.retryAfter });
      const ra = Number(seen.retryAfter);
      if (seen.status === 429 && Number.isFinite(ra)) nextApplyAt = Math.max(nextApplyAt, performance.now() + ra * 1000);
      continue;
    }
    ev('apply-timeout');
  }

  if (slots.some((s) => s.start === null)) return done({ kind: 'selector-missing', key: 'dayView.slotStart', selector: S.slotStart });
  summarise(slots);
  if (args.dryRun) {
    for (const t of args.times) {
      const pick = choose(slots, t.slotStart);
      if (pick) return done({ kind: 'dry-run', time: t.time, court: pick.court });
    }
    return done({ kind: 'dry-run' });
  }

  // 2. Book: Time1 (preferred court first, else any court with room); lost or full → Time2.
  for (const t of args.times) {
    const pick = choose(slots, t.slotStart);
    if (!pick) { ev('full', { time: t.time }); continue; }
    ev('pick', { time: t.time, court: pick.court });
    (pick.card.parentElement || pick.card).click();
    const dialog = await waitFor(() => (visible(q(S.dialog)) ? q(S.dialog) : null), args.stepTimeoutMs);
    if (!dialog) return done({ kind: 'selector-missing', key: 'confirm.dialog', selector: S.dialog });
    const terms = q(S.terms, dialog) || q(S.terms);
    if (!terms) return done({ kind: 'selector-missing', key: 'confirm.terms', selector: S.terms });
    if (!terms.checked) terms.click();
    const button = q(S.button, dialog) || q(S.button);
    if (!button) return done({ kind: 'selector-missing', key: 'confirm.button', selector: S.button });
    let csrfRetries = 0;
    for (;;) {
      if (button.disabled) await waitFor(() => !button.disabled, args.stepTimeoutMs);
      mark(S.success); mark(S.failure);
      const seq = b.seq;
      button.click();
      out.bookingAttempts += 1;
      if (!out.confirmClickedAtEpochMs) out.confirmClickedAtEpochMs = performance.timeOrigin + performance.now();
      ev('confirm', { time: t.time, court: pick.court, n: out.bookingAttempts });
      const result = await waitFor(() => {
        const ok = fresh(S.success);
        if (ok) return { ok };
        const bad = fresh(S.failure);
        if (bad) return { bad };
        const r = errorResponseSince(seq);
        if (r && r.status === 0) return { net: r };
        return null;
      }, args.stepTimeoutMs);
      if (!result) return done({ kind: 'error', code: 'timeout', message: 'No confirmation and no error ' + Math.round(args.stepTimeoutMs / 1000) + ' s after Confirm.' });
      if (result.ok) {
        const ref = q(S.reference, result.ok) || q(S.reference);
        ev('confirmed', { reference: text(ref) });
        return done({ kind: 'booked', time: t.time, court: pick.court, reference: text(ref), alreadyHeld: false });
      }
      if (result.net) return done({ kind: 'error', code: 'network', message: result.net.error || 'network error' });
      const code = result.bad.getAttribute('data-error-code') || 'error';
      const message = text(result.bad);
      const retryAfter = Number(result.bad.getAttribute('data-retry-after'));
      ev('refused', { code, message });
      if (code === 'session') return done({ kind: 'session' });
      if (code === 'unavailable') break; // lost the race for this time: straight to the next time
      if (code === 'csrf' && csrfRetries < 3) { csrfRetries += 1; continue; } // the page took the new token: press again
      if ((code === 'not-open' || code === 'error') && performance.now() < deadline) {
        await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : args.minGapMs);
        continue;
      }
      return done({ kind: 'error', code, message });
    }
  }
  return done({ kind: 'unavailable' });
}`;
