import { DateTime } from 'luxon';
import type { Chain } from '../bookings/relay-state.ts';
import type { RelayDecision } from '../relay/decide.ts';
import { formatInstant } from '../relay/night.ts';
import type { TriggerRecord } from '../relay/trigger.ts';
import { markdownCell as cell, markdownTable } from './annotations.ts';
import { markdownText } from './markdown.ts';

/**
 * The relay's part of the job summary: which link this run is, who started it, what it decided and when the
 * next link is due, then the chain so far. Pure; every value is escaped for a Markdown table cell (the startedBy
 * and source texts come from workflow inputs).
 */
export interface RelaySummaryContext {
  decision: RelayDecision;
  trigger: Pick<TriggerRecord, 'startedBy' | 'dispatchedAt' | 'problems'>;
  /** Tonight's chain as recorded, this run included. */
  chain?: Chain;
  /** The relay setting and why (src/relay/visibility.ts). */
  relay: { enabled: boolean; reason: string };
  timeZone?: string;
}

const ACTION: Record<RelayDecision['action'], string> = {
  book: 'book: the release is within this job\u2019s reach',
  'wait-then-hand-over': 'wait, then hand over to a successor',
  stop: 'stop',
};

export function renderRelaySummary(ctx: RelaySummaryContext): string {
  const zone = ctx.timeZone ?? 'Europe/London';
  const d = ctx.decision;
  const time = (iso: string | DateTime | undefined) => {
    if (!iso) return undefined;
    const dt = typeof iso === 'string' ? DateTime.fromISO(iso, { setZone: true }) : iso;
    return dt.isValid ? dt.setZone(zone).toFormat('HH:mm:ss ZZZZ') : undefined;
  };
  const rows: [string, string | undefined][] = [];
  const night = d.night;
  const link = d.link;
  rows.push([
    'This run',
    night
      ? `${link ? `link ${link} of the chain` : 'a run'} for the release on ${formatInstant(night.releaseAt, zone)} (court date ${night.courtDate})`
      : 'not part of a chain',
  ]);
  rows.push(['Started by', ctx.trigger.startedBy]);
  if (ctx.trigger.dispatchedAt)
    rows.push(['Dispatched at', time(ctx.trigger.dispatchedAt) ?? ctx.trigger.dispatchedAt]);
  rows.push(['Decision', `${ACTION[d.action]}${d.action === 'stop' ? ` (${d.code})` : ''}: ${d.reason}`]);
  if (d.action === 'wait-then-hand-over') {
    rows.push([
      'Next due',
      `link ${d.link + 1}, expected to start about ${time(d.successorExpectedAt)} (hand-over at ${time(d.handOverAt)}; retries until ${time(d.latestHandOverAt)})`,
    ]);
    if (d.takesOverFrom !== undefined) {
      rows.push(['Took over', `from link ${d.takesOverFrom}, whose expected successor this run replaced`]);
    }
  } else {
    rows.push([
      'Next due',
      d.action === 'book' ? 'none: this run books the release' : 'none: the chain ends here',
    ]);
  }
  rows.push(['Relay', ctx.relay.reason]);
  const lines = ['### Relay', '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)];
  for (const problem of ctx.trigger.problems) lines.push('', `> [!NOTE]`, `> ${cell(problem)}`);
  const links = ctx.chain?.links ?? [];
  if (links.length > 0) {
    lines.push(
      '',
      `Tonight's chain (night of ${ctx.chain!.night}):`,
      '',
      markdownTable(
        ['Link', 'Run', 'Started by', 'Started', 'Role', 'Hand-over', 'Next due', 'Ended'],
        links.map((l) => [
          l.link,
          l.runId,
          l.startedBy,
          time(l.startedAt),
          l.role,
          l.dispatch
            ? `${time(l.dispatch.at)} ${l.dispatch.ok ? '✓' : `✗ ${l.dispatch.error ?? l.dispatch.status ?? ''}`}`
            : time(l.handOverAt),
          time(l.nextDueAt),
          l.endedAt ? `${time(l.endedAt)}${l.outcome ? ` (${l.outcome})` : ''}` : undefined,
        ]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export type RelayStepOutcome = 'book' | 'stopped' | 'handed-over' | 'dispatch-failed';

/** What a relay run's summary shows of the relay step's result (a RelayStepResult has these fields). */
export type RelayRunSummaryInput = {
  outcome: RelayStepOutcome;
  decision: RelayDecision;
  /** The relay section, as rendered by renderRelaySummary. */
  summary: string;
  error?: string;
  ended?: string;
};

/**
 * The job summary of a run that waited for its hand-over and ends there: it handed over, found the hand-over
 * was not needed, or could not hand over. A heading that says which, the relay section, then any extra
 * sections. Pure; every free text is escaped.
 */
export function renderRelayRunSummary(
  result: RelayRunSummaryInput,
  sections: { title: string; markdown: string }[] = [],
  timeZone = 'Europe/London',
): string {
  const d = result.decision;
  const lines: string[] = [];
  if (result.outcome === 'handed-over' && d.action === 'wait-then-hand-over') {
    lines.push(
      `## ⛓️ Handed over to link ${d.link + 1}`,
      '',
      `This run did not book: tonight's release (${formatInstant(d.night.releaseAt, timeZone)}) was too far away for one job. ` +
        `It started link ${d.link + 1} of the chain, expected to start about ${d.successorExpectedAt.setZone(timeZone).toFormat('HH:mm ZZZZ')}${d.finalHop ? ', which books' : ', which hands over again'}.`,
    );
  } else if (result.outcome === 'dispatch-failed') {
    lines.push(
      '## ❌ The hand-over failed',
      '',
      `This run could not start its successor, so tonight's chain is broken unless a scheduled run closer to midnight books.`,
      '',
      '> [!CAUTION]',
      `> ${markdownText(result.error ?? 'the dispatch failed')}`,
    );
  } else {
    lines.push('## ⛓️ The chain ends here', '', markdownText(result.ended ?? d.reason));
  }
  lines.push('', result.summary.trimEnd(), '');
  for (const section of sections) lines.push(`### ${section.title}`, '', section.markdown, '');
  return lines.join('\n');
}
