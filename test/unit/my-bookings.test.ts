import { describe, expect, it } from 'vitest';
import { heldFor, parseMyBookings, parseShown, verifyAgainst } from '../../src/venue/my-bookings.ts';
import { loadProfile, type VenueProfile } from '../../src/venue/profile.ts';

/** A profile whose My bookings are plain table cells (dates and times as text). */
async function tableProfile(): Promise<VenueProfile> {
  const base = await loadProfile('estelle');
  return {
    ...base,
    myBookings: {
      row: 'tr',
      date: { read: { selector: 'td:nth-child(1)' }, format: 'ccc d LLL yyyy' },
      time: { read: { selector: 'td:nth-child(2)' }, format: 'ha' },
      court: { selector: 'td:nth-child(3)' },
      reference: { selector: 'td:nth-child(4)' },
    },
  };
}

describe('My bookings, read with the profile', () => {
  it('parses dates and times the site shows as text, forgiving case and spaces', async () => {
    const profile = await tableProfile();
    expect(parseShown('TUE 15 DEC  2026', 'ccc d LLL yyyy', profile)?.toISODate()).toBe('2026-12-15');
    expect(parseShown('7pm', 'ha', profile)?.toFormat('HH:mm')).toBe('19:00');
    expect(parseShown('12PM', 'ha', profile)?.toFormat('HH:mm')).toBe('12:00');
    expect(parseShown('15/12/2026', 'ccc d LLL yyyy', profile)).toBeUndefined();
    expect(parseShown(null, 'ha', profile)).toBeUndefined();
  });

  it('keeps rows whose date cannot be read apart: the already-held check would be blind', async () => {
    const profile = await tableProfile();
    const bookings = parseMyBookings(
      [
        { date: 'Tue 15 Dec 2026', time: '7pm', court: 'Court A', reference: 'CH-1' },
        { date: '', time: '8pm', court: 'Court B', reference: 'CH-2' },
        { date: 'next Tuesday', time: '8pm', court: 'Court B', reference: 'CH-3' },
      ],
      profile,
      'http://venue/account',
    );
    expect(bookings.rows[0]).toMatchObject({
      date: '2026-12-15',
      time: '19:00',
      court: 'Court A',
      reference: 'CH-1',
    });
    expect(bookings.unreadable.map((r) => r.reference)).toEqual(['CH-2', 'CH-3']);
  });

  const bookings = {
    url: 'http://venue/my',
    unreadable: [],
    rows: [
      {
        date: '2026-12-15',
        time: '10:00',
        court: 'Court A',
        reference: 'R1',
        raw: { date: '', time: '', court: '', reference: '' },
      },
      {
        date: '2026-12-16',
        time: '20:00',
        court: 'Court B',
        reference: 'R2',
        raw: { date: '', time: '', court: '', reference: '' },
      },
    ],
  };

  it('finds the court held for a row: at one of its times, or any court that day when it is the only row that day', () => {
    expect(
      heldFor(bookings, { date: '2026-12-16', times: ['19:00', '20:00'], onlyRowOnDate: false })?.reference,
    ).toBe('R2');
    expect(heldFor(bookings, { date: '2026-12-15', times: ['19:00'], onlyRowOnDate: true })?.reference).toBe(
      'R1',
    );
    expect(heldFor(bookings, { date: '2026-12-15', times: ['19:00'], onlyRowOnDate: false })).toBeUndefined();
    expect(
      heldFor(bookings, { date: '2026-12-16', times: ['20:00'], onlyRowOnDate: true }, ['R2']),
    ).toBeUndefined();
  });

  it('verifies by reference, or by date, time and court when My bookings shows no references', async () => {
    const estelle = await loadProfile('estelle');
    expect(
      verifyAgainst(bookings, { reference: 'R2', date: '2026-12-16', time: '20:00' }, estelle).verified,
    ).toBe(true);
    expect(
      verifyAgainst(bookings, { reference: 'R2', date: '2026-12-16', time: '19:00' }, estelle),
    ).toMatchObject({
      verified: false,
      reason: expect.stringMatching(/lists R2 for 2026-12-16 20:00, not 2026-12-16 19:00/),
    });
    expect(
      verifyAgainst(bookings, { reference: 'R9', date: '2026-12-16', time: '20:00' }, estelle).reason,
    ).toMatch(/not listed/);
    expect(
      verifyAgainst(bookings, { reference: '', date: '2026-12-16', time: '20:00' }, estelle).reason,
    ).toMatch(/no booking reference/);
    const noRefs = { ...estelle, myBookings: { ...estelle.myBookings, reference: undefined } };
    expect(
      verifyAgainst(bookings, { reference: '', date: '2026-12-16', time: '20:00', court: 'Court B' }, noRefs)
        .verified,
    ).toBe(true);
    expect(
      verifyAgainst(bookings, { reference: '', date: '2026-12-16', time: '20:00', court: 'Court A' }, noRefs)
        .verified,
    ).toBe(false);
  });
});
