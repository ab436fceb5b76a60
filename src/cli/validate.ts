import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_PATH,
  loadConfig,
  type Config,
} from '../bookings/config.ts';
import {
  DEFAULT_BOOKINGS_PATH,
  describeRelease,
  formatProblem,
  loadBookings,
  type Problem,
} from '../bookings/csv.ts';
import { loadBookingRows, type LoadedBookings } from '../bookings/load.ts';
import { errorsIn, firstProblems, warningsIn } from '../bookings/problem.ts';
import { DEFAULT_STATUS_PATH, readStatus, StatusFileError } from '../bookings/status.ts';
import {
  annotate,
  escapeMarkdown,
  inGitHubActions,
  markdownCode,
  boundedMarkdownTable,
  markdownTable,
  writeJobSummary,
} from '../github/annotations.ts';
import { printLine } from '../github/workflow-commands.ts';
import { clockFrom, parseCommandLine, plural, runCli, textTable } from './args.ts';
import { horizonDaysFrom, RULE_HEADERS, rowLabel, rulesHeading, ruleTableRows } from './rules-report.ts';

const USAGE = `Usage: npm run validate [-- FILE] [--config FILE] [--status FILE] [--rules FILE] [--weeks N]

Checks a bookings file (default ${DEFAULT_BOOKINGS_PATH}), the configuration (default ${DEFAULT_CONFIG_PATH})
and the bot's status file (default ${DEFAULT_STATUS_PATH}), and the weekly rules (default recurring.csv next to
the bookings file; none if it does not exist), showing the court dates they book in the releases of the next
N weeks (default 4).
Exits 0 when both are valid (warnings may print) and 1 listing every error otherwise.
Inside GitHub Actions each problem is also an annotation on its line, and the job summary lists the rows.`;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
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
  const configPath = values.config ?? DEFAULT_CONFIG_PATH;

  // A broken configuration is reported too, and the bookings are still checked (with the defaults), so a
  // member sees every problem in one go.
  let config: Config = DEFAULT_CONFIG;
  const problems: Problem[] = [];
  try {
    config = await loadConfig(configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) problems.push(problem);
  }
  // The status file is the bot's; a hand edit that broke it should fail the pull request, not the night.
  try {
    await readStatus(values.status ?? DEFAULT_STATUS_PATH);
  } catch (error) {
    if (!(error instanceof StatusFileError)) throw error;
    problems.push({
      file: error.file,
      line: error.line ?? 0,
      message: `${error.detail} (${error.hint ?? 'restore it from git history'})`,
      severity: 'error',
    });
  }
  const clock = clockFrom(env.BOOKER_NOW, config.timeZone, 'BOOKER_NOW');
  const horizonDays = horizonDaysFrom(values.weeks, USAGE);
  const loaded = await loadBookingRows(file, config, clock, { rules: values.rules, horizonDays });
  const { rows, problems: rowProblems } = loaded;
  // A loop, not push(...rowProblems): a spread of 150,000 problems overflows the stack.
  for (const problem of rowProblems) problems.push(problem);

  const errors = errorsIn(problems);
  const warnings = warningsIn(problems);
  const actions = inGitHubActions(env);
  // The first problems are listed (and annotated: GitHub shows only the first 10 of each kind per step
  // anyway), the rest counted, so a file of 150,000 mistakes gives a readable answer.
  const { listed, more } = firstProblems(problems);
  if (actions) {
    annotate(listed.map((p) => ({ ...p, message: formatProblem(p), title: `bookings: ${p.severity}` })));
  } else {
    for (const p of listed) printLine(formatProblem(p));
  }
  if (more) printLine(more);

  const toBook = loaded.dated.filter((r) => r.book).length;
  const counts = `${plural(loaded.dated.length, 'row')} (${toBook} to book, ${loaded.dated.length - toBook} skipped)${rulesCount(loaded)}`;
  const files = loaded.rulesFound ? `${file} and ${loaded.rulesFile}` : file;
  const verdict =
    errors.length > 0
      ? `✗ ${files}: ${plural(errors.length, 'error')}${warnings.length ? `, ${plural(warnings.length, 'warning')}` : ''}. Fix the lines above and run npm run validate again.`
      : `✓ ${file}: ${counts} valid${warnings.length ? `, ${plural(warnings.length, 'warning')}` : ''}.`;
  if (problems.length > 0) printLine('');
  if (loaded.rules.length > 0) {
    printLine(`${rulesHeading(loaded, horizonDays)}\n\n${textTable(RULE_HEADERS, ruleTableRows(loaded))}\n`);
  }
  printLine(verdict);

  if (actions) {
    await writeJobSummary(
      summary(file, rows, problems, config, errors.length === 0) + rulesSummary(loaded, horizonDays),
      env,
    );
  }
  return errors.length > 0 ? 1 : 0;
}

function summary(
  file: string,
  rows: Awaited<ReturnType<typeof loadBookings>>['rows'],
  problems: Problem[],
  config: Config,
  valid: boolean,
): string {
  const parts = [
    `## ${valid ? '✅' : '❌'} ${escapeMarkdown(file)}: ${valid ? 'valid' : `${plural(errorsIn(problems).length, 'error')}`}`,
    '',
    rows.length === 0
      ? '_No valid rows._'
      : boundedMarkdownTable(
          ['Line', 'Date', 'Time1', 'Time2', 'Court', 'Status', `Opens (${config.timeZone})`],
          rows.map((r) => [
            rowLabel(r),
            r.date,
            r.time1,
            r.time2,
            r.court ?? 'any',
            r.book ? (r.watch ? 'Watch' : 'Book') : `skipped (${r.status || 'blank'})`,
            describeRelease(r, config),
          ]),
        ),
  ];
  if (problems.length > 0) {
    const { listed, more } = firstProblems(problems);
    parts.push('', '### Problems', '');
    for (const p of listed)
      parts.push(`- ${p.severity === 'error' ? '❌' : '⚠️'} ${markdownCode(formatProblem(p))}`);
    if (more) parts.push('', escapeMarkdown(more));
  }
  return `${parts.join('\n')}\n`;
}

/** ` and 2 weekly rules (1 paused) in bookings/recurring.csv`, or nothing without a rules file. */
function rulesCount(loaded: LoadedBookings): string {
  if (!loaded.rulesFound) return '';
  const paused = loaded.rules.filter((r) => !r.book).length;
  return ` and ${plural(loaded.rules.length, 'weekly rule')}${paused ? ` (${paused} paused)` : ''} in ${loaded.rulesFile}`;
}

/** The job summary's section on the weekly rules: each rule and the court dates it books. */
function rulesSummary(loaded: LoadedBookings, horizonDays: number): string {
  if (loaded.rules.length === 0) return '';
  return `\n### ${escapeMarkdown(rulesHeading(loaded, horizonDays))}\n\n${markdownTable(RULE_HEADERS, ruleTableRows(loaded))}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(() => main(process.argv.slice(2)));
