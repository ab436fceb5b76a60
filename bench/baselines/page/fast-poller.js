/* global document, location, performance, setTimeout, clearTimeout, setInterval, clearInterval, MutationObserver, fetch, DOMParser */
/*
 * The fast poller's midnight, inside the venue's page (bench/baselines/fast-poller.ts says which peers it
 * models). Injected as text and called as `fastPollerInPage(args)`, so no transpiler helper reaches the
 * page. Resolves with what it saw; never throws.
 *
 * - estelle: from `startAtEpochMs` presses the site's own "Show Availability" every `periodMs` (each
 *   press is the site's XHR into the day view; presses do not wait for the last answer) and watches the
 *   DOM; on first sight of a free card at the wanted time (preferred court first) it clicks it, ticks the
 *   terms and presses Confirm at once, then waits for the site's confirmation or error.
 * - clubhouse: from `startAtEpochMs` fetches the sessions page every `periodMs` from the page and parses
 *   it; on first sight of a free card it resolves with its Reserve link and goes there (Node then submits
 *   the confirm page as soon as its form is parsed).
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the text that injects this file
async function fastPollerInPage(a) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  const target = a.startAtEpochMs - (Date.now() - performance.now());
  while (target - performance.now() > 12) await sleep(Math.min(target - performance.now() - 10, 200));
  while (performance.now() < target) {
    /* spin: at most ~12 ms */
  }
  const epoch = () => performance.timeOrigin + performance.now();
  const startedAt = epoch();
  const textOf = (el) => (el && el.textContent ? el.textContent.replace(/\s+/g, ' ').trim() : '');
  const norm = (t) => String(t || '').toLowerCase();
  /** The wanted time's cards, the preferred court first: [{ el, court, free, ... }]. */
  const pick = (cards) => {
    const wanted = cards.filter((c) => c.time === a.want.time);
    if (wanted.length === 0) return undefined;
    const free = wanted.filter((c) => c.free);
    const preferred = free.find((c) => norm(c.court) === norm(a.want.court));
    return { card: preferred || free[0], any: wanted.length };
  };

  if (a.skin === 'estelle') {
    const s = a.sel;
    const readCards = () =>
      Array.from(document.querySelectorAll(s.item)).map((el) => {
        const clickable = el.parentElement || el;
        return {
          el: clickable,
          time: textOf(el.querySelector(s.time)),
          court: textOf(el.querySelector(s.court)),
          free: clickable.getAttribute('aria-disabled') !== 'true',
        };
      });
    return new Promise((resolve) => {
      let polls = 0;
      let settled = false;
      let booking = false;
      let iv;
      const finish = (out) => {
        if (settled) return;
        settled = true;
        clearInterval(iv);
        obs.disconnect();
        clearTimeout(giveUp);
        resolve(Object.assign({ polls, startedAtEpochMs: startedAt }, out));
      };
      const book = async (card) => {
        const seenAt = epoch();
        card.el.click();
        const terms = document.querySelector(s.terms);
        if (terms && !terms.checked) terms.click();
        const button = document.querySelector(s.button);
        if (!button) return finish({ outcome: 'error', detail: 'no confirm button' });
        button.click();
        const confirmAt = epoch();
        const deadline = performance.now() + a.stepTimeoutMs;
        while (performance.now() < deadline) {
          if (document.querySelector(s.success)) return finish({ outcome: 'booked', seenAt, confirmAt });
          const bad = document.querySelector(s.failure);
          if (bad) {
            const code = bad.getAttribute('data-error-code');
            return finish({
              outcome: code === 'unavailable' ? 'lost' : 'error',
              detail: textOf(bad),
              seenAt,
              confirmAt,
            });
          }
          await sleep(5);
        }
        return finish({ outcome: 'error', detail: 'no answer to Confirm', seenAt, confirmAt });
      };
      // Every change of the page: is the wanted card there yet? On first sight, stop polling and book.
      const look = () => {
        if (settled || booking) return;
        const found = pick(readCards());
        if (!found) return;
        if (!found.card) return finish({ outcome: 'lost', detail: 'every court at that time is full' });
        booking = true;
        clearInterval(iv);
        obs.disconnect();
        void book(found.card);
      };
      const obs = new MutationObserver(look);
      obs.observe(document.body, { childList: true, subtree: true });
      const giveUp = setTimeout(() => finish({ outcome: 'gave-up' }), a.windowMs);
      const press = () => {
        if (settled || booking) return;
        const apply = document.querySelector(s.apply);
        if (!apply) return finish({ outcome: 'error', detail: 'no Show Availability button' });
        polls += 1;
        apply.click();
      };
      iv = setInterval(press, a.periodMs);
      press();
    });
  }

  // clubhouse: poll the sessions page from the page, parse it, stop at the first free card.
  return new Promise((resolve) => {
    let polls = 0;
    let settled = false;
    let iv;
    const finish = (out) => {
      if (settled) return;
      settled = true;
      clearInterval(iv);
      clearTimeout(giveUp);
      resolve(Object.assign({ polls, startedAtEpochMs: startedAt }, out));
    };
    const giveUp = setTimeout(() => finish({ outcome: 'gave-up' }), a.windowMs);
    const poll = async () => {
      polls += 1;
      try {
        const res = await fetch(a.sessionsUrl, { credentials: 'same-origin', cache: 'no-store' });
        const html = await res.text();
        if (settled) return;
        const doc = new DOMParser().parseFromString(html, 'text/html');
        const cards = Array.from(doc.querySelectorAll('li.session-card')).map((el) => {
          const time = el.querySelector('time');
          const link = el.querySelector('a.session-reserve');
          return {
            el,
            time: time ? (time.getAttribute('datetime') || '').slice(11, 16) : '',
            court: textOf(el.querySelector('.session-court')),
            free: !!link,
            href: link ? link.getAttribute('href') : null,
          };
        });
        const found = pick(cards);
        if (!found) return;
        if (found.card) {
          // Answer Node, then go to the confirm page at once (no round trip to Node in between).
          finish({ outcome: 'seen', href: found.card.href, seenAt: epoch() });
          setTimeout(() => location.assign(found.card.href), 0);
        } else finish({ outcome: 'lost', detail: 'every court at that time is full' });
      } catch (error) {
        // a failed poll is just a missed poll
        void error;
      }
    };
    iv = setInterval(poll, a.periodMs);
    void poll();
  });
}
