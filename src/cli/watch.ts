import { appendFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { fixedClock, shiftedClock, systemClock, type Clock } from '../calendar/clock.ts';
import { DEFAULT_PATHS, type RunPaths } from '../engine/types.ts';
import { loadDotEnv, readEnvironment } from '../env.ts';
import { describeWatchMinutes, watchMinutes } from '../github/watch-minutes.ts';
import { watchOnActions } from '../github/watch-run.ts';
import { printLine } from '../github/workflow-commands.ts';
import { runBooking } from '../run.ts';
import { bookCancellation, isLookDue, runWatch } from '../watch.ts';
import { parseCommandLine, runCli, UsageError } from './args.ts';

export const USAGE = `Usage: npm run watch [-- options]

The watch for cancellations. For each row it is for (Status Watch, or a Book row whose night ended
unavailable) whose release has passed: at most one look every watch.everyMinutes, until
watch.cutoffMinutes before the court, never near a release. It logs in (the saved session), looks at My
bookings first (a court you hold stops the watch), then at each date's availability, and counts the look
in bookings/status.json. A court free at Time1 (else Time2, your Court first) is booked at once by the
nightly engine (npm run book -- --no-wait --date D), unless --look is given.

Options:
  --look              look and report the court date found; do not book (watch.yml's look job)
  --book YYYY-MM-DD   book what a look found for that date, after checking it is still watched; no look
                      (watch.yml's book job)
  --due               only say whether a look is due: no browser, no login (watch.yml's first step)
  --date YYYY-MM-DD   only the rows of that court date
  --dry-run           a booking goes through every step but the final Confirm (also DRY_RUN=true)
  --out DIR           screenshots and the step log (default out/watch-<time>)
  --bookings FILE     default bookings/bookings.csv
  --config FILE       default bookings/config.yml
  --status FILE       default bookings/status.json
  --session FILE      saved session (Playwright storageState), default .auth/estelle.json
  --minutes           print the Actions minutes .github/workflows/watch.yml costs a month, and stop
  -h, --help

Exit codes: 0 nothing due, looked, found, booked, or not now (a release is near); 1 failed;
2 unavailable (the court went again before the booking) or a command line it cannot read; 3 unverified.
Secrets: ESTELLE_USERNAME, ESTELLE_PASSWORD (from .env locally). BOOKER_NOW sets the clock.`;

const OPTIONS = {
  look: { type: 'boolean' },
  book: { type: 'string' },
  due: { type: 'boolean' },
  date: { type: 'string' },
  'dry-run': { type: 'boolean' },
  out: { type: 'string' },
  bookings: { type: 'string' },
  config: { type: 'string' },
  status: { type: 'string' },
  session: { type: 'string' },
  minutes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const WATCH_YML = join(import.meta.dirname, '..', '..', '.github', 'workflows', 'watch.yml');

function courtDate(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!DateTime.fromFormat(value, 'yyyy-MM-dd').isValid)
    throw new UsageError(`--${name} "${value}" is not a date (expected YYYY-MM-DD, e.g. 2026-12-05)`, USAGE);
  return value;
}

/** `--due`: whether the look step has anything to do (files only), as the step output `due`. */
async function due(paths: RunPaths, clock: Clock, date: string | undefined): Promise<number> {
  const answer = await isLookDue({ paths, clock, env: readEnvironment(), ...(date ? { date } : {}) });
  printLine(answer.due ? `Due: ${answer.summary}.` : `Nothing to look at: ${answer.summary}.`);
  if (process.env.GITHUB_ACTIONS === 'true' && process.env.GITHUB_OUTPUT)
    appendFileSync(process.env.GITHUB_OUTPUT, `due=${answer.due}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(argv, OPTIONS, USAGE, 0);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.minutes) {
    printLine(describeWatchMinutes(watchMinutes(readFileSync(WATCH_YML, 'utf8'))));
    return 0;
  }
  const bookDate = courtDate('book', values.book);
  const date = courtDate('date', values.date);
  if ([values.look, bookDate, values.due].filter(Boolean).length > 1)
    throw new UsageError('--look, --book and --due are three different jobs: give one of them', USAGE);
  loadDotEnv();
  const now = process.env.BOOKER_NOW?.trim();
  const clock = now ? shiftedClock(fixedClock(now).now() - Date.now()) : systemClock;
  const paths: RunPaths = {
    ...DEFAULT_PATHS,
    ...(values.bookings ? { bookings: values.bookings } : {}),
    ...(values.config ? { config: values.config } : {}),
    ...(values.status ? { status: values.status } : {}),
    ...(values.session ? { storageState: values.session } : {}),
  };
  if (values.due) return due(paths, clock, date);

  const outDir = resolve(
    values.out ?? join('out', `watch-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}`),
  );
  const report = await watchOnActions({
    clock,
    outDir,
    ...(values.look ? { lookOnly: true } : {}),
    ...(bookDate ? { bookDate } : {}),
    flags: { ...(values['dry-run'] ? { dryRun: true } : {}), ...(date ? { date } : {}) },
    ...(values.status ? { statusPath: values.status } : {}),
    ...(values.config ? { configPath: values.config } : {}),
    ...(values.session ? { storageStatePath: values.session } : {}),
    // Read after the glue has masked the secrets.
    runWatch: (look) => runWatch({ ...look, env: readEnvironment(), clock, paths, log: printLine }),
    bookCancellation: (engine) =>
      bookCancellation({
        ...engine,
        env: readEnvironment(),
        clock,
        paths,
        log: printLine,
        trace: process.env.BOOKER_TRACE === 'true',
        runBooking,
      }),
  });
  const booked = report.booking?.result;
  if (booked) printLine(`\n${booked.outcome}: ${booked.message}`);
  else if (report.look) printLine(`\n${report.look.kind}: ${report.look.message}`);
  return report.exitCode;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
