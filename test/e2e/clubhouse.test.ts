import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  availabilityRequests,
  bookingRequests,
  earlyBookings,
  memberBookings,
  myBookingsRequests,
  scene,
  SKINS,
  type Scene,
} from './harness.ts';

/**
 * The engine on the sandbox's multi-page skin, driven by a profile written by hand from its pages
 * (test/sandbox/profiles/clubhouse.yml) with no code of its own: its confirm page is addressable, so
 * the bot arms it before midnight and the first request after the release is the booking itself.
 */
let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

const club = (options: Parameters<typeof scene>[0] = {}) => scene({ skin: 'clubhouse', ...options });

describe('another club, another page shape: the clubhouse skin', () => {
  it('tries the other court, then Time2, when competitors take Time1 on both courts just before it arrives', async () => {
    current = await club();
    current.venue.setScenario({
      competitors: [
        { name: 'fast-1', date: current.date, time: '19:00', afterReleaseMs: 0 },
        { name: 'fast-2', date: current.date, time: '19:00', afterReleaseMs: 0 },
      ],
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked-fallback');
    expect(result.bookedTime).toBe('20:00');
    expect(bookingRequests(current.venue).map((r) => r.outcome)).toEqual([
      'unavailable',
      'unavailable',
      'booked',
    ]);
    expect(memberBookings(current.venue)).toMatchObject([{ time: '20:00' }]);
    expect(earlyBookings(current.venue)).toHaveLength(0);
  }, 50_000);

  it('books the preferred court written the way members write it ("b" for Court B)', async () => {
    current = await club({ rows: ['{date},19:00,,Book,b,'] });
    const result = await current.run();
    expect(result).toMatchObject({ outcome: 'booked', court: 'Court B' });
    expect(memberBookings(current.venue)).toMatchObject([{ time: '19:00', court: 'Court B' }]);
  }, 50_000);

  it('reads the plain-table My reservations: a court already held that day is not booked again', async () => {
    current = await club();
    current.venue.setScenario({
      preBooked: [{ date: current.date, time: '10:00', court: 'Court B', member: current.env.username! }],
    });
    const result = await current.run();
    expect(result.outcome).toBe('already-booked');
    expect(bookingRequests(current.venue)).toHaveLength(0);
    expect((await current.status()).bookings[`${current.date} 19:00`]).toMatchObject({
      state: 'held-elsewhere',
      bookedTime: '10:00',
      court: 'Court B',
    });
  }, 50_000);

  it('refuses to book blind when My reservations shows a date the profile cannot read', async () => {
    current = await club();
    current.venue.setScenario({
      preBooked: [{ date: current.date, time: '10:00', court: 'Court B', member: current.env.username! }],
    });
    const broken = parse(await readFile(SKINS.clubhouse.profile, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    broken.myBookings.date = { read: 'td:nth-child(1)', format: 'dd/MM/yyyy' }; // the site shows "Tue 15 Dec 2026"
    const profile = join(current.dir, 'blind.yml');
    await writeFile(profile, stringify(broken));
    const result = await current.run({ config: { ...(await configOf(current)), venue: { profile } } });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/My bookings could not be read[\s\S]*myBookings\.date/);
    expect(bookingRequests(current.venue)).toHaveLength(0);
  }, 50_000);

  it('honours Retry-After when the booking itself is answered 429, looks at My reservations, then books', async () => {
    current = await club({
      scenario: { faults: { rateLimit: { fromMs: 0, count: 1, retryAfterSeconds: 2, scope: 'booking' } } },
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    const posts = bookingRequests(current.venue);
    expect(posts.map((r) => r.outcome)).toEqual(['rate-limited', 'booked']);
    expect(posts[1]!.realTimeMs - posts[0]!.realTimeMs).toBeGreaterThanOrEqual(1900);
    // The retry was preceded by a look at My reservations (the first look is before arming).
    const looks = myBookingsRequests(current.venue).map((r) => r.realTimeMs);
    expect(looks.some((t) => t > posts[0]!.realTimeMs && t < posts[1]!.realTimeMs)).toBe(true);
  }, 50_000);

  it('logs in again when the venue revokes sessions before midnight, re-arms the confirm page, and books', async () => {
    current = await club({ scenario: { faults: { revokeSessionsAt: '23:59:56' } } });
    const steps: string[] = [];
    const result = await current.run({ onStep: (s) => void steps.push(s) });
    expect(steps).toContain('session-renewed');
    expect(result.outcome).toBe('booked');
    expect(memberBookings(current.venue)).toHaveLength(1);
  }, 50_000);

  it('books past a CSRF token that rotates after the confirm page is shown', async () => {
    current = await club({ scenario: { faults: { rotateCsrf: true } } });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    expect(bookingRequests(current.venue).map((r) => r.outcome)).toEqual(['csrf', 'booked']);
  }, 50_000);

  it('a dry run opens the confirm page and books nothing', async () => {
    current = await club();
    const result = await current.run({ dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.message).toMatch(/would book Court A at 19:00/);
    expect(bookingRequests(current.venue)).toHaveLength(0);
    expect(current.venue.ledger()).toHaveLength(0);
  }, 50_000);

  it('without the address shortcut, books page by page: the sessions page, the Reserve link, the POST', async () => {
    current = await club();
    const plain = parse(await readFile(SKINS.clubhouse.profile, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete plain.confirm.address;
    const profile = join(current.dir, 'page-by-page.yml');
    await writeFile(profile, stringify(plain));
    const steps: { name: string; data?: Record<string, unknown> }[] = [];
    const result = await current.run({
      config: { ...(await configOf(current)), venue: { profile } },
      onStep: (name, data) => void steps.push({ name, ...(data ? { data } : {}) }),
    });
    expect(result.outcome).toBe('booked');
    expect(steps.find((s) => s.name === 'armed')?.data).toMatchObject({ strategy: 'page-by-page' });
    const firstLook = availabilityRequests(current.venue).find((r) => r.outcome === 'slots')!;
    const [post] = bookingRequests(current.venue);
    expect(post!.serverTimeMs).toBeGreaterThan(firstLook.serverTimeMs); // no booking before the slots were seen
    expect(post!.serverTimeMs - current.releaseServerMs).toBeGreaterThanOrEqual(0);
    expect(memberBookings(current.venue)).toMatchObject([{ time: '19:00' }]);
  }, 50_000);

  it('a broken key is named with its selector and the page', async () => {
    current = await club({ scenario: { faults: { markupDrift: true } } });
    const plain = parse(await readFile(SKINS.clubhouse.profile, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete plain.confirm.address; // drift is in the sessions page, which the address shortcut never reads
    const profile = join(current.dir, 'drift.yml');
    await writeFile(profile, stringify(plain));
    const result = await current.run({ config: { ...(await configOf(current)), venue: { profile } } });
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(
      /slots\.time\.read \("time @datetime"\) found nothing on http:\/\/127\.0\.0\.1:\d+\/members\/book\/padel\/sessions/,
    );
    expect(bookingRequests(current.venue)).toHaveLength(0);
  }, 50_000);
});

/** The scene's configuration (as the harness wrote it). */
async function configOf(s: Scene) {
  const { ConfigSchema } = await import('../../src/bookings/config.ts');
  return ConfigSchema.parse({
    retry: { windowSeconds: 20, maxPerSecond: 4 },
    venue: { profile: SKINS[s.skin].profile },
  });
}
