import { describe, expect, it } from 'vitest';
import { pageLib } from '../../src/venue/page/index.ts';

/** The pure half of the in-page library, run in Node from the same file the page runs. */
describe('the in-page library (pure parts)', () => {
  it('compares slot values ignoring case and spaces', () => {
    expect(pageLib.norm(' 7 PM ')).toBe('7pm');
    expect(pageLib.norm('15/02/2026 19:00:00')).toBe('15/02/202619:00:00');
  });

  it('tests text as a case-insensitive substring, or as a /regular expression/', () => {
    expect(pageLib.textMatches('Sorry, this session has JUST been   taken.', 'just been taken')).toBe(true);
    expect(pageLib.textMatches('Sorry, this session is full', 'just been taken')).toBe(false);
    expect(pageLib.textMatches('You already have a session on this day', '/already (have|hold)/i')).toBe(
      true,
    );
    expect(pageLib.textMatches('ALREADY HAVE', '/already/')).toBe(false); // no i flag: case matters
  });

  it('matches a court the way members write it: every word of the preference is a word of the name', () => {
    expect(pageLib.courtMatches('Court 1', 'Padel Court 1')).toBe(true);
    expect(pageLib.courtMatches('1', 'Padel Court 1')).toBe(true);
    expect(pageLib.courtMatches('padel court 1', 'Padel Court 1')).toBe(true);
    expect(pageLib.courtMatches('Court 1', 'Padel Court 10')).toBe(false);
    expect(pageLib.courtMatches('Court 1', 'Padel Court 2')).toBe(false);
    expect(pageLib.courtMatches('Court A', 'Court A (indoor)')).toBe(true);
    expect(pageLib.courtMatches('', 'Court A')).toBe(false);
  });

  const slots = [
    { index: 0, time: '7pm', court: 'Court A', free: false },
    { index: 1, time: '7 PM', court: 'Court B', free: true },
    { index: 2, time: '7pm', court: 'Court C', free: true },
    { index: 3, time: '8pm', court: 'Court A', free: true },
    { index: 4, time: '7pm', court: 'Court D', free: null },
  ];

  it('chooses the preferred court when it is free, else the first free slot at that time', () => {
    expect(pageLib.chooseSlot(slots, '7PM', 'court c', [])?.index).toBe(2);
    expect(pageLib.chooseSlot(slots, '7PM', 'Court A', [])?.index).toBe(1); // A is full at 7pm
    expect(pageLib.chooseSlot(slots, '7PM', undefined, [])?.index).toBe(1);
  });

  it('never chooses a full slot, a slot it cannot read, or one already refused as taken', () => {
    expect(pageLib.chooseSlot(slots, '7pm', undefined, [1, 2])).toBeUndefined(); // D: free unknown
    expect(pageLib.chooseSlot(slots, '9pm', undefined, [])).toBeUndefined();
    expect(pageLib.chooseSlot(slots, '8pm', 'Court B', [])?.index).toBe(3);
  });
});
