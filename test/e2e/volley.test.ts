import { afterEach, describe, expect, it } from 'vitest';
import {
  availabilityRequests,
  bookingRequests,
  memberBookings,
  myBookingsRequests,
  scene,
  type Scene,
} from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

type Planned = { presses: number; spanMs: number };
type FireEvent = { ms: number; event: string };

/** The volley the run planned (its waiting-for-release step), when the page pressed (its fire-result), and its steps. */
async function runWatching(s: Scene) {
  const steps: string[] = [];
  let volley: Planned | undefined;
  let pressedAtMs: number[] = [];
  const result = await s.run({
    onStep: (name, data) => {
      steps.push(name);
      if (name === 'waiting-for-release') volley = (data as { volley?: Planned }).volley;
      if (name === 'fire-result') {
        const events = (data as { events?: FireEvent[] }).events ?? [];
        pressedAtMs = events.filter((e) => e.event === 'apply').map((e) => e.ms);
      }
    },
  });
  return { result, steps, volley, pressedAtMs };
}

describe('the first shot as a volley (a site whose Show Availability presses overlap)', () => {
  it('sends its presses together, one per warm connection: they reach the venue as the page pressed them, not a round trip apart each (a browser holding each behind the last), and the first answered after midnight is booked with no look at My bookings', async () => {
    // One-way 60 ms, no jitter: presses the browser held back one behind the other (its HTTP cache
    // lets one request per URL through at a time) would reach the venue ≥ 120 ms apart.
    current = await scene({ scenario: { latency: { oneWayMs: 60, jitterMs: 0 } } });
    const { result, volley, pressedAtMs } = await runWatching(current);
    expect(result.outcome).toBe('booked');
    expect(volley?.presses).toBe(3);
    const release = current.releaseServerMs;
    const shot = availabilityRequests(current.venue).filter(
      (r) => r.client === current!.env.username && Math.abs(r.serverTimeMs - release) < 2_000,
    );
    expect(shot).toHaveLength(3);
    // The presses are spread on purpose (wider when the runner measured more jitter, as under CI's load);
    // what must not be added on the way is a round trip per press. Held one behind the other, each press
    // leaves only once the last one's answer is back, so every gap at the venue is a round trip (120 ms)
    // or more (126 and 137 ms with the HTTP cache left on). A loaded runner can stall one request on its
    // own (CI once saw 158 ms across all three), never every one by a round trip.
    const pressed = pressedAtMs.slice(0, 3);
    expect(pressed).toHaveLength(3);
    const arrived = shot.map((r) => r.serverTimeMs).sort((a, b) => a - b);
    const gaps = arrived.slice(1).map((at, i) => at - arrived[i]!);
    const seen = `venue: ${shot.map((r) => `${r.outcome}@${r.serverTimeMs - release}`).join(' ')}; pressed at ${pressed.join(', ')} ms`;
    expect(Math.min(...gaps), seen).toBeLessThan(2 * 60 - 20);
    expect(arrived.at(-1)! - arrived[0]! - (pressed.at(-1)! - pressed[0]!), seen).toBeLessThan(2 * 2 * 60);
    const booking = bookingRequests(current.venue).find((r) => r.outcome === 'booked')!;
    // The slots came from a press after midnight; nothing was asked again, so nothing looked at My bookings.
    expect(shot.some((r) => r.outcome === 'slots' && r.serverTimeMs >= release)).toBe(true);
    expect(
      myBookingsRequests(current.venue).filter(
        (r) => r.serverTimeMs >= release && r.serverTimeMs < booking.serverTimeMs,
      ),
    ).toHaveLength(0);
    expect(memberBookings(current.venue)).toHaveLength(1);
    console.log(`volley: ${seen} (span ${volley?.spanMs} ms)`);
  }, 45_000);

  it("reads the slots again when a later press's answer has rendered them anew: Time1 lost on both courts, it books Time2", async () => {
    // Both Time1 courts go the moment the first press's answer shows them free; the volley's later
    // answers, rendered while the run is trying them (no jitter: before the first try is answered), show
    // them full.
    current = await scene({ scenario: { latency: { oneWayMs: 30, jitterMs: 0 } } });
    current.venue.setScenario({
      competitors: [
        { name: 'mid-1', date: current.date, time: '19:00', afterReleaseMs: 5_000, whenSlotsShown: true },
        { name: 'mid-2', date: current.date, time: '19:00', afterReleaseMs: 5_000, whenSlotsShown: true },
      ],
    });
    const { result } = await runWatching(current);
    expect(result.outcome).toBe('booked-fallback');
    expect(result.bookedTime).toBe('20:00');
    expect(memberBookings(current.venue)).toHaveLength(1);
    const answers = bookingRequests(current.venue).map((r) => r.outcome);
    // Never more tries than Time1 courts, each refused as taken, then Time2.
    expect(answers.length).toBeLessThanOrEqual(3);
    expect(answers.slice(0, -1).every((a) => a === 'unavailable')).toBe(true);
    expect(answers.at(-1)).toBe('booked');
  }, 45_000);

  it('on a site that ignores presses while one is loading, a volley answered "not open" does not hold the run: it presses again and books as soon as the day opens', async () => {
    // The venue opens a second after the midnight the run aims at (a release job running late), so every
    // press of the volley is early; the site answers only the first of them.
    current = await scene({ scenario: { releaseTime: '00:00:01', faults: { busyApply: true } } });
    const { result, volley } = await runWatching(current);
    expect(volley?.presses).toBe(3);
    expect(result.outcome).toBe('booked');
    const [booking] = memberBookings(current.venue);
    const opened = current.venue.releaseInstant(current.date);
    // Waiting out the presses the site never answered would be the step timeout (15 s).
    expect(booking!.acceptedAtServerMs - opened).toBeGreaterThanOrEqual(0);
    expect(booking!.acceptedAtServerMs - opened).toBeLessThan(2_000);
  }, 45_000);
});
