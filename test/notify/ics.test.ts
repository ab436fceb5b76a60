import { describe, expect, it } from 'vitest';
import { calendarInvite, foldLine } from '../../src/notify/ics.ts';
import { fixedClock } from '../../src/calendar/clock.ts';

const unfold = (text: string): string[] => text.replace(/\r\n[ \t]/g, '').split('\r\n');

describe('calendarInvite', () => {
  const clock = fixedClock('2026-02-01T00:00:01.234Z');

  it('writes an RFC 5545 event in Europe/London with a VTIMEZONE, one hour long, with a reminder', () => {
    const ics = calendarInvite({
      date: '2026-07-15',
      time: '19:00',
      court: 'Padel Court 2',
      reference: 'EM-123',
      clock,
    });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const raw of ics.split('\r\n')) expect(Buffer.byteLength(raw, 'utf8')).toBeLessThanOrEqual(75);
    const lines = unfold(ics);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines).toContain('VERSION:2.0');
    expect(lines).toContain('TZID:Europe/London');
    expect(lines).toContain('DTSTART;TZID=Europe/London:20260715T190000');
    expect(lines).toContain('DTEND;TZID=Europe/London:20260715T200000');
    expect(lines).toContain('DTSTAMP:20260201T000001Z');
    expect(lines).toContain('UID:EM-123@estelle-court-booker');
    expect(lines).toContain('TRIGGER:-PT120M');
    expect(lines.filter((l) => /^(BEGIN|END):VALARM$/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('PRODID:'))).toBeDefined();
    // BEGIN/END balanced
    const stack: string[] = [];
    for (const line of lines.filter(Boolean)) {
      if (line.startsWith('BEGIN:')) stack.push(line.slice(6));
      if (line.startsWith('END:')) expect(stack.pop()).toBe(line.slice(4));
    }
    expect(stack).toEqual([]);
  });

  it('keeps GMT dates in local time and escapes text', () => {
    const ics = calendarInvite({ date: '2026-01-10', time: '07:00', court: 'Court 1, indoor; new', clock });
    const lines = unfold(ics);
    expect(lines).toContain('DTSTART;TZID=Europe/London:20260110T070000');
    expect(lines.find((l) => l.startsWith('SUMMARY:'))).toBe('SUMMARY:Padel: Court 1\\, indoor\\; new');
  });

  it('folds long lines at 75 octets without splitting characters', () => {
    const folded = foldLine('DESCRIPTION:' + 'é'.repeat(100));
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe('DESCRIPTION:' + 'é'.repeat(100));
  });

  it('rejects an invalid date', () => {
    expect(() => calendarInvite({ date: '2026-02-30', time: '19:00', clock })).toThrow(/not a valid/);
  });
});
