import { DateTime } from 'luxon';
import type { Config } from '../bookings/config.ts';
import type { Chain, ChainLink, DispatchRecord, RelayState } from '../bookings/relay-state.ts';
import type { StatusFile } from '../bookings/status.ts';
import type { RelayDecision } from './decide.ts';
import { formatTime, nightOf, type Night } from './night.ts';
import type { TriggerRecord } from './trigger.ts';

/**
 * The chain's telemetry, pure: every link records itself in the status file when it starts and again when it
 * hands over or ends; the next morning the record shows a link that handed over but whose successor never
 * started. Every function returns a new status and leaves its input alone.
 */

/** How many nights of chains the status file keeps. */
export const KEEP_NIGHTS = 14;

export interface RunIdentity {
  runId?: string;
  runUrl?: string;
  /** When this run's script started (ISO). */
  startedAt: string;
  /** Its cron line's instant, or the sender's dispatch time (ISO). */
  scheduledFor?: string;
}

/**
 * The record a run adds to tonight's chain when it starts, or undefined when it has nothing to do with a
 * chain (a run that finds nothing due and was not started by the relay).
 */
export function linkRecord(
  decision: RelayDecision,
  trigger: Pick<TriggerRecord, 'kind' | 'startedBy' | 'relay'>,
  run: RunIdentity,
): { night: Night; link: ChainLink } | undefined {
  if (!decision.night) return undefined;
  if (decision.action === 'stop' && trigger.kind !== 'relay') return undefined;
  const role =
    decision.action === 'wait-then-hand-over' ? 'relay' : decision.action === 'book' ? 'book' : 'stop';
  const link: ChainLink = {
    link: decision.link ?? trigger.relay?.link ?? 1,
    ...(run.runId ? { runId: run.runId } : {}),
    ...(run.runUrl ? { runUrl: run.runUrl } : {}),
    trigger: trigger.kind,
    startedBy: trigger.startedBy,
    startedAt: run.startedAt,
    ...(run.scheduledFor ? { scheduledFor: run.scheduledFor } : {}),
    role,
    ...(decision.action === 'wait-then-hand-over'
      ? {
          handOverAt: decision.handOverAt.toISO() as string,
          nextDueAt: decision.successorExpectedAt.toISO() as string,
        }
      : {}),
    ...(decision.action === 'stop' ? { endedAt: run.startedAt, outcome: decision.code } : {}),
  };
  return { night: decision.night, link };
}

/** The chain of one night, if any. */
export function chainFor(status: StatusFile, night: string): Chain | undefined {
  return status.relay?.chains.find((chain) => chain.night === night);
}

/** Adds (or, for the same run, updates) a link in its night's chain; keeps the last KEEP_NIGHTS nights. */
export function withLink(status: StatusFile, night: Night, link: ChainLink): StatusFile {
  const chains = [...(status.relay?.chains ?? [])];
  const index = chains.findIndex((chain) => chain.night === night.night);
  const chain: Chain =
    index >= 0
      ? { ...chains[index]!, links: [...chains[index]!.links] }
      : {
          night: night.night,
          releaseAt: night.releaseAt.toISO() as string,
          courtDate: night.courtDate,
          links: [],
        };
  const same = chain.links.findIndex((l) => sameRun(l, link));
  if (same >= 0) chain.links[same] = { ...chain.links[same]!, ...link };
  else chain.links.push(link);
  chain.links.sort((a, b) => a.link - b.link || a.startedAt.localeCompare(b.startedAt));
  if (index >= 0) chains[index] = chain;
  else chains.push(chain);
  return { ...status, relay: { chains: prune(chains) } };
}

/** Updates this run's link of a night's chain: the dispatch it sent, when it ended, how. */
export function updateLink(
  status: StatusFile,
  night: string,
  runId: string | undefined,
  link: number,
  patch: Partial<Pick<ChainLink, 'dispatch' | 'endedAt' | 'outcome' | 'role'>>,
): StatusFile {
  const chains = (status.relay?.chains ?? []).map((chain) =>
    chain.night !== night
      ? chain
      : {
          ...chain,
          links: chain.links.map((l) =>
            sameRun(l, { link, ...(runId ? { runId } : {}) }) ? { ...l, ...patch } : l,
          ),
        },
  );
  return { ...status, relay: { chains } };
}

/** The record of a dispatch result (src/github/dispatch.ts DispatchResult satisfies the input). */
export function dispatchRecord(
  at: string,
  result: { ok: boolean; status?: number; message?: string; runId?: string; runUrl?: string },
): DispatchRecord {
  return {
    at,
    ok: result.ok,
    ...(result.status !== undefined ? { status: result.status } : {}),
    ...(!result.ok && result.message ? { error: result.message.slice(0, 300) } : {}),
    ...(result.runId ? { successorRunId: result.runId } : {}),
    ...(result.runUrl ? { successorRunUrl: result.runUrl } : {}),
  };
}

function sameRun(a: Pick<ChainLink, 'runId' | 'link'>, b: Pick<ChainLink, 'runId' | 'link'>): boolean {
  return a.runId !== undefined || b.runId !== undefined ? a.runId === b.runId : a.link === b.link;
}

function prune(chains: Chain[]): Chain[] {
  return [...chains].sort((a, b) => a.night.localeCompare(b.night)).slice(-KEEP_NIGHTS);
}

/**
 * Two records of the relay (the remote's and ours, when a status push raced another run's): every night of
 * both; within a night every link of both, one per run, fields of the later record winning; a night counts
 * as reported if either says so.
 */
export function mergeRelayState(
  upstream: RelayState | undefined,
  ours: RelayState | undefined,
): RelayState | undefined {
  if (!upstream) return ours;
  if (!ours) return upstream;
  const byNight = new Map<string, Chain>();
  for (const chain of [...upstream.chains, ...ours.chains]) {
    const seen = byNight.get(chain.night);
    if (!seen) {
      byNight.set(chain.night, { ...chain, links: [...chain.links] });
      continue;
    }
    const links = [...seen.links];
    for (const link of chain.links) {
      const same = links.findIndex((l) => sameRun(l, link));
      if (same >= 0) links[same] = { ...links[same]!, ...link };
      else links.push(link);
    }
    links.sort((a, b) => a.link - b.link || a.startedAt.localeCompare(b.startedAt));
    const reportedAt = [seen.reportedAt, chain.reportedAt].filter(Boolean).sort().at(0);
    byNight.set(chain.night, { ...seen, links, ...(reportedAt ? { reportedAt } : {}) });
  }
  return { chains: prune([...byNight.values()]) };
}

export type BrokenKind = 'no-successor' | 'dispatch-failed' | 'never-ended';

export interface BrokenLink {
  night: string;
  courtDate: string;
  releaseAt: string;
  kind: BrokenKind;
  link: ChainLink;
  /** When the missing successor was due. */
  dueAt?: string;
  /** Whether the night's booking ended booked anyway (another run carried it). */
  booked: boolean;
  /** One sentence for the member. */
  message: string;
}

/**
 * The broken links of every night that is over (its retry window closed before `nowMs`) and not yet reported:
 * a link whose dispatch failed; a link that handed over but no later link started; a link that started and
 * never recorded its end (cancelled, timed out or lost with its runner).
 */
export function brokenLinks(status: StatusFile, nowMs: number, config: Config): BrokenLink[] {
  const zone = config.timeZone;
  const out: BrokenLink[] = [];
  for (const chain of status.relay?.chains ?? []) {
    if (chain.reportedAt) continue;
    const night = nightOf(chain.night, config);
    if (night.windowEnd.toMillis() >= nowMs) continue;
    const booked = Object.values(status.bookings).some(
      (entry) => entry.date === chain.courtDate && entry.state === 'booked',
    );
    const at = (iso: string) => formatTime(DateTime.fromISO(iso), zone);
    const base = { night: chain.night, courtDate: chain.courtDate, releaseAt: chain.releaseAt, booked };
    for (const link of chain.links) {
      const run = link.runId ? ` (run ${link.runId})` : '';
      if (link.dispatch && !link.dispatch.ok) {
        out.push({
          ...base,
          kind: 'dispatch-failed',
          link,
          ...(link.nextDueAt ? { dueAt: link.nextDueAt } : {}),
          message: `Link ${link.link}${run} could not start its successor at ${at(link.dispatch.at)}: ${link.dispatch.error ?? `HTTP ${link.dispatch.status ?? '?'}`}`,
        });
        continue;
      }
      if (link.role === 'relay' && link.dispatch?.ok) {
        const sentAt = Date.parse(link.dispatch.at);
        const successor = chain.links.some(
          (other) =>
            other !== link && Date.parse(other.startedAt) >= sentAt - 60_000 && other.link > link.link,
        );
        if (!successor) {
          out.push({
            ...base,
            kind: 'no-successor',
            link,
            ...(link.nextDueAt ? { dueAt: link.nextDueAt } : {}),
            message: `Link ${link.link}${run} handed over at ${at(link.dispatch.at)}, but link ${link.link + 1}${link.nextDueAt ? `, due about ${at(link.nextDueAt)},` : ''} never started.`,
          });
        }
        continue;
      }
      if (!link.endedAt) {
        out.push({
          ...base,
          kind: 'never-ended',
          link,
          message: `Link ${link.link}${run} started at ${at(link.startedAt)} and never recorded its end (cancelled, timed out or lost with its runner)${link.role === 'relay' ? ', so it never handed over' : ''}.`,
        });
      }
    }
  }
  return out;
}

/** Marks nights as reported, so a broken link is reported once. */
export function markReported(status: StatusFile, nights: readonly string[], atIso: string): StatusFile {
  if (!status.relay || nights.length === 0) return status;
  return {
    ...status,
    relay: {
      chains: status.relay.chains.map((chain) =>
        nights.includes(chain.night) && !chain.reportedAt ? { ...chain, reportedAt: atIso } : chain,
      ),
    },
  };
}
