import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  emptyStatus,
  formatStatus,
  parseStatus,
  readStatus,
  recordAttempt,
  StatusFileError,
  writeStatus,
  type StatusFile,
} from '../../src/bookings/status.ts';

const withChain: StatusFile = {
  version: 1,
  bookings: {},
  relay: {
    chains: [
      {
        night: '2026-11-26',
        releaseAt: '2026-11-26T00:00:00.000+00:00',
        courtDate: '2026-12-10',
        links: [
          {
            link: 1,
            runId: '16250421337',
            trigger: 'schedule',
            startedBy: "GitHub's schedule (41 7 * * *)",
            startedAt: '2026-11-25T11:02:00.000+00:00',
            scheduledFor: '2026-11-25T07:41:00.000+00:00',
            role: 'relay',
            handOverAt: '2026-11-25T16:32:00.000+00:00',
            nextDueAt: '2026-11-25T16:37:00.000+00:00',
            dispatch: { at: '2026-11-25T16:32:01.000+00:00', ok: true, status: 204 },
            endedAt: '2026-11-25T16:32:02.000+00:00',
          },
        ],
      },
    ],
  },
};

describe('the status file with the relay field', () => {
  it('stays exactly as before when there is no relay record', () => {
    expect(formatStatus(emptyStatus())).toBe('{\n  "version": 1,\n  "bookings": {}\n}\n');
  });

  it('round-trips a chain through the file, after the bookings, in schema order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'status-relay-'));
    try {
      const path = join(dir, 'status.json');
      const shuffled = JSON.parse(JSON.stringify(withChain)) as StatusFile;
      const link = shuffled.relay!.chains[0]!.links[0]!;
      shuffled.relay!.chains[0]!.links[0] = Object.fromEntries(Object.entries(link).reverse()) as typeof link;
      await writeStatus(path, shuffled);
      const text = await readFile(path, 'utf8');
      expect(text.indexOf('"bookings"')).toBeLessThan(text.indexOf('"relay"'));
      expect(text.indexOf('"link": 1')).toBeLessThan(text.indexOf('"runId"'));
      expect(text.indexOf('"dispatch"')).toBeLessThan(text.indexOf('"endedAt"'));
      expect(await readStatus(path)).toEqual(withChain);
      expect(formatStatus(await readStatus(path))).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the relay record when an attempt is recorded', () => {
    const next = recordAttempt(
      withChain,
      { key: '2026-12-10 19:00', date: '2026-12-10' },
      {
        startedAt: '2026-11-25T19:02:00Z',
        outcome: 'booked',
      },
    );
    expect(next.relay).toEqual(withChain.relay);
    expect(next.bookings['2026-12-10 19:00']!.state).toBe('booked');
  });

  it('rejects a relay record the bot did not write, naming the field', () => {
    const bad = JSON.parse(JSON.stringify(withChain)) as {
      relay: { chains: { links: { role: string }[] }[] };
    };
    bad.relay.chains[0]!.links[0]!.role = 'waiting';
    expect(() => parseStatus(JSON.stringify(bad), 'bookings/status.json')).toThrow(StatusFileError);
    expect(() => parseStatus(JSON.stringify(bad), 'bookings/status.json')).toThrow(
      /relay\.chains\.0\.links\.0\.role/,
    );
    const noDate = JSON.parse(JSON.stringify(withChain)) as { relay: { chains: { night: string }[] } };
    noDate.relay.chains[0]!.night = 'Thursday';
    expect(() => parseStatus(JSON.stringify(noDate))).toThrow(
      /relay\.chains\.0\.night: is not a YYYY-MM-DD date/,
    );
  });
});
