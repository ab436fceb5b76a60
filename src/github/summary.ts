import { DateTime } from 'luxon';
import type { OutcomeReport, RowReport } from '../notify/message.ts';
import { courtsBooked, describeOutcome, formatLatency, OUTCOME_ICON } from '../notify/message.ts';
import { markdownCell as cell } from './annotations.ts';
import { markdownText } from './markdown.ts';

export interface SummaryContext {
  runUrl?: string;
  /** Name of the uploaded artifact (screenshots, step log, trace). */
  artifactName?: string;
  artifactRetentionDays?: number;
  trigger?: string;
  scheduledCron?: string;
  scheduledFor?: string;
  dispatchedAt?: string;
  startedAt?: string;
  lateStart?: string;
  dryRun?: boolean;
  /** Extra sections (e.g. the status file when the push failed), appended verbatim. */
  sections?: { title: string; markdown: string }[];
  timeZone?: string;
}

function instant(iso: string | undefined, zone: string): string | undefined {
  if (!iso) return undefined;
  const dt = DateTime.fromISO(iso, { setZone: true });
  return dt.isValid ? dt.setZone(zone).toFormat('yyyy-MM-dd HH:mm:ss.SSS ZZZZ') : iso;
}

/** The job summary for one run, as GitHub-flavoured Markdown. Pure. */
export function renderSummary(result: OutcomeReport, ctx: SummaryContext = {}): string {
  const zone = ctx.timeZone ?? 'Europe/London';
  const row = result.row;
  const lines: string[] = [];
  const count = courtsBooked(result);
  lines.push(
    `## ${OUTCOME_ICON[result.outcome]} Court booking: ${result.outcome}${ctx.dryRun ? ' (dry run)' : ''}` +
      (count && !ctx.dryRun ? ` (${count.booked} of ${count.of} courts booked)` : ''),
  );
  lines.push('');
  // Free text (the engine's messages quote the site and name paths like profiles/<venue>.yml): escaped.
  lines.push(markdownText(describeOutcome(result)));
  if (result.message && result.message !== describeOutcome(result))
    lines.push('', `> ${markdownText(result.message)}`);
  if (ctx.lateStart) lines.push('', `> [!WARNING]`, `> ${markdownText(ctx.lateStart)}`);
  lines.push('');
  lines.push(
    '| Date | Requested times | Booked time | Court | Reference | Fired at (venue clock) | Booking reached the venue | Attempts |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  const tableRows: RowReport[] = result.rows?.length
    ? result.rows
    : [
        {
          row: row ?? { key: '', date: '', time1: '' },
          outcome: result.outcome,
          message: result.message,
          ...(result.bookedTime ? { bookedTime: result.bookedTime } : {}),
          ...(result.court ? { court: result.court } : {}),
          ...(result.reference ? { reference: result.reference } : {}),
          ...(result.latencyMs !== undefined ? { latencyMs: result.latencyMs } : {}),
        },
      ];
  for (const r of tableRows) {
    lines.push(
      `| ${[
        cell(r.row.date || undefined),
        cell(r.row.time1 ? [r.row.time1, r.row.time2].filter(Boolean).join(', ') : undefined),
        cell(r.bookedTime),
        cell(r.court),
        cell(r.reference ? `\`${r.reference}\`` : undefined),
        cell(instant(result.firedAt, zone)),
        cell(formatLatency(r.latencyMs)),
        cell(result.attempts),
      ].join(' | ')} |`,
    );
  }
  if (result.unrecorded)
    lines.push(
      '',
      '> [!CAUTION]',
      `> The status file could not be written (${markdownText(result.unrecorded.error)}): the section below holds what to commit.`,
    );
  lines.push('');
  lines.push('| Run | |');
  lines.push('| --- | --- |');
  lines.push(`| Trigger | ${cell(ctx.trigger)} |`);
  if (ctx.scheduledCron) lines.push(`| Schedule line | \`${cell(ctx.scheduledCron)}\` (${zone}) |`);
  lines.push(`| Scheduled for | ${cell(instant(ctx.scheduledFor, zone))} |`);
  if (ctx.dispatchedAt) lines.push(`| Dispatched at | ${cell(instant(ctx.dispatchedAt, zone))} |`);
  lines.push(`| Actually started | ${cell(instant(ctx.startedAt, zone))} |`);
  // How long GitHub took to start the run: from its cron line's instant, else from when it was dispatched.
  const planned = ctx.scheduledFor ?? ctx.dispatchedAt;
  if (planned && ctx.startedAt) {
    const delay = DateTime.fromISO(ctx.startedAt).diff(DateTime.fromISO(planned), 'minutes').minutes;
    if (Number.isFinite(delay)) lines.push(`| Start delay | ${Math.round(delay)} min |`);
  }
  if (result.releaseAt) lines.push(`| Release (venue midnight) | ${cell(instant(result.releaseAt, zone))} |`);
  lines.push('');
  const links: string[] = [];
  if (ctx.runUrl) {
    links.push(`[This run](${ctx.runUrl})`);
    if (ctx.artifactName) {
      links.push(
        `[Artifact \`${ctx.artifactName}\`](${ctx.runUrl}#artifacts) (screenshots, step log, trace; kept ${ctx.artifactRetentionDays ?? 7} days)`,
      );
    }
  } else if (ctx.artifactName) links.push(`Artifact \`${ctx.artifactName}\``);
  if (result.screenshots.length > 0) {
    links.push(
      `Screenshots in the artifact: ${result.screenshots.map((s) => `\`${s.split('/').at(-1)}\``).join(', ')}`,
    );
  }
  if (links.length > 0) lines.push(links.map((l) => `- ${l}`).join('\n'), '');
  for (const section of ctx.sections ?? []) lines.push(`### ${section.title}`, '', section.markdown, '');
  return lines.join('\n');
}
