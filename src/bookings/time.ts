import { DateTime } from 'luxon';

/**
 * Times as members write them: `7pm`, `11am`, `7:30pm`, `7.30pm`, `7 PM`, `12pm` (noon), `12am` (midnight),
 * `19:00`, `noon`, `midnight`. Returns the 24-hour `HH:mm`, or undefined when the text is not a time.
 * A bare number (`7`, `19`) is refused: it is ambiguous between morning and evening.
 */
export function parseTime(text: string): string | undefined {
  const s = text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/\./g, (dot, index: number, all: string) =>
      // "7.30pm" uses the dot as a separator; "p.m." / "a.m." use it as punctuation.
      /\d/.test(all[index + 1] ?? '') ? ':' : '',
    );
  if (s === 'noon') return '12:00';
  if (s === 'midnight') return '00:00';
  const match = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/.exec(s);
  if (!match) return undefined;
  const [, h, m, meridiem] = match;
  let hour = Number(h);
  const minute = m === undefined ? 0 : Number(m);
  if (minute > 59) return undefined;
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  } else {
    if (m === undefined || hour > 23) return undefined;
  }
  return formatMinutes(hour * 60 + minute);
}

/** `HH:mm` → minutes after midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Minutes after midnight → `HH:mm` (wraps past midnight). */
export function formatMinutes(total: number): string {
  const day = 24 * 60;
  const t = ((total % day) + day) % day;
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` has the YYYY-MM-DD shape (the date itself may still not exist). */
export function looksLikeIsoDate(text: string): boolean {
  return ISO_DATE.test(text);
}

/** Whether `text` is YYYY-MM-DD and a real calendar date (2028-02-29 yes, 2027-02-29 no). */
export function isCalendarDate(text: string): boolean {
  return looksLikeIsoDate(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}
