import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runOnActions } from '../github/actions-run.ts';
import { runBooking, type RunResult } from '../run.ts';
import { loadDotEnv, readEnvironment } from '../env.ts';
import { fixedClock, shiftedClock, systemClock } from '../calendar/clock.ts';
import { describeError } from '../errors.ts';
import { printError, printLine } from '../github/workflow-commands.ts';

const USAGE = `Usage: npm run book [-- options]

Books the court(s) due now from bookings/bookings.csv: waits for the release (without a browser),
logs in ahead of it, fires at the venue's midnight, verifies on My bookings and records the
outcome in bookings/status.json.

Options:
  --dry-run           everything but the final Confirm (also DRY_RUN=true); never books.
                      A dry run acts at once unless --wait is given
  --wait              with --dry-run: wait for the release like the nightly run
  --no-wait           act now instead of waiting for the release
  --date YYYY-MM-DD   only the row for that court date
  --out DIR           where screenshots, the step log and traces go (default out/run-<time>)
  --trace             record a Playwright trace (started after login; never holds the password)
  --bookings FILE     default bookings/bookings.csv
  --config FILE       default bookings/config.yml
  --status FILE       default bookings/status.json
  --session FILE      saved session (Playwright storageState), default .auth/estelle.json
  -h, --help

Exit codes: 0 booked / already booked / nothing due / dry run; 1 failed; 2 unavailable; 3 unverified;
4 booked, but the status file could not be written (the run says what to commit).
Secrets: ESTELLE_USERNAME, ESTELLE_PASSWORD (from .env locally). ESTELLE_BASE_URL overrides the venue's address.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      'no-wait': { type: 'boolean' },
      wait: { type: 'boolean' },
      date: { type: 'string' },
      out: { type: 'string' },
      trace: { type: 'boolean' },
      bookings: { type: 'string' },
      config: { type: 'string' },
      status: { type: 'string' },
      session: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    printError(`--date "${values.date}" is not a date (expected YYYY-MM-DD, e.g. 2026-12-05)`);
    return 64;
  }
  loadDotEnv();
  const now = process.env.BOOKER_NOW?.trim();
  // BOOKER_NOW rehearses a night: the clock starts at that instant and runs on in real time.
  const clock = now ? shiftedClock(fixedClock(now).now() - Date.now()) : systemClock;
  // One pipeline for a local run and for Actions: inputs (secrets masked first) → engine → outputs,
  // status commit and session cache (Actions only) → Discord → job summary.
  const report = await runOnActions<RunResult>({
    clock,
    // Decided with every other source in one place (src/dry-run.ts, through readInputs).
    flags: {
      ...(values['dry-run'] ? { dryRun: true } : {}),
      ...(values.wait ? { wait: true } : {}),
      ...(values['no-wait'] ? { noWait: true } : {}),
      ...(values.date ? { date: values.date } : {}),
    },
    ...(values.session ? { storageStatePath: values.session } : {}),
    // Screenshots, the step log and traces: --out, else a new folder per run.
    outDir: resolve(
      values.out ?? join('out', `run-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}`),
    ),
    runBooking: (fromInputs) =>
      runBooking({
        ...fromInputs,
        // Read after runOnActions has masked the secrets.
        env: readEnvironment(),
        clock,
        // The engine's lines quote the bookings file and the venue's pages: neutralised as they are printed.
        log: printLine,
        trace: !!values.trace || process.env.BOOKER_TRACE === 'true',
        paths: {
          ...(values.bookings ? { bookings: values.bookings } : {}),
          ...(values.config ? { config: values.config } : {}),
          ...(values.status ? { status: values.status } : {}),
          ...(values.session ? { storageState: values.session } : {}),
        },
      }),
  });
  const result = report.result;
  if (!result) return report.exitCode;
  printLine(`\n${result.outcome}: ${result.message}`);
  if (result.screenshots.length > 0) printLine(`Screenshots and step log: ${result.outDir}`);
  return report.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    printError(describeError(error));
    process.exitCode = 1;
  },
);
