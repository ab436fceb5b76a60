import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  cronTimes,
  lateStartWarning,
  readCron,
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

  it('reads lists, ranges, steps and names as GitHub does, and rejects nonsense with a reason', () => {
    const week = (cron: string, day = '2026-03-23') => {
      const from = DateTime.fromISO(`${day}T00:00`, { zone });
      return cronTimes(cron, zone, from, from.plus({ days: 7 })).map((t) => t.toFormat('ccc HH:mm'));
    };
    // Monday 23 March to Sunday 29 March 2026 (the clocks go forward on the Sunday).
    expect(week('7 23 * * MON-FRI')).toEqual([
      'Mon 23:07',
      'Tue 23:07',
      'Wed 23:07',
      'Thu 23:07',
      'Fri 23:07',
    ]);
    expect(week('7 23 * * 1-5')).toEqual(week('7 23 * * MON-FRI'));
    expect(week('*/20 6 * * sat,SUN')).toEqual([
      'Sat 06:00',
      'Sat 06:20',
      'Sat 06:40',
      'Sun 06:00',
      'Sun 06:20',
      'Sun 06:40',
    ]);
    expect(week('0 9 * MAR 0')).toEqual(['Sun 09:00']);
    // Day of month and day of week both restricted: either matches (POSIX cron, as GitHub).
    expect(week('0 12 25 * MON')).toEqual(['Mon 12:00', 'Wed 12:00']);
    expect(() => readCron('61 * * * *')).toThrow(/cannot be read/);
    expect(() => readCron('* * *')).toThrow(/3 fields; GitHub's schedule takes 5/);
    expect(() => readCron('0 0 0 * * *')).toThrow(/6 fields/);
    expect(() => readCron('every night at 11')).toThrow(/cron "every night at 11"/);
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
