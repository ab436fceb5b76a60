import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { lastWallTimeAtOrBefore, msFromNearestRelease, type ServerClock } from './clock.ts';
import {
  activitiesPage,
  activityBySlug,
  dayViewPage,
  errorPage,
  homePage,
  loginPage,
  maintenancePage,
  myBookingsPage,
  noSlotsFragment,
  otherActivityPage,
  padelPage,
  slotsFragment,
  type PageContext,
} from './pages.ts';
import { ClubhouseSite } from './clubhouse/routes.ts';
import { resolveScenario, ScenarioError, type Scenario, type ScenarioPatch } from './scenario.ts';
import type { FaultHit, Reply, Scope, Session, SignInCheck, Site, SiteHost } from './site.ts';
import { DEMO_MEMBERS, Venue, type LedgerEntry, type Member, type RequestLogEntry } from './venue.ts';

const ASSETS: Record<string, { type: string; body: string }> = {
  '/assets/site.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./assets/site.css', import.meta.url), 'utf8'),
  },
  '/assets/site.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('./assets/site.js', import.meta.url), 'utf8'),
  },
};

const SESSION_COOKIE = 'em_session';

const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

function token(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function inWindow(relMs: number, window: { fromMs?: number; toMs?: number }): boolean {
  return (
    (window.fromMs === undefined || relMs >= window.fromMs) &&
    (window.toMs === undefined || relMs < window.toMs)
  );
}

export class SandboxServer implements SiteHost {
  scenario: Scenario;
  readonly clock: ServerClock = { now: () => Date.now() + this.scenario.clockOffsetMs };
  readonly venue: Venue;
  readonly members: readonly Member[] = DEMO_MEMBERS;
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, number>();
  private readonly locked = new Set<string>();
  private readonly log: RequestLogEntry[] = [];
  private readonly monthToId = new Map<string, number>();
  private readonly idToMonth = new Map<number, string>();
  private readonly competitorTimers = new Set<NodeJS.Timeout>();
  private readonly competitorsDone = new Set<string>();
  private readonly cancellationTimers = new Set<NodeJS.Timeout>();
  private readonly cancellationsDone = new Set<string>();
  /** The second skin's routes, when the scenario chose it; otherwise the Estelle routes below. */
  private readonly site: Site | undefined;
  private readonly preBookedDone = new Set<string>();
  private rateLimitUsed = 0;
  private answersSent = 0;
  private readonly recentByClient = new Map<string, number[]>();
  private readonly http: Server;
  private stopped = false;

  constructor(patch: ScenarioPatch = {}) {
    this.scenario = resolveScenario(patch);
    this.venue = new Venue(() => this.scenario, this.clock);
    this.site = this.scenario.skin === 'clubhouse' ? new ClubhouseSite(this) : undefined;
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        console.error('sandbox: request failed', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': CONTENT_TYPES.text });
        res.end('sandbox error');
      });
    });
    this.http.keepAliveTimeout = 5_000;
    this.applyPreBooked();
    this.armCompetitors();
    this.armCancellations();
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => resolve());
    });
    const address = this.http.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.competitorTimers) clearTimeout(timer);
    this.competitorTimers.clear();
    for (const timer of this.cancellationTimers) clearTimeout(timer);
    this.cancellationTimers.clear();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  setScenario(patch: ScenarioPatch): Scenario {
    const next = resolveScenario(patch, this.scenario);
    if (next.skin !== this.scenario.skin) {
      throw new ScenarioError(
        `The skin is chosen when the sandbox starts (it runs "${this.scenario.skin}"); start another sandbox with skin "${next.skin}".`,
      );
    }
    this.scenario = next;
    if (patch.faults?.slowFirstAnswers) this.answersSent = 0;
    if (patch.faults?.rateLimit) {
      this.rateLimitUsed = 0;
      this.recentByClient.clear();
    }
    if (patch.preBooked) this.applyPreBooked();
    this.armCompetitors();
    this.armCancellations();
    return this.scenario;
  }

  requests(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e }));
  }

  ledger(): LedgerEntry[] {
    return this.venue.ledger();
  }

  revokeSessions(email?: string): number {
    let n = 0;
    for (const [id, s] of this.sessions) {
      if (email === undefined || s.email === email) {
        this.sessions.delete(id);
        n++;
      }
    }
    return n;
  }

  /** The random numeric /spa/<id> of a month ('yyyy-MM'), stable for this sandbox's lifetime. */
  monthId(month: string): number {
    let id = this.monthToId.get(month);
    if (id === undefined) {
      do id = randomInt(1000, 99999);
      while (this.idToMonth.has(id));
      this.monthToId.set(month, id);
      this.idToMonth.set(id, month);
    }
    return id;
  }

  // ---------------------------------------------------------------- scenario-driven actors

  private applyPreBooked(): void {
    for (const p of this.scenario.preBooked) {
      const key = JSON.stringify(p);
      if (this.preBookedDone.has(key)) continue;
      this.preBookedDone.add(key);
      this.venue.bookByTime(p.date, p.time, p.court, p.member ?? 'someone-else', 'pre-booked', {
        ignoreRelease: true,
      });
    }
  }

  /** One competitor books (once): at its instant, or when a member is shown the slots (whenSlotsShown). */
  private competitorBooks(c: Scenario['competitors'][number]): void {
    const key = JSON.stringify(c);
    if (this.competitorsDone.has(key)) return;
    this.competitorsDone.add(key);
    const result = this.venue.bookByTime(c.date, c.time, c.court, c.name, `competitor:${c.name}`);
    this.record({
      arrivalRealMs: Date.now(),
      client: `competitor:${c.name}`,
      method: 'INTERNAL',
      path: `/competitor/${c.date}/${c.time}${c.court ? `/${c.court}` : ''}`,
      reply: {
        status: result.ok ? 200 : 409,
        outcome: result.ok ? 'booked' : result.code,
        ...(result.ok ? { slotId: result.entry.slotId, reference: result.entry.reference } : {}),
      },
      serverMs: result.ok ? result.entry.acceptedAtServerMs : this.clock.now(),
    });
  }

  private armCompetitors(): void {
    for (const timer of this.competitorTimers) clearTimeout(timer);
    this.competitorTimers.clear();
    if (this.stopped) return;
    for (const c of this.scenario.competitors) {
      const key = JSON.stringify(c);
      if (this.competitorsDone.has(key)) continue;
      const fireAt = this.venue.releaseInstant(c.date) + c.afterReleaseMs;
      const arm = () => {
        const wait = fireAt - this.clock.now();
        const timer = setTimeout(
          () => {
            this.competitorTimers.delete(timer);
            if (this.clock.now() < fireAt) return arm(); // timers may fire a hair early
            this.competitorBooks(c);
          },
          Math.max(0, wait),
        );
        timer.unref?.();
        this.competitorTimers.add(timer);
      };
      arm();
    }
  }

  /** Scheduled cancellations: at their instant (server clock), the booking on that court-hour is cancelled. */
  private armCancellations(): void {
    for (const timer of this.cancellationTimers) clearTimeout(timer);
    this.cancellationTimers.clear();
    if (this.stopped) return;
    for (const c of this.scenario.cancellations) {
      const key = JSON.stringify(c);
      if (this.cancellationsDone.has(key)) continue;
      const fireAt =
        c.at !== undefined
          ? DateTime.fromISO(c.at, { zone: this.scenario.timeZone }).toMillis()
          : this.venue.releaseInstant(c.date) + (c.afterReleaseMs ?? 0);
      const arm = () => {
        const timer = setTimeout(
          () => {
            this.cancellationTimers.delete(timer);
            if (this.clock.now() < fireAt) return arm(); // timers may fire a hair early
            this.cancellationsDone.add(key);
            const entry = this.venue.cancelHeld(c.date, c.time, c.court);
            this.record({
              arrivalRealMs: Date.now(),
              client: 'cancellation',
              method: 'INTERNAL',
              path: `/cancellation/${c.date}/${c.time}${c.court ? `/${c.court}` : ''}`,
              reply: entry
                ? { status: 200, outcome: 'cancelled', slotId: entry.slotId, reference: entry.reference }
                : { status: 404, outcome: 'nothing-to-cancel' },
              // The instant the ledger holds: a second clock read can be a millisecond later.
              serverMs: entry?.cancelledAtServerMs ?? this.clock.now(),
            });
          },
          Math.max(0, fireAt - this.clock.now()),
        );
        timer.unref?.();
        this.cancellationTimers.add(timer);
      };
      arm();
    }
  }

  // ---------------------------------------------------------------- HTTP

  private oneWay(): number {
    const { oneWayMs, jitterMs } = this.scenario.latency;
    return oneWayMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivalRealMs = Date.now();
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = method === 'POST' ? await readBody(req) : '';

    if (url.pathname.startsWith('/__sandbox/')) return this.control(method, url, body, res);

    const inbound = this.oneWay();
    if (inbound > 0) await delay(inbound);

    // Everything from here to the log entry runs synchronously: this is "the moment the server processed it".
    const serverMs = this.clock.now();
    const cookies = parseCookies(req.headers.cookie);
    const sessionId = cookies[this.site?.sessionCookie ?? SESSION_COOKIE];
    const session = this.currentSession(sessionId, serverMs);
    const reply = this.site
      ? this.site.route({
          method,
          url,
          body,
          req,
          session,
          staleSession: !!sessionId && !session,
          cookies,
          serverMs,
        })
      : this.route(method, url, body, req, session, cookies, serverMs);
    const client = session?.email ?? 'anonymous';
    const logged = this.record({
      arrivalRealMs,
      client,
      method,
      path: url.pathname + url.search,
      reply,
      serverMs,
    });
    logged.receivedRealMs = arrivalRealMs;
    if (session && reply.outcome === 'slots')
      for (const c of this.scenario.competitors)
        if (c.whenSlotsShown && serverMs >= this.venue.releaseInstant(c.date)) this.competitorBooks(c);

    const headers: Record<string, string | string[]> = {
      date: new Date(serverMs).toUTCString(),
      'cache-control': 'no-store',
      ...(reply.type ? { 'content-type': CONTENT_TYPES[reply.type] } : {}),
      ...reply.headers,
    };

    const slowFirst = this.scenario.faults.slowFirstAnswers;
    this.answersSent += 1;
    const outbound =
      this.oneWay() +
      (reply.page ? this.scenario.slowFirstPaintMs : 0) +
      (slowFirst && this.answersSent <= slowFirst.count ? slowFirst.delayMs : 0);
    if (outbound > 0) await delay(outbound);
    if (res.destroyed) return;
    logged.answeredRealMs = Date.now();
    if (this.scenario.faults.noDateHeader) {
      delete headers.date;
      res.sendDate = false;
    }
    res.writeHead(reply.status, headers);
    res.end(reply.body ?? '');
  }

  private record(entry: {
    arrivalRealMs: number;
    client: string;
    method: string;
    path: string;
    reply: Pick<Reply, 'status' | 'outcome' | 'slotId' | 'reference'>;
    serverMs: number;
  }): RequestLogEntry {
    const { reply, serverMs } = entry;
    const logged: RequestLogEntry = {
      serverTimeMs: serverMs,
      serverTimeIso: DateTime.fromMillis(serverMs, { zone: this.scenario.timeZone }).toISO()!,
      realTimeMs: serverMs - this.scenario.clockOffsetMs,
      client: entry.client,
      method: entry.method,
      path: entry.path,
      status: reply.status,
      outcome: reply.outcome,
      ...(reply.slotId ? { slotId: reply.slotId } : {}),
      ...(reply.reference ? { reference: reply.reference } : {}),
    };
    this.log.push(logged);
    return logged;
  }

  private control(method: string, url: URL, body: string, res: ServerResponse): void {
    const send = (status: number, data: unknown) => {
      res.writeHead(status, {
        'content-type': CONTENT_TYPES.json,
        date: new Date(this.clock.now()).toUTCString(),
      });
      res.end(JSON.stringify(data, null, 2));
    };
    try {
      switch (`${method} ${url.pathname}`) {
        case 'GET /__sandbox/ledger':
          return send(200, this.ledger());
        case 'GET /__sandbox/requests':
          return send(200, this.requests());
        case 'GET /__sandbox/scenario':
          return send(200, this.scenario);
        case 'GET /__sandbox/clock':
          return send(200, {
            serverTimeMs: this.clock.now(),
            serverTimeIso: DateTime.fromMillis(this.clock.now(), { zone: this.scenario.timeZone }).toISO(),
            clockOffsetMs: this.scenario.clockOffsetMs,
          });
        case 'POST /__sandbox/scenario':
          return send(200, this.setScenario(JSON.parse(body || '{}') as ScenarioPatch));
        case 'POST /__sandbox/revoke-sessions':
          return send(200, { revoked: this.revokeSessions(url.searchParams.get('email') ?? undefined) });
        default:
          return send(404, { error: 'unknown sandbox control endpoint' });
      }
    } catch (error) {
      return send(400, { error: (error as Error).message });
    }
  }

  private currentSession(id: string | undefined, serverMs: number): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const expired = serverMs - session.createdAtServerMs >= this.scenario.sessionTtlMs;
    const revokeAt = this.scenario.faults.revokeSessionsAt;
    const revoked =
      revokeAt !== undefined &&
      lastWallTimeAtOrBefore(serverMs, revokeAt, this.scenario.timeZone) > session.createdAtServerMs;
    if (expired || revoked) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  private pageContext(session: Session | undefined, cookies: Record<string, string>): PageContext {
    const member = session ? this.members.find((m) => m.email === session.email) : undefined;
    return {
      scenario: this.scenario,
      ...(member ? { member } : {}),
      ...(session ? { csrf: session.csrf } : {}),
      cookiesAccepted: cookies.em_cookie_consent !== undefined,
      marketingDismissed: cookies.em_mkt_dismissed !== undefined,
    };
  }

  /** Maintenance, 5xx or 429 for a request, as the scenario says; counts towards the rate limits. */
  faultFor(scope: Scope, client: string, serverMs: number): FaultHit | undefined {
    const { faults } = this.scenario;
    const rel = msFromNearestRelease(serverMs, this.scenario);
    const maintenance = faults.maintenance;
    if (maintenance === true || (typeof maintenance === 'object' && inWindow(rel, maintenance))) {
      return { kind: 'maintenance' };
    }
    const errors = faults.serverErrors;
    if (errors && (errors.scope === 'all' || errors.scope === scope) && inWindow(rel, errors)) {
      return { kind: 'server-error', status: errors.status };
    }
    const limit = faults.rateLimit;
    if (limit && (limit.scope === 'all' || limit.scope === scope)) {
      let refuse = false;
      if (inWindow(rel, limit) && (limit.fromMs !== undefined || limit.toMs !== undefined || limit.count)) {
        if (limit.count === undefined || this.rateLimitUsed < limit.count) {
          this.rateLimitUsed++;
          refuse = true;
        }
      }
      if (!refuse && limit.maxPerSecond !== undefined) {
        const recent = (this.recentByClient.get(client) ?? []).filter((t) => serverMs - t < 1000);
        recent.push(serverMs);
        this.recentByClient.set(client, recent);
        refuse = recent.length > limit.maxPerSecond;
      }
      if (refuse) return { kind: 'rate-limited', retryAfterSeconds: limit.retryAfterSeconds };
    }
    return undefined;
  }

  /** Faults that answer instead of the site (maintenance, 5xx, 429), or undefined. */
  private fault(scope: Scope, client: string, serverMs: number, ctx: PageContext): Reply | undefined {
    const hit = this.faultFor(scope, client, serverMs);
    if (!hit) return undefined;
    const json = scope === 'booking';
    if (hit.kind === 'maintenance') {
      return {
        status: 503,
        headers: { 'retry-after': '300' },
        type: 'html',
        body: maintenancePage(ctx),
        outcome: 'maintenance',
        page: !json,
      };
    }
    if (hit.kind === 'server-error') {
      return {
        status: hit.status,
        type: 'html',
        body: errorPage(ctx, hit.status, 'The server could not complete your request. Please try again.'),
        outcome: 'server-error',
      };
    }
    const retryAfterSeconds = hit.retryAfterSeconds;
    const message = `Too many requests. Please wait ${retryAfterSeconds} seconds and try again.`;
    return {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      ...(json
        ? {
            type: 'json' as const,
            body: JSON.stringify({
              ok: false,
              code: 'error',
              message,
              retryAfterSeconds,
            }),
          }
        : { type: 'html' as const, body: errorPage(ctx, 429, message) }),
      outcome: 'rate-limited',
    };
  }

  private route(
    method: string,
    url: URL,
    body: string,
    req: IncomingMessage,
    session: Session | undefined,
    cookies: Record<string, string>,
    serverMs: number,
  ): Reply {
    const path = url.pathname;
    const get = method === 'GET' || method === 'HEAD';
    const asset = ASSETS[path];
    if (get && asset)
      return { status: 200, headers: { 'content-type': asset.type }, body: asset.body, outcome: 'asset' };
    if (get && path === '/favicon.ico') return { status: 204, outcome: 'asset' };

    const ctx = this.pageContext(session, cookies);
    const spa = /^\/spa\/(\d+)(\/slots|\/book)?$/.exec(path);
    const scope: Scope = spa?.[2] === '/book' ? 'booking' : spa?.[2] === '/slots' ? 'availability' : 'pages';
    const fault = this.fault(scope, session?.email ?? 'anonymous', serverMs, ctx);
    if (fault) return fault;

    const html = (status: number, page: string, outcome: string, headers?: Reply['headers']): Reply => ({
      status,
      type: 'html',
      body: page,
      outcome,
      page: true,
      ...(headers ? { headers } : {}),
    });
    const redirect = (location: string, outcome: string, headers: Reply['headers'] = {}): Reply => ({
      status: 302,
      headers: { location, ...headers },
      outcome,
    });

    if (path === '/page/login') {
      if (get) return session ? redirect('/', 'redirect-home') : html(200, loginPage(ctx), 'page');
      if (method === 'POST') return this.login(new URLSearchParams(body), ctx, serverMs);
    }
    if (get && path === '/page/logout') {
      if (session) this.sessions.delete(session.id);
      return redirect('/page/login', 'logged-out', {
        'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`,
      });
    }

    if (!session) {
      if (scope === 'booking') {
        return {
          status: 401,
          type: 'json',
          body: JSON.stringify({
            ok: false,
            code: 'session',
            message: 'Your session has expired. Please sign in again.',
          }),
          outcome: 'session',
        };
      }
      if (scope === 'availability') {
        return {
          status: 401,
          type: 'html',
          body: '<p class="session-expired">Your session has expired. Please sign in again.</p>',
          outcome: 'session',
        };
      }
      return redirect('/page/login', 'redirect-login');
    }

    if (get && path === '/') {
      session.visitedHome = true;
      return html(200, homePage(ctx), 'page');
    }
    if (get && path === '/page/book') return html(200, activitiesPage(ctx), 'page');
    const activity = /^\/page\/activity\/([a-z-]+)$/.exec(path);
    if (get && activity) {
      const found = activityBySlug(activity[1] ?? '');
      if (!found) return html(404, errorPage(ctx, 404, 'There is no such activity.'), 'not-found');
      if (found.slug !== 'padel-courts') return html(200, otherActivityPage(ctx, found.name), 'page');
      return html(200, padelPage(ctx, this.monthButtons(serverMs)), 'page');
    }
    if (spa) {
      const month = this.idToMonth.get(Number(spa[1]));
      if (!month) {
        return scope === 'pages'
          ? html(404, errorPage(ctx, 404, 'This booking page is not available.'), 'not-found')
          : { status: 404, type: 'text', body: 'not found', outcome: 'not-found' };
      }
      if (scope === 'pages' && get) return this.dayView(ctx, session, Number(spa[1]), month, serverMs);
      if (scope === 'availability' && get) return this.slots(url, month, serverMs);
      if (scope === 'booking' && method === 'POST') return this.book(req, body, session);
    }
    if (get && path === '/page/my-bookings') {
      const cancelled = url.searchParams.get('cancelled');
      return html(
        200,
        myBookingsPage(
          ctx,
          this.venue.bookingsOf(session.email),
          cancelled ? `Booking ${cancelled} cancelled.` : undefined,
        ),
        'page',
      );
    }
    if (method === 'POST' && path === '/page/my-bookings/cancel') {
      const form = new URLSearchParams(body);
      if (form.get('csrf') !== session.csrf) {
        return html(403, errorPage(ctx, 403, 'Your form expired. Go back and try again.'), 'csrf');
      }
      const entry = this.venue.cancel(form.get('reference') ?? '', session.email);
      if (!entry) return html(404, errorPage(ctx, 404, 'No such booking.'), 'not-found');
      return {
        ...redirect(`/page/my-bookings?cancelled=${encodeURIComponent(entry.reference)}`, 'cancelled'),
        reference: entry.reference,
        slotId: entry.slotId,
      };
    }
    return html(404, errorPage(ctx, 404, 'We could not find that page.'), 'not-found');
  }

  checkSignIn(email: string, password: string): SignInCheck {
    if (this.locked.has(email)) return 'locked';
    const member = this.members.find((m) => m.email === email);
    if (!member || member.password !== password) {
      const failures = (this.failures.get(email) ?? 0) + 1;
      this.failures.set(email, failures);
      const lockAfter = this.scenario.faults.lockAfterFailures;
      if (member && lockAfter > 0 && failures >= lockAfter) {
        this.locked.add(email);
        return 'locked';
      }
      return 'credentials';
    }
    this.failures.delete(email);
    return 'ok';
  }

  openSession(email: string, serverMs: number): Session {
    const session: Session = {
      id: token(24),
      email,
      createdAtServerMs: serverMs,
      visitedHome: false,
      csrf: token(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  endSession(session: Session): void {
    this.sessions.delete(session.id);
  }

  newToken(): string {
    return token();
  }

  private login(form: URLSearchParams, ctx: PageContext, serverMs: number): Reply {
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const password = form.get('password') ?? '';
    const page = (code: 'credentials' | 'locked', message: string, outcome: string): Reply => ({
      status: 200,
      type: 'html',
      body: loginPage(ctx, { code, message }, email),
      outcome,
      page: true,
    });
    const lockedMessage =
      "This account has been locked after too many failed sign-in attempts. Please contact Members' Services.";
    const check = this.checkSignIn(email, password);
    if (check === 'locked') return page('locked', lockedMessage, 'locked');
    if (check === 'credentials') {
      return page('credentials', 'The email address or password you entered is incorrect.', 'login-failed');
    }
    const session = this.openSession(email, serverMs);
    return {
      status: 302,
      headers: {
        location: '/',
        'set-cookie': `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Lax`,
      },
      outcome: 'logged-in',
    };
  }

  /** Months offered for booking: this month through the month after the booking window. */
  listedMonths(serverMs: number): DateTime[] {
    const today = DateTime.fromMillis(serverMs, { zone: this.scenario.timeZone }).startOf('day');
    const last = today.plus({ days: this.scenario.advanceDays + 1 }).startOf('month');
    const months: DateTime[] = [];
    for (let m = today.startOf('month'); m <= last; m = m.plus({ months: 1 })) months.push(m);
    return months;
  }

  /** Months with a button on the padel page, each with its /spa/<id>. */
  private monthButtons(serverMs: number): { id: number; month: DateTime }[] {
    return this.listedMonths(serverMs).map((month) => ({
      id: this.monthId(month.toFormat('yyyy-MM')),
      month,
    }));
  }

  private dayView(ctx: PageContext, session: Session, id: number, month: string, serverMs: number): Reply {
    if (this.scenario.requireClickPath && !session.visitedHome) {
      return { status: 302, headers: { location: '/' }, outcome: 'redirect-home' };
    }
    const zone = this.scenario.timeZone;
    const first = DateTime.fromISO(`${month}-01`, { zone });
    const today = DateTime.fromMillis(serverMs, { zone }).startOf('day');
    const initial = today.hasSame(first, 'month') ? today : first;
    const body = dayViewPage(ctx, id, first, initial);
    if (this.scenario.faults.rotateCsrf) session.csrf = token(); // the page now carries a stale token
    return { status: 200, type: 'html', body, outcome: 'page', page: true };
  }

  private slots(url: URL, month: string, serverMs: number): Reply {
    const zone = this.scenario.timeZone;
    const fragment = (body: string, outcome: string): Reply => ({ status: 200, type: 'html', body, outcome });
    const raw = url.searchParams.get('date') ?? '';
    const date = DateTime.fromFormat(raw, 'dd/MM/yyyy', { zone });
    if (!date.isValid)
      return fragment(noSlotsFragment('Please choose a valid date (DD/MM/YYYY).', 'invalid'), 'no-slots');
    if (date.toFormat('yyyy-MM') !== month) {
      return fragment(
        noSlotsFragment(
          `This page shows ${DateTime.fromISO(`${month}-01`).toFormat('LLLL yyyy')} only. Go back and choose ${date.toFormat('LLLL')}.`,
          'other-month',
        ),
        'no-slots',
      );
    }
    if (date < DateTime.fromMillis(serverMs, { zone }).startOf('day')) {
      return fragment(noSlotsFragment('This date has passed.', 'past'), 'no-slots');
    }
    const iso = date.toISODate()!;
    const slots = this.venue.releasedSlots(iso);
    if (!slots) {
      const opens = DateTime.fromMillis(this.venue.releaseInstant(iso), { zone });
      return fragment(
        noSlotsFragment(
          `Bookings for ${date.toFormat('cccc d LLLL')} are not open yet. They open at ${opens.toFormat('HH:mm')} on ${opens.toFormat('cccc d LLLL')}.`,
          'not-open',
        ),
        'no-slots',
      );
    }
    const capacity = this.venue.capacity();
    return fragment(
      slotsFragment(
        this.scenario,
        date,
        slots.map((slot) => ({ slot, booked: this.venue.bookedCount(slot), capacity })),
      ),
      'slots',
    );
  }

  private book(req: IncomingMessage, body: string, session: Session): Reply {
    const json = (
      status: number,
      data: Record<string, unknown>,
      outcome: string,
      extra: Partial<Reply> = {},
    ): Reply => ({
      status,
      type: 'json',
      body: JSON.stringify(data),
      outcome,
      ...extra,
    });
    let input: { slotId?: unknown; csrf?: unknown };
    try {
      input = (req.headers['content-type'] ?? '').includes('json')
        ? (JSON.parse(body) as typeof input)
        : Object.fromEntries(new URLSearchParams(body));
    } catch {
      return json(400, { ok: false, code: 'error', message: 'Malformed request.' }, 'bad-request');
    }
    const csrf = typeof input.csrf === 'string' ? input.csrf : req.headers['x-csrf-token'];
    const slotId = typeof input.slotId === 'string' ? input.slotId : '';
    if (csrf !== session.csrf) {
      return json(
        403,
        {
          ok: false,
          code: 'csrf',
          message: 'Your page expired for security reasons. Please press Confirm booking again.',
          csrf: session.csrf,
        },
        'csrf',
        { slotId },
      );
    }
    if (!slotId) return json(400, { ok: false, code: 'error', message: 'No slot chosen.' }, 'bad-request');
    const result = this.venue.book(slotId, session.email, 'member');
    if (!result.ok)
      return json(409, { ok: false, code: result.code, message: result.message }, result.code, { slotId });
    const e = result.entry;
    return json(
      200,
      {
        ok: true,
        reference: e.reference,
        date: e.date,
        time: e.time,
        court: e.court,
        alreadyBooked: result.alreadyBooked,
      },
      result.alreadyBooked ? 'already-booked' : 'booked',
      { slotId, reference: e.reference },
    );
  }
}
