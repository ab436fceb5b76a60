import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/bookings/config.ts';
import { shiftedClock, type Clock } from '../../src/calendar/clock.ts';
import { bookCancellation, runWatch, type WatchOptions } from '../../src/watch.ts';
import {
  bookingRequests,
  FAST_RUN,
  memberBookings,
  scene,
  SKIN_NAMES,
  SKINS,
  type Scene,
} from './harness.ts';

/**
 * The watch for cancellations end to end: real Chromium against the sandbox venue (both skins), the real
 * status file. A night lost to competitors, a court cancelled the next morning, the look that finds it
 * and the booking that takes it; the cut-off; and the release window it keeps out of.
 */

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

/** A clock reading `iso` (London wall time) now, and running on. */
const at = (iso: string): Clock =>
  shiftedClock(DateTime.fromISO(iso, { zone: 'Europe/London' }).toMillis() - Date.now());

function watch(s: Scene, clock: Clock, extra: Partial<WatchOptions> = {}) {
  return runWatch({
    clock,
    env: s.env,
    config: ConfigSchema.parse({
      retry: { windowSeconds: 20, maxPerSecond: 4 },
      venue: { profile: SKINS[s.skin].profile },
    }),
    paths: s.paths,
    outDir: join(s.dir, `watch-${clock.now()}`),
    log: () => undefined,
    stepTimeoutMs: 15_000,
    ...extra,
  });
}

/** Every court at 19:00 and 20:00: taken by rivals just after the release, or held before it. */
const rivalsAtRelease = (s: Scene) =>
  ['19:00', '20:00'].flatMap((time, t) =>
    s.courts.map((court, c) => ({
      name: `rival-${t}-${c}`,
      date: s.date,
      time,
      court,
      afterReleaseMs: 5 + t * 2 + c,
    })),
  );
const heldBefore = (s: Scene) =>
  ['19:00', '20:00'].flatMap((time) => s.courts.map((court) => ({ date: s.date, time, court })));

describe.each(SKIN_NAMES)('the watch for cancellations (%s skin)', (skin) => {
  it('books a court a competitor cancels: the night is lost, the next look books it, nothing is booked twice', async () => {
    const s = (current = await scene({ skin }));
    s.venue.setScenario({ competitors: rivalsAtRelease(s) });
    const night = await s.run();
    expect(night.outcome).toBe('unavailable');
    const ours = () => bookingRequests(s.venue).filter((r) => r.client === s.env.username);
    const triedAtNight = ours().length; // refused ones: the courts were taken
    const key = `${s.date} 19:00`;

    // The next morning, 10:00: the first look finds both times full, and counts the look.
    const morning = DateTime.fromMillis(s.releaseServerMs, { zone: 'Europe/London' }).plus({ hours: 10 });
    const first = await watch(s, at(morning.toISO()!));
    expect(first.kind).toBe('looked');
    expect(first.looked.map((l) => [l.row.key, l.seen])).toEqual([[key, '19:00 full, 20:00 full']]);
    let entry = (await s.status()).bookings[key]!;
    expect(entry.state).toBe('unavailable');
    expect(entry.watch).toMatchObject({ looks: 1, lastSeen: '19:00 full, 20:00 full' });
    expect(entry.attempts).toHaveLength(1); // the night's, and no line for the look

    // A rival cancels their 19:00 on the second court; 31 minutes later the next look finds it.
    s.venue.setScenario({
      cancellations: [{ date: s.date, time: '19:00', court: s.courts[1], afterReleaseMs: 0 }],
    });
    await expect.poll(() => s.venue.ledger().some((e) => e.cancelled)).toBe(true);
    const later = at(morning.plus({ minutes: 31 }).toISO()!);
    const second = await watch(s, later);
    expect(second.kind).toBe('found');
    expect(second.foundDate).toBe(s.date);
    expect(second.looked[0]!.free).toEqual({ time: '19:00', court: s.courts[1] });

    const booked = await bookCancellation({
      date: s.date,
      clock: later,
      env: s.env,
      config: ConfigSchema.parse({
        retry: { windowSeconds: 20, maxPerSecond: 4 },
        venue: { profile: SKINS[s.skin].profile },
      }),
      paths: s.paths,
      outDir: join(s.dir, 'watch-booking'),
      log: () => undefined,
      ...FAST_RUN,
    });
    expect(booked.outcome).toBe('booked');
    expect(booked).toMatchObject({ bookedTime: '19:00', court: s.courts[1] });

    // The venue's ledger: one court of ours, the one cancelled. The watch's booking sent one request
    // that booked (on the clubhouse skin the confirm page armed first may be the other court's, refused).
    expect(memberBookings(s.venue)).toMatchObject([
      { date: s.date, time: '19:00', court: s.courts[1], reference: booked.reference },
    ]);
    const sent = ours()
      .slice(triedAtNight)
      .map((r) => r.outcome);
    expect(sent.filter((o) => o === 'booked')).toHaveLength(1);
    expect(sent.every((o) => o === 'booked' || o === 'unavailable')).toBe(true);
    entry = (await s.status()).bookings[key]!;
    expect(entry).toMatchObject({ state: 'booked', court: s.courts[1], reference: booked.reference });
    expect(entry.watch?.looks).toBe(2);
    expect(entry.attempts.map((a) => [a.outcome, a.trigger])).toEqual([
      ['unavailable', undefined],
      ['booked', 'watch'],
    ]);

    // Booked: the watch has nothing left to do, and does not open a browser to find that out.
    const requests = s.venue.requests().length;
    const third = await watch(s, at(morning.plus({ minutes: 70 }).toISO()!));
    expect(third.kind).toBe('idle');
    expect(third.message).toMatch(/^Nothing to look at: nothing to watch/);
    expect(s.venue.requests()).toHaveLength(requests);
    // Asked again to book that date (a second job, queued): it checks first and books nothing.
    const again = await bookCancellation({
      date: s.date,
      clock: at(morning.plus({ minutes: 71 }).toISO()!),
      env: s.env,
      paths: s.paths,
      config: ConfigSchema.parse({ venue: { profile: SKINS[s.skin].profile } }),
      log: () => undefined,
    });
    expect(again.outcome).toBe('nothing-due');
    expect(again.message).toContain('the watch no longer wants it');
    expect(s.venue.requests()).toHaveLength(requests);
    expect(memberBookings(s.venue)).toHaveLength(1);
  }, 90_000);

  it('stops at its cut-off: looks counted, no attempt line per look, the cut-off recorded once without a browser', async () => {
    const s = (current = await scene({ skin, leadMs: -60_000, rows: ['{date},19:00,20:00,Watch,,'] }));
    s.venue.setScenario({ preBooked: heldBefore(s) });
    const key = `${s.date} 19:00`;
    const day = (time: string) => at(`${s.date}T${time}`);

    const first = await watch(s, day('10:00'));
    expect(first.looked.map((l) => l.seen)).toEqual(['19:00 full, 20:00 full']);
    // 17:30: 19:00 is past its cut-off (two hours before), 20:00 is still watched.
    const second = await watch(s, day('17:30'));
    expect(second.looked.map((l) => l.seen)).toEqual(['20:00 full']);
    let entry = (await s.status()).bookings[key]!;
    expect(entry).toMatchObject({ state: 'pending', attempts: [], watch: { looks: 2 } });

    const requests = s.venue.requests().length;
    const stop = await watch(s, day('18:05'));
    expect(stop.kind).toBe('idle');
    expect(stop.cutOff.map((c) => [c.row.key, c.looks])).toEqual([[key, 2]]);
    expect(stop.message).toMatch(
      /stopped at its cut-off \(\w{3} \d+ \w{3} 18:00, 120 min before the court\)/,
    );
    entry = (await s.status()).bookings[key]!;
    expect(entry.watch).toMatchObject({ looks: 2, cutOffAt: expect.any(String) });
    expect(entry.attempts).toEqual([]);
    expect(s.venue.requests()).toHaveLength(requests);

    // Told once: a later run records nothing more.
    const after = await watch(s, day('18:40'));
    expect(after.cutOff).toEqual([]);
    expect((await s.status()).bookings[key]).toEqual(entry);
    expect(s.venue.requests()).toHaveLength(requests);
  }, 90_000);
});

describe('the watch and the release windows', () => {
  it('does nothing inside a release window, says until when, and opens no browser', async () => {
    const s = (current = await scene({
      leadMs: -60_000,
      rows: ['{date},19:00,20:00,Watch,,', '{next},19:00,,Book,,'],
    }));
    const next = DateTime.fromISO(s.date).plus({ days: 1 }).toISODate()!;
    // The scene wrote {next} as it is: put tomorrow's court date in.
    const { readFile, writeFile } = await import('node:fs/promises');
    await writeFile(s.paths.bookings, (await readFile(s.paths.bookings, 'utf8')).replace('{next}', next));
    // Five minutes before tomorrow's release (00:00 London on the day after the scene's release day).
    const release = DateTime.fromMillis(s.releaseServerMs, { zone: 'Europe/London' }).plus({ days: 1 });
    const result = await watch(s, at(release.minus({ minutes: 5 }).toISO()!));
    expect(result.kind).toBe('refused');
    expect(result.exitCode).toBe(0);
    expect(result.message).toMatch(
      new RegExp(
        `real booking of ${next} 19:00 logs in at 23:50 and keeps trying until 00:00 .*It looks again after \\w{3} \\d+ \\w{3} \\d{4} 00:01`,
      ),
    );
    expect(s.venue.requests()).toEqual([]);
    expect((await s.status()).bookings).toEqual({});
    // Before the window (more than ten minutes ahead of its login), it looks.
    const before = await watch(s, at(release.minus({ minutes: 25 }).toISO()!));
    expect(before.kind).toBe('found'); // nobody holds the courts here
    expect(s.venue.requests().length).toBeGreaterThan(0);
  }, 60_000);
});
