import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { FaultHit, Reply, Scope, Session, Site, SiteHost, SiteRequest } from '../site.ts';
import {
  confirmationPage,
  homePage,
  maintenancePage,
  monthPage,
  otherSportPage,
  padelPage,
  problemPage,
  reservationsPage,
  reservePage,
  sessionsPage,
  signInPage,
  sportsPage,
  SPORTS,
  type ClubPageContext,
  type ReserveTarget,
  type SessionsView,
  type SignInNotice,
} from './pages.ts';
import { CLUBHOUSE_LOCALE, CLUBHOUSE_PATHS as P, courtSlug } from './paths.ts';

/**
 * The clubhouse skin's routes. Same venue, clock, release, faults and ledger as the Estelle skin;
 * its own paths, markup and texts, and every step a page load:
 *   sign in → dashboard → Book a court → Padel → a month → sessions?date= (GET form)
 *   → Reserve (a link) → confirm page (POST form) → 303 → confirmation page → My reservations.
 */

const ASSETS: Record<string, { type: 'css' | 'js'; body: string }> = {
  [P.css]: { type: 'css', body: readFileSync(new URL('../assets/clubhouse.css', import.meta.url), 'utf8') },
  [P.js]: { type: 'js', body: readFileSync(new URL('../assets/clubhouse.js', import.meta.url), 'utf8') },
};

export const CLUBHOUSE_SESSION_COOKIE = '_cherwell_session';
const COOKIE_CHOICE = 'cherwell_cookies';

/** The texts a member reads when a reservation is refused (the engine's profile matches these). */
export const CLUBHOUSE_TEXTS = {
  wrongPassword: 'Invalid email or password.',
  locked:
    'Your account has been locked after too many failed log-in attempts. Please call reception on 01865 000 111 to unlock it.',
  signInFirst: 'Please log in to continue.',
  sessionExpired: 'Your session has expired. Please log in again.',
  taken: 'Sorry, this session has just been taken.',
  rules: 'Please tick "I agree to the club rules" to confirm your reservation.',
  csrf: 'This page had expired, so nothing was booked. Please confirm your reservation again.',
  noSuchSession: "We couldn't find that session. It may be outside the club's opening hours.",
} as const;

export class ClubhouseSite implements Site {
  readonly sessionCookie = CLUBHOUSE_SESSION_COOKIE;

  constructor(private readonly host: SiteHost) {}

  route(r: SiteRequest): Reply {
    const { method, url, session } = r;
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    const get = method === 'GET' || method === 'HEAD';
    const asset = ASSETS[path];
    if (get && asset) return { status: 200, type: asset.type, body: asset.body, outcome: 'asset' };
    if (get && path === '/favicon.ico') return { status: 204, outcome: 'asset' };

    const ctx = this.context(r);
    const scope: Scope =
      path === P.reserve && method === 'POST' ? 'booking' : path === P.sessions ? 'availability' : 'pages';
    const hit = this.host.faultFor(scope, session?.email ?? 'anonymous', r.serverMs);
    if (hit) return this.faultPage(hit, ctx, scope);

    if (path === P.signIn) {
      if (get) {
        if (session) return redirect(P.home, 'redirect-home');
        const notice: SignInNotice =
          url.searchParams.get('expired') === '1'
            ? { kind: 'info', message: CLUBHOUSE_TEXTS.sessionExpired }
            : url.searchParams.get('required') === '1'
              ? { kind: 'info', message: CLUBHOUSE_TEXTS.signInFirst }
              : undefined;
        return html(200, signInPage(ctx, notice), 'page');
      }
      if (method === 'POST') return this.signIn(new URLSearchParams(r.body), ctx, r.serverMs);
    }
    if (get && path === P.signOut) {
      if (session) this.host.endSession(session);
      return redirect(P.signIn, 'logged-out', {
        'set-cookie': `${CLUBHOUSE_SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
      });
    }
    if (get && path === '/') return redirect(P.home, 'redirect-home');

    if (!session) {
      // Pages and the confirm POST alike: back to the log-in page, saying why when a session had existed.
      const location = `${P.signIn}?${r.staleSession ? 'expired=1' : 'required=1'}`;
      return {
        ...redirect(location, r.staleSession ? 'session' : 'redirect-login'),
        status: get ? 302 : 303,
      };
    }

    if (get && path === P.home) {
      session.visitedHome = true;
      const upcoming = this.host.venue.bookingsOf(session.email).length;
      return html(200, homePage(ctx, upcoming), 'page');
    }
    if (get && path === P.book) return html(200, sportsPage(ctx), 'page');
    const sport = new RegExp(`^${P.book}/([a-z-]+)$`).exec(path);
    if (get && sport) {
      const found = SPORTS.find((s) => s.slug === sport[1]);
      if (!found) return this.notFound(ctx, 'There is no such activity.');
      if (found.slug !== 'padel') return html(200, otherSportPage(ctx, found.name), 'page');
      return html(200, padelPage(ctx, this.host.listedMonths(r.serverMs)), 'page');
    }
    const month = new RegExp(`^${P.padel}/(\\d{4}-\\d{2})$`).exec(path);
    if (get && month) return this.month(ctx, session, month[1]!, r.serverMs);
    if (get && path === P.sessions) return this.sessions(ctx, session, url, r.serverMs);
    if (path === P.reserve) {
      if (get) return this.reserveForm(ctx, session, url.searchParams, r.serverMs);
      if (method === 'POST') return this.reserve(ctx, session, new URLSearchParams(r.body));
    }
    const confirmation = new RegExp(`^${P.confirmation}/(CH-\\d{4}-[A-Z])$`).exec(path);
    if (get && confirmation) {
      const entry = this.host.venue.bookingsOf(session.email).find((e) => e.reference === confirmation[1]);
      if (!entry) return this.notFound(ctx, 'We could not find that reservation.');
      return html(200, confirmationPage(ctx, entry), 'page');
    }
    if (get && path === P.reservations) {
      const cancelled = url.searchParams.get('cancelled');
      return html(
        200,
        reservationsPage(
          ctx,
          this.host.venue.bookingsOf(session.email),
          cancelled ? `Reservation ${cancelled} has been cancelled.` : undefined,
        ),
        'page',
      );
    }
    if (method === 'POST' && path === P.cancel) {
      const form = new URLSearchParams(r.body);
      if (form.get('authenticity_token') !== session.csrf) {
        return html(
          403,
          problemPage(ctx, 'This form has expired', 'Go back, reload the page and try again.'),
          'csrf',
        );
      }
      const entry = this.host.venue.cancel(form.get('reference') ?? '', session.email);
      if (!entry) return this.notFound(ctx, 'We could not find that reservation.');
      return {
        ...redirect(`${P.reservations}?cancelled=${encodeURIComponent(entry.reference)}`, 'cancelled'),
        status: 303,
        reference: entry.reference,
        slotId: entry.slotId,
      };
    }
    return this.notFound(ctx, "We couldn't find that page.");
  }

  private context(r: SiteRequest): ClubPageContext {
    const member = r.session ? this.host.members.find((m) => m.email === r.session!.email) : undefined;
    return {
      scenario: this.host.scenario,
      ...(member ? { member } : {}),
      ...(r.session ? { csrf: r.session.csrf } : {}),
      cookieChoiceMade: r.cookies[COOKIE_CHOICE] !== undefined,
    };
  }

  private faultPage(hit: FaultHit, ctx: ClubPageContext, scope: Scope): Reply {
    switch (hit.kind) {
      case 'maintenance':
        return {
          status: 503,
          headers: { 'retry-after': '300' },
          type: 'html',
          body: maintenancePage(ctx),
          outcome: 'maintenance',
          page: scope !== 'booking',
        };
      case 'server-error':
        return {
          status: hit.status,
          type: 'html',
          body: problemPage(
            ctx,
            'Something went wrong',
            `Sorry, the booking system had a problem (error ${hit.status}). Please try again in a moment.`,
          ),
          outcome: 'server-error',
        };
      case 'rate-limited': {
        const s = hit.retryAfterSeconds;
        return {
          status: 429,
          headers: { 'retry-after': String(s) },
          type: 'html',
          body: problemPage(
            ctx,
            'Too many requests',
            `You're going a little fast. Please wait ${s} second${s === 1 ? '' : 's'} and try again.`,
          ),
          outcome: 'rate-limited',
        };
      }
    }
  }

  private notFound(ctx: ClubPageContext, message: string): Reply {
    return html(404, problemPage(ctx, 'Page not found', message), 'not-found');
  }

  private signIn(form: URLSearchParams, ctx: ClubPageContext, serverMs: number): Reply {
    const email = (form.get('user[email]') ?? '').trim().toLowerCase();
    const check = this.host.checkSignIn(email, form.get('user[password]') ?? '');
    if (check === 'locked') {
      return html(200, signInPage(ctx, { kind: 'error', message: CLUBHOUSE_TEXTS.locked }, email), 'locked');
    }
    if (check === 'credentials') {
      return html(
        200,
        signInPage(ctx, { kind: 'error', message: CLUBHOUSE_TEXTS.wrongPassword }, email),
        'login-failed',
      );
    }
    const session = this.host.openSession(email, serverMs);
    return {
      ...redirect(P.home, 'logged-in', {
        'set-cookie': `${CLUBHOUSE_SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax`,
      }),
      status: 303,
    };
  }

  /** requireClickPath: the booking pages send a session that has not loaded the dashboard back to it. */
  private clickPathRefused(session: Session): Reply | undefined {
    return this.host.scenario.requireClickPath && !session.visitedHome
      ? redirect(P.home, 'redirect-home')
      : undefined;
  }

  private today(serverMs: number): DateTime {
    return DateTime.fromMillis(serverMs, { zone: this.host.scenario.timeZone }).startOf('day');
  }

  private month(ctx: ClubPageContext, session: Session, month: string, serverMs: number): Reply {
    const refused = this.clickPathRefused(session);
    if (refused) return refused;
    const zone = this.host.scenario.timeZone;
    const first = DateTime.fromISO(`${month}-01`, { zone });
    if (!first.isValid) return this.notFound(ctx, 'There is no such month.');
    const today = this.today(serverMs);
    const initial = today.hasSame(first, 'month') ? today : first;
    return html(200, monthPage(ctx, month, this.host.listedMonths(serverMs), initial.toISODate()!), 'page');
  }

  private sessions(ctx: ClubPageContext, session: Session, url: URL, serverMs: number): Reply {
    const refused = this.clickPathRefused(session);
    if (refused) return refused;
    const zone = this.host.scenario.timeZone;
    const raw = url.searchParams.get('date');
    const page = (view: SessionsView, outcome: string) => html(200, sessionsPage(ctx, view), outcome);
    if (raw === null || raw === '') return page({ state: 'choose' }, 'no-slots');
    const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? DateTime.fromISO(raw, { zone }) : undefined;
    if (!date?.isValid) return page({ state: 'invalid', raw }, 'no-slots');
    const iso = date.toISODate()!;
    if (date < this.today(serverMs)) return page({ state: 'past', date: iso }, 'no-slots');
    const venue = this.host.venue;
    const slots = venue.releasedSlots(iso);
    if (!slots) {
      const opensAt = DateTime.fromMillis(venue.releaseInstant(iso), { zone });
      return page({ state: 'not-open', date: iso, opensAt }, 'no-slots');
    }
    const capacity = venue.capacity();
    return page(
      {
        state: 'open',
        date: iso,
        slots: slots.map((slot) => ({ slot, full: venue.bookedCount(slot) >= capacity })),
      },
      'slots',
    );
  }

  /** The court-hour a confirm page or its form names, or undefined when it names none. */
  private target(params: URLSearchParams): ReserveTarget | undefined {
    const date = params.get('date') ?? '';
    const time = params.get('time') ?? '';
    const slug = params.get('court') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !DateTime.fromISO(date).isValid) return undefined;
    if (!this.host.venue.times().includes(time)) return undefined;
    const court = this.host.scenario.courts.find((c) => courtSlug(c) === slug);
    return court ? { date, time, court, courtSlug: slug } : undefined;
  }

  /** GET: the confirm page renders for any court-hour of the opening hours, before the release too. */
  private reserveForm(
    ctx: ClubPageContext,
    session: Session,
    params: URLSearchParams,
    serverMs: number,
  ): Reply {
    const refused = this.clickPathRefused(session);
    if (refused) return refused;
    const target = this.target(params);
    if (!target) return this.notFound(ctx, CLUBHOUSE_TEXTS.noSuchSession);
    if (DateTime.fromISO(target.date, { zone: this.host.scenario.timeZone }) < this.today(serverMs)) {
      return this.notFound(ctx, 'That session has passed.');
    }
    const body = reservePage(ctx, target);
    if (this.host.scenario.faults.rotateCsrf) session.csrf = this.host.newToken(); // the page now carries a stale token
    return html(200, body, 'page');
  }

  /** POST: CSRF, then the rules box, then the one booking function. Refusals re-render the confirm page. */
  private reserve(ctx: ClubPageContext, session: Session, form: URLSearchParams): Reply {
    const target = this.target(form);
    if (!target) return this.notFound(ctx, CLUBHOUSE_TEXTS.noSuchSession);
    const venue = this.host.venue;
    const slot = venue.slot(target.date, target.time, target.court);
    const refuse = (status: number, outcome: string, error: string, withForm = true): Reply => ({
      ...html(status, reservePage(ctx, target, { error, withForm }), outcome),
      slotId: slot.id,
    });
    if (form.get('authenticity_token') !== session.csrf) {
      return refuse(403, 'csrf', CLUBHOUSE_TEXTS.csrf); // re-rendered with the session's current token
    }
    if (form.get('agree_rules') !== '1') return refuse(422, 'rules', CLUBHOUSE_TEXTS.rules);
    const result = venue.book(slot.id, session.email, 'member');
    if (result.ok) {
      const e = result.entry;
      return {
        ...redirect(
          `${P.confirmation}/${encodeURIComponent(e.reference)}`,
          result.alreadyBooked ? 'already-booked' : 'booked',
        ),
        status: 303,
        slotId: e.slotId,
        reference: e.reference,
      };
    }
    switch (result.code) {
      case 'not-open': {
        const opens = DateTime.fromMillis(venue.releaseInstant(target.date), {
          zone: this.host.scenario.timeZone,
          locale: CLUBHOUSE_LOCALE,
        });
        return refuse(
          409,
          'not-open',
          `Booking for this session is not open yet. It opens at ${opens.toFormat('HH:mm')} on ${opens.toFormat('ccc d LLL yyyy')}.`,
        );
      }
      case 'unavailable':
        return refuse(409, 'unavailable', CLUBHOUSE_TEXTS.taken, false);
      case 'limit': {
        const n = this.host.scenario.faults.dailyLimitPerMember;
        const message =
          n === 1
            ? 'You already have a session on this day. Members may book one session per day.'
            : `You already have ${n} sessions on this day. Members may book ${n} sessions per day.`;
        return refuse(409, 'limit', message, false);
      }
    }
  }
}

function html(status: number, body: string, outcome: string): Reply {
  return { status, type: 'html', body, outcome, page: true };
}

function redirect(location: string, outcome: string, headers: Reply['headers'] = {}): Reply {
  return { status: 302, headers: { location, ...headers }, outcome };
}
