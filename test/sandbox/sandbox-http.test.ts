/**
 * The sandbox venue over plain HTTP: its clock and Date header, races for the last place, faults as
 * status codes, latency, ground truth, scenario files and the standalone command.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { httpDayView, httpLogin, httpSlots } from './helpers.ts';
import {
  courtDateForTests,
  loadScenarioFile,
  msFromNearestRelease,
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

/** A sandbox whose release for `date` is `inMs` away on its clock (negative: already released). */
async function venueAt(inMs: number, patch: ScenarioPatch = {}): Promise<Sandbox> {
  const venue = await startSandbox({ clockOffsetMs: offsetForRelease(date, inMs), ...patch });
  running.push(venue);
  return venue;
}

describe('calendar and clock', () => {
  it('computes release instants 14 days ahead at midnight London, in winter and summer', () => {
    expect(DateTime.fromMillis(releaseInstantMs('2026-02-15')).toUTC().toISO()).toBe(
      '2026-02-01T00:00:00.000Z',
    );
    // BST: midnight London is 23:00 UTC the day before.
    expect(DateTime.fromMillis(releaseInstantMs('2026-07-15')).toUTC().toISO()).toBe(
      '2026-06-30T23:00:00.000Z',
    );
    const release = releaseInstantMs('2026-07-15');
    expect(msFromNearestRelease(release + 250)).toBe(250);
    expect(msFromNearestRelease(release - 4300)).toBe(-4300);
  });

  it('sends its first N answers late (slowFirstAnswers), stamped with the instant its clock read them', async () => {
    const venue = await venueAt(60_000, { faults: { slowFirstAnswers: { count: 1, delayMs: 1_500 } } });
    const timed = async () => {
      const sent = Date.now();
      const res = await fetch(`${venue.url}/page/login`, { method: 'HEAD' });
      return { ms: Date.now() - sent, date: Date.parse(res.headers.get('date')!) };
    };
    const first = await timed();
    const second = await timed();
    expect(first.ms).toBeGreaterThanOrEqual(1_500);
    expect(second.ms).toBeLessThan(1_000);
    // The first answer's Date is the venue's time when it read the request, 1.5 s before it left.
    expect(venue.clock.now() - second.ms - first.date).toBeGreaterThanOrEqual(1_500);
  });

  it('runs its own clock, and the Date header follows it (offsets +2.7 s, -4.3 s, a day)', async () => {
    for (const offset of [2700, -4300, -86_400_000]) {
      const venue = await startSandbox({ clockOffsetMs: offset });
      running.push(venue);
      expect(Math.abs(venue.clock.now() - (Date.now() + offset))).toBeLessThan(50);
      const res = await fetch(`${venue.url}/page/login`, { method: 'HEAD' });
      const header = Date.parse(res.headers.get('date')!);
      // The header has one-second resolution.
      expect(Math.abs(header - (Date.now() + offset))).toBeLessThan(1500);
    }
  });

  // How fast a sandbox starts is not asserted here (a timed unit test fails on a busy machine, not on a
  // slow sandbox); the e2e tests start one per test.
  it('runs many instances in parallel, each on its own port', async () => {
    const venues = await Promise.all(Array.from({ length: 8 }, () => startSandbox()));
    running.push(...venues);
    expect(new Set(venues.map((v) => v.url)).size).toBe(8);
    const statuses = await Promise.all(venues.map((v) => fetch(`${v.url}/page/login`).then((r) => r.status)));
    expect(statuses).toEqual(Array(8).fill(200));
  });

  it('offsetForRelease puts the server clock the requested time before the release', async () => {
    const venue = await venueAt(3000);
    const left = venue.releaseInstant(date) - venue.clock.now();
    expect(left).toBeGreaterThan(2900);
    expect(left).toBeLessThanOrEqual(3000);
  });
});

describe('booking over HTTP', () => {
  it('gives the last place to exactly one of two simultaneous requests', async () => {
    const venue = await venueAt(-500, { latency: { oneWayMs: 20, jitterMs: 20 } });
    const [a, b] = await Promise.all([
      httpLogin(venue, venue.members[0]),
      httpLogin(venue, venue.members[1]),
    ]);
    const [dayA, dayB] = await Promise.all([httpDayView(venue, a!, date), httpDayView(venue, b!, date)]);
    const slotId = (await httpSlots(a!, dayA.id, date))['19:00 Padel Court 1']!;
    expect(slotId).toMatch(/^sl_/);
    const results = await Promise.all([
      a!.post(`/spa/${dayA.id}/book`, { slotId, csrf: dayA.csrf }),
      b!.post(`/spa/${dayB.id}/book`, { slotId, csrf: dayB.csrf }),
    ]);
    const bodies = (await Promise.all(results.map((r) => r.json()))) as { ok: boolean; code?: string }[];
    expect(bodies.filter((x) => x.ok)).toHaveLength(1);
    expect(bodies.find((x) => !x.ok)?.code).toBe('unavailable');
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(venue.ledger().filter((e) => e.slotId === slotId)).toHaveLength(1);
  });

  it('does not double-book the same member twice', async () => {
    const venue = await venueAt(-500);
    const m = await httpLogin(venue);
    const day = await httpDayView(venue, m, date);
    const slotId = (await httpSlots(m, day.id, date))['08:00 Padel Court 2']!;
    const [one, two] = await Promise.all([
      m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf }).then((r) => r.json()),
      m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf }).then((r) => r.json()),
    ]);
    expect(one.ok && two.ok).toBe(true);
    expect(one.reference).toBe(two.reference);
    expect(venue.ledger()).toHaveLength(1);

    // An id nobody was given is simply unavailable.
    const unknown = await m.post(`/spa/${day.id}/book`, { slotId: 'sl_000000000000', csrf: day.csrf });
    expect((await unknown.json()).code).toBe('unavailable');
  });

  it('refuses a slot id before its release as not-open', async () => {
    const venue = await venueAt(-500);
    const m = await httpLogin(venue);
    const day = await httpDayView(venue, m, date);
    const slotId = (await httpSlots(m, day.id, date))['21:00 Padel Court 1']!;
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, 2000) });
    const res = await m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ ok: false, code: 'not-open' });
    expect(venue.requests().at(-1)).toMatchObject({ outcome: 'not-open', slotId });
  });

  it('applies latency before processing and before responding; slow first paint delays pages only', async () => {
    const venue = await venueAt(-500);
    const m = await httpLogin(venue);
    const day = await httpDayView(venue, m, date);
    const slotId = (await httpSlots(m, day.id, date))['10:00 Padel Court 1']!;
    venue.setScenario({ latency: { oneWayMs: 120, jitterMs: 0 }, slowFirstPaintMs: 300 });
    const sentServerMs = venue.clock.now();
    const t0 = Date.now();
    const res = await m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf });
    const took = Date.now() - t0;
    expect(res.status).toBe(200);
    const accepted = venue.ledger()[0]!.acceptedAtServerMs;
    expect(accepted - sentServerMs).toBeGreaterThanOrEqual(110); // arrival + one way
    expect(took).toBeGreaterThanOrEqual(230); // there and back
    const p0 = Date.now();
    await m.get('/page/my-bookings');
    expect(Date.now() - p0).toBeGreaterThanOrEqual(530); // 2 × 120 + 300
  });

  it('answers 429 with Retry-After: the first N requests in a window, or above a per-client rate', async () => {
    const venue = await venueAt(-500, {
      faults: {
        rateLimit: { retryAfterSeconds: 3, count: 2, fromMs: -10_000, toMs: 10_000, scope: 'availability' },
      },
    });
    const m = await httpLogin(venue);
    const day = await httpDayView(venue, m, date);
    const path = `/spa/${day.id}/slots?date=${date.slice(8)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await m.get(path);
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('3');
    }
    expect(statuses).toEqual([429, 429, 200]);
    expect(venue.requests().filter((r) => r.outcome === 'rate-limited')).toHaveLength(2);

    venue.setScenario({ faults: { rateLimit: { maxPerSecond: 2, count: null, fromMs: null, toMs: null } } });
    const burst = await Promise.all(Array.from({ length: 5 }, () => m.get(path).then((r) => r.status)));
    expect(burst.filter((s) => s === 429).length).toBe(3); // all but two in the same second
    venue.setScenario({ faults: { rateLimit: null } }); // off again
    expect((await m.get(path)).status).toBe(200);
  });

  it('answers 500/503 only inside the window around the release', async () => {
    const venue = await venueAt(-200, {
      faults: { serverErrors: { status: 503, fromMs: -1000, toMs: 1000, scope: 'booking' } },
    });
    const m = await httpLogin(venue);
    const day = await httpDayView(venue, m, date);
    const slotId = (await httpSlots(m, day.id, date))['11:00 Padel Court 1']!;
    const inside = await m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf });
    expect(inside.status).toBe(503);
    expect(venue.requests().at(-1)?.outcome).toBe('server-error');
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -1500) });
    const after = await m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf });
    expect(after.status).toBe(200);
  });

  it('serves a maintenance page (503, #maintenance) always or in a window', async () => {
    const venue = await venueAt(-5000, { faults: { maintenance: { fromMs: -3000, toMs: 3000 } } });
    const before = await fetch(`${venue.url}/page/login`);
    expect(before.status).toBe(200);
    venue.setScenario({ clockOffsetMs: offsetForRelease(date, -1000) });
    const during = await fetch(`${venue.url}/page/login`);
    expect(during.status).toBe(503);
    expect(await during.text()).toContain('id="maintenance"');
  });

  it('keeps a ground-truth log of requests and the ledger, also as JSON endpoints', async () => {
    const venue = await venueAt(-500, {
      competitors: [{ name: 'Eager Ed', date, time: '19:00', court: 'Padel Court 2', afterReleaseMs: 250 }],
    });
    const m = await httpLogin(venue);
    const day = await httpDayView(venue, m, date);
    const slotId = (await httpSlots(m, day.id, date))['19:00 Padel Court 1']!;
    await m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf });
    const ledger = venue.ledger();
    const mine = ledger.find((e) => e.client === 'member')!;
    expect(mine).toMatchObject({
      member: 'member@example.com',
      date,
      time: '19:00',
      court: 'Padel Court 1',
      slotId,
    });
    expect(mine.reference).toMatch(/^EM-[A-Z2-9]{6}$/);
    expect(DateTime.fromISO(mine.acceptedAtServerIso).toMillis()).toBe(mine.acceptedAtServerMs);
    const ed = ledger.find((e) => e.client === 'competitor:Eager Ed')!;
    // The competitor started late (the release was already 500 ms past), so it booked at once.
    expect(ed).toMatchObject({ member: 'Eager Ed', court: 'Padel Court 2', time: '19:00' });

    const requests = venue.requests();
    expect(requests.map((r) => r.outcome)).toEqual(
      expect.arrayContaining(['logged-in', 'page', 'slots', 'booked']),
    );
    const booked = requests.find((r) => r.outcome === 'booked' && r.method === 'POST')!;
    expect(booked).toMatchObject({
      client: 'member@example.com',
      path: `/spa/${day.id}/book`,
      status: 200,
      slotId,
    });
    expect(booked.serverTimeMs - booked.realTimeMs).toBe(venue.scenario.clockOffsetMs);

    const json = await (await fetch(`${venue.url}/__sandbox/ledger`)).json();
    expect(json).toEqual(ledger);
    const log = (await (await fetch(`${venue.url}/__sandbox/requests`)).json()) as unknown[];
    expect(log.length).toBe(requests.length); // control endpoints are not logged

    // The standalone mode's controls: change the scenario and revoke sessions over HTTP.
    const changed = await fetch(`${venue.url}/__sandbox/scenario`, {
      method: 'POST',
      body: JSON.stringify({ faults: { maintenance: true } }),
    });
    expect(((await changed.json()) as { faults: { maintenance: boolean } }).faults.maintenance).toBe(true);
    expect((await fetch(`${venue.url}/page/login`)).status).toBe(503);
    const bad = await fetch(`${venue.url}/__sandbox/scenario`, { method: 'POST', body: '{"capacity":0}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('capacity');
    venue.setScenario({ faults: { maintenance: false } });
    const revoked = await fetch(`${venue.url}/__sandbox/revoke-sessions?email=member@example.com`, {
      method: 'POST',
    });
    expect(await revoked.json()).toEqual({ revoked: 1 });
    expect((await m.get('/page/my-bookings')).headers.get('location')).toBe('/page/login');
  });
});

describe('scenarios', () => {
  it('loads a scenario from YAML, merges it over the defaults and rejects nonsense with the field named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sandbox-scenario-'));
    try {
      const good = join(dir, 'midnight.yml');
      await writeFile(
        good,
        [
          'clockOffsetMs: 2700',
          'latency: { oneWayMs: 40 }',
          'competitors:',
          `  - { name: Rival, date: "${date}", time: "19:00", afterReleaseMs: 250 }`,
          'faults:',
          '  rateLimit: { retryAfterSeconds: 2, count: 1, scope: booking }',
        ].join('\n'),
      );
      const patch = await loadScenarioFile(good);
      const venue = await startSandbox(patch);
      running.push(venue);
      expect(venue.scenario.latency).toEqual({ oneWayMs: 40, jitterMs: 0 });
      expect(venue.scenario.courts).toEqual(['Padel Court 1', 'Padel Court 2']);
      expect(venue.scenario.competitors[0]?.name).toBe('Rival');

      const bad = join(dir, 'bad.yml');
      await writeFile(bad, 'openingHours: { open: "7am" }\n');
      await expect(loadScenarioFile(bad)).rejects.toThrow(/bad\.yml.*\n.*openingHours\.open: expected HH:mm/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs standalone: npm run sandbox prints its URL and demo credentials', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/sandbox/cli.ts', '--port', '0', '--release-in-ms', '5000', '--date', date],
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
      expect(out).toContain('member@example.com / correct-horse-battery');
      const clock = (await (await fetch(`${url}/__sandbox/clock`)).json()) as { serverTimeMs: number };
      const left = releaseInstantMs(date) - clock.serverTimeMs;
      expect(left).toBeGreaterThan(2000);
      expect(left).toBeLessThanOrEqual(5000);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
