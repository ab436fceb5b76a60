import { DateTime } from 'luxon';
import type { Scenario } from './scenario.ts';
import type { LedgerEntry, Member, Slot } from './venue.ts';

/**
 * The sandbox's HTML. The markup the engine depends on is exactly src/venue/profiles/estelle.yml;
 * everything else (layout, copy, styling) is there so it looks and behaves like a members' site.
 */

export function esc(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface PageContext {
  scenario: Scenario;
  member?: Member;
  csrf?: string;
  /** Cookie consent already given in this browser. */
  cookiesAccepted: boolean;
  /** Marketing pop-up already dismissed in this browser. */
  marketingDismissed: boolean;
}

const ACTIVITIES = [
  { slug: 'spa', name: 'Spa', blurb: 'Treatments, thermal suite and the Roman baths.' },
  { slug: 'padel-courts', name: 'Padel Courts', blurb: 'Two covered courts. Book up to 14 days ahead.' },
  { slug: 'tennis', name: 'Tennis', blurb: 'Grass and hard courts, coaching on request.' },
  { slug: 'fitness-classes', name: 'Fitness Classes', blurb: 'Yoga, pilates and strength in the gym barn.' },
  { slug: 'dining', name: 'Dining', blurb: 'Tables at the Brasserie and Pig.' },
];

export function activityBySlug(slug: string) {
  return ACTIVITIES.find((a) => a.slug === slug);
}

function layout(
  ctx: PageContext,
  title: string,
  body: string,
  options: { page: string } = { page: '' },
): string {
  const member = ctx.member;
  const nav = member
    ? `<nav class="site-nav" aria-label="Main">
        <a href="/">Home</a>
        <a href="/page/book">Book</a>
        <a href="/page/my-bookings">My bookings</a>
        <span class="member-chip" data-member-email="${esc(member.email)}" title="${esc(member.email)}">${esc(member.name)}</span>
        <a class="sign-out" href="/page/logout">Sign out</a>
      </nav>`
    : `<nav class="site-nav" aria-label="Main"><a href="/page/login">Member sign in</a></nav>`;
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Estelle Manor</title>
${ctx.csrf ? `<meta name="csrf-token" content="${esc(ctx.csrf)}">` : ''}
<link rel="stylesheet" href="/assets/site.css">
<script src="/assets/site.js" defer></script>
</head>
<body data-page="${esc(options.page)}">
<header class="site-header">
  <div class="wrap header-row">
    <a class="brand" href="/"><span class="brand-name">Estelle Manor</span><span class="brand-sub">Members</span></a>
    ${nav}
  </div>
</header>
<main class="wrap">
${body}
</main>
<footer class="site-footer"><div class="wrap">Estelle Manor · Eynsham, Oxfordshire · <a href="#">Members' terms</a> · <a href="#">Privacy</a></div></footer>
${overlays(ctx)}
</body>
</html>`;
}

function overlays(ctx: PageContext): string {
  let out = '';
  if (ctx.scenario.overlays.cookieBanner && !ctx.cookiesAccepted) {
    out += `<div id="cookie-banner" class="overlay overlay-cookie" role="dialog" aria-modal="true" aria-labelledby="cookie-title">
  <div class="overlay-card">
    <h2 id="cookie-title">Your privacy at Estelle</h2>
    <p>We use cookies to keep you signed in, to remember your preferences and, with your consent, to understand how our members use this site.</p>
    <div class="overlay-actions">
      <button type="button" class="btn btn-ghost" id="cookie-reject">Essential only</button>
      <button type="button" class="btn btn-primary" id="cookie-accept">Accept all</button>
    </div>
  </div>
</div>`;
  }
  if (ctx.scenario.overlays.marketing && ctx.member && !ctx.marketingDismissed) {
    out += `<div id="marketing-popup" class="overlay overlay-marketing" data-delay-ms="${ctx.scenario.overlays.marketingDelayMs}" ${ctx.scenario.overlays.marketingDelayMs > 0 ? 'hidden' : ''}>
  <div class="triptease-card" role="dialog" aria-label="Members' offer">
    <button type="button" class="triptease-close" aria-label="Close">&times;</button>
    <p class="eyebrow">Members' offer</p>
    <h2>Winter evenings at Estelle</h2>
    <p>Stay the night after dinner at the Brasserie: members save 20% on midweek rooms until the end of February.</p>
    <a class="btn btn-primary" href="#">Discover more</a>
  </div>
</div>`;
  }
  return out;
}

export function loginPage(
  ctx: PageContext,
  error?: { code: 'credentials' | 'locked'; message: string },
  email = '',
): string {
  return layout(
    ctx,
    'Sign in',
    `<section class="login-panel">
  <h1>Welcome back</h1>
  <p class="lede">Sign in to book activities, tables and treatments.</p>
  ${error ? `<div class="login-error" role="alert" data-error-code="${error.code}">${esc(error.message)}</div>` : ''}
  <form method="post" action="/page/login" class="login-form">
    <label>Email address<input type="email" name="email" autocomplete="username" value="${esc(email)}" required></label>
    <label>Password<input type="password" name="password" autocomplete="current-password" required></label>
    <input type="submit" class="btn btn-primary" value="Sign in">
  </form>
  <p class="fine-print">Trouble signing in? Contact Members' Services on 01865 000 000.</p>
</section>`,
    { page: 'login' },
  );
}

export function homePage(ctx: PageContext): string {
  const first = ctx.member?.name.split(' ')[0] ?? '';
  return layout(
    ctx,
    'Home',
    `<section class="hero">
  <p class="eyebrow">Members' portal</p>
  <h1>Good to see you, ${esc(first)}</h1>
  <p class="lede">Courts, treatments and tables — book them here.</p>
  <a id="book-now-button" class="btn btn-primary btn-lg" href="/page/book">Book now</a>
</section>
<section class="tiles">
  <a class="tile" href="/page/my-bookings"><h2>My bookings</h2><p>See and cancel what you have booked.</p></a>
  <div class="tile"><h2>This week</h2><p>Wreath-making in the Orangery, Thursday 6 pm.</p></div>
  <div class="tile"><h2>Opening hours</h2><p>Padel courts ${esc(ctx.scenario.openingHours.open)}–${esc(ctx.scenario.openingHours.close)} every day.</p></div>
</section>`,
    { page: 'home' },
  );
}

export function activitiesPage(ctx: PageContext): string {
  const cards = ACTIVITIES.map(
    (a) =>
      `<li><a class="activity-link" href="/page/activity/${a.slug}"><span class="activity-name">${esc(a.name)}</span><span class="activity-blurb">${esc(a.blurb)}</span></a></li>`,
  ).join('\n');
  return layout(
    ctx,
    'Book',
    `<h1>What would you like to book?</h1>
<ul class="activity-list">
${cards}
</ul>`,
    { page: 'activities' },
  );
}

export function padelPage(ctx: PageContext, months: { id: number; month: DateTime }[]): string {
  const buttons = months
    .map(
      (m) =>
        `<a class="btn btn-secondary" href="/spa/${m.id}">${esc(m.month.toFormat('LLLL').toUpperCase())}</a>`,
    )
    .join('\n    ');
  return layout(
    ctx,
    'Padel Courts',
    `<p class="crumbs"><a href="/page/book">Book</a> › Padel Courts</p>
<h1>Padel Courts</h1>
<p class="lede">Two covered courts beside the walled garden. Courts are released at midnight, ${ctx.scenario.advanceDays} days ahead. One hour per booking.</p>
<div class="month-buttons">
    ${buttons}
</div>`,
    { page: 'padel' },
  );
}

export function otherActivityPage(ctx: PageContext, name: string): string {
  return layout(
    ctx,
    name,
    `<p class="crumbs"><a href="/page/book">Book</a> › ${esc(name)}</p>
<h1>${esc(name)}</h1>
<p class="lede">Online booking for ${esc(name.toLowerCase())} is not open to members yet. Please call Members' Services.</p>`,
    { page: 'activity' },
  );
}

export function dayViewPage(ctx: PageContext, spaId: number, month: DateTime, initialDate: DateTime): string {
  const input = `<input type="text" id="from_date" name="from_date" class="hasDatepicker${ctx.scenario.hideDateInput ? ' is-hidden' : ''}" value="${initialDate.toFormat('dd/MM/yyyy')}" autocomplete="off" aria-label="Date (DD/MM/YYYY)">`;
  return layout(
    ctx,
    `Padel Courts — ${month.toFormat('LLLL yyyy')}`,
    `<p class="crumbs"><a href="/page/book">Book</a> › <a href="/page/activity/padel-courts">Padel Courts</a> › ${esc(month.toFormat('LLLL yyyy'))}</p>
<h1>Padel Courts <span class="muted">${esc(month.toFormat('LLLL yyyy'))}</span></h1>
<div class="day-controls" data-spa-id="${spaId}" data-month="${month.toFormat('yyyy-MM')}"${ctx.scenario.faults.busyApply ? ' data-busy-apply' : ''}>
  <div class="date-field">
    <label for="from_date">Date</label>
    <div class="picker">
      ${input}
      <button type="button" class="picker-display" aria-label="Choose a date">${initialDate.toFormat('ccc d LLL yyyy')}</button>
      <div class="ui-datepicker" hidden></div>
    </div>
  </div>
  <a href="#" id="btnApply" class="btn btn-primary">Show Availability</a>
</div>
<div id="slots" class="slots" aria-live="polite"><p class="slots-hint">Choose a date and press <strong>Show Availability</strong>.</p></div>
<div id="confirm-dialog" class="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-title" hidden>
  <div class="modal-card">
    <h2 id="confirm-title">Confirm your booking</h2>
    <dl class="confirm-summary">
      <dt>Court</dt><dd id="confirm-court"></dd>
      <dt>Date</dt><dd id="confirm-date"></dd>
      <dt>Time</dt><dd id="confirm-time"></dd>
    </dl>
    <div class="confirm-form">
      <label class="terms"><input type="checkbox" id="confirm-terms"> I accept the booking terms</label>
      <p class="fine-print">Courts cancelled less than 24 hours before play are charged in full. Non-marking shoes only.</p>
    </div>
    <div id="confirm-result" aria-live="polite"></div>
    <div class="modal-actions">
      <button type="button" class="btn btn-ghost" id="confirm-close">Close</button>
      <button type="button" class="btn btn-primary" id="confirm-booking" disabled>Confirm booking</button>
    </div>
  </div>
</div>`,
    { page: 'day' },
  );
}

/** Class names of the day view, possibly drifted (a renamed class) by the scenario. */
export function slotClassNames(scenario: Scenario): (name: string) => string {
  const drift = scenario.faults.markupDrift;
  const map: Record<string, string> =
    drift === true ? { slot_start: 'slot-start' } : drift === false ? {} : drift;
  return (name) => map[name] ?? name;
}

export function noSlotsFragment(message: string, reason: string): string {
  return `<p class="no-slots" data-reason="${esc(reason)}">${esc(message)}</p>`;
}

export function slotsFragment(
  scenario: Scenario,
  date: DateTime,
  slots: { slot: Slot; booked: number; capacity: number }[],
): string {
  const c = slotClassNames(scenario);
  const cards = slots
    .map(({ slot, booked, capacity }) => {
      const start = DateTime.fromISO(`${slot.date}T${slot.time}`, { zone: scenario.timeZone });
      const full = booked >= capacity;
      const summary = `${slot.court}|${start.toFormat('cccc d LLLL yyyy')}|${start.toFormat('h:mm a')}`;
      return `<div class="slot${full ? ' is-full' : ''}" role="button" tabindex="0" data-slot-id="${esc(slot.id)}" data-summary="${esc(summary)}"${full ? ' aria-disabled="true"' : ''}>
  <div class="${c('cardBtn-bd')} ${c('vr')} ${c('vr_centered')}">
    <span class="${c('slot_start_show')}">${esc(start.toFormat('h:mm a'))}</span>
    <span class="${c('slot-subject-spa')}">${esc(slot.court)}</span>
    <span class="${c('slot_start')}">${esc(start.toFormat('dd/MM/yyyy HH:mm:ss'))}</span>
    <span class="slot-capacity"><span class="${c('totalBooked')}">${booked}</span> of <span class="${c('totalSlots')}">${capacity}</span> booked</span>
    <span class="slot-state">${full ? 'Fully booked' : 'Available'}</span>
  </div>
</div>`;
    })
    .join('\n');
  return `<h2 class="slots-title">${esc(date.toFormat('cccc d LLLL yyyy'))}</h2>
<div class="slot-grid">
${cards}
</div>`;
}

export function myBookingsPage(ctx: PageContext, bookings: LedgerEntry[], flash?: string): string {
  const rows = bookings
    .map((b) => {
      const start = DateTime.fromISO(`${b.date}T${b.time}`, { zone: ctx.scenario.timeZone });
      return `<tr class="booking-row" data-reference="${esc(b.reference)}" data-date="${esc(b.date)}" data-time="${esc(b.time)}" data-court="${esc(b.court)}">
  <td class="booking-ref">${esc(b.reference)}</td>
  <td>${esc(start.toFormat('ccc d LLL yyyy'))}</td>
  <td>${esc(start.toFormat('h:mm a'))}</td>
  <td>${esc(b.court)}</td>
  <td class="actions"><form method="post" action="/page/my-bookings/cancel">
    <input type="hidden" name="reference" value="${esc(b.reference)}">
    <input type="hidden" name="csrf" value="${esc(ctx.csrf ?? '')}">
    <button type="submit" class="btn btn-ghost btn-small booking-cancel">Cancel</button>
  </form></td>
</tr>`;
    })
    .join('\n');
  return layout(
    ctx,
    'My bookings',
    `<h1>My bookings</h1>
${flash ? `<div class="flash" role="status">${esc(flash)}</div>` : ''}
${
  bookings.length === 0
    ? '<p class="no-bookings">You have no upcoming bookings.</p>'
    : `<table class="bookings-table">
<thead><tr><th>Reference</th><th>Date</th><th>Time</th><th>Activity</th><th></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`,
    { page: 'my-bookings' },
  );
}

export function maintenancePage(ctx: PageContext): string {
  return layout(
    {
      ...ctx,
      member: undefined,
      scenario: { ...ctx.scenario, overlays: { ...ctx.scenario.overlays, cookieBanner: false } },
    },
    'Down for maintenance',
    `<section id="maintenance" class="notice-panel">
  <h1>We'll be back shortly</h1>
  <p class="lede">The members' site is down for planned maintenance. Please try again in a few minutes.</p>
</section>`,
    { page: 'maintenance' },
  );
}

export function errorPage(ctx: PageContext, status: number, message: string): string {
  return layout(
    {
      ...ctx,
      scenario: {
        ...ctx.scenario,
        overlays: { ...ctx.scenario.overlays, cookieBanner: false, marketing: false },
      },
    },
    `Error ${status}`,
    `<section class="notice-panel server-error" data-status="${status}">
  <h1>${status === 429 ? 'Too many requests' : status === 404 ? 'Page not found' : 'Something went wrong'}</h1>
  <p class="lede">${esc(message)}</p>
</section>`,
    { page: 'error' },
  );
}
