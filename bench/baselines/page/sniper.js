/* global document, performance, setTimeout, clearTimeout, setInterval, clearInterval, fetch, DOMParser, URLSearchParams */
/*
 * The sniper, inside the venue's page (bench/baselines/sniper.ts says which peer it models). Injected as
 * text and called as `sniperInPage(args)`; resolves, never throws.
 *
 * - `calibrate`: `samples` HEAD requests, each { t1, t2, date } (real clock, the Date header as sent);
 *   Node computes the naive offset from them.
 * - `volley`, estelle: from `startAtEpochMs` an availability request every `periodMs` (not waiting for
 *   the answers); the first answer that shows a free card at the wanted time (preferred court first) is
 *   booked at once with the site's own booking request (its JSON endpoint, the page's CSRF token).
 * - `volley`, clubhouse: the booking needs no slot id (the confirm form is addressable), so the volley is
 *   the booking POST itself, every `periodMs`, until one is accepted or the court is taken.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the text that injects this file
async function sniperInPage(a) {
  const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  const textOf = (el) => (el && el.textContent ? el.textContent.replace(/\s+/g, ' ').trim() : '');
  const norm = (t) => String(t || '').toLowerCase();

  if (a.mode === 'calibrate') {
    const samples = [];
    for (let i = 0; i < a.samples; i += 1) {
      const t1 = Date.now();
      try {
        const res = await fetch(a.probeUrl, {
          method: 'HEAD',
          cache: 'no-store',
          credentials: 'same-origin',
        });
        const t2 = Date.now();
        samples.push({ t1, t2, date: res.headers.get('date') });
      } catch (error) {
        void error;
      }
    }
    return samples;
  }

  const target = a.startAtEpochMs - (Date.now() - performance.now());
  while (target - performance.now() > 12) await sleep(Math.min(target - performance.now() - 10, 200));
  while (performance.now() < target) {
    /* spin: at most ~12 ms */
  }
  const epoch = () => performance.timeOrigin + performance.now();
  const startedAt = epoch();

  return new Promise((resolve) => {
    let shots = 0;
    let settled = false;
    let booking = false;
    let iv;
    const finish = (out) => {
      if (settled) return;
      settled = true;
      clearInterval(iv);
      clearTimeout(giveUp);
      resolve(Object.assign({ shots, startedAtEpochMs: startedAt }, out));
    };
    const giveUp = setTimeout(() => finish({ outcome: 'gave-up' }), a.windowMs);

    const bookSlot = async (slotId) => {
      const meta = document.querySelector('meta[name="csrf-token"]');
      try {
        const res = await fetch(a.bookUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ slotId, csrf: meta ? meta.getAttribute('content') : '' }),
        });
        const data = await res.json().catch(() => null);
        if (data && data.ok) return finish({ outcome: 'booked', detail: data.reference });
        if (data && data.code === 'unavailable') return finish({ outcome: 'lost', detail: data.message });
        return finish({ outcome: 'error', detail: (data && data.message) || 'HTTP ' + res.status });
      } catch (error) {
        return finish({ outcome: 'error', detail: String(error) });
      }
    };

    const shootEstelle = async () => {
      shots += 1;
      try {
        const res = await fetch(a.slotsUrl, { credentials: 'same-origin', cache: 'no-store' });
        const html = await res.text();
        if (settled || booking) return;
        const doc = new DOMParser().parseFromString(html, 'text/html');
        const cards = Array.from(doc.querySelectorAll('[data-slot-id]')).map((el) => ({
          id: el.getAttribute('data-slot-id'),
          time: textOf(el.querySelector(a.sel.time)),
          court: textOf(el.querySelector(a.sel.court)),
          free: el.getAttribute('aria-disabled') !== 'true',
        }));
        const wanted = cards.filter((c) => c.time === a.want.time);
        if (wanted.length === 0) return; // not open yet
        const free = wanted.filter((c) => c.free);
        const pick = free.find((c) => norm(c.court) === norm(a.want.court)) || free[0];
        if (!pick) return finish({ outcome: 'lost', detail: 'every court at that time is full' });
        booking = true;
        clearInterval(iv);
        void bookSlot(pick.id);
      } catch (error) {
        void error;
      }
    };

    const shootClubhouse = async () => {
      shots += 1;
      try {
        const res = await fetch(a.reserveUrl, {
          method: 'POST',
          credentials: 'same-origin',
          body: new URLSearchParams(a.form),
        });
        const html = await res.text();
        if (settled) return;
        if (res.redirected && /\/confirmation\//.test(res.url)) return finish({ outcome: 'booked' });
        const doc = new DOMParser().parseFromString(html, 'text/html');
        const error = textOf(doc.querySelector('.alert--error'));
        if (/just been taken/i.test(error)) return finish({ outcome: 'lost', detail: error });
        // "not open yet" (or any other refusal): the next shot of the volley.
      } catch (error) {
        void error;
      }
    };

    const shoot = a.skin === 'estelle' ? shootEstelle : shootClubhouse;
    iv = setInterval(() => void shoot(), a.periodMs);
    void shoot();
  });
}
