import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Clock } from '../calendar/clock.ts';
import type { Config } from './config.ts';
import {
  calendarDateField,
  noFallbackWarning,
  parseCsvTable,
  startTimeField,
  type CsvTable,
  type UnreadLine,
} from './csv.ts';
import { sortProblems, type Problem } from './problem.ts';
import { didYouMean } from './suggest.ts';

/** The default name of the weekly rules file, next to bookings.csv. */
export const RULES_FILE_NAME = 'recurring.csv';

/** The columns of recurring.csv, as members spell them in the header. */
export const RULE_COLUMNS = ['Day', 'Time1', 'Time2', 'Status', 'Court', 'From', 'Until', 'Note'] as const;
export type RuleColumn = (typeof RULE_COLUMNS)[number];
const RULE_REQUIRED: readonly RuleColumn[] = ['Day', 'Time1', 'Status'];

/** ISO weekday order, as luxon numbers them: WEEKDAYS[weekday - 1], 1 = Monday … 7 = Sunday. */
export const WEEKDAYS = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
const DAY_EXAMPLE = 'expected a day of the week, e.g. Tuesday, Tue or tues';

/** One valid line of recurring.csv: "every <weekday>, book Time1 (else Time2)". */
export type WeeklyRule = {
  /** The line of the rules file the rule is on (1 = the header). */
  line: number;
  /** 1 = Monday … 7 = Sunday (ISO, as luxon's DateTime.weekday). */
  weekday: number;
  /** HH:mm, the preferred start. */
  time1: string;
  /** HH:mm, the fallback start. */
  time2?: string;
  /** Status is "Book" (any case); anything else pauses the rule. */
  book: boolean;
  /** Status as written. */
  status: string;
  /** Preferred court's name; absent = any court. */
  court?: string;
  /** First court date the rule books, YYYY-MM-DD, inclusive; absent = no start. */
  from?: string;
  /** Last court date the rule books, YYYY-MM-DD, inclusive; absent = no end. */
  until?: string;
  note?: string;
};

export type ParsedRules = { rules: WeeklyRule[]; problems: Problem[]; unread: UnreadLine<RuleColumn>[] };

/**
 * A day of the week as members write it: `Tuesday`, `Tue`, `tues`, `TU`, `Tuesdays`, `weds`, in any case:
 * any start of the name of at least two letters. Returns 1 = Monday … 7 = Sunday, or undefined.
 */
export function parseWeekday(text: string): number | undefined {
  let s = text.trim().toLowerCase().replace(/\.$/, '');
  if (s === 'weds') s = 'wed';
  if (s.endsWith('days')) s = s.slice(0, -1);
  // Two letters are enough: Mo, Tu, We, Th, Fr, Sa, Su start one weekday each.
  if (s.length < 2) return undefined;
  const index = WEEKDAYS.findIndex((day) => day.toLowerCase().startsWith(s));
  return index >= 0 ? index + 1 : undefined;
}

/** The weekday of a YYYY-MM-DD calendar date, 1 = Monday … 7 = Sunday (a calendar date has no zone). */
export function weekdayOf(date: string): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday;
}

/** Whether the rule (active or paused) covers court date `date`: its weekday, within From/Until. */
export function ruleCovers(rule: WeeklyRule, date: string): boolean {
  return (
    weekdayOf(date) === rule.weekday &&
    (rule.from === undefined || rule.from <= date) &&
    (rule.until === undefined || date <= rule.until)
  );
}

/** `Tuesday 19:00 / 20:00, Padel Court 1, from 2026-12-01 until 2027-03-30`, for messages and tables. */
export function describeRule(rule: WeeklyRule): string {
  const times = rule.time2 ? `${rule.time1} / ${rule.time2}` : rule.time1;
  const range = [rule.from && `from ${rule.from}`, rule.until && `until ${rule.until}`].filter(Boolean);
  return [`${WEEKDAYS[rule.weekday - 1]} ${times}`, rule.court ?? 'any court', range.join(' ')]
    .filter(Boolean)
    .join(', ');
}

/**
 * The schema of one recurring.csv record. Times, dates and their messages are bookings.csv's own
 * (startTimeField, calendarDateField), so a cell means the same in both files.
 */
export function ruleRecordSchema(config: Config) {
  return z
    .object({
      Day: z.string({ error: `Day is missing (${DAY_EXAMPLE})` }).transform((text, ctx) => {
        const weekday = parseWeekday(text);
        if (weekday === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `Day "${text}" is not a day of the week${didYouMean(text, WEEKDAYS)} (${DAY_EXAMPLE})`,
          });
          return z.NEVER;
        }
        return weekday;
      }),
      Time1: startTimeField(config, 'Time1', 'Time1 is missing (expected the start time you want, e.g. 7pm)'),
      Time2: startTimeField(config, 'Time2').optional(),
      Status: z.string().default(''),
      Court: z.string().optional(),
      From: calendarDateField('From').optional(),
      Until: calendarDateField('Until').optional(),
      Note: z.string().optional(),
    })
    .superRefine((r, ctx) => {
      if (r.From !== undefined && r.Until !== undefined && r.Until < r.From) {
        ctx.addIssue({
          code: 'custom',
          path: ['Until'],
          message: `Until "${r.Until}" is before From "${r.From}" (expected the last court date the rule books, on or after From)`,
        });
      }
    })
    .transform((r): Omit<WeeklyRule, 'line'> => {
      const rule: Omit<WeeklyRule, 'line'> = {
        weekday: r.Day,
        time1: r.Time1,
        book: r.Status.toLowerCase() === 'book',
        status: r.Status,
      };
      if (r.Time2 !== undefined) rule.time2 = r.Time2;
      if (r.Court !== undefined) rule.court = r.Court;
      if (r.From !== undefined) rule.from = r.From;
      if (r.Until !== undefined) rule.until = r.Until;
      if (r.Note !== undefined) rule.note = r.Note;
      return rule;
    });
}

/** recurring.csv as a CsvTable: read by the same reader as bookings.csv. */
export function rulesTable(config: Config): CsvTable<RuleColumn, Omit<WeeklyRule, 'line'>> {
  return {
    columns: RULE_COLUMNS,
    required: RULE_REQUIRED,
    header: 'Day, Time1, Time2, Status',
    each: 'weekly rule',
    record: ruleRecordSchema(config),
  };
}

/**
 * Validates the text of a rules file: its valid rules (active and paused) and every problem found.
 * With a clock, an active rule whose Until has passed is warned about.
 */
export function parseRules(text: string, file: string, config: Config, clock?: Clock): ParsedRules {
  const { records, problems, unread } = parseCsvTable(text, file, rulesTable(config));
  const rules = records.map(({ value, line }): WeeklyRule => ({ ...value, line }));
  problems.push(...ruleWarnings(rules, file, config, clock));
  return { rules, problems: sortProblems(problems), unread };
}

/** Warnings about a rule that books nothing, or two rules that are one booking. */
function ruleWarnings(rules: WeeklyRule[], file: string, config: Config, clock?: Clock): Problem[] {
  const problems: Problem[] = [];
  const warn = (rule: WeeklyRule, message: string, field?: string) =>
    problems.push({ file, line: rule.line, severity: 'warning', message, ...(field ? { field } : {}) });
  const today = clock
    ? (DateTime.fromMillis(clock.now(), { zone: config.timeZone }).toISODate() as string)
    : undefined;
  const active: WeeklyRule[] = [];
  for (const rule of rules) {
    problems.push(...noFallbackWarning(rule, file));
    if (!rule.book) continue;
    const day = WEEKDAYS[rule.weekday - 1];
    if (rule.from !== undefined && rule.until !== undefined && !hasWeekday(rule)) {
      warn(
        rule,
        `there is no ${day} from ${rule.from} until ${rule.until}, so this rule books nothing (expected From and Until around at least one ${day})`,
        'Until',
      );
    } else if (today !== undefined && rule.until !== undefined && rule.until < today) {
      warn(
        rule,
        `this rule ended on ${rule.until} (Until), so it books nothing more (remove the line, or move Until later)`,
        'Until',
      );
    }
    const twin = active.find(
      (other) => other.weekday === rule.weekday && other.time1 === rule.time1 && overlap(other, rule),
    );
    if (twin) {
      warn(
        rule,
        `${day} at ${rule.time1} is also the rule on line ${twin.line}, for some of the same dates; both are one booking, so only one court will be booked and this line is ignored on those dates (expected each day and time once, or From/Until that do not overlap)`,
      );
    } else {
      active.push(rule);
    }
  }
  return problems;
}

/** Whether From…Until holds the rule's weekday (at most a week to look at). */
function hasWeekday(rule: WeeklyRule): boolean {
  let day = DateTime.fromISO(rule.from as string, { zone: 'UTC' });
  for (let i = 0; i < 7 && (day.toISODate() as string) <= (rule.until as string); i++) {
    if (day.weekday === rule.weekday) return true;
    day = day.plus({ days: 1 });
  }
  return false;
}

function overlap(a: WeeklyRule, b: WeeklyRule): boolean {
  const startsBeforeEnd = (x: WeeklyRule, y: WeeklyRule) =>
    x.from === undefined || y.until === undefined || x.from <= y.until;
  return startsBeforeEnd(a, b) && startsBeforeEnd(b, a);
}
