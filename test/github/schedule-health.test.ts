import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  cronTimes,
  lateStartWarning,
  parseCron,
  previousCronTime,
  scheduleHealth,
} from '../../src/github/schedule-health.ts';

const zone = 'Europe/London';

describe('cron evaluation in Europe/London', () => {
  it('fires at the same London wall time in GMT and BST', () => {
    for (const day of ['2026-01-15', '2026-07-15']) {
      const from = DateTime.fromISO(`${day}T00:00`, { zone });
      const times = cronTimes('17 19 * * *', zone, from, from.plus({ days: 1 }));
      expect(times.map((t) => t.toFormat('HH:mm'))).toEqual(['19:17']);
    }
    const winter = cronTimes(
      '17 19 * * *',
      zone,
      DateTime.fromISO('2026-01-15T00:00', { zone }),
      DateTime.fromISO('2026-01-16T00:00', { zone }),
    );
    expect(winter[0]!.toUTC().toFormat('HH:mm')).toBe('19:17');
    const summer = cronTimes(
      '17 19 * * *',
      zone,
      DateTime.fromISO('2026-07-15T00:00', { zone }),
      DateTime.fromISO('2026-07-16T00:00', { zone }),
    );
    expect(summer[0]!.toUTC().toFormat('HH:mm')).toBe('18:17');
  });

  it('parses lists, ranges and steps, and rejects nonsense', () => {
    expect([...parseCron('*/15 1-3 * * 1,3').minutes]).toEqual([0, 15, 30, 45]);
    expect([...parseCron('0 1-3 * * *').hours]).toEqual([1, 2, 3]);
    expect(() => parseCron('61 * * * *')).toThrow(/minute/);
    expect(() => parseCron('* * *')).toThrow(/5 fields/);
  });

  it('finds the schedule line that started this run', () => {
    const started = DateTime.fromISO('2026-02-01T20:55:00', { zone });
    expect(previousCronTime('47 20 * * *', zone, started)?.toFormat('yyyy-MM-dd HH:mm')).toBe(
      '2026-02-01 20:47',
    );
    expect(previousCronTime('13 22 * * *', zone, started)?.toFormat('yyyy-MM-dd HH:mm')).toBe(
      '2026-01-31 22:13',
    );
  });
});

describe('late starts', () => {
  it('warns only beyond the threshold', () => {
    expect(lateStartWarning('2026-02-01T19:17:00Z', '2026-02-01T19:40:00Z', 30)).toBeUndefined();
    const warning = lateStartWarning('2026-02-01T19:17:00Z', '2026-02-01T21:27:00Z', 30);
    expect(warning).toContain('2 h 10 min after it was scheduled');
    expect(warning).toContain('19:17 → 21:27');
    expect(lateStartWarning(undefined, '2026-02-01T21:27:00Z')).toBeUndefined();
  });

  it('warns when recent scheduled runs were late even if this one was not', () => {
    const recent = [
      { scheduledFor: '2026-01-28T19:17:00Z', startedAt: '2026-01-28T20:30:00Z' },
      { scheduledFor: '2026-01-29T19:17:00Z', startedAt: '2026-01-29T19:20:00Z' },
      { scheduledFor: '2026-01-30T19:17:00Z', startedAt: '2026-01-30T21:00:00Z' },
      { startedAt: '2026-01-30T23:55:00Z' },
    ];
    const health = scheduleHealth(recent, {
      scheduledFor: '2026-02-01T19:17:00Z',
      startedAt: '2026-02-01T19:19:00Z',
    });
    expect(health.delaysMinutes).toEqual([73, 3, 103, 2]);
    expect(health.warning).toContain('2 of the last 4 scheduled runs');
    expect(scheduleHealth([], { startedAt: '2026-02-01T19:19:00Z' }).warning).toBeUndefined();
  });
});
