import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { cronTimes } from './schedule-health.ts';

/**
 * What watch.yml costs in GitHub Actions minutes (private repositories; public ones pay nothing), from
 * its own schedule lines and the billing rule that each job is rounded up to the whole minute. The
 * schedule is counted exactly (cron-parser, in the lines' time zone, over a real 30-day stretch); how
 * long each job takes is an assumption, stated with the figure (GitHub's runners cannot be timed here).
 */

/** Billed minutes per job, assumed from the job's steps (each rounded up to the whole minute by GitHub). */
export const WATCH_JOB_MINUTES = {
  /**
   * The look job when nothing is due: checkout, setup-node with the npm cache, npm ci (no browser
   * download), `npm run watch -- --due`: well under a minute.
   */
  idle: 1,
  /** The look job that looks: the above, plus Chromium (npx playwright install chromium), a login and a look, the status commit. */
  look: 2,
  /** The book job (only when a court came free): install, Chromium, login, book, verify, commit, Discord. */
  book: 2,
} as const;

export type WatchMinutes = {
  /** Scheduled look jobs in the 30 days counted. */
  runs: number;
  runsPerDay: number;
  /** WATCH unset or false: the jobs are skipped by `if:` and never start a runner. */
  off: number;
  /** WATCH=true, nothing to watch: every run stops after `--due`. */
  idle: number;
  /** WATCH=true and a row watched all month: every run looks. */
  looking: number;
  /** Each booking the watch makes adds this. */
  perBooking: number;
};

/** The minutes watch.yml costs in 30 days from `from` (default: 30 days from 1 January 2027, London). */
export function watchMinutes(workflowText: string, from?: DateTime): WatchMinutes {
  const wf = parse(workflowText) as { on: { schedule?: { cron: string; timezone?: string }[] } };
  const start = from ?? DateTime.fromISO('2027-01-01T00:00', { zone: 'Europe/London' });
  const end = start.plus({ days: 30 });
  const runs = (wf.on.schedule ?? []).reduce(
    (n, line) => n + cronTimes(line.cron, line.timezone ?? 'UTC', start, end).length,
    0,
  );
  return {
    runs,
    runsPerDay: runs / 30,
    off: 0,
    idle: runs * WATCH_JOB_MINUTES.idle,
    looking: runs * WATCH_JOB_MINUTES.look,
    perBooking: WATCH_JOB_MINUTES.book,
  };
}

/** The figures as docs/watch.md states them (`npm run watch -- --minutes` prints exactly this). Pure. */
export function describeWatchMinutes(m: WatchMinutes): string {
  const share = (minutes: number) => `${Math.round((minutes / 2000) * 100)}% of the Free plan's 2,000`;
  const n = (minutes: number) => minutes.toLocaleString('en-GB');
  return [
    `watch.yml starts ${m.runs} look jobs in 30 days (${m.runsPerDay} a day). In a private repository:`,
    `- WATCH not true: 0 minutes (the jobs are skipped by their if: and never start a runner)`,
    `- WATCH=true, nothing to watch: ${n(m.idle)} minutes (${WATCH_JOB_MINUTES.idle} a run, assumed: the job stops after npm ci and --due; ${share(m.idle)})`,
    `- WATCH=true, a row watched all month: ${n(m.looking)} minutes (${WATCH_JOB_MINUTES.look} a run, assumed: Chromium, a login and a look too; ${share(m.looking)})`,
    `- each court the watch books: ${m.perBooking} minutes more (the book job, assumed)`,
    `A public repository pays nothing.`,
  ].join('\n');
}
