/**
 * Scheduled cancellations (for the cancellation watch, issue 13): at a set instant on the server clock
 * the venue cancels the booking held on a court-hour, on either skin, logged and in the ledger.
 */
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { cardHtml, clubHttpLogin, clubSessions } from './clubhouse/helpers.ts';
import { eventually, httpDayView, httpLogin, httpSlots } from './helpers.ts';
import {
  courtDateForTests,
  offsetForRelease,
  releaseInstantMs,
  resolveScenario,
  startSandbox,
  type Sandbox,
  type ScenarioPatch,
} from './index.ts';

const date = courtDateForTests();
const running: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop()));
});

async function venueAt(inMs: number, patch: ScenarioPatch, day = date): Promise<Sandbox> {
  const venue = await startSandbox({ clockOffsetMs: offsetForRelease(day, inMs), ...patch });
  running.push(venue);
  return venue;
}

/** Tries to book a court-hour as the first member, on whichever skin: true if it was booked. */
async function tryToBook(venue: Sandbox, time: string, court: string): Promise<boolean> {
  if (venue.scenario.skin === 'clubhouse') {
    const m = await clubHttpLogin(venue);
    const { token } = await m.openReserve(date, time, court);
    return (await m.reserve(date, time, court, token)).status === 303;
  }
  const m = await httpLogin(venue);
  const day = await httpDayView(venue, m, date);
  const slotId = (await httpSlots(m, day.id, date))[`${time} ${court}`]!;
  const res = await m.post(`/spa/${day.id}/book`, { slotId, csrf: day.csrf });
  return ((await res.json()) as { ok: boolean }).ok;
}

describe('scheduled cancellations', () => {
  it.each([
    { skin: 'estelle' as const, court: 'Padel Court 1' },
    { skin: 'clubhouse' as const, court: 'Court A' },
  ])(
    'frees a court a competitor took, at its instant on the server clock ($skin)',
    async ({ skin, court }) => {
      const venue = await venueAt(300, {
        skin,
        competitors: [{ name: 'Rival', date, time: '19:00', court, afterReleaseMs: 50 }],
        cancellations: [{ date, time: '19:00', court, afterReleaseMs: 900 }],
      });
      const release = venue.releaseInstant(date);
      await eventually(() => venue.ledger().length === 1, { what: 'the competitor' });
      expect(await tryToBook(venue, '19:00', court)).toBe(false); // held by the rival

      await eventually(() => venue.ledger()[0]!.cancelled, { timeoutMs: 4000, what: 'the cancellation' });
      const [entry] = venue.ledger();
      expect(entry).toMatchObject({ client: 'competitor:Rival', court, cancelled: true });
      expect(entry!.cancelledAtServerMs! - release).toBeGreaterThanOrEqual(900);
      expect(entry!.cancelledAtServerMs! - release).toBeLessThan(1400);
      const logged = venue.requests().find((r) => r.client === 'cancellation')!;
      expect(logged).toMatchObject({
        method: 'INTERNAL',
        path: `/cancellation/${date}/19:00/${court}`,
        status: 200,
        outcome: 'cancelled',
        reference: entry!.reference,
        slotId: entry!.slotId,
      });
      expect(logged.serverTimeMs).toBe(entry!.cancelledAtServerMs);

      if (skin === 'clubhouse') {
        const m = await clubHttpLogin(venue);
        expect(cardHtml((await clubSessions(m, date)).html, date, '19:00', court)).toContain('Reserve');
      }
      expect(await tryToBook(venue, '19:00', court)).toBe(true); // a watcher gets it now
      expect(
        venue.ledger().filter((e) => e.time === '19:00' && e.court === court && !e.cancelled),
      ).toHaveLength(1);
    },
  );

  it('takes a server-clock time ("at", read in the venue time zone: BST here) and, without a court, the first court held', async () => {
    const summer = '2026-07-15'; // released at 00:00 BST = 23:00 UTC: a wrong zone would be an hour out
    const releaseIso = (deltaMs: number) =>
      DateTime.fromMillis(releaseInstantMs(summer) + deltaMs, { zone: 'Europe/London' }).toFormat(
        "yyyy-MM-dd'T'HH:mm:ss.SSS",
      );
    const venue = await venueAt(
      -200,
      {
        preBooked: [{ date: summer, time: '20:00', court: 'Padel Court 2', member: 'someone' }],
        cancellations: [{ date: summer, time: '20:00', at: releaseIso(600) }],
      },
      summer,
    );
    await eventually(() => venue.ledger()[0]!.cancelled, { timeoutMs: 3000, what: 'the cancellation' });
    const entry = venue.ledger()[0]!;
    expect(entry).toMatchObject({ client: 'pre-booked', court: 'Padel Court 2' });
    expect(entry.cancelledAtServerMs! - venue.releaseInstant(summer)).toBeGreaterThanOrEqual(600);
  });

  it('logs a cancellation with nothing to cancel and changes nothing; one already past at start fires at once', async () => {
    const venue = await venueAt(-5000, {
      skin: 'clubhouse',
      preBooked: [{ date, time: '09:00', court: 'Court B' }],
      cancellations: [
        { date, time: '08:00', court: 'Court A', afterReleaseMs: 0 },
        { date, time: '09:00', afterReleaseMs: 1000 },
      ],
    });
    await eventually(() => venue.requests().filter((r) => r.client === 'cancellation').length === 2, {
      what: 'both cancellations',
    });
    const outcomes = venue.requests().filter((r) => r.client === 'cancellation');
    expect(outcomes.map((r) => [r.path, r.outcome])).toEqual([
      [`/cancellation/${date}/08:00/Court A`, 'nothing-to-cancel'],
      [`/cancellation/${date}/09:00`, 'cancelled'],
    ]);
    expect(venue.ledger()).toMatchObject([{ court: 'Court B', cancelled: true }]);
  });

  it('rejects a cancellation without exactly one of afterReleaseMs or at, naming the field', () => {
    expect(() => resolveScenario({ cancellations: [{ date, time: '19:00' }] })).toThrow(
      /cancellations\.0: give exactly one of afterReleaseMs/,
    );
    expect(() =>
      resolveScenario({
        cancellations: [{ date, time: '19:00', afterReleaseMs: 1, at: '2026-12-01T10:00' }],
      }),
    ).toThrow(/exactly one/);
    expect(() => resolveScenario({ cancellations: [{ date, time: '19:00', at: 'tomorrow' }] })).toThrow(
      /cancellations\.0\.at: expected an ISO date-time/,
    );
  });
});
