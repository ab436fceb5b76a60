import { DateTime } from 'luxon';
import type { Clock } from '../calendar/clock.ts';
import { systemClock } from '../calendar/clock.ts';

export interface InviteOptions {
  /** Court date, YYYY-MM-DD (venue time). */
  date: string;
  /** Start time, HH:mm (venue time). */
  time: string;
  court?: string;
  reference?: string;
  durationMinutes?: number;
  /** Only Europe/London is described by the VTIMEZONE below. */
  timeZone?: 'Europe/London';
  /** Reminder before the start, in minutes (default 120). */
  reminderMinutes?: number;
  venue?: string;
  clock?: Clock;
}

/** RFC 5545 VTIMEZONE for Europe/London (GMT/BST, EU rules since 1996). */
const LONDON_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/London',
  'X-LIC-LOCATION:Europe/London',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0000',
  'TZOFFSETTO:+0100',
  'TZNAME:BST',
  'DTSTART:19700329T010000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0000',
  'TZNAME:GMT',
  'DTSTART:19701025T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** Escapes TEXT values (RFC 5545 §3.3.11). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
      limit = 74; // continuation lines start with one space
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

const localStamp = (dt: DateTime): string => dt.toFormat("yyyyMMdd'T'HHmmss");

/** A calendar invite for a booked court: one VEVENT in Europe/London with a reminder. */
export function calendarInvite(options: InviteOptions): string {
  const zone = options.timeZone ?? 'Europe/London';
  const duration = options.durationMinutes ?? 60;
  const reminder = options.reminderMinutes ?? 120;
  const start = DateTime.fromISO(`${options.date}T${options.time}`, { zone });
  if (!start.isValid)
    throw new Error(`calendarInvite: "${options.date} ${options.time}" is not a valid date and time`);
  const end = start.plus({ minutes: duration });
  const now = DateTime.fromMillis((options.clock ?? systemClock).now(), { zone: 'utc' });
  const court = options.court ?? 'Padel court';
  const venue = options.venue ?? 'Estelle Manor';
  const uidBase = (options.reference ?? `${options.date}-${options.time}-${court}`).replace(
    /[^A-Za-z0-9._-]/g,
    '-',
  );
  const description = [
    `${court} at ${venue}`,
    options.reference ? `Booking reference: ${options.reference}` : undefined,
    'Booked by the court booker.',
  ]
    .filter(Boolean)
    .join('\n');

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//estelle-court-booker//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...LONDON_VTIMEZONE,
    'BEGIN:VEVENT',
    `UID:${uidBase}@estelle-court-booker`,
    `DTSTAMP:${now.toFormat("yyyyMMdd'T'HHmmss'Z'")}`,
    `DTSTART;TZID=${zone}:${localStamp(start)}`,
    `DTEND;TZID=${zone}:${localStamp(end)}`,
    `SUMMARY:${escapeText(`Padel: ${court}`)}`,
    `LOCATION:${escapeText(venue)}`,
    `DESCRIPTION:${escapeText(description)}`,
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(`Padel at ${start.toFormat('HH:mm')}: ${court}`)}`,
    `TRIGGER:-PT${reminder}M`,
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
