import { describe, expect, it } from 'vitest';
import { isCalendarDate, parseTime } from '../../src/bookings/time.ts';
import { didYouMean, levenshtein, nearest } from '../../src/bookings/suggest.ts';

describe('parseTime', () => {
  it.each([
    ['7pm', '19:00'],
    ['11am', '11:00'],
    ['7:30pm', '19:30'],
    ['7.30pm', '19:30'],
    ['12pm', '12:00'],
    ['12am', '00:00'],
    ['12:30am', '00:30'],
    ['19:00', '19:00'],
    ['07:05', '07:05'],
    ['7:00', '07:00'],
    ['7 PM', '19:00'],
    [' 7 pm ', '19:00'],
    ['7PM', '19:00'],
    ['7:30 Pm', '19:30'],
    ['7.30 p.m.', '19:30'],
    ['9 a.m.', '09:00'],
    ['noon', '12:00'],
    ['Midnight', '00:00'],
  ])('reads %j as %s', (text, expected) => {
    expect(parseTime(text)).toBe(expected);
  });

  it.each([
    '25pm',
    '13pm',
    '0am',
    '7',
    '19',
    '24:00',
    '7:60pm',
    '19:5',
    'seven',
    '',
    '7:30:00',
    '7pmm',
    '-1pm',
  ])('refuses %j', (text) => {
    expect(parseTime(text)).toBeUndefined();
  });
});

describe('isCalendarDate', () => {
  it('knows leap years and month lengths', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-04-31')).toBe(false);
    expect(isCalendarDate('2026-12-31')).toBe(true);
    expect(isCalendarDate('2026-13-01')).toBe(false);
    expect(isCalendarDate('2026-1-5')).toBe(false);
    expect(isCalendarDate('15/02/2026')).toBe(false);
  });
});

describe('suggestions', () => {
  it('measures edit distance', () => {
    expect(levenshtein('Stauts', 'Status')).toBe(2);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('same', 'same')).toBe(0);
  });

  it('suggests the nearest known name, or nothing when none is near', () => {
    expect(nearest('Stauts', ['Date', 'Time1', 'Status'])).toBe('Status');
    expect(nearest('time 1', ['Date', 'Time1', 'Status'])).toBe('Time1');
    expect(nearest('grace', ['leadMinutes', 'graceMinutes'])).toBe('graceMinutes');
    expect(nearest('Colour', ['Date', 'Time1', 'Status'])).toBeUndefined();
    expect(didYouMean('Cort', ['Court', 'Note'])).toBe(' (did you mean "Court"?)');
    expect(didYouMean('xyzzy', ['Court', 'Note'])).toBe('');
  });
});
