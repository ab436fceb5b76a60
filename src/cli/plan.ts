import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { DEFAULT_CONFIG_PATH, loadConfig, type Config } from '../bookings/config.ts';
import { DEFAULT_BOOKINGS_PATH, formatProblem, loadBookings, type BookingRow } from '../bookings/csv.ts';
import { errorsIn, firstProblems } from '../bookings/problem.ts';
import { DEFAULT_STATUS_PATH, readStatus, type BookingState, type StatusFile } from '../bookings/status.ts';
import { decideRun, type RunDecision } from '../calendar/release.ts';
import {
  boundedMarkdownTable,
  escapeMarkdown,
  inGitHubActions,
  writeJobSummary,
} from '../github/annotations.ts';
import { jsonForActions, printError, printLine } from '../github/workflow-commands.ts';
import { clockFrom, parseCommandLine, runCli, textTable } from './args.ts';

const USAGE = `Usage: npm run plan [-- FILE] [--now ISO] [--json] [--config FILE] [--status FILE]

Shows every row of a bookings file (default ${DEFAULT_BOOKINGS_PATH}): its state in the status file
(default ${DEFAULT_STATUS_PATH}), when its booking opens (London and UTC) and whether a run started now
would attempt it.
  --now ISO   pretend it is this instant, e.g. 2026-11-30T23:40 (London time) or 2026-11-30T23:40:00Z;
              BOOKER_NOW does the same
  --json      print an array of objects (date, releaseAt, state, dueNow, ...) for scripts`;

/** One row of the plan, as printed by --json. */
export type PlanEntry = {
  line: number;
  key: string;
  date: string;
  time1: string;
  time2: string | null;
  court: string | null;
  status: string;
  book: boolean;
  state: BookingState;
  /** ISO 8601 in the venue's zone, e.g. 2026-12-01T00:00:00.000+00:00 */
  releaseAt: string;
  releaseAtUtc: string;
  /** Whether a run started now would attempt the row (it waits for the release, or tries at once). */
  dueNow: boolean;
  action: RunDecision['action'];
  reason: string;
};

export function planEntries(decisions: readonly RunDecision<BookingRow>[], status: StatusFile): PlanEntry[] {
  return decisions.map(({ row, releaseAt, action, reason }) => ({
    line: row.line,
    key: row.key,
    date: row.date,
    time1: row.time1,
    time2: row.time2 ?? null,
    court: row.court ?? null,
    status: row.status,
    book: row.book,
    state: status.bookings[row.key]?.state ?? (row.book ? 'pending' : 'skipped'),
    releaseAt: releaseAt.toISO() as string,
    releaseAtUtc: releaseAt.toUTC().toISO() as string,
    dueNow: action !== 'none',
    action,
    reason,
  }));
}

const DUE_LABEL: Record<RunDecision['action'], string> = { now: 'yes', wait: 'wait', none: 'no' };

function tableRows(entries: readonly PlanEntry[], config: Config): string[][] {
  return entries.map((e) => {
    const opens = DateTime.fromISO(e.releaseAt, { setZone: true });
    return [
      String(e.line),
      e.date,
      e.time2 ? `${e.time1} / ${e.time2}` : e.time1,
      e.court ?? 'any',
      e.state,
      opens.setZone(config.timeZone).toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ'),
      opens.toUTC().toFormat("yyyy-MM-dd HH:mm:ss'Z'"),
      `${DUE_LABEL[e.action]}: ${e.reason}`,
    ];
  });
}

const HEADERS = [
  'Line',
  'Date',
  'Time1 / Time2',
  'Court',
  'State',
  'Opens (London)',
  'Opens (UTC)',
  'Run now?',
];

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      now: { type: 'string' },
      json: { type: 'boolean' },
      config: { type: 'string' },
      status: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    USAGE,
  );
  if (values.help) {
    printLine(USAGE);
    return 0;
  }
  const file = positionals[0] ?? DEFAULT_BOOKINGS_PATH;
  const config = await loadConfig(values.config ?? DEFAULT_CONFIG_PATH);
  const clock =
    values.now !== undefined
      ? clockFrom(values.now, config.timeZone, '--now')
      : clockFrom(env.BOOKER_NOW, config.timeZone, 'BOOKER_NOW');
  const status = await readStatus(values.status ?? DEFAULT_STATUS_PATH);
  const { rows, problems } = await loadBookings(file, config, clock);
  const errors = errorsIn(problems);
  // Problems go to stderr so that --json output stays parseable; the valid rows are still planned.
  // Every printed line from the file is neutralised: a cell must not become a workflow command.
  const { listed, more } = firstProblems(problems);
  for (const p of listed) printError(formatProblem(p));
  if (more) printError(more);

  const { all, summary } = decideRun(rows, status, clock, config);
  const entries = planEntries(all, status);
  const now = DateTime.fromMillis(clock.now(), { zone: config.timeZone });
  const heading = `Plan for ${file} at ${now.toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ')} (${config.timeZone})`;

  if (values.json) {
    printLine(jsonForActions(entries));
  } else {
    if (problems.length > 0) printError('');
    printLine(`${heading}\n`);
    printLine(entries.length > 0 ? textTable(HEADERS, tableRows(entries, config)) : 'No valid rows.');
    printLine(`\n${summary}`);
    if (errors.length > 0)
      printLine(
        `\n${errors.length} error(s) in ${file}: rows with errors are not planned (npm run validate lists them).`,
      );
  }

  if (inGitHubActions(env)) {
    await writeJobSummary(
      [
        `## 🗓️ ${escapeMarkdown(heading)}`,
        '',
        entries.length > 0 ? boundedMarkdownTable(HEADERS, tableRows(entries, config)) : '_No valid rows._',
        '',
        `**${escapeMarkdown(summary)}**`,
        '',
      ].join('\n'),
      env,
    );
  }
  return errors.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
