import { DateTime } from 'luxon';

/**
 * The formats of what a member typed or clicked (pure): the date typed into the day view's field, a date in
 * an address, a month tab's label. A value "matches" a format when luxon reads it with that format and
 * writes it back the same (ignoring case and spaces), so "15/12/2026" is dd/MM/yyyy but "5/12/2026" is not.
 */

/** Date formats sites use in date fields and addresses, the zero-padded variant before the other. */
export const DATE_FORMATS = [
  'dd/MM/yyyy',
  'MM/dd/yyyy',
  'yyyy-MM-dd',
  'dd-MM-yyyy',
  'MM-dd-yyyy',
  'dd.MM.yyyy',
  'yyyy/MM/dd',
  'yyyyMMdd',
  'd/M/yyyy',
  'M/d/yyyy',
  'd.M.yyyy',
  'dd MMM yyyy',
  'd MMM yyyy',
  'd LLLL yyyy',
  'ccc d LLL yyyy',
  'cccc d LLLL yyyy',
  'LLL d, yyyy',
  'LLLL d, yyyy',
] as const;

/** Month labels (tabs, buttons): "DECEMBER", "Dec 2026", "December 2026", "12/2026". */
export const MONTH_FORMATS = ['LLLL yyyy', 'LLL yyyy', 'LLLL', 'LLL', 'MM/yyyy', 'yyyy-MM'] as const;

const squash = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Each date the value can be, with the first format that reads it so (several dates: ambiguous). */
export function readDate(value: string, locale: string): { date: string; format: string }[] {
  const out: { date: string; format: string }[] = [];
  for (const format of DATE_FORMATS) {
    const read = DateTime.fromFormat(value.trim(), format, { locale });
    if (!read.isValid || squash(read.toFormat(format, { locale })) !== squash(value)) continue;
    const date = read.toISODate()!;
    if (!out.some((o) => o.date === date)) out.push({ date, format });
  }
  return out;
}

/** The format in which `text` is the month of `date` ("DECEMBER" → LLLL), if any. */
export function monthFormatOf(text: string, date: string, locale: string): string | undefined {
  const day = DateTime.fromISO(date);
  return MONTH_FORMATS.find((f) => squash(day.toFormat(f, { locale })) === squash(text));
}

/** A date written in an address (query or path), as the template that builds it for any date. */
export function dateInUrl(
  url: string,
  locale: string,
): { template: string; date: string; format: string } | undefined {
  // The template's value is percent-encoded when filled (fillTemplate), so "15%2F12%2F2026" is dd/MM/yyyy.
  const candidates: { pattern: RegExp; decode: (s: string) => string }[] = [
    { pattern: /\d{4}-\d{2}-\d{2}/, decode: (s) => s },
    { pattern: /\d{2}(?:%2F|\/)\d{2}(?:%2F|\/)\d{4}/i, decode: (s) => s.replace(/%2F/gi, '/') },
    { pattern: /\d{2}\.\d{2}\.\d{4}/, decode: (s) => s },
  ];
  for (const { pattern, decode } of candidates) {
    const m = pattern.exec(url);
    if (!m) continue;
    const [first] = readDate(decode(m[0]), locale);
    if (!first) continue;
    return { template: url.replace(m[0], `{date:${first.format}}`), date: first.date, format: first.format };
  }
  return undefined;
}
