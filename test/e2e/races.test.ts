import { afterEach, describe, expect, it } from 'vitest';
import { followUpTo } from '../sandbox/index.ts';
import {
  earlyBookings,
  fileExists,
  isBooking,
  memberBookings,
  ONE_PRESS_AT_A_TIME,
  scene,
  type Scene,
} from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('racing other members for the courts', () => {
  it('falls back to Time2 when competitors take Time1 on both courts first', async () => {
    current = await scene({});
    current.venue.setScenario({
      competitors: [
        { name: 'fast-1', date: current.date, time: '19:00', afterReleaseMs: 5 },
        { name: 'fast-2', date: current.date, time: '19:00', afterReleaseMs: 6 },
      ],
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked-fallback');
    expect(result.exitCode).toBe(0);
    expect(result.bookedTime).toBe('20:00');
    expect(result.message).toContain('second choice');
    expect(memberBookings(current.venue)).toMatchObject([{ time: '20:00', reference: result.reference }]);
    expect((await current.status()).bookings[`${current.date} 19:00`]).toMatchObject({
      state: 'booked',
      bookedTime: '20:00',
    });
  }, 45_000);

  it('tries the other court, then Time2, when Time1 is lost between seeing it free and confirming', async () => {
    current = await scene({ profile: ONE_PRESS_AT_A_TIME }); // one answer: the order of the tries is the test
    // Both Time1 courts go the moment our availability answer shows them free: before our booking.
    current.venue.setScenario({
      competitors: [
        { name: 'mid-1', date: current.date, time: '19:00', afterReleaseMs: 5_000, whenSlotsShown: true },
        { name: 'mid-2', date: current.date, time: '19:00', afterReleaseMs: 5_000, whenSlotsShown: true },
      ],
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked-fallback');
    expect(result.bookedTime).toBe('20:00');
    const booking = current.venue
      .requests()
      .filter((r) => isBooking(r.path))
      .map((r) => r.outcome);
    // "taken" by someone else before we asked: no look at My bookings is needed between these tries.
    expect(booking).toEqual(['unavailable', 'unavailable', 'booked']);
    expect(current.venue.requests().filter((r) => r.path === '/page/my-bookings').length).toBe(2); // before arming, and to verify
  }, 45_000);

  it('books Time1 on the other court when only the court it picked is lost before confirming', async () => {
    current = await scene({ profile: ONE_PRESS_AT_A_TIME }); // one answer: the order of the tries is the test
    current.venue.setScenario({
      competitors: [
        {
          name: 'mid-1',
          date: current.date,
          time: '19:00',
          court: 'Padel Court 1',
          afterReleaseMs: 5_000,
          whenSlotsShown: true,
        },
      ],
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    expect(result).toMatchObject({ bookedTime: '19:00', court: 'Padel Court 2' });
    expect(memberBookings(current.venue)).toHaveLength(1);
  }, 45_000);

  it('reports unavailable (exit non-zero) when both times are taken, and books nothing', async () => {
    current = await scene({});
    current.venue.setScenario({
      preBooked: ['19:00', '20:00'].flatMap((time) =>
        ['Padel Court 1', 'Padel Court 2'].map((court) => ({ date: current!.date, time, court })),
      ),
    });
    const result = await current.run();
    expect(result.outcome).toBe('unavailable');
    expect(result.exitCode).not.toBe(0);
    expect(result.message).toMatch(/No court free at 19:00 or 20:00/);
    expect(memberBookings(current.venue)).toHaveLength(0);
    expect(current.venue.requests().filter((r) => isBooking(r.path))).toHaveLength(0);
    expect((await current.status()).bookings[`${current.date} 19:00`]?.state).toBe('unavailable');
    expect(result.screenshots.length).toBeGreaterThan(0);
  }, 45_000);

  it('books the other court when the preferred court is taken', async () => {
    current = await scene({ rows: ['{date},19:00,20:00,Book,Padel Court 1,'] });
    current.venue.setScenario({ preBooked: [{ date: current.date, time: '19:00', court: 'Padel Court 1' }] });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    expect(result.court).toBe('Padel Court 2');
    expect(memberBookings(current.venue)).toMatchObject([{ time: '19:00', court: 'Padel Court 2' }]);
  }, 45_000);

  it('books the preferred court when it is free', async () => {
    current = await scene({ rows: ['{date},19:00,,Book,Padel Court 2,'] });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    expect(memberBookings(current.venue)).toMatchObject([{ time: '19:00', court: 'Padel Court 2' }]);
  }, 45_000);

  it('does not book again when the member already holds a court that day', async () => {
    current = await scene({});
    current.venue.setScenario({
      preBooked: [
        { date: current.date, time: '10:00', court: 'Padel Court 2', member: current.env.username! },
      ],
    });
    const result = await current.run();
    expect(result.outcome).toBe('already-booked');
    expect(result.exitCode).toBe(0);
    expect(memberBookings(current.venue)).toHaveLength(0);
    expect(current.venue.requests().filter((r) => isBooking(r.path))).toHaveLength(0);
    // The court held is at another time: recorded as held elsewhere, not as this row's booking.
    expect((await current.status()).bookings[`${current.date} 19:00`]).toMatchObject({
      state: 'held-elsewhere',
      bookedTime: '10:00',
      court: 'Padel Court 2',
    });
    expect(result.message).toMatch(/already hold Padel Court 2 at 10:00 .*not at 19:00 or 20:00/);
  }, 45_000);

  it('records the row booked when the court held that day is at one of its times', async () => {
    current = await scene({});
    current.venue.setScenario({
      preBooked: [
        { date: current.date, time: '20:00', court: 'Padel Court 1', member: current.env.username! },
      ],
    });
    const result = await current.run();
    expect(result.outcome).toBe('already-booked');
    expect((await current.status()).bookings[`${current.date} 19:00`]).toMatchObject({
      state: 'booked',
      bookedTime: '20:00',
    });
  }, 45_000);

  it('two runners without a shared lock book once: the one that had to retry looks at My bookings first', async () => {
    // Two clones of the repository (their own status files, so no lock between them) for the same row.
    // The first availability request after midnight is refused with 429; whichever runner got it must
    // not go on to book the other court once its twin has booked Court 1.
    current = await scene({
      scenario: {
        faults: { rateLimit: { fromMs: 0, count: 1, retryAfterSeconds: 1, scope: 'availability' } },
      },
    });
    const twin = {
      bookings: current.paths.bookings,
      config: current.paths.config,
      status: `${current.dir}/twin/status.json`,
      storageState: `${current.dir}/twin/session.json`,
    };
    const [a, b] = await Promise.all([current.run(), current.run({ paths: twin })]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already-booked', 'booked']);
    expect(memberBookings(current.venue)).toHaveLength(1);
    expect(current.venue.requests().filter((r) => r.outcome === 'rate-limited')).toHaveLength(1);
  }, 50_000);

  it.each([
    { skin: 'estelle', court: 'Padel Court 1' },
    { skin: 'clubhouse', court: 'Court A' },
  ] as const)(
    'a run that starts after the release looks at My bookings again before its first booking ($skin)',
    async ({ skin, court }) => {
      // Started a second after midnight (GitHub's scheduler was late): between this run's look at My
      // bookings and its first shot, another run of the member's books the first court. The day view then
      // shows it full and the other court free, so only a second look keeps this run from booking that too.
      current = await scene({ skin, leadMs: -1_000 });
      const venue = current.venue;
      const member = current.env.username!;
      const date = current.date;
      const result = await current.run({
        onStep: (name) => {
          if (name === 'armed') venue.setScenario({ preBooked: [{ date, time: '19:00', court, member }] });
        },
      });
      expect(result.outcome).toBe('already-booked');
      expect(memberBookings(venue)).toHaveLength(0);
      expect(venue.requests().filter((r) => isBooking(r.path))).toHaveLength(0);
      expect((await current.status()).bookings[`${date} 19:00`]).toMatchObject({ state: 'booked', court });
    },
    45_000,
  );

  it('makes one booking when two runs start at once on one machine', async () => {
    current = await scene({});
    const [a, b] = await Promise.all([current.run(), current.run()]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already-booked', 'booked']);
    expect(a.exitCode + b.exitCode).toBe(0);
    expect(current.venue.ledger().filter((e) => e.client === 'member')).toHaveLength(1);
    const entry = (await current.status()).bookings[`${current.date} 19:00`]!;
    expect(entry.state).toBe('booked');
    expect(entry.attempts).toHaveLength(1);
  }, 50_000);

  it('logs in again when the venue revokes sessions shortly before midnight, and still books', async () => {
    // Sessions existing at 23:59:56 (server) are dropped; the engine re-checks 3 s before release.
    current = await scene({ scenario: { faults: { revokeSessionsAt: '23:59:56' } } });
    const steps: string[] = [];
    const result = await current.run({ onStep: (s) => void steps.push(s) });
    expect(steps).toContain('session-renewed');
    expect(result.outcome).toBe('booked');
    expect(memberBookings(current.venue)).toHaveLength(1);
    expect(current.venue.requests().filter((r) => r.outcome === 'logged-in')).toHaveLength(2);
  }, 45_000);

  it('logs in again when the venue ends the session while arming, before the release, and still books', async () => {
    // Revoked right after the login: the look at My bookings lands on the sign-in page. The run logs in
    // once more and does the phase over (the release is still to come), rather than failing the night.
    current = await scene({});
    const venue = current.venue;
    let revoked = false;
    const steps: string[] = [];
    const result = await current.run({
      onStep: (name) => {
        steps.push(name);
        if (name === 'logged-in' && !revoked) revoked = venue.revokeSessions() > 0;
      },
    });
    expect(revoked).toBe(true);
    expect(steps).toContain('session-lost');
    expect(result.outcome).toBe('booked');
    expect(memberBookings(venue)).toHaveLength(1);
    const logins = venue.requests().filter((r) => r.outcome === 'logged-in');
    expect(logins).toHaveLength(2);
    expect(logins[1]!.serverTimeMs).toBeLessThan(current.releaseServerMs);
  }, 45_000);

  it('retries through 503s at midnight within the rate limit and books', async () => {
    current = await scene({
      scenario: {
        faults: { serverErrors: { fromMs: -1000, toMs: 1200, status: 503, scope: 'availability' } },
      },
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    const tries = current.venue.requests().filter((r) => r.path.includes('/slots'));
    expect(tries.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(2);
    // never more than 4 a second (config.retry.maxPerSecond)
    for (let i = 4; i < tries.length; i++) {
      expect(tries[i]!.realTimeMs - tries[i - 4]!.realTimeMs).toBeGreaterThanOrEqual(900);
    }
    expect(earlyBookings(current.venue)).toHaveLength(0);
  }, 45_000);

  it('honours 429 Retry-After at midnight and books', async () => {
    current = await scene({
      scenario: {
        faults: {
          rateLimit: { fromMs: -500, toMs: 5000, retryAfterSeconds: 2, count: 1, scope: 'availability' },
        },
      },
    });
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    const tries = current.venue.requests().filter((r) => r.path.includes('/slots'));
    const limited = tries.find((r) => r.status === 429)!;
    expect(limited).toBeDefined();
    // Sent after the 429 reached the run (a press of the volley already on its way is not a follow-up).
    const next = followUpTo(tries, limited)!;
    expect(next.receivedRealMs! - limited.answeredRealMs!).toBeGreaterThanOrEqual(1900);
  }, 45_000);

  it('a dry run goes up to the slots and books nothing', async () => {
    current = await scene({});
    const result = await current.run({ dryRun: true });
    expect(result.outcome).toBe('dry-run');
    expect(result.exitCode).toBe(0);
    expect(result.message).toMatch(/would book Padel Court \d at 19:00/);
    expect(current.venue.ledger()).toHaveLength(0);
    expect(current.venue.requests().filter((r) => isBooking(r.path))).toHaveLength(0);
    expect((await current.status()).bookings[`${current.date} 19:00`]?.state).toBe('dry-run');
    for (const shot of result.screenshots) expect(await fileExists(shot)).toBe(true);
  }, 45_000);

  it('a dry run with --no-wait before the release reports what it would do', async () => {
    current = await scene({ leadMs: 3 * 60_000 });
    const result = await current.run({ dryRun: true, noWait: true, date: current.date });
    expect(result.outcome).toBe('dry-run');
    expect(result.message).toMatch(/not open yet.*would book 19:00, else 20:00/);
    expect(current.venue.ledger()).toHaveLength(0);
  }, 45_000);
});
