import { formatProblem, type BookingRow } from '../bookings/csv.ts';
import { loadBookingRows } from '../bookings/load.ts';
import { firstProblems } from '../bookings/problem.ts';
import { loadConfig, type Config } from '../bookings/config.ts';
import { readStatus, type StatusFile } from '../bookings/status.ts';
import type { Clock } from '../calendar/clock.ts';
import { decideRun, type RunDecision } from '../calendar/release.ts';
import { readEnvironment, type Environment } from '../env.ts';
import type { Target } from '../venue/fire/plan.ts';
import { loadProfile, type VenueProfile } from '../venue/profile.ts';
import type { RunOptions, RunPaths } from './types.ts';

export type Picked =
  | { kind: 'nothing-due'; message: string }
  | {
      kind: 'due';
      env: Environment;
      config: Config;
      dryRun: boolean;
      /** The first row due; `rows` are every row released at the same instant, in the file's order. */
      pick: RunDecision<BookingRow>;
      rows: BookingRow[];
      status: StatusFile;
      /** Rows also due now, released at another instant: left to the next run. */
      leftOver: RunDecision<BookingRow>[];
      targets: Target[];
      profile: VenueProfile;
    };

/** The row's wanted times, in order. */
export function wantedTimes(row: Pick<BookingRow, 'time1' | 'time2'>): string[] {
  return row.time2 && row.time2 !== row.time1 ? [row.time1, row.time2] : [row.time1];
}

/** What the fire books for a row (pure). `rows` are all the file's rows, for the one-court-a-day rule. */
export function targetOf(row: BookingRow, rows: readonly BookingRow[]): Target {
  return {
    key: row.key,
    date: row.date,
    times: wantedTimes(row),
    ...(row.court ? { preferredCourt: row.court } : {}),
    onlyRowOnDate: rows.filter((r) => r.book && r.date === row.date).length === 1,
  };
}

/**
 * Phase 1, load and pick: the configuration, the bookings, the status file and the venue profile;
 * the release calendar decides the row this run owns. Throws when a file cannot be read (the run then
 * fails with the file's own message, the files left as they were).
 */
export async function loadAndPick(
  options: RunOptions,
  paths: RunPaths,
  clock: Clock,
  log: (line: string) => void,
): Promise<Picked> {
  const env = options.env ?? readEnvironment();
  const config = options.config ?? (await loadConfig(paths.config));
  const dryRun = options.dryRun ?? env.dryRun;
  // bookings.csv and the weekly rules (recurring.csv beside it), expanded and merged: dated rows win.
  const { rows, problems } = await loadBookingRows(paths.bookings, config, clock);
  const { listed, more } = firstProblems(problems);
  for (const problem of listed) log(formatProblem(problem));
  if (more) log(more);
  const candidates = rows.filter((r) => r.book && (!options.date || r.date === options.date));
  const status = await readStatus(paths.status);
  const decision = decideRun(candidates, status, clock, config);
  let pick = decision.due[0];
  if (!pick && options.noWait && options.date) {
    // --no-wait --date: act on that row now whatever the release window says (dry runs, cancellations).
    pick = decision.all.find((d) => d.row.book && status.bookings[d.row.key]?.state !== 'booked');
  }
  if (!pick) {
    const why =
      options.date && candidates.length === 0
        ? `no "Book" row for ${options.date} in ${paths.bookings}`
        : decision.summary;
    return { kind: 'nothing-due', message: `Nothing to book: ${why}.` };
  }
  const profile = await loadProfile(config.venue.profile, env.baseUrl);
  // Every row released at the same instant is this run's: booked in the file's order, in one fire.
  // (The loader's order: one date's rows in their file's order, dated rows before a rule's.)
  const tonight = decision.due.includes(pick)
    ? decision.due.filter((d) => d.releaseAt.toMillis() === pick.releaseAt.toMillis())
    : [pick];
  const rowsTonight = rows.filter((r) => tonight.some((d) => d.row === r));
  return {
    kind: 'due',
    env,
    config,
    dryRun,
    pick: tonight.find((d) => d.row === rowsTonight[0]) ?? pick,
    rows: rowsTonight,
    status,
    leftOver: decision.due.filter((d) => !tonight.includes(d)),
    targets: rowsTonight.map((row) => targetOf(row, rows)),
    profile,
  };
}
