import { DateTime } from 'luxon';
import { esc } from '../pages.ts';
import type { Scenario } from '../scenario.ts';
import type { LedgerEntry, Member, Slot } from '../venue.ts';
import {
  CLUBHOUSE_LOCALE,
  CLUBHOUSE_PATHS as P,
  clubhouseDateLabel,
  clubhouseMonthLabel,
  clubhouseMonthPath,
  clubhouseReservePath,
  clubhouseSessionsPath,
  clubhouseTimeLabel,
} from './paths.ts';

/**
 * The HTML of the clubhouse skin: a different club's members' area (Cherwell Racquet Club), written to
 * look like a real one and NOT to match any venue profile. Every step is its own page load.
 */

export const CLUB_NAME = 'Cherwell Racquet Club';

export interface ClubPageContext {
  scenario: Scenario;
  member?: Member;
  /** The session's current CSRF token (the forms' authenticity_token). */
  csrf?: string;
  /** The member already chose in the cookie notice (cookie `cherwell_cookies`). */
  cookieChoiceMade: boolean;
}

/** 2 → 'Two' (the club writes small numbers out). */
function countWord(n: number): string {
  return ['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six'][n] ?? String(n);
}

function day(iso: string): DateTime {
  return DateTime.fromISO(iso, { locale: CLUBHOUSE_LOCALE });
}

function layout(ctx: ClubPageContext, title: string, body: string, options: { cookieNotice?: boolean } = {}) {
  const member = ctx.member;
  const account = member
    ? `<nav class="mainnav" aria-label="Members">
        <a href="${P.home}">Dashboard</a>
        <a href="${P.book}">Book</a>
        <a href="${P.reservations}">My reservations</a>
      </nav>
      <div class="account">
        <span class="signed-in-as">Signed in as <strong>${esc(member.name)}</strong></span>
        <span class="account-email">${esc(member.email)}</span>
        <a class="logout" href="${P.signOut}">Log out</a>
      </div>`
    : `<div class="account"><a class="logout" href="${P.signIn}">Members' log in</a></div>`;
  const notice =
    options.cookieNotice !== false && ctx.scenario.overlays.cookieBanner && !ctx.cookieChoiceMade
      ? cookieNotice()
      : '';
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} | ${CLUB_NAME}</title>
<link rel="stylesheet" href="${P.css}">
<script src="${P.js}" defer></script>
</head>
<body>
<header class="topbar">
  <div class="container topbar-inner">
    <a class="logo" href="${P.home}"><span class="logo-mark" aria-hidden="true">C</span><span class="logo-text">Cherwell<small>Racquet Club</small></span></a>
    ${account}
  </div>
</header>
<main class="container page">
${body}
</main>
<footer class="footer">
  <div class="container footer-inner">
    <span>${CLUB_NAME} · Mill Lane, Wolvercote, Oxford OX2 8PN</span>
    <span>Reception 01865 000 111 · <a href="#">Club rules</a> · <a href="#">Cookies</a> · <a href="#">Privacy</a></span>
  </div>
</footer>
${notice}
</body>
</html>`;
}

function cookieNotice(): string {
  return `<div id="cc-notice" class="cc-backdrop">
  <div class="cc-sheet" role="dialog" aria-modal="true" aria-labelledby="cc-title">
    <h2 id="cc-title">Cookies on the members' area</h2>
    <p>We use essential cookies to keep you logged in. With your permission we would also like to set analytics cookies to help us improve online booking.</p>
    <div class="cc-actions">
      <button type="button" class="cc-btn cc-decline">Essential cookies only</button>
      <button type="button" class="cc-btn cc-allow">Allow all cookies</button>
    </div>
  </div>
</div>`;
}

function alert(kind: 'error' | 'info' | 'success', message: string): string {
  const role = kind === 'error' ? 'alert' : 'status';
  return `<div class="alert alert--${kind}" role="${role}"><p>${esc(message)}</p></div>`;
}

// ------------------------------------------------------------------ signing in

export type SignInNotice = { kind: 'error'; message: string } | { kind: 'info'; message: string } | undefined;

export function signInPage(ctx: ClubPageContext, notice: SignInNotice, email = ''): string {
  return layout(
    ctx,
    "Members' log in",
    `<section class="signin">
  <div class="signin-card">
    <h1>Members' log in</h1>
    <p class="intro">Book courts, manage your reservations and see what's on at the club.</p>
    ${notice ? alert(notice.kind, notice.message) : ''}
    <form class="signin-form" method="post" action="${P.signIn}">
      <div class="field">
        <label for="user_email">Email</label>
        <input type="email" id="user_email" name="user[email]" autocomplete="email" value="${esc(email)}">
      </div>
      <div class="field">
        <label for="user_password">Password</label>
        <input type="password" id="user_password" name="user[password]" autocomplete="current-password">
      </div>
      <button type="submit" class="button button--primary button--block">Log in</button>
    </form>
    <p class="small"><a href="#">Forgotten your password?</a> · New member? Ask at reception for your log-in.</p>
  </div>
  <aside class="signin-aside">
    <h2>Padel at Cherwell</h2>
    <p>${countWord(ctx.scenario.courts.length)} floodlit courts by the river, open ${esc(clubhouseTimeLabel(ctx.scenario.openingHours.open))} to ${esc(clubhouseTimeLabel(ctx.scenario.openingHours.close))} every day. Sessions are released ${ctx.scenario.advanceDays} days ahead at midnight.</p>
  </aside>
</section>`,
  );
}

// ------------------------------------------------------------------ the click path

export function homePage(ctx: ClubPageContext, upcoming: number): string {
  const first = ctx.member?.name.split(' ')[0] ?? '';
  return layout(
    ctx,
    'Dashboard',
    `<section class="welcome">
  <h1>Welcome back, ${esc(first)}</h1>
  <p class="intro">What would you like to do today?</p>
  <a class="button button--primary button--large" href="${P.book}">Book a court</a>
</section>
<section class="panels">
  <article class="panel">
    <h2>Coming up</h2>
    <p>${upcoming === 0 ? 'You have no upcoming reservations.' : `You have ${upcoming} upcoming reservation${upcoming === 1 ? '' : 's'}.`}</p>
    <a href="${P.reservations}">See my reservations</a>
  </article>
  <article class="panel">
    <h2>Club news</h2>
    <p>The winter box league starts in January: sign up at reception by the 20th.</p>
  </article>
  <article class="panel">
    <h2>Court times</h2>
    <p>Padel ${esc(clubhouseTimeLabel(ctx.scenario.openingHours.open))}–${esc(clubhouseTimeLabel(ctx.scenario.openingHours.close))}, every day. Floodlights from dusk.</p>
  </article>
</section>`,
  );
}

export const SPORTS = [
  { slug: 'tennis', name: 'Tennis', meta: 'Six courts · hard and artificial clay' },
  { slug: 'padel', name: 'Padel', meta: 'Floodlit courts by the river · one hour' },
  { slug: 'squash', name: 'Squash', meta: 'Three glass-backed courts · 45 minutes' },
  { slug: 'pickleball', name: 'Pickleball', meta: 'Sports hall · Tuesdays and Thursdays' },
];

export function sportsPage(ctx: ClubPageContext): string {
  const tiles = SPORTS.map(
    (s) =>
      `<li><a class="sport-tile" href="${P.book}/${s.slug}"><span class="sport-title">${esc(s.name)}</span><span class="sport-meta">${esc(s.meta)}</span></a></li>`,
  ).join('\n  ');
  return layout(
    ctx,
    'Book a court',
    `<h1>Book a court</h1>
<p class="intro">Choose an activity.</p>
<ul class="sports">
  ${tiles}
</ul>`,
  );
}

export function otherSportPage(ctx: ClubPageContext, name: string): string {
  return layout(
    ctx,
    name,
    `<nav class="breadcrumb" aria-label="Breadcrumb"><a href="${P.book}">Book</a> / ${esc(name)}</nav>
<h1>${esc(name)}</h1>
<p class="intro">Online booking for ${esc(name.toLowerCase())} is coming soon. Until then, please book at reception.</p>`,
  );
}

function monthTabs(months: DateTime[], current?: string): string {
  const tabs = months
    .map((m) => {
      const id = m.toFormat('yyyy-MM');
      const here = id === current;
      return `<li><a class="month-tab${here ? ' month-tab--current' : ''}" href="${clubhouseMonthPath(id)}"${here ? ' aria-current="page"' : ''}>${esc(clubhouseMonthLabel(id))}</a></li>`;
    })
    .join('\n  ');
  return `<ul class="month-tabs">
  ${tabs}
</ul>`;
}

export function padelPage(ctx: ClubPageContext, months: DateTime[]): string {
  return layout(
    ctx,
    'Padel',
    `<nav class="breadcrumb" aria-label="Breadcrumb"><a href="${P.book}">Book</a> / Padel</nav>
<h1>Padel</h1>
<p class="intro">${countWord(ctx.scenario.courts.length)} floodlit courts. Sessions are released ${ctx.scenario.advanceDays} days ahead at midnight (UK time); one hour each.</p>
<h2 class="section-title">Choose a month</h2>
${monthTabs(months)}`,
  );
}

function findSessionsForm(value: string): string {
  return `<form class="find-sessions" method="get" action="${P.sessions}">
  <label for="session-date">Date</label>
  <input type="date" id="session-date" name="date" value="${esc(value)}" required>
  <button type="submit" class="button button--primary">Find sessions</button>
</form>`;
}

export function monthPage(ctx: ClubPageContext, month: string, months: DateTime[], initial: string): string {
  const first = day(`${month}-01`);
  const lead = first.weekday - 1; // Monday first
  let cells = '<td></td>'.repeat(lead);
  for (let d = 1; d <= first.daysInMonth!; d++) {
    const date = first.set({ day: d });
    cells += `<td><a href="${esc(clubhouseSessionsPath(date.toISODate()!))}">${d}</a></td>`;
    if ((lead + d) % 7 === 0 && d < first.daysInMonth!) cells += '</tr>\n    <tr>';
  }
  return layout(
    ctx,
    `Padel · ${first.toFormat('LLLL yyyy')}`,
    `<nav class="breadcrumb" aria-label="Breadcrumb"><a href="${P.book}">Book</a> / <a href="${P.padel}">Padel</a> / ${esc(clubhouseMonthLabel(month))}</nav>
<h1>Padel <span class="muted">${esc(first.toFormat('LLLL yyyy'))}</span></h1>
${monthTabs(months, month)}
<div class="month-layout">
  <div class="card">
    <h2 class="section-title">Pick a day</h2>
    ${findSessionsForm(initial)}
  </div>
  <table class="month-calendar" aria-label="${esc(first.toFormat('LLLL yyyy'))}">
    <thead><tr><th>Mon</th><th>Tue</th><th>Wed</th><th>Thu</th><th>Fri</th><th>Sat</th><th>Sun</th></tr></thead>
    <tbody><tr>${cells}</tr></tbody>
  </table>
</div>`,
  );
}

// ------------------------------------------------------------------ the day view

/** Class (and attribute) names of a slot card, possibly drifted by the scenario. */
export function cardNames(scenario: Scenario): { cls: (name: string) => string; timeAttr: string } {
  const drift = scenario.faults.markupDrift;
  const map: Record<string, string> = typeof drift === 'object' ? drift : {};
  return { cls: (name) => map[name] ?? name, timeAttr: drift === true ? 'data-start' : 'datetime' };
}

export type SessionsView =
  | { state: 'choose' }
  | { state: 'invalid'; raw: string }
  | { state: 'past'; date: string }
  | { state: 'not-open'; date: string; opensAt: DateTime }
  | { state: 'open'; date: string; slots: { slot: Slot; full: boolean }[] };

export function sessionsPage(ctx: ClubPageContext, view: SessionsView): string {
  const date = 'date' in view ? view.date : '';
  let content: string;
  switch (view.state) {
    case 'choose':
      content = `<p class="hint">Choose a date and press <strong>Find sessions</strong>.</p>`;
      break;
    case 'invalid':
      content = alert('error', 'Please enter a date as YYYY-MM-DD, for example 2026-12-15.');
      break;
    case 'past':
      content = `<p class="hint">This date has passed. Choose a later date.</p>`;
      break;
    case 'not-open':
      content = `<div class="notice notice--closed"><p><strong>These sessions are not open for booking yet.</strong> Booking opens at ${esc(view.opensAt.toFormat('HH:mm'))} on ${esc(view.opensAt.setLocale(CLUBHOUSE_LOCALE).toFormat('cccc d LLLL yyyy'))}.</p></div>`;
      break;
    case 'open':
      content = sessionCards(ctx.scenario, view.slots);
      break;
  }
  const heading = date
    ? `<div class="day-header">
  <a class="day-nav" href="${esc(clubhouseSessionsPath(day(date).minus({ days: 1 }).toISODate()!))}" rel="prev">‹ ${esc(day(date).minus({ days: 1 }).toFormat('ccc d LLL'))}</a>
  <h2 class="day-title">${esc(day(date).toFormat('cccc d LLLL yyyy'))}</h2>
  <a class="day-nav" href="${esc(clubhouseSessionsPath(day(date).plus({ days: 1 }).toISODate()!))}" rel="next">${esc(day(date).plus({ days: 1 }).toFormat('ccc d LLL'))} ›</a>
</div>`
    : '';
  return layout(
    ctx,
    date ? `Padel sessions · ${clubhouseDateLabel(date)}` : 'Padel sessions',
    `<nav class="breadcrumb" aria-label="Breadcrumb"><a href="${P.book}">Book</a> / <a href="${P.padel}">Padel</a> / Sessions</nav>
<h1>Padel sessions</h1>
<div class="card card--inline">${findSessionsForm(view.state === 'invalid' ? view.raw : date)}</div>
${heading}
${content}`,
  );
}

function sessionCards(scenario: Scenario, slots: { slot: Slot; full: boolean }[]): string {
  const { cls, timeAttr } = cardNames(scenario);
  const cards = slots
    .map(({ slot, full }) => {
      const label = clubhouseTimeLabel(slot.time);
      const status = full
        ? `<span class="${cls('session-status')}">Full</span>`
        : `<span class="${cls('session-status')}">Available</span>
    <a class="${cls('session-reserve')}" href="${esc(clubhouseReservePath(slot.date, slot.time, slot.court))}">Reserve</a>`;
      return `<li class="${cls('session-card')}${full ? ` ${cls('session-card--full')}` : ''}">
    <time class="${cls('session-time')}" ${timeAttr}="${esc(`${slot.date}T${slot.time}`)}">${esc(label)}</time>
    <span class="${cls('session-court')}">${esc(slot.court)}</span>
    <span class="session-length">${scenario.slotMinutes} min</span>
    ${status}
  </li>`;
    })
    .join('\n  ');
  return `<ul class="session-list" style="--courts: ${scenario.courts.length}">
  ${cards}
</ul>`;
}

// ------------------------------------------------------------------ confirm and result

export interface ReserveTarget {
  date: string;
  time: string;
  court: string;
  courtSlug: string;
}

function endLabel(scenario: Scenario, time: string): string {
  const end = DateTime.fromISO(`2000-01-01T${time}`).plus({ minutes: scenario.slotMinutes });
  return clubhouseTimeLabel(end.toFormat('HH:mm'));
}

function summary(ctx: ClubPageContext, t: { date: string; time: string; court: string }): string {
  return `<dl class="reservation-summary">
    <div><dt>Date</dt><dd>${esc(clubhouseDateLabel(t.date))}</dd></div>
    <div><dt>Time</dt><dd>${esc(clubhouseTimeLabel(t.time))}–${esc(endLabel(ctx.scenario, t.time))}</dd></div>
    <div><dt>Court</dt><dd>${esc(t.court)}</dd></div>
  </dl>`;
}

/**
 * The confirm page, also re-rendered with a message when a reservation is refused. `withForm: false`
 * (taken, daily limit) replaces the form with a way back to the sessions.
 */
export function reservePage(
  ctx: ClubPageContext,
  target: ReserveTarget,
  options: { error?: string; withForm?: boolean } = {},
): string {
  const back = `<a class="back-link" href="${esc(clubhouseSessionsPath(target.date))}">‹ Back to sessions</a>`;
  const form =
    options.withForm === false
      ? `<p><a class="button" href="${esc(clubhouseSessionsPath(target.date))}">See other sessions</a></p>`
      : `<form class="reserve-form" method="post" action="${P.reserve}">
    <input type="hidden" name="authenticity_token" value="${esc(ctx.csrf ?? '')}">
    <input type="hidden" name="date" value="${esc(target.date)}">
    <input type="hidden" name="time" value="${esc(target.time)}">
    <input type="hidden" name="court" value="${esc(target.courtSlug)}">
    <label class="checkbox"><input type="checkbox" id="agree-rules" name="agree_rules" value="1"> I agree to the club rules</label>
    <p class="small">Non-marking shoes only. Cancel at least 24 hours before play or the session is charged to your account.</p>
    <button type="submit" class="button button--primary" id="reserve-submit">Confirm reservation</button>
  </form>`;
  return layout(
    ctx,
    'Confirm your reservation',
    `${back}
<section class="reserve card">
  <h1>Confirm your reservation</h1>
  <p class="intro">Padel · ${esc(target.court)}</p>
  ${summary(ctx, target)}
  ${options.error ? alert('error', options.error) : ''}
  ${form}
</section>`,
  );
}

export function confirmationPage(ctx: ClubPageContext, entry: LedgerEntry): string {
  return layout(
    ctx,
    'Reservation confirmed',
    `<section class="result card">
  <div class="result-icon" aria-hidden="true">✓</div>
  <h1>You're booked in</h1>
  <p class="result-reference">Your reference is <strong>${esc(entry.reference)}</strong>.</p>
  ${summary(ctx, entry)}
  <p class="result-actions"><a class="button button--primary" href="${P.reservations}">View my reservations</a> <a class="button" href="${esc(clubhouseSessionsPath(entry.date))}">Book another session</a></p>
</section>`,
  );
}

// ------------------------------------------------------------------ my reservations

export function reservationsPage(ctx: ClubPageContext, bookings: LedgerEntry[], flash?: string): string {
  const rows = bookings
    .map(
      (b) => `<tr>
      <td>${esc(clubhouseDateLabel(b.date))}</td>
      <td>${esc(clubhouseTimeLabel(b.time))}</td>
      <td>${esc(b.court)}</td>
      <td>${esc(b.reference)}</td>
      <td class="row-actions"><form class="cancel-form" method="post" action="${P.cancel}">
        <input type="hidden" name="authenticity_token" value="${esc(ctx.csrf ?? '')}">
        <input type="hidden" name="reference" value="${esc(b.reference)}">
        <button type="submit" class="link-button">Cancel</button>
      </form></td>
    </tr>`,
    )
    .join('\n    ');
  return layout(
    ctx,
    'My reservations',
    `<h1>My reservations</h1>
${flash ? alert('success', flash) : ''}
${
  bookings.length === 0
    ? '<p class="empty">You have no upcoming reservations.</p>'
    : `<table class="reservations">
  <thead><tr><th scope="col">Date</th><th scope="col">Time</th><th scope="col">Court</th><th scope="col">Reference</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>
    ${rows}
  </tbody>
</table>`
}
<p class="small">Need to change a reservation? Cancel it here and book again, or call reception.</p>`,
  );
}

// ------------------------------------------------------------------ problems

export function problemPage(ctx: ClubPageContext, title: string, message: string): string {
  return layout(
    ctx,
    title,
    `<section class="problem card">
  <h1>${esc(title)}</h1>
  <p>${esc(message)}</p>
  <p><a href="${P.home}">Go to the dashboard</a></p>
</section>`,
    { cookieNotice: false },
  );
}

export function maintenancePage(ctx: ClubPageContext): string {
  return layout(
    { ...ctx, member: undefined },
    'Scheduled maintenance',
    `<section class="problem problem--maintenance card">
  <h1>Down for scheduled maintenance</h1>
  <p>The members' area is closed while we carry out scheduled maintenance. Please try again in a few minutes.</p>
</section>`,
    { cookieNotice: false },
  );
}
