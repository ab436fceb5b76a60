/**
 * The clubhouse skin over plain HTTP: its own paths and texts, the GET-form day view, the addressable
 * confirm page and its POST form, refusals as pages, faults as pages, races through the same booking.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cardHtml,
  clubHttpLogin,
  clubSessions,
  pageText,
  tokenOf,
  type ClubHttpMember,
} from './clubhouse/helpers.ts';
import {
  courtDateForTests,
  offsetForRelease,
  releaseInstantMs,
  startSandbox,
  type Sandbox,
  type ScenarioPatch,
} from './index.ts';

const date = courtDateForTests();
const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop()));
});

/** A clubhouse sandbox whose release of `day` is `inMs` away on its clock (negative: already released). */
async function club(inMs: number, patch: ScenarioPatch = {}, day = date): Promise<Sandbox> {
  const venue = await startSandbox({
    skin: 'clubhouse',
    clockOffsetMs: offsetForRelease(day, inMs),
    ...patch,
  });
  running.push(venue);
  return venue;
}

function signIn(venue: Sandbox, email: string, password: string) {
  return fetch(`${venue.url}/members/sign-in`, {
    method: 'POST',
    body: new URLSearchParams({ 'user[email]': email, 'user[password]': password }),
    redirect: 'manual',
  });
}

/** Follows a 303 from the confirm POST and returns the result page's text. */
async function follow(member: ClubHttpMember, res: Response): Promise<string> {
  expect(res.status).toBe(303);
  return pageText(await (await member.get(res.headers.get('location')!)).text());
}

describe('clubhouse: signing in', () => {
  it('signs in with its own fields, refuses a wrong password, then locks the account', async () => {
    const venue = await club(-500, { faults: { lockAfterFailures: 2 } });
    const form = await (await fetch(`${venue.url}/members/sign-in`)).text();
    expect(form).toContain('name="user[email]"');
    expect(form).toContain('id="user_password"');
    expect(pageText(form)).toContain('Log in');

    const wrong = await signIn(venue, 'member@example.com', 'nope');
    expect(wrong.status).toBe(200);
    expect(pageText(await wrong.text())).toContain('Invalid email or password.');
    const locked = await signIn(venue, 'member@example.com', 'nope again');
    expect(pageText(await locked.text())).toContain('Your account has been locked after too many failed');
    const refused = await signIn(venue, 'member@example.com', 'correct-horse-battery');
    expect(refused.status).toBe(200);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(venue.requests().map((r) => r.outcome)).toEqual(['page', 'login-failed', 'locked', 'locked']);

    const ok = await signIn(venue, 'partner@example.com', 'correct-horse-battery');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/members');
    expect(ok.headers.get('set-cookie')).toMatch(/^_cherwell_session=[^;]+; Path=\/; HttpOnly/);
    const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
    const home = pageText(await (await fetch(`${venue.url}/members`, { headers: { cookie } })).text());
    expect(home).toContain('Signed in as Sam Taylor');
    expect(home).toContain('partner@example.com');
  });

  it('serves its own paths only: the Estelle pages do not exist here, / goes to the dashboard', async () => {
    const venue = await club(-500);
    const m = await clubHttpLogin(venue);
    for (const path of ['/page/login', '/page/book', `/spa/${venue.monthId(date.slice(0, 7))}`]) {
      expect((await m.get(path)).status, path).toBe(404);
    }
    expect((await fetch(`${venue.url}/assets/site.css`, { redirect: 'manual' })).status).toBe(302);
    const css = await fetch(`${venue.url}/static/clubhouse.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
    const root = await fetch(`${venue.url}/`, { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/members');
    const anon = await fetch(`${venue.url}/members`, { redirect: 'manual' });
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toBe('/members/sign-in?required=1');
    const head = await fetch(`${venue.url}/members/sign-in`, { method: 'HEAD' });
    expect(head.status).toBe(200); // the engine's clock probe works without a session
    expect(() => venue.setScenario({ skin: 'estelle' })).toThrow(/skin is chosen when the sandbox starts/);
  });
});

describe('clubhouse: the click path and the day view', () => {
  it('walks dashboard → Book a court → Padel → month tabs ("Dec 2026") → a GET form to sessions?date=', async () => {
    const venue = await club(-500, {}, '2026-12-15');
    const m = await clubHttpLogin(venue);
    const home = await (await m.get('/members')).text();
    expect(home).toMatch(
      /<a class="button button--primary button--large" href="\/members\/book">Book a court<\/a>/,
    );
    const sports = await (await m.get('/members/book')).text();
    expect(sports).toMatch(/href="\/members\/book\/padel"><span class="sport-title">Padel<\/span>/);
    const padel = await (await m.get('/members/book/padel')).text();
    // The server clock reads 1 Dec 2026: this month and the next (the booking window reaches 15 Dec).
    expect(
      [...padel.matchAll(/<a class="month-tab[^"]*" href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((x) => [
        x[1],
        x[2],
      ]),
    ).toEqual([['/members/book/padel/2026-12', 'Dec 2026']]);
    const month = await (await m.get('/members/book/padel/2026-12')).text();
    expect(month).toContain(
      '<form class="find-sessions" method="get" action="/members/book/padel/sessions">',
    );
    expect(month).toContain('<input type="date" id="session-date" name="date" value="2026-12-01" required>');
    expect(pageText(month)).toContain('Find sessions');
    expect(month).toContain('href="/members/book/padel/sessions?date=2026-12-15">15</a>');
  });

  it('sends a deep link to the month, sessions or confirm page back to the dashboard until it was visited', async () => {
    const venue = await club(-500, { requireClickPath: true });
    const m = await clubHttpLogin(venue, venue.members[0], { visitHome: false });
    const paths = [
      `/members/book/padel/${date.slice(0, 7)}`,
      `/members/book/padel/sessions?date=${date}`,
      `/members/book/padel/reserve?date=${date}&time=19:00&court=court-a`,
    ];
    for (const path of paths) {
      const res = await m.get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toBe('/members');
    }
    await m.get('/members');
    for (const path of paths) expect((await m.get(path)).status, path).toBe(200);
    expect(venue.requests().filter((r) => r.outcome === 'redirect-home')).toHaveLength(3);
  });

  it('says in words that sessions are not open before the release, and lists them after', async () => {
    const venue = await club(3000);
    const m = await clubHttpLogin(venue);
    const before = await clubSessions(m, date);
    expect(before.status).toBe(200);
    expect(pageText(before.html)).toMatch(
      /These sessions are not open for booking yet\. Booking opens at 00:00 on \w+day \d+ \w+ \d{4}\./,
    );
    expect(before.html).not.toContain('session-card');
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -10) });
    const after = await clubSessions(m, date);
    expect(after.html.match(/<li class="session-card">/g)).toHaveLength(30); // 15 hours × 2 courts
    expect(
      venue
        .requests()
        .filter((r) => r.path.startsWith('/members/book/padel/sessions'))
        .map((r) => r.outcome),
    ).toEqual(['no-slots', 'slots']);
    expect(pageText((await clubSessions(m, 'next tuesday')).html)).toContain(
      'Please enter a date as YYYY-MM-DD',
    );
  });

  it('marks each card with the exact time only in an attribute, labels like 7pm, and a full slot by class and word', async () => {
    const venue = await club(
      -500,
      { preBooked: [{ date: '2026-12-15', time: '19:00', court: 'Court B' }] },
      '2026-12-15',
    );
    const m = await clubHttpLogin(venue);
    const { html } = await clubSessions(m, '2026-12-15');
    const free = cardHtml(html, '2026-12-15', '19:00', 'Court A')!;
    expect(free).toContain('<time class="session-time" datetime="2026-12-15T19:00">7pm</time>');
    expect(free).toContain('<span class="session-court">Court A</span>');
    expect(free).toContain(
      '<a class="session-reserve" href="/members/book/padel/reserve?date=2026-12-15&amp;time=19:00&amp;court=court-a">Reserve</a>',
    );
    expect(free).not.toMatch(/19:00<|>19:00|\b0 of\b|\d+ left/); // no 24-hour time or count in the text
    const full = cardHtml(html, '2026-12-15', '19:00', 'Court B')!;
    expect(full).toMatch(/^<li class="session-card session-card--full">/);
    expect(pageText(full)).toBe('7pm Court B 60 min Full');
    expect(full).not.toContain('Reserve');
    expect(cardHtml(html, '2026-12-15', '12:00', 'Court A')).toContain('>12pm</time>');
    expect(cardHtml(html, '2026-12-15', '07:00', 'Court A')).toContain('>7am</time>');
    expect(html.match(/session-card--full/g)).toHaveLength(1);
  });
});

describe('clubhouse: the confirm page and its POST', () => {
  it('renders the addressable confirm page before the release, refuses its POST as not open, books after', async () => {
    const venue = await club(60_000);
    const m = await clubHttpLogin(venue);
    const page = await m.openReserve(date, '19:00', 'Court A');
    expect(page.res.status).toBe(200);
    expect(page.html).toContain(
      '<form class="reserve-form" method="post" action="/members/book/padel/reserve">',
    );
    expect(page.html).toContain('<input type="checkbox" id="agree-rules" name="agree_rules" value="1">');
    expect(pageText(page.html)).toContain('I agree to the club rules');
    expect(pageText(page.html)).toContain('Confirm reservation');

    const early = await m.reserve(date, '19:00', 'Court A', page.token);
    expect(early.status).toBe(409);
    expect(pageText(await early.text())).toMatch(
      /Booking for this session is not open yet\. It opens at 00:00 on \w{3} \d+ \w{3} \d{4}\./,
    );
    expect(venue.ledger()).toHaveLength(0);
    expect(venue.requests().at(-1)).toMatchObject({ method: 'POST', outcome: 'not-open', status: 409 });

    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -50) });
    const res = await m.reserve(date, '19:00', 'Court A', page.token); // the same armed form, now open
    const text = await follow(m, res);
    const reference = /Your reference is (CH-\d{4}-[A-Z])\./.exec(text)?.[1];
    expect(reference).toBeDefined();
    expect(res.headers.get('location')).toBe(`/members/book/padel/confirmation/${reference}`);
    const [entry] = venue.ledger();
    expect(entry).toMatchObject({ reference, date, time: '19:00', court: 'Court A', client: 'member' });
    expect(entry!.acceptedAtServerMs).toBeGreaterThanOrEqual(releaseInstantMs(date));
  });

  it('refuses a POST without the rules box, with its own message and nothing booked', async () => {
    const venue = await club(-500);
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve(date, '10:00', 'Court B');
    const res = await m.reserve(date, '10:00', 'Court B', token, { agree: false });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(pageText(html)).toContain('Please tick "I agree to the club rules" to confirm your reservation.');
    expect(html).toContain('id="reserve-submit"'); // the form is there to try again
    expect(venue.ledger()).toHaveLength(0);
    await follow(m, await m.reserve(date, '10:00', 'Court B', tokenOf(html)));
    expect(venue.ledger()).toHaveLength(1);
  });

  it('re-renders the confirm page with a fresh token after a stale one (rotated CSRF), and the retry books', async () => {
    const venue = await club(-500, { faults: { rotateCsrf: true } });
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve(date, '19:00', 'Court A');
    const stale = await m.reserve(date, '19:00', 'Court A', token);
    expect(stale.status).toBe(403);
    const html = await stale.text();
    expect(pageText(html)).toContain(
      'This page had expired, so nothing was booked. Please confirm your reservation again.',
    );
    const fresh = tokenOf(html);
    expect(fresh).not.toBe(token);
    expect(venue.ledger()).toHaveLength(0);
    expect(await follow(m, await m.reserve(date, '19:00', 'Court A', fresh))).toMatch(
      /Your reference is CH-/,
    );
    expect(
      venue
        .requests()
        .filter((r) => r.method === 'POST' && r.path === '/members/book/padel/reserve')
        .map((r) => r.outcome),
    ).toEqual(['csrf', 'booked']);
  });

  it('says a taken session is taken, a second court that day is over the limit, and the same one twice is one booking', async () => {
    const venue = await club(-500, {
      preBooked: [{ date, time: '19:00', court: 'Court A' }],
      faults: { dailyLimitPerMember: 1 },
    });
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve(date, '19:00', 'Court A');
    const taken = await m.reserve(date, '19:00', 'Court A', token);
    expect(taken.status).toBe(409);
    const takenHtml = await taken.text();
    expect(pageText(takenHtml)).toContain('Sorry, this session has just been taken.');
    expect(takenHtml).not.toContain('id="reserve-submit"');

    const first = await m.reserve(date, '20:00', 'Court A', token);
    const again = await m.reserve(date, '20:00', 'Court A', token);
    expect(again.headers.get('location')).toBe(first.headers.get('location')); // same reference
    const limit = await m.reserve(date, '21:00', 'Court B', token);
    expect(limit.status).toBe(409);
    expect(pageText(await limit.text())).toContain(
      'You already have a session on this day. Members may book one session per day.',
    );
    expect(venue.ledger().filter((e) => e.client === 'member')).toHaveLength(1);
    expect(
      venue
        .requests()
        .filter((r) => r.method === 'POST')
        .map((r) => r.outcome),
    ).toEqual(['logged-in', 'unavailable', 'booked', 'already-booked', 'limit']);
  });

  it('sends an expired session from the confirm POST to the log-in page, which says so', async () => {
    const venue = await club(-500, { sessionTtlMs: 60_000 });
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve(date, '19:00', 'Court A');
    venue.setScenario({ clockOffsetMs: venue.scenario.clockOffsetMs + 61_000 });
    const res = await m.reserve(date, '19:00', 'Court A', token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/members/sign-in?expired=1');
    expect(pageText(await (await m.get('/members/sign-in?expired=1')).text())).toContain(
      'Your session has expired. Please log in again.',
    );
    expect(venue.ledger()).toHaveLength(0);
    expect(venue.requests().at(-2)).toMatchObject({ method: 'POST', outcome: 'session' });
  });

  it('refuses a court-hour the club does not have', async () => {
    const venue = await club(-500);
    const m = await clubHttpLogin(venue);
    for (const q of [
      'date=2026-13-01&time=19:00&court=court-a',
      `date=${date}&time=23:00&court=court-a`,
      `date=${date}&time=19:00&court=court-z`,
    ]) {
      const res = await m.get(`/members/book/padel/reserve?${q}`);
      expect(res.status, q).toBe(404);
      expect(pageText(await res.text())).toContain("We couldn't find that session.");
    }
  });
});

describe('clubhouse: faults as pages', () => {
  it('answers 429 with Retry-After on the confirm POST (scope booking) and the sessions page (scope availability)', async () => {
    const venue = await club(-500, {
      faults: {
        rateLimit: { retryAfterSeconds: 2, count: 1, fromMs: -60_000, toMs: 60_000, scope: 'booking' },
      },
    });
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve(date, '19:00', 'Court A'); // a page: not limited
    const limited = await m.reserve(date, '19:00', 'Court A', token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(pageText(await limited.text())).toContain(
      "Too many requests You're going a little fast. Please wait 2 seconds and try again.",
    );
    expect(venue.ledger()).toHaveLength(0);
    await follow(m, await m.reserve(date, '19:00', 'Court A', token));

    venue.setScenario({ faults: { rateLimit: { retryAfterSeconds: 1, count: 1, scope: 'availability' } } });
    const sessions = await m.get(`/members/book/padel/sessions?date=${date}`);
    expect(sessions.status).toBe(429);
    expect(sessions.headers.get('retry-after')).toBe('1');
    expect(pageText(await sessions.text())).toContain('Please wait 1 second and try again.');
    expect((await m.get('/members/reservations')).status).toBe(200); // pages are another scope
  });

  it('answers 5xx in a window around the release, scoped to the sessions page or the confirm POST', async () => {
    const venue = await club(-200, {
      faults: { serverErrors: { status: 503, fromMs: -1000, toMs: 1000, scope: 'availability' } },
    });
    const m = await clubHttpLogin(venue);
    const sessions = await m.get(`/members/book/padel/sessions?date=${date}`);
    expect(sessions.status).toBe(503);
    expect(pageText(await sessions.text())).toContain(
      'Something went wrong Sorry, the booking system had a problem (error 503). Please try again in a moment.',
    );
    const { token } = await m.openReserve(date, '19:00', 'Court A');
    venue.setScenario({ faults: { serverErrors: { status: 500, scope: 'booking' } } });
    expect((await m.get(`/members/book/padel/sessions?date=${date}`)).status).toBe(200);
    const post = await m.reserve(date, '19:00', 'Court A', token);
    expect(post.status).toBe(500);
    expect(venue.requests().at(-1)).toMatchObject({
      outcome: 'server-error',
      path: '/members/book/padel/reserve',
    });
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -1500) }); // out of the window
    expect((await m.reserve(date, '19:00', 'Court A', token)).status).toBe(303);
  });

  it('shows its maintenance page (503, Retry-After 300) on every page', async () => {
    const venue = await club(-500, { faults: { maintenance: true } });
    const res = await fetch(`${venue.url}/members/sign-in`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('300');
    const text = pageText(await res.text());
    expect(text).toContain('Down for scheduled maintenance');
    expect(text).toContain("The members' area is closed while we carry out scheduled maintenance.");
    expect(text).not.toContain('Log in');
  });

  it('drifts its card markup: datetime becomes data-start (true), or classes are renamed (a map)', async () => {
    const venue = await club(-500, { faults: { markupDrift: true } });
    const m = await clubHttpLogin(venue);
    const drifted = (await clubSessions(m, date)).html;
    expect(drifted).not.toContain(' datetime=');
    expect(
      drifted.match(/<time class="session-time" data-start="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}">/g),
    ).toHaveLength(30);
    venue.setScenario({ faults: { markupDrift: { 'session-court': 'court-label' } } });
    const renamed = (await clubSessions(m, date)).html;
    expect(renamed).not.toContain('class="session-court"');
    expect(renamed.match(/class="court-label"/g)).toHaveLength(30);
    expect(renamed.match(/ datetime="/g)).toHaveLength(30);
  });
});

describe('clubhouse: races through the one booking function', () => {
  it('gives a court-hour to exactly one of two members posting at once, and one of a member and a competitor', async () => {
    const venue = await club(-500, { latency: { oneWayMs: 20, jitterMs: 20 } });
    const [a, b] = await Promise.all([
      clubHttpLogin(venue, venue.members[0]),
      clubHttpLogin(venue, venue.members[1]),
    ]);
    const [pa, pb] = await Promise.all([
      a!.openReserve(date, '19:00', 'Court A'),
      b!.openReserve(date, '19:00', 'Court A'),
    ]);
    const results = await Promise.all([
      a!.reserve(date, '19:00', 'Court A', pa.token),
      b!.reserve(date, '19:00', 'Court A', pb.token),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(pageText(await loser.text())).toContain('Sorry, this session has just been taken.');
    expect(venue.ledger().filter((e) => e.time === '19:00' && e.court === 'Court A')).toHaveLength(1);

    // A competitor booking at the release races a member's armed form sent to arrive at the same instant.
    const racing = await club(1500, {
      competitors: [{ name: 'Rival', date, time: '20:00', court: 'Court B', afterReleaseMs: 30 }],
    });
    const m = await clubHttpLogin(racing);
    const { token } = await m.openReserve(date, '20:00', 'Court B');
    await new Promise((r) => setTimeout(r, racing.releaseInstant(date) + 30 - racing.clock.now()));
    const res = await m.reserve(date, '20:00', 'Court B', token);
    const ledger = racing.ledger().filter((e) => e.time === '20:00' && e.court === 'Court B');
    expect(ledger).toHaveLength(1);
    const winner = ledger[0]!.client;
    expect(res.status).toBe(winner === 'member' ? 303 : 409);
    expect(racing.requests().find((r) => r.client === 'competitor:Rival')?.outcome).toBe(
      winner === 'member' ? 'unavailable' : 'booked',
    );
  });
});

describe('clubhouse: My reservations', () => {
  it('lists a booking in plain table cells and cancels it with the form', async () => {
    const venue = await club(-500, {}, '2026-12-15');
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve('2026-12-15', '19:00', 'Court B');
    const text = await follow(m, await m.reserve('2026-12-15', '19:00', 'Court B', token));
    const reference = /Your reference is (CH-\d{4}-[A-Z])/.exec(text)![1]!;
    const html = await (await m.get('/members/reservations')).text();
    const row = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
    expect([...row.matchAll(/<td>([^<]*)<\/td>/g)].map((x) => x[1])).toEqual([
      'Tue 15 Dec 2026',
      '7pm',
      'Court B',
      reference,
    ]);
    expect(row).not.toMatch(/data-/);
    const cancel = await m.post('/members/reservations/cancel', {
      authenticity_token: tokenOf(row),
      reference,
    });
    expect(cancel.status).toBe(303);
    const after = pageText(await (await m.get(cancel.headers.get('location')!)).text());
    expect(after).toContain(`Reservation ${reference} has been cancelled.`);
    expect(after).toContain('You have no upcoming reservations.');
    expect(venue.ledger()[0]).toMatchObject({ reference, cancelled: true });
    const stale = await m.post('/members/reservations/cancel', { authenticity_token: 'stale', reference });
    expect(stale.status).toBe(403);
  });
});

describe('clubhouse: standalone', () => {
  it('runs with npm run sandbox -- --skin clubhouse and prints its sign-in page', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/sandbox/cli.ts',
        '--port',
        '0',
        '--skin',
        'clubhouse',
        '--release-in-ms',
        '5000',
        '--date',
        date,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m && out.includes('Ctrl-C')) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).toContain('Cherwell Racquet Club (clubhouse skin)');
      expect(out).toContain(`${url}/members/sign-in`);
      const scenario = (await (await fetch(`${url}/__sandbox/scenario`)).json()) as {
        skin: string;
        courts: string[];
      };
      expect(scenario).toMatchObject({ skin: 'clubhouse', courts: ['Court A', 'Court B'] });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
