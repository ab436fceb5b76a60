import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { shiftedClock, systemClock } from '../../src/calendar/clock.ts';
import {
  arrivalBounds,
  estimateClock,
  intersect,
  measureServerClock,
  nextRoundSendTimes,
  offsetBounds,
  sendTimeFor,
  type Probe,
} from '../../src/venue/clock-sync.ts';

/** A probe against an ideal server: offset `offset`, latency in/out, sent at local t0. */
function simulate(t0: number, offset: number, inMs: number, outMs: number): Probe {
  const serverAtProcessing = t0 + inMs + offset;
  return { t0, t1: t0 + inMs + outMs, serverSecondMs: Math.floor(serverAtProcessing / 1000) * 1000 };
}

describe('clock-sync math (htp)', () => {
  it('bounds one probe by its send/receive times and the header second', () => {
    const probe = { t0: 10_100, t1: 10_160, serverSecondMs: 12_000 };
    expect(offsetBounds(probe)).toEqual({ lo: 1_840, hi: 2_900 });
    expect(arrivalBounds(probe)).toEqual({ lo: 1_900, hi: 2_900 });
  });

  it('intersects bounds, and reports disagreement as width instead of an empty interval', () => {
    expect(
      intersect([
        { lo: 0, hi: 100 },
        { lo: 50, hi: 200 },
      ]),
    ).toEqual({ lo: 50, hi: 100 });
    expect(
      intersect([
        { lo: 0, hi: 40 },
        { lo: 60, hi: 200 },
      ]),
    ).toEqual({ lo: 40, hi: 60 });
  });

  it('schedules a round so every candidate arrival lands on the next second boundary', () => {
    const times = nextRoundSendTimes({ lo: 2000, hi: 3000 }, 50_000, 4);
    expect(times).toHaveLength(4);
    const boundary = times[0]! + 2800; // the largest candidate A (2800) is sent first
    expect(boundary % 1000).toBe(0);
    expect(times[0]).toBeGreaterThanOrEqual(50_000);
    expect(times.map((t) => boundary - t)).toEqual([2800, 2600, 2400, 2200]);
  });

  it('converges on the true offset and arrival offset over staggered rounds (simulated)', () => {
    for (const offset of [-4300, 0, 2700, 123_456]) {
      const inMs = 30;
      const outMs = 30;
      let probes = [simulate(1_000_037, offset, inMs, outMs)];
      let now = 1_000_100;
      for (let round = 0; round < 3; round++) {
        const sends = nextRoundSendTimes(intersect(probes.map(arrivalBounds)), now + 20, 4);
        probes = [...probes, ...sends.map((t) => simulate(t, offset, inMs, outMs))];
        now = Math.max(...sends) + 100;
      }
      const estimate = estimateClock(probes);
      expect(Math.abs(estimate.offsetMs - offset)).toBeLessThanOrEqual(35);
      expect(Math.abs(estimate.arrivalOffsetMs - (offset + inMs))).toBeLessThanOrEqual(10);
      expect(estimate.arrivalUncertaintyMs).toBeLessThanOrEqual(10);
      // Firing: the request arrives at or just after the instant, never before.
      const send = sendTimeFor(5_000_000, estimate);
      const arrives = send + inMs + offset;
      expect(arrives).toBeGreaterThanOrEqual(5_000_000);
      expect(arrives).toBeLessThan(5_000_000 + 30);
    }
  });
});

describe('measureServerClock against a real HTTP server', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

  it('estimates a skewed server clock through 100 ms of one-way latency', async () => {
    const skew = 2_700;
    const oneWay = 100;
    server = createServer((req, res) => {
      setTimeout(() => {
        const date = new Date(Date.now() + skew).toUTCString();
        setTimeout(() => {
          res.writeHead(200, { date, 'content-type': 'text/plain' });
          res.end();
        }, oneWay);
      }, oneWay);
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    // The runner's own clock is 90 s off: the estimate is relative to it.
    const runner = shiftedClock(-90_000, systemClock);
    const estimate = await measureServerClock(`http://127.0.0.1:${port}/page/login`, runner);
    const trueOffset = skew + 90_000;
    expect(Math.abs(estimate.offsetMs - trueOffset)).toBeLessThan(50);
    // The arrival offset tells the one-way trip apart from the clock offset (timers here are a few ms late).
    expect(Math.abs(estimate.arrivalOffsetMs - (trueOffset + oneWay))).toBeLessThan(40);
    expect(estimate.probes.length).toBeGreaterThanOrEqual(6);
  }, 15_000);

  it('gives up on a venue that does not answer by a second past stopAtMs, rather than waiting its timeout', async () => {
    let answered = false;
    server = createServer((req, res) => {
      const timer = setTimeout(() => {
        answered = true;
        res.writeHead(200, { date: new Date().toUTCString() });
        res.end();
      }, 8_000);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const measuring = measureServerClock(`http://127.0.0.1:${port}/`, systemClock, {
      timeoutMs: 10_000,
      stopAtMs: systemClock.now() + 200,
    });
    await expect(measuring).rejects.toThrow();
    expect(answered).toBe(false); // it stopped waiting long before the venue's 8 s answer
    server.closeAllConnections();
  }, 15_000);

  it('sends no round after stopAtMs and estimates from the probes so far', async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { date: new Date().toUTCString() });
      res.end();
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const stopAtMs = systemClock.now() + 2_500;
    const estimate = await measureServerClock(`http://127.0.0.1:${port}/`, systemClock, {
      rounds: 30,
      targetHalfWidthMs: 0,
      stopAtMs,
    });
    expect(estimate.probes.length).toBeGreaterThan(4);
    expect(estimate.probes.length).toBeLessThan(4 + 30 * 4);
    for (const probe of estimate.probes) expect(probe.t0).toBeLessThanOrEqual(stopAtMs);
    expect(Math.abs(estimate.offsetMs)).toBeLessThan(50);
  }, 15_000);
});
