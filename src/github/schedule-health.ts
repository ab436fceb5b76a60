import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { DateTime } from 'luxon';

/**
 * GitHub's scheduler starts runs late at busy times (minutes to hours) and sometimes not at all.
 * These pure functions turn a cron line + time zone into instants, tell how late a run started,
 * and warn when recent starts were too late for comfort.
 */

/**
 * Reads a cron line the way GitHub's scheduler does: five fields (minute, hour, day of month, month,
 * day of week) with lists, ranges, steps and names (MON-FRI, JAN), in a time zone. The parsing is
 * cron-parser's (maintained, and on luxon like the rest of our time code), not ours. Throws with a
 * readable message when the line cannot be read; callers turn that into a warning, never a failure.
 */
export function readCron(cron: string, zone = 'Europe/London', from?: DateTime): CronExpression {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(
      `cron "${cron}" has ${fields.length} fields; GitHub's schedule takes 5 (minute hour day month weekday)`,
    );
  }
  try {
    return CronExpressionParser.parse(cron.trim(), {
      tz: zone,
      ...(from ? { currentDate: from.toJSDate() } : {}),
    });
  } catch (error) {
    throw new Error(`cron "${cron}" cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The instants (as DateTimes in `zone`) at which a cron line fires between `from` (inclusive)
 * and `to` (exclusive), in the wall time of `zone`.
 */
export function cronTimes(cron: string, zone: string, from: DateTime, to: DateTime): DateTime[] {
  const expression = readCron(cron, zone, from.minus({ milliseconds: 1 }));
  const out: DateTime[] = [];
  for (;;) {
    const next = DateTime.fromJSDate(expression.next().toDate(), { zone });
    if (next >= to) break;
    if (next >= from) out.push(next);
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
  const expression = readCron(cron, zone, at.plus({ milliseconds: 1 }));
  const previous = DateTime.fromJSDate(expression.prev().toDate(), { zone });
  return previous >= at.minus({ hours: lookbackHours }) ? previous : undefined;
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
    `GitHub's scheduler is running late: consider an external trigger (docs/nightly-run.md, "A start to the minute").`
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
        `(up to ${formatDelay(Math.max(...late))}). Consider an external trigger (docs/nightly-run.md, "A start to the minute").`,
      delaysMinutes,
    };
  }
  return { delaysMinutes };
}
