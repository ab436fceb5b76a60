import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { memberBookings, scene, type Scene } from './harness.ts';

let current: Scene | undefined;
afterEach(async () => {
  await current?.stop();
  current = undefined;
});

describe('a weekly rule books like a dated row', () => {
  it('books the court a rule in recurring.csv expands to tonight, with no dated row for it', async () => {
    current = await scene({ rows: [] });
    const weekday = DateTime.fromISO(current.date, { zone: 'Europe/London' }).toFormat('cccc');
    await writeFile(
      join(dirname(current.paths.bookings), 'recurring.csv'),
      `Day,Time1,Time2,Status,Court,From,Until,Note\n${weekday},19:00,20:00,Book,,,,every week\n`,
    );
    const result = await current.run();
    expect(result.outcome).toBe('booked');
    expect(result.row).toMatchObject({ date: current.date, time1: '19:00', source: { rule: true } });
    expect(memberBookings(current.venue)).toMatchObject([{ date: current.date, time: '19:00' }]);
    expect((await current.status()).bookings[`${current.date} 19:00`]?.state).toBe('booked');
  }, 45_000);
});
