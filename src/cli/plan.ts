import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { DEFAULT_CONFIG_PATH, loadConfig, type Config } from '../bookings/config.ts';
import { DEFAULT_BOOKINGS_PATH, formatProblem, type BookingRow } from '../bookings/csv.ts';
import { loadBookingRows } from '../bookings/load.ts';
import { errorsIn, firstProblems } from '../bookings/problem.ts';
import { DEFAULT_STATUS_PATH, readStatus, type BookingState, type StatusFile } from '../bookings/status.ts';
import { decideRun, type RunDecision } from '../calendar/release.ts';
import {
  boundedMarkdownTable,
  escapeMarkdown,
  inGitHubActions,
  markdownTable,
  writeJobSummary,
} from '../github/annotations.ts';
import { jsonForActions, printError, printLine } from '../github/workflow-commands.ts';
import { clockFrom, parseCommandLine, runCli, textTable } from './args.ts';
import { horizonDaysFrom, RULE_HEADERS, rowLabel, rulesHeading, ruleTableRows } from './rules-report.ts';

const USAGE = `Usage: npm run plan [-- FILE] [--now ISO] [--json] [--config FILE] [--status FILE] [--rules FILE] [--weeks N]

Shows every row of a bookings file (default ${DEFAULT_BOOKINGS_PATH}) and the rows its weekly rules book
(default recurring.csv next to it): each row's state in the status file (default ${DEFAULT_STATUS_PATH}),
when its booking opens (London and UTC) and whether a run started now would attempt it.
  --weeks N   show the rows the weekly rules book in the releases of the next N weeks (default 4)
  --now ISO   pretend it is this instant, e.g. 2026-11-30T23:40 (London time) or 2026-11-30T23:40:00Z;
              BOOKER_NOW does the same
  --json      print an array of objects (date, releaseAt, state, dueNow, ...) for scripts`;

/** One row of the plan, as printed by --json. */
export type PlanEntry = {
  /** bookings.csv's line, or for a weekly rule's row the rule's line (see source). */
  line: number;
  /** Where the row comes from; `rule: true` for a row a weekly rule of recurring.csv books. */
  source: { file: string; line: number; rule?: true } | null;
  /** The Line column: `2`, or `recurring.csv:3` for a rule's row. */
  label: string;
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
    source: row.source ?? null,
    label: rowLabel(row),
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
      e.label,
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
      rules: { type: 'string' },
      weeks: { type: 'string' },
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
  const horizonDays = horizonDaysFrom(values.weeks, USAGE);
  const loaded = await loadBookingRows(file, config, clock, { rules: values.rules, horizonDays });
  const { rows, problems } = loaded;
  const rules = loaded.rules.length > 0 ? rulesHeading(loaded, horizonDays) : undefined;
  const errors = errorsIn(problems);
  // Problems go to stderr so that --json output stays parseable; the valid rows are still planned.
  // Every printed line from the file is neutralised: a cell must not become a workflow command.
  const { listed, more } = firstProblems(problems);
  for (const p of listed) printError(formatProblem(p));
  if (more) printError(more);

  const { all, summary } = decideRun(rows, status, clock, config);
  const entries = planEntries(all, status);
  const now = DateTime.fromMillis(clock.now(), { zone: config.timeZone });
  const heading = `Plan for ${file}${loaded.rulesFound ? ` and ${loaded.rulesFile}` : ''} at ${now.toFormat('ccc d LLL yyyy HH:mm:ss ZZZZ')} (${config.timeZone})`;

  if (values.json) {
    printLine(jsonForActions(entries));
  } else {
    if (problems.length > 0) printError('');
    printLine(`${heading}\n`);
    printLine(entries.length > 0 ? textTable(HEADERS, tableRows(entries, config)) : 'No valid rows.');
    if (rules) printLine(`\n${rules}\n\n${textTable(RULE_HEADERS, ruleTableRows(loaded))}`);
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
        ...(rules
          ? [`### ${escapeMarkdown(rules)}`, '', markdownTable(RULE_HEADERS, ruleTableRows(loaded)), '']
          : []),
        `**${escapeMarkdown(summary)}**`,
        '',
      ].join('\n'),
      env,
    );
  }
  return errors.length > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
