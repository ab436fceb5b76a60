import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { DEFAULT_CONFIG, type Config } from '../../src/bookings/config.ts';
import { parseBookings, type BookingRow } from '../../src/bookings/csv.ts';
import { emptyStatus, type StatusFile } from '../../src/bookings/status.ts';
import { linkRecord, updateLink, withLink } from '../../src/relay/chain.ts';
import { decideRelay, type RelayDecision, type RelayInput } from '../../src/relay/decide.ts';
import type { TriggerRecord } from '../../src/relay/trigger.ts';

export const MIN = 60_000;
export const ON = { enabled: true, reason: 'on: test' };
export const OFF = { enabled: false, reason: 'off: test' };

/** An instant: ISO with an offset, or London wall time without one. */
export function ms(text: string): number {
  const dt = DateTime.fromISO(text, { zone: 'Europe/London', setZone: false });
  expect(dt.isValid, text).toBe(true);
  return dt.toMillis();
}

export function iso(millis: number): string {
  return DateTime.fromMillis(millis, { zone: 'Europe/London' }).toISO() as string;
}

export function rows(csv: string, config: Config = DEFAULT_CONFIG): BookingRow[] {
  const parsed = parseBookings(`Date,Time1,Time2,Status\n${csv}`, 'bookings.csv', config);
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return parsed.rows;
}

export interface ChainRun {
  decisions: RelayDecision[];
  /** Script start of every link (ms). */
  starts: number[];
  status: StatusFile;
}

/**
 * Follows a chain as the workflow would: each link decides, records itself, and if it hands over, its
 * successor starts `delayMinutes(i)` after the hand-over (dispatch + install). Asserts that no link outlives
 * its job (the job started 3 minutes before the script).
 */
export function followChain(
  startMs: number,
  bookings: readonly BookingRow[],
  options: {
    config?: Config;
    status?: StatusFile;
    delayMinutes?: (hop: number) => number;
    first?: Pick<TriggerRecord, 'kind' | 'relay'>;
    input?: Partial<RelayInput>;
  } = {},
): ChainRun {
  const config = options.config ?? DEFAULT_CONFIG;
  let status = options.status ?? emptyStatus();
  let trigger: Pick<TriggerRecord, 'kind' | 'relay'> = options.first ?? { kind: 'schedule' };
  let now = startMs;
  const decisions: RelayDecision[] = [];
  const starts: number[] = [];
  for (let hop = 0; hop < 20; hop++) {
    const runId = String(1000 + hop);
    const jobStartedAt = now - 3 * MIN;
    const decision = decideRelay({
      now,
      config,
      rows: bookings,
      status,
      trigger,
      runId,
      relay: ON,
      jobStartedAt,
      ...options.input,
    });
    decisions.push(decision);
    starts.push(now);
    const record = linkRecord(
      decision,
      { kind: trigger.kind, startedBy: 'test', ...(trigger.relay ? { relay: trigger.relay } : {}) },
      { runId, startedAt: iso(now) },
    );
    if (record) status = withLink(status, record.night, record.link);
    if (decision.action !== 'wait-then-hand-over') return { decisions, starts, status };
    const handOver = decision.handOverAt.toMillis();
    expect(handOver, `link ${decision.link} hands over before it starts`).toBeGreaterThanOrEqual(now);
    expect(handOver - jobStartedAt, `link ${decision.link} outlives its job`).toBeLessThanOrEqual(340 * MIN);
    status = updateLink(status, decision.night.night, runId, decision.link, {
      dispatch: { at: iso(handOver), ok: true, status: 204 },
      endedAt: iso(handOver),
    });
    trigger = {
      kind: 'relay',
      relay: { night: decision.night.night, link: decision.link + 1, fromRunId: runId },
    };
    now = handOver + (options.delayMinutes?.(hop) ?? 5) * MIN;
  }
  throw new Error('the chain did not end within 20 links');
}
