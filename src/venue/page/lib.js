/* global window, document, performance, location, fetch, DOMParser, MutationObserver, KeyboardEvent, AbortController, setTimeout, clearTimeout, setInterval, clearInterval */
/*
 * The booker's helpers inside the venue's pages, installed before any page script on every page of the
 * browser context (context.addInitScript), so both fire strategies and the doctor use ONE implementation
 * of reading a profile's slots, refusals and bookings:
 * - page-by-page: Node calls `__bookerLib.readSlots(...)`, `__bookerLib.classify(...)` on each page;
 * - in-page: Node calls `__bookerLib.fire(args)` once, which does the whole post-release path in the page.
 * It is plain JavaScript, injected as text, so no transpiler helper can leak into the venue's page. Node
 * imports the same file for the pure functions (norm, textMatches, courtMatches, chooseSlot), so the slot
 * choice the page makes is the one the unit tests check.
 */
(function (root) {
  'use strict';
  if (root.__bookerLib) return;

  // ------------------------------------------------------------------ responses the page's scripts see
  // Every fetch/XHR response's status and Retry-After, so a 429 or a 5xx that the page only shows as a
  // message is still seen, with its Retry-After header.
  const responses = [];
  let seq = 0;
  const pushResponse = (r) => {
    r.seq = ++seq;
    r.at = typeof performance !== 'undefined' ? performance.now() : 0;
    responses.push(r);
    if (responses.length > 200) responses.shift();
  };
  if (typeof window !== 'undefined' && root === window) {
    const origFetch = window.fetch;
    if (origFetch) {
      window.fetch = function (input, init) {
        const url = typeof input === 'string' ? input : (input && input.url) || String(input);
        return origFetch.call(this, input, init).then(
          (res) => {
            pushResponse({ url, status: res.status, retryAfter: res.headers.get('retry-after') });
            return res;
          },
          (err) => {
            pushResponse({ url, status: 0, error: String(err) });
            throw err;
          },
        );
      };
    }
    const XHR = window.XMLHttpRequest;
    if (XHR) {
      const open = XHR.prototype.open;
      const send = XHR.prototype.send;
      XHR.prototype.open = function (method, url) {
        this.__bookerUrl = String(url);
        return open.apply(this, arguments);
      };
      XHR.prototype.send = function () {
        this.addEventListener('loadend', () =>
          pushResponse({
            url: this.__bookerUrl,
            status: this.status,
            retryAfter: this.getResponseHeader('retry-after'),
          }),
        );
        return send.apply(this, arguments);
      };
    }
  }

  // ------------------------------------------------------------------ pure helpers (also used by Node)

  /** Lower case, no whitespace: how slot times, dates and labels are compared ("7 PM" = "7pm"). */
  const norm = (text) =>
    String(text == null ? '' : text)
      .toLowerCase()
      .replace(/\s+/g, '');

  /** Lower case, runs of whitespace as one space, trimmed: how texts are searched. */
  const squash = (text) =>
    String(text == null ? '' : text)
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim();

  /** A profile's text test: "/regex/flags", or a case-insensitive substring (whitespace-insensitive). */
  function textMatches(text, pattern) {
    const literal = /^\/(.*)\/([dgimsuy]*)$/s.exec(pattern);
    if (literal && pattern.length > 2) return new RegExp(literal[1], literal[2]).test(String(text || ''));
    return squash(text).includes(squash(pattern));
  }

  /** Words of a court's name: "Padel Court 1" → padel, court, 1. */
  const words = (text) =>
    squash(text)
      .split(/[^a-z0-9]+/)
      .filter(Boolean);

  /**
   * Whether a member's preference names this court the way members write it: every word of the preference
   * is a word of the name ("Court 1" and "1" match "Padel Court 1"; "Court 1" does not match "Court 10").
   */
  function courtMatches(preference, name) {
    const want = words(preference);
    if (want.length === 0) return false;
    const have = new Set(words(name));
    return want.every((w) => have.has(w));
  }

  /**
   * The slot to book for one wanted time: among the free slots whose time matches `expected` (the court's
   * date/time in the profile's format, normalised) and that are not excluded, the preferred court first,
   * else the first in the page's order. Returns undefined when none is free.
   */
  function chooseSlot(slots, expected, preferredCourt, excluded) {
    const want = norm(expected);
    const free = slots.filter(
      (s) => norm(s.time) === want && s.free === true && !(excluded || []).includes(s.index),
    );
    if (preferredCourt) {
      const preferred = free.find((s) => courtMatches(preferredCourt, s.court));
      if (preferred) return preferred;
    }
    return free[0];
  }

  // ------------------------------------------------------------------ reading a page with a profile

  const q = (sel, scope) => (scope || document).querySelector(sel);
  const qa = (sel, scope) => Array.from((scope || document).querySelectorAll(sel));
  /** Shown = in the document and not inside a [hidden] or display:none element (no layout forced). */
  const visible = (el) =>
    !!el && el.isConnected && !el.closest('[hidden]') && !(el.style && el.style.display === 'none');
  const textOf = (el) => (el && el.textContent ? el.textContent.replace(/\s+/g, ' ').trim() : '');

  /** A profile Read: the element's (or a descendant's) text or attribute, narrowed by a pattern. */
  function readValue(el, read) {
    if (!el || !read) return null;
    const target = read.selector ? (el.matches && el.matches(read.selector) ? el : q(read.selector, el)) : el;
    if (!target) return null;
    let raw = read.attribute ? target.getAttribute(read.attribute) : textOf(target);
    if (raw == null) return null;
    raw = String(raw).replace(/\s+/g, ' ').trim();
    if (read.pattern) {
      const m = new RegExp(read.pattern, 'i').exec(raw);
      if (!m) return null;
      raw = (m[1] != null ? m[1] : m[0]).trim();
    }
    return raw;
  }

  /** A Read as a member would write it: "span.slot_start", "time @datetime". */
  const describeRead = (read) =>
    (read.selector || ':self') +
    (read.attribute ? ' @' + read.attribute : '') +
    (read.pattern ? ' /' + read.pattern + '/' : '');

  /** A profile Match inside a scope (the scope itself included): the first element that satisfies it. */
  function findMatch(scope, match) {
    if (!scope || !match) return null;
    const candidates = match.selector
      ? (scope.matches && scope.matches(match.selector) ? [scope] : []).concat(qa(match.selector, scope))
      : [scope];
    return candidates.find((el) => !match.text || textMatches(el.textContent, match.text)) || null;
  }

  function clickTarget(item, click) {
    if (!click || click === ':self') return item;
    if (click === ':parent') return item.parentElement || item;
    return q(click, item) || item.closest(click);
  }

  /** Whether a slot can be booked: true, false, or null when the profile's marks cannot tell. */
  function isFree(item, free) {
    if (free.booked) {
      const booked = parseInt(readValue(item, free.booked) || '', 10);
      const capacity = parseInt(readValue(item, free.capacity) || '', 10);
      if (!Number.isFinite(booked) || !Number.isFinite(capacity)) return null;
      return booked < capacity;
    }
    if (free.full) return !findMatch(item, free.full);
    return !!findMatch(item, free.available);
  }

  /** Every slot item on the page, read with the profile's `slots` keys. */
  function readSlots(slotsProfile, scope) {
    return qa(slotsProfile.item, scope).map((el, index) => ({
      index,
      el,
      time: readValue(el, slotsProfile.time.read),
      court: readValue(el, slotsProfile.court) || '',
      free: isFree(el, slotsProfile.free),
    }));
  }

  /** The same, without the elements: what Node and the step log get. */
  const describeSlots = (slotsProfile, scope) =>
    readSlots(slotsProfile, scope).map(({ index, time, court, free }) => ({ index, time, court, free }));

  /** The outcome of the first refusal rule found in the scope, else null. */
  function classify(scope, refusals) {
    for (const rule of refusals || []) if (findMatch(scope, rule.match)) return rule.outcome;
    return null;
  }

  /** My bookings rows (raw text of each field) in a document. */
  function bookingsIn(doc, mb) {
    return qa(mb.row, doc).map((row) => ({
      date: readValue(row, mb.date.read),
      time: readValue(row, mb.time.read),
      court: mb.court ? readValue(row, mb.court) : null,
      reference: mb.reference ? readValue(row, mb.reference) : null,
    }));
  }

  /**
   * My bookings, fetched from the page (the session's cookies go with it) and parsed without rendering.
   * Resolves { ok, rows, status, loggedOut }; never throws.
   */
  async function fetchBookings(url, mb, loggedInSelector, timeoutMs) {
    try {
      const ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null;
      const timer = ctrl ? setTimeout(() => ctrl.abort(), timeoutMs || 15000) : null;
      const res = await fetch(url, {
        credentials: 'same-origin',
        cache: 'no-store',
        signal: ctrl && ctrl.signal,
      });
      if (timer) clearTimeout(timer);
      const html = await res.text();
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const loggedOut = !q(loggedInSelector, doc);
      return { ok: res.ok && !loggedOut, status: res.status, loggedOut, rows: bookingsIn(doc, mb) };
    } catch (error) {
      return { ok: false, status: 0, loggedOut: false, rows: [], error: String(error) };
    }
  }

  // ------------------------------------------------------------------ layout held back while booking

  /** The page's methods held while the booking clicks run: each forces a layout, and returns nothing. */
  const HELD_METHODS = [
    ['HTMLElement', 'focus'],
    ['SVGElement', 'focus'],
    ['Element', 'scrollIntoView'],
  ];

  /**
   * Holds the page's focus() and scrollIntoView() calls from the slot's click to the press of Confirm, and
   * makes them (in order, on the same elements, with the same arguments) the moment the fire waits for
   * anything. On a day view that has just rendered its slots, either forces a full layout of them first:
   * 5-10 ms on the sandbox's, measured, in a site's click handler before Confirm can be pressed. Nothing in
   * pressing Confirm needs that layout; a site that does wait for its focus (to enable Confirm, say) gets it
   * as soon as the fire waits. `onRelease(n)`, when set, is told how many calls were held. Outside a hold
   * the methods are the page's own.
   */
  function layoutHold() {
    let calls = null;
    let restore = [];
    return {
      onRelease: null,
      start() {
        if (calls || typeof window === 'undefined') return;
        const queue = (calls = []);
        for (const [type, name] of HELD_METHODS) {
          const proto = window[type] && window[type].prototype;
          const own = proto && Object.getOwnPropertyDescriptor(proto, name);
          if (!own || typeof own.value !== 'function' || !own.configurable) continue;
          const original = own.value;
          Object.defineProperty(proto, name, {
            ...own,
            value: function () {
              queue.push([original, this, arguments]);
            },
          });
          restore.push([proto, name, own]);
        }
      },
      release() {
        if (!calls) return;
        const queued = calls;
        calls = null;
        for (const [proto, name, own] of restore) Object.defineProperty(proto, name, own);
        restore = [];
        for (const [original, target, args] of queued) {
          try {
            original.apply(target, args);
          } catch {
            // The page's own call would have thrown into its handler, which has returned since.
          }
        }
        if (queued.length > 0 && this.onRelease) this.onRelease(queued.length);
      },
    };
  }

  // ------------------------------------------------------------------ the in-page fire

  /**
   * The post-release path in ONE evaluate, for single-page flows: Show Availability until the day's
   * slots are visible (bounded rate, Retry-After honoured), then for each target in order: pick Time1
   * (preferred court first, else any free court), open the dialog, tick the terms, Confirm; taken → the
   * next court or time; limit → the target's date is done; not-open or errors → retry until the window
   * closes, with a look at My bookings before every retry (a court already held is never booked twice).
   * The precise wait to the send instant happens here too, so no protocol hop sits between it and the click.
   */
  async function fire(args) {
    const held = layoutHold();
    try {
      return await fireHolding(args, held);
    } finally {
      held.release();
    }
  }

  async function fireHolding(args, held) {
    const P = args.profile;
    if (args.startAtEpochMs) {
      const target = args.startAtEpochMs - (Date.now() - performance.now());
      while (target - performance.now() > 12)
        await new Promise((r) => setTimeout(r, Math.min(target - performance.now() - 10, 200)));
      while (performance.now() < target) {
        /* spin: at most ~12 ms */
      }
    }
    const t0 = performance.now();
    const out = {
      kind: 'done',
      events: [],
      startedAtEpochMs: performance.timeOrigin + t0,
      applies: 0,
      bookingAttempts: 0,
      heldChecks: 0,
      slots: [],
      targets: [],
      confirmClickedAtEpochMs: [],
      url: location.href,
    };
    const now = () => performance.now();
    const epoch = () => performance.timeOrigin + performance.now();
    const ev = (event, data) =>
      out.events.push(Object.assign({ ms: Math.round((now() - t0) * 10) / 10, event }, data || {}));
    held.onRelease = (calls) => ev('layout-released', { calls });
    const deadline = t0 + args.windowMs;
    const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
    const stop = (kind, extra) => Object.assign(out, { kind }, extra || {});

    // Resolves with the first truthy value of check(), re-checked on every DOM mutation (and every 25 ms).
    const waitFor = (check, timeoutMs) =>
      new Promise((resolve) => {
        let finished = false;
        const finish = (v) => {
          if (finished) return;
          finished = true;
          obs.disconnect();
          clearInterval(iv);
          clearTimeout(to);
          resolve(v);
        };
        const tick = () => {
          try {
            const v = check();
            if (v) finish(v);
          } catch (e) {
            finish({ thrown: String(e) });
          }
        };
        const obs = new MutationObserver(tick);
        obs.observe(document.documentElement, {
          childList: true,
          subtree: true,
          attributes: true,
          characterData: true,
        });
        const iv = setInterval(tick, 25);
        const to = setTimeout(() => finish(null), Math.max(0, timeoutMs));
        tick();
        if (!finished) held.release(); // the page gets its focus before anything else can happen
      });
    const OLD = '__bookerOld';
    const markAll = (sel) => qa(sel).forEach((el) => (el[OLD] = true));
    const freshMatch = (match) => {
      if (!match.selector) return findMatch(document.body, match);
      return (
        qa(match.selector).find(
          (el) => !el[OLD] && (!match.text || textMatches(el.textContent, match.text)),
        ) || null
      );
    };
    const errorResponseSince = (s) =>
      responses.find((r) => r.seq > s && (r.status === 0 || r.status === 429 || r.status >= 500));
    const responseSince = (s) => responses.filter((r) => r.seq > s).at(-1);
    /** A 429 since press `s`: the venue asking to back off. */
    const backOffSince = (s) => responses.find((r) => r.seq > s && r.status === 429);

    // 1. Show Availability until the day's slots are visible.
    const rateCount = Math.max(1, Math.floor(args.maxPerSecond));
    const rateWindow = (rateCount * 1000) / args.maxPerSecond;
    const applyTimes = [];
    let nextApplyAt = t0;
    // Any request of this run failed or was repeated (or the run is late): look at My bookings before booking.
    let retried = !!args.lookAtHeldFirst;
    let lastStatus;
    let lastReason;
    // The first shot as a volley (src/venue/fire/volley.ts): only when it is aimed at an instant.
    const volley = args.volley && args.startAtEpochMs ? args.volley : null;
    let volleyDone = false;
    const answersSince = (s) => responses.filter((r) => r.seq > s).length;
    /** Resolves 'slots' once the day's slots are shown, else 'gave-up' (window closed) or 'missing'. */
    const apply = async (lookFirst) => {
      for (let tries = 0; ; tries += 1) {
        if (lookFirst) {
          lookFirst = false;
          if (qa(P.slots.item).length > 0) {
            ev('cards-present');
            return 'slots';
          }
        }
        if (tries > 0 && now() > deadline) return 'gave-up';
        const button = q(P.apply.click);
        if (!button) {
          stop('selector-missing', { key: 'dayView.apply.click', selector: P.apply.click });
          return 'missing';
        }
        const recent = applyTimes.filter((t) => t > now() - rateWindow);
        if (recent.length >= rateCount) nextApplyAt = Math.max(nextApplyAt, recent[0] + rateWindow);
        if (nextApplyAt > now()) await sleep(nextApplyAt - now());
        markAll(P.slots.item);
        if (P.notOpen.selector) markAll(P.notOpen.selector);
        if (P.maintenance.selector) markAll(P.maintenance.selector);
        const s = seq;
        if (tries > 0) retried = true; // the slots were not there at the first look
        button.click();
        out.applies += 1;
        if (out.applies === 1) out.appliedAtEpochMs = epoch();
        ev('apply', { n: out.applies });
        applyTimes.push(now());
        let presses = 1;
        if (volley && !volleyDone) {
          volleyDone = true;
          const firstAt = applyTimes[applyTimes.length - 1];
          for (const offset of volley.offsetsMs.slice(1)) {
            const at = firstAt + offset;
            while (at - now() > 2) await sleep(at - now() - 1.5);
            while (now() < at) {
              /* spin: at most ~2 ms */
            }
            if (qa(P.slots.item).some((el) => !el[OLD])) break; // an earlier press already showed them
            // An earlier press was told to back off (429): the rest of the volley would ignore Retry-After.
            if (backOffSince(s)) break;
            button.click();
            presses += 1;
            out.applies += 1;
            ev('apply', { n: out.applies, volley: true });
            applyTimes.push(now());
          }
        }
        // A volley's press answered without slots: wait (up to graceMs) for the others' answers.
        let unansweredSince = null;
        const seen = await waitFor(() => {
          // A 429 to any press of a volley is the venue asking to back off: honoured even if another
          // press has shown the slots meanwhile.
          const backOff = presses > 1 && backOffSince(s);
          if (backOff) return backOff;
          if (qa(P.slots.item).some((el) => !el[OLD])) return 'slots';
          if (presses > 1 && answersSince(s) < presses) {
            if (answersSince(s) === 0) return null;
            if (unansweredSince === null) unansweredSince = now();
            if (now() - unansweredSince < volley.graceMs) return null;
          }
          if (P.notOpen.selector && freshMatch(P.notOpen)) return 'not-open';
          if (P.maintenance.selector && freshMatch(P.maintenance)) return 'maintenance';
          return errorResponseSince(s) || null;
        }, args.stepTimeoutMs);
        if (seen === 'slots') {
          ev('cards', { cards: qa(P.slots.item).length });
          return 'slots';
        }
        if (seen === 'not-open') {
          lastReason = textOf(freshMatch(P.notOpen));
          ev('no-slots');
          continue;
        }
        if (seen === 'maintenance') {
          lastStatus = 503;
          ev('maintenance');
          continue;
        }
        if (seen && typeof seen === 'object' && 'status' in seen) {
          lastStatus = seen.status;
          ev('http-error', { status: seen.status, retryAfter: seen.retryAfter });
          const ra = Number(seen.retryAfter);
          if (seen.status === 429 && Number.isFinite(ra))
            nextApplyAt = Math.max(nextApplyAt, now() + ra * 1000);
          continue;
        }
        ev('apply-timeout');
      }
    };
    const first = await apply(!args.applyFirst);
    if (first === 'missing') return out;
    if (first === 'gave-up')
      return stop('no-slots', { lastStatus, reason: lastReason || 'no slots within the retry window' });
    let slots = readSlots(P.slots);
    const summarise = () => {
      out.slots = slots
        .filter((s) => args.targets.some((t) => t.candidates.some((c) => norm(c.expected) === norm(s.time))))
        .map(({ time, court, free }) => ({ time, court, free }));
    };
    summarise();
    if (slots.some((s) => s.time === null))
      return stop('selector-missing', { key: 'slots.time.read', selector: describeRead(P.slots.time.read) });
    if (slots.every((s) => s.free === null))
      return stop('selector-missing', { key: 'slots.free', selector: JSON.stringify(P.slots.free) });

    if (args.dryRun) {
      for (const target of args.targets) {
        let found = null;
        for (const c of target.candidates) {
          const pick = chooseSlot(slots, c.expected, target.preferredCourt, []);
          if (pick) {
            found = { kind: 'dry-run', key: target.key, time: c.time, court: pick.court };
            break;
          }
        }
        out.targets.push(found || { kind: 'dry-run', key: target.key });
      }
      return out;
    }

    // 2. Book each target in turn.
    const MAX_RERENDERS = 5; // the volley's late answers: a few at most
    const bookedRefs = [];
    const limitedDates = [];
    const heldCheck = async (target) => {
      out.heldChecks += 1;
      const seen = await fetchBookings(args.myBookingsUrl, P.myBookings, P.loggedIn, args.stepTimeoutMs);
      ev('held-check', { ok: seen.ok, rows: seen.rows.length });
      if (seen.loggedOut) return { kind: 'session' };
      if (!seen.ok) return { kind: 'blind', why: `My bookings answered HTTP ${seen.status || 'nothing'}` };
      if (seen.rows.some((r) => !r.date)) return { kind: 'blind', why: 'a row of My bookings shows no date' };
      const onDate = seen.rows.filter(
        (r) => norm(r.date) === norm(target.heldDate) && !bookedRefs.includes(r.reference || ''),
      );
      const same = onDate.find((r) => target.candidates.some((c) => norm(c.heldTime) === norm(r.time)));
      const held = same || (target.onlyRowOnDate ? onDate[0] : undefined);
      return held ? { kind: 'held', row: held } : { kind: 'clear' };
    };

    for (let ti = 0; ti < args.targets.length; ti += 1) {
      const target = args.targets[ti];
      const result = { key: target.key, kind: 'unavailable' };
      out.targets.push(result);
      if (limitedDates.includes(target.date)) {
        Object.assign(result, { kind: 'limit', message: 'the venue allows no more bookings on this date' });
        continue;
      }
      if (ti > 0) {
        // The dialog of the previous booking: close it, and show the availability again.
        if (P.confirm.close && q(P.confirm.close) && visible(q(P.confirm.close))) q(P.confirm.close).click();
        else document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
        const again = await apply(false);
        if (again === 'missing') return out;
        if (again === 'gave-up') {
          Object.assign(result, {
            kind: 'error',
            code: 'no-slots',
            message: lastReason || 'the slots did not show again',
          });
          continue;
        }
        slots = readSlots(P.slots);
      }
      // Slots lost to someone else, by time and court (a fresh read numbers them anew).
      const taken = [];
      const slotKey = (slot) => norm(slot.time) + '|' + norm(slot.court);
      let csrfRetries = 0;
      let rerenders = 0;
      // My bookings was looked at and held nothing, and no booking request has gone since.
      let clearSinceLook = false;
      candidates: for (let ci = 0; ci < target.candidates.length;) {
        held.release();
        const c = target.candidates[ci];
        // A later answer (another press of the volley) may have rendered the slots again since they were
        // read: the elements read before are gone, and the new ones are the newer news.
        if (slots.some((slot) => !slot.el.isConnected)) slots = readSlots(P.slots);
        const excluded = slots.filter((slot) => taken.includes(slotKey(slot))).map((slot) => slot.index);
        const pick = chooseSlot(slots, c.expected, target.preferredCourt, excluded);
        if (!pick) {
          ev('full', { time: c.time });
          ci += 1;
          continue;
        }
        if (retried && !clearSinceLook) {
          const held = await heldCheck(target);
          if (held.kind === 'session') return stop('session');
          if (held.kind === 'blind') {
            Object.assign(result, { kind: 'error', code: 'held-check', message: held.why });
            break;
          }
          if (held.kind === 'held') {
            Object.assign(result, {
              kind: 'held',
              time: held.row.time,
              court: held.row.court,
              reference: held.row.reference,
            });
            break;
          }
          clearSinceLook = true;
        }
        // The look at My bookings waited for the network: a later press's answer may have replaced the
        // slots meanwhile, and a click on a card no longer in the page opens nothing.
        if (!pick.el.isConnected && rerenders < MAX_RERENDERS) {
          rerenders += 1;
          ev('rerendered', { before: 'click' });
          continue;
        }
        ev('pick', { time: c.time, court: pick.court });
        const clickEl = clickTarget(pick.el, P.slots.click);
        if (!clickEl) return stop('selector-missing', { key: 'slots.click', selector: P.slots.click });
        held.start(); // until Confirm is pressed or the fire waits: see layoutHold
        clickEl.click();
        const dialog = await waitFor(
          () =>
            visible(q(P.confirm.dialog))
              ? q(P.confirm.dialog)
              : !pick.el.isConnected && rerenders < MAX_RERENDERS
                ? 'rerendered'
                : null,
          args.stepTimeoutMs,
        );
        if (dialog === 'rerendered') {
          rerenders += 1;
          ev('rerendered', { before: 'dialog' });
          continue; // the click landed on slots being replaced: read the new ones, pick again
        }
        if (!dialog) return stop('selector-missing', { key: 'confirm.dialog', selector: P.confirm.dialog });
        if (P.confirm.terms) {
          const terms = q(P.confirm.terms, dialog) || q(P.confirm.terms);
          if (!terms) return stop('selector-missing', { key: 'confirm.terms', selector: P.confirm.terms });
          if (!terms.checked) terms.click();
        }
        const button = q(P.confirm.button, dialog) || q(P.confirm.button);
        if (!button) return stop('selector-missing', { key: 'confirm.button', selector: P.confirm.button });
        for (;;) {
          if (button.disabled) await waitFor(() => !button.disabled, args.stepTimeoutMs);
          if (P.confirm.success.selector) markAll(P.confirm.success.selector);
          if (P.confirm.failure && P.confirm.failure.selector) markAll(P.confirm.failure.selector);
          const s = seq;
          clearSinceLook = false; // a booking request from here on: the last look no longer tells
          button.click();
          out.bookingAttempts += 1;
          out.confirmClickedAtEpochMs.push(epoch());
          ev('confirm', { time: c.time, court: pick.court, n: out.bookingAttempts });
          const seen = await waitFor(() => {
            const ok = freshMatch(P.confirm.success);
            if (ok) return { ok };
            const bad = P.confirm.failure ? freshMatch(P.confirm.failure) : null;
            if (bad) return { bad };
            const r = errorResponseSince(s);
            if (r && r.status === 0) return { net: r };
            return null;
          }, args.stepTimeoutMs);
          if (!seen) {
            Object.assign(result, {
              kind: 'error',
              code: 'timeout',
              message:
                'No confirmation and no error ' + Math.round(args.stepTimeoutMs / 1000) + ' s after Confirm.',
            });
            break candidates;
          }
          if (seen.ok) {
            const reference =
              readValue(seen.ok, P.confirm.reference) || readValue(document.body, P.confirm.reference) || '';
            ev('confirmed', { reference });
            bookedRefs.push(reference);
            Object.assign(result, {
              kind: 'booked',
              time: c.time,
              court: pick.court,
              reference,
              confirmedAtEpochMs: out.confirmClickedAtEpochMs.at(-1),
            });
            break candidates;
          }
          if (seen.net) {
            Object.assign(result, {
              kind: 'error',
              code: 'network',
              message: seen.net.error || 'network error',
            });
            break candidates;
          }
          const response = responseSince(s);
          let code = classify(seen.bad, P.refusals) || 'error';
          if (response && response.status === 429) code = 'rate-limited';
          const message = textOf(seen.bad);
          const retryAfter = response ? Number(response.retryAfter) : NaN;
          ev('refused', { code, message, status: response && response.status });
          if (code === 'session') return stop('session');
          if (code === 'taken') {
            taken.push(slotKey(pick));
            continue candidates; // lost the race for this court: the next court, else the next time
          }
          if (code === 'limit') {
            limitedDates.push(target.date);
            Object.assign(result, { kind: 'limit', code, message });
            break candidates;
          }
          if (code === 'csrf' && csrfRetries < 3) {
            csrfRetries += 1; // the page took the new token: press again
            continue;
          }
          if (code !== 'csrf' && now() < deadline) {
            retried = true;
            await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : args.minGapMs);
            const held = await heldCheck(target);
            if (held.kind === 'session') return stop('session');
            if (held.kind === 'blind') {
              Object.assign(result, { kind: 'error', code: 'held-check', message: held.why });
              break candidates;
            }
            if (held.kind === 'held') {
              Object.assign(result, {
                kind: 'held',
                time: held.row.time,
                court: held.row.court,
                reference: held.row.reference,
              });
              break candidates;
            }
            continue;
          }
          Object.assign(result, { kind: 'error', code, message });
          break candidates;
        }
      }
    }
    return out;
  }

  root.__bookerLib = {
    responses,
    get seq() {
      return seq;
    },
    norm,
    squash,
    textMatches,
    courtMatches,
    chooseSlot,
    readValue,
    findMatch,
    clickTarget,
    isFree,
    readSlots,
    describeSlots,
    classify,
    describeRead,
    bookingsIn,
    fetchBookings,
    fire,
    visible,
  };
})(typeof window !== 'undefined' ? window : globalThis);
