import { DateTime } from 'luxon';

/**
 * GitHub's scheduler starts runs late at busy times (minutes to hours) and sometimes not at all.
 * These pure functions turn a cron line + time zone into instants, tell how late a run started,
 * and warn when recent starts were too late for comfort.
 */

export interface CronSpec {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Whether day-of-month / day-of-week were restricted (cron ORs them when both are). */
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

function parseField(field: string, min: number, max: number, name: string): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron ${name}: bad step in "${part}"`);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range?.includes('-')) {
      const [a, b] = range.split('-').map(Number);
      lo = a!;
      hi = b!;
    } else {
      lo = Number(range);
      hi = stepText === undefined ? lo : max;
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < min || hi > max || lo > hi) {
      throw new Error(`cron ${name}: "${part}" is outside ${min}-${max}`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses a 5-field POSIX cron line as GitHub does (no names, no seconds). */
export function parseCron(cron: string): CronSpec {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`cron "${cron}" does not have 5 fields`);
  const [m, h, dom, mon, dow] = fields as [string, string, string, string, string];
  const weekdays = parseField(dow, 0, 7, 'day of week');
  if (weekdays.has(7)) weekdays.add(0);
  return {
    minutes: parseField(m, 0, 59, 'minute'),
    hours: parseField(h, 0, 23, 'hour'),
    days: parseField(dom, 1, 31, 'day of month'),
    months: parseField(mon, 1, 12, 'month'),
    weekdays,
    dayRestricted: dom !== '*',
    weekdayRestricted: dow !== '*',
  };
}

function matchesDay(spec: CronSpec, dt: DateTime): boolean {
  const dom = spec.days.has(dt.day);
  const dow = spec.weekdays.has(dt.weekday % 7);
  if (spec.dayRestricted && spec.weekdayRestricted) return dom || dow;
  return dom && dow;
}

/**
 * The instants (as DateTimes in `zone`) at which a cron line fires between `from` (inclusive)
 * and `to` (exclusive), evaluated in local wall time of `zone`. Wall times that do not exist
 * (spring-forward gap) are skipped.
 */
export function cronTimes(cron: string, zone: string, from: DateTime, to: DateTime): DateTime[] {
  const spec = parseCron(cron);
  const out: DateTime[] = [];
  let day = from.setZone(zone).startOf('day');
  const end = to.setZone(zone);
  while (day <= end) {
    if (spec.months.has(day.month) && matchesDay(spec, day)) {
      for (const hour of [...spec.hours].sort((a, b) => a - b)) {
        for (const minute of [...spec.minutes].sort((a, b) => a - b)) {
          const at = DateTime.fromObject(
            { year: day.year, month: day.month, day: day.day, hour, minute },
            { zone },
          );
          if (!at.isValid || at.hour !== hour || at.minute !== minute) continue; // in the DST gap
          if (at >= from && at < to) out.push(at);
        }
      }
    }
    day = day.plus({ days: 1 });
  }
  return out;
}

/** The latest time the cron line fired at or before `at` (looks back up to `lookbackHours`). */
export function previousCronTime(
  cron: string,
  zone: string,
  at: DateTime,
  lookbackHours = 48,
): DateTime | undefined {
  return cronTimes(cron, zone, at.minus({ hours: lookbackHours }), at.plus({ milliseconds: 1 })).at(-1);
}

/** Default: a start more than an hour after its schedule is "late" (the lines are ~1.5 h apart). */
export const LATE_START_THRESHOLD_MINUTES = 60;

function formatDelay(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes - h * 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/**
 * A warning when a run started more than `thresholdMinutes` after it was scheduled, else undefined.
 * Instants are ISO strings or epoch ms.
 */
export function lateStartWarning(
  scheduledFor: string | number | undefined,
  startedAt: string | number,
  thresholdMinutes = LATE_START_THRESHOLD_MINUTES,
  zone = 'Europe/London',
): string | undefined {
  if (scheduledFor === undefined) return undefined;
  const toDt = (v: string | number) =>
    typeof v === 'number' ? DateTime.fromMillis(v) : DateTime.fromISO(v, { setZone: true });
  const scheduled = toDt(scheduledFor);
  const started = toDt(startedAt);
  if (!scheduled.isValid || !started.isValid) return undefined;
  const delay = started.diff(scheduled, 'minutes').minutes;
  if (delay <= thresholdMinutes) return undefined;
  return (
    `This run started ${formatDelay(delay)} after it was scheduled ` +
    `(${scheduled.setZone(zone).toFormat('HH:mm')} → ${started.setZone(zone).toFormat('HH:mm')} ${zone}). ` +
    `GitHub's scheduler is running late: consider an external trigger (see the README).`
  );
}

export interface StartRecord {
  scheduledFor?: string;
  startedAt: string;
}

/**
 * Looks at the recent starts recorded in the status file's attempts (scheduledFor/startedAt) and
 * warns when the current run or at least `minLate` of the last `window` scheduled runs were late.
 */
export function scheduleHealth(
  recent: StartRecord[],
  current: StartRecord,
  options: { thresholdMinutes?: number; window?: number; minLate?: number; zone?: string } = {},
): { warning?: string; delaysMinutes: number[] } {
  const threshold = options.thresholdMinutes ?? LATE_START_THRESHOLD_MINUTES;
  const window = options.window ?? 5;
  const minLate = options.minLate ?? 2;
  const scheduled = [...recent, current]
    .filter((r): r is Required<StartRecord> => Boolean(r.scheduledFor))
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    .slice(-window);
  const delaysMinutes = scheduled.map((r) =>
    Math.round(DateTime.fromISO(r.startedAt).diff(DateTime.fromISO(r.scheduledFor), 'minutes').minutes),
  );
  const now = lateStartWarning(current.scheduledFor, current.startedAt, threshold, options.zone);
  if (now) return { warning: now, delaysMinutes };
  const late = delaysMinutes.filter((d) => d > threshold);
  if (late.length >= minLate) {
    return {
      warning:
        `${late.length} of the last ${delaysMinutes.length} scheduled runs started more than ${threshold} min late ` +
        `(up to ${formatDelay(Math.max(...late))}). Consider an external trigger (see the README).`,
      delaysMinutes,
    };
  }
  return { delaysMinutes };
}
