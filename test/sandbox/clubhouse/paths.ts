import { DateTime } from 'luxon';

/**
 * The clubhouse skin's addresses and formats, pure: the routes, the pages and tests share them. The
 * engine must not import these (a profile states them by hand); they are here so a test can build
 * the same URL a member's browser would.
 */

export const CLUBHOUSE_PATHS = {
  signIn: '/members/sign-in',
  signOut: '/members/sign-out',
  home: '/members',
  book: '/members/book',
  padel: '/members/book/padel',
  sessions: '/members/book/padel/sessions',
  reserve: '/members/book/padel/reserve',
  confirmation: '/members/book/padel/confirmation',
  reservations: '/members/reservations',
  cancel: '/members/reservations/cancel',
  css: '/static/clubhouse.css',
  js: '/static/clubhouse.js',
} as const;

/** "Court A" → "court-a" (the `court` parameter of the confirm page). */
export function courtSlug(court: string): string {
  return court
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The month page of '2026-12': /members/book/padel/2026-12 */
export function clubhouseMonthPath(month: string): string {
  return `${CLUBHOUSE_PATHS.padel}/${month}`;
}

/** The sessions (day view) page of a court date 'yyyy-MM-dd', as the GET form "Find sessions" builds it. */
export function clubhouseSessionsPath(date: string): string {
  return `${CLUBHOUSE_PATHS.sessions}?${new URLSearchParams({ date })}`;
}

/**
 * The confirm page of a court-hour: date 'yyyy-MM-dd', time 'HH:mm', court by name ('Court A') or slug,
 * e.g. /members/book/padel/reserve?date=2026-12-15&time=19:00&court=court-a (the Reserve link's href;
 * the server reads `time=19%3A00` the same).
 */
export function clubhouseReservePath(date: string, time: string, court: string): string {
  const q = (value: string) => encodeURIComponent(value).replaceAll('%3A', ':');
  return `${CLUBHOUSE_PATHS.reserve}?date=${q(date)}&time=${q(time)}&court=${q(courtSlug(court))}`;
}

/** '19:00' → '7pm', '12:00' → '12pm', '07:30' → '7:30am' (the slot card's label). */
export function clubhouseTimeLabel(time: string): string {
  const [h = 0, m = 0] = time.split(':').map(Number);
  const suffix = h < 12 ? 'am' : 'pm';
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m === 0 ? '' : `:${String(m).padStart(2, '0')}`}${suffix}`;
}

/**
 * English names, fixed whatever the machine's locale: 'Sep', not en-GB's 'Sept'. The pages format
 * every date through this.
 */
export const CLUBHOUSE_LOCALE = 'en-US';

/** '2026-12-15' → 'Tue 15 Dec 2026' (My reservations, the confirm page). */
export function clubhouseDateLabel(date: string): string {
  return DateTime.fromISO(date, { locale: CLUBHOUSE_LOCALE }).toFormat('ccc d LLL yyyy');
}

/** '2026-12' → 'Dec 2026' (the month links). */
export function clubhouseMonthLabel(month: string): string {
  return DateTime.fromISO(`${month}-01`, { locale: CLUBHOUSE_LOCALE }).toFormat('LLL yyyy');
}
