import { DateTime } from 'luxon';
import { DEFAULT_CONFIG, type Config } from '../../src/bookings/config.ts';
import type { BookingRow } from '../../src/bookings/csv.ts';
import type { RelayState } from '../../src/bookings/relay-state.ts';
import type { StatusFile } from '../../src/bookings/status.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { courtDateReleasedOn, decideRun, releaseInstant } from '../../src/calendar/release.ts';
import { brokenLinks, dispatchRecord, linkRecord, updateLink, withLink } from '../../src/relay/chain.ts';
import { checkBeforeDispatch, decideRelay, type RelayDecision } from '../../src/relay/decide.ts';
import { nightAt } from '../../src/relay/night.ts';
import type { RelayInput } from '../../src/relay/trigger.ts';

/**
 * The schedule simulation behind `npm run bench:schedule`, pure and seeded: many nights of GitHub starting (or
 * not starting) runs, each design's runs deciding with the product's own code (decideRun for the normal path,
 * decideRelay and the chain telemetry for the relay), one concurrency group per repository with GitHub's rules
 * (one run at a time, one pending run, a newer pending run cancels the older), and the minutes each job would
 * be billed. The same delay model drives every design. Parameters and their sources: bench/README.md.
 */

// ---------------------------------------------------------------------------------------------------------
// Random numbers: seeded and derived per stream, so a design's draws do not shift another's.

/** mulberry32: a small, fast 32-bit generator; `seed` any integer. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator for one named stream of one seed (FNV-1a of the name, mixed with the seed). */
export function stream(seed: number, name: string): () => number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return mulberry32(h >>> 0);
}

/** A standard normal draw (Box–Muller). */
export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A log-normal draw with the given median and log-space spread. */
export function logNormal(random: () => number, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(random));
}

// ---------------------------------------------------------------------------------------------------------
// The delay model.

export interface DelayRegime {
  name: 'normal' | 'degraded';
  /** Median of the day's delay level: how late GitHub creates that day's scheduled runs (minutes). */
  dayMedianMinutes: number;
  /** Log-space spread of the day level from day to day. */
  daySigma: number;
  /** Log-space spread of one run's delay around its day's level. */
  runSigma: number;
  /** Share of scheduled runs GitHub never creates. */
  dropProbability: number;
  /** workflow_dispatch (relay hand-overs and the external trigger): dispatch → run created. */
  dispatch: {
    medianMinutes: number;
    sigma: number;
    /** Share of dispatches that take tailMin..tailMax minutes instead. */
    tailProbability: number;
    tailMinMinutes: number;
    tailMaxMinutes: number;
    /** Share of dispatches that create no run at all. */
    lossProbability: number;
  };
  /** Share of firings the external scheduler itself misses. */
  externalMissProbability: number;
}

export const REGIMES: Readonly<Record<DelayRegime['name'], DelayRegime>> = Object.freeze({
  normal: {
    name: 'normal',
    dayMedianMinutes: 40,
    daySigma: 0.5,
    runSigma: 0.35,
    dropProbability: 0.01,
    dispatch: {
      medianMinutes: 0.3,
      sigma: 0.6,
      tailProbability: 0.001,
      tailMinMinutes: 5,
      tailMaxMinutes: 30,
      lossProbability: 0.0005,
    },
    externalMissProbability: 0.001,
  },
  degraded: {
    name: 'degraded',
    dayMedianMinutes: 270,
    daySigma: 0.55,
    runSigma: 0.25,
    dropProbability: 0.05,
    dispatch: {
      medianMinutes: 0.5,
      sigma: 0.8,
      tailProbability: 0.002,
      tailMinMinutes: 10,
      tailMaxMinutes: 60,
      lossProbability: 0.001,
    },
    externalMissProbability: 0.001,
  },
});

// ---------------------------------------------------------------------------------------------------------
// The designs.

export type DesignName = 'current' | 'spread' | 'relay' | 'external';

export interface Design {
  name: DesignName;
  /** book.yml's schedule lines, HH:mm London time (timezone: Europe/London), every day. */
  lines: readonly string[];
  /** Whether runs relay (decideRelay) or take the normal path only (decideRun). */
  relay: boolean;
  /** An external scheduler's workflow_dispatch firings, HH:mm:ss London time, every day. */
  external: readonly string[];
  /** One line for the tables. */
  label: string;
}

/** Today's book.yml: five evening lines, each run waiting at most runWindow.leadMinutes. */
export const CURRENT_LINES = ['19:17', '20:47', '22:13', '23:07', '23:37'] as const;

/** The spread lines for phase 2, chosen from the line-choice table in bench/schedule.md. */
export const SPREAD_LINES = ['03:47', '07:47', '11:47', '15:47', '19:47', '23:17'] as const;

/** Other spreads the bench compares (the line-choice table). */
export const SPREAD_CANDIDATES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '3 lines, 8 h apart': ['07:47', '15:47', '23:17'],
  '4 lines, 6 h apart': ['05:47', '11:47', '17:47', '23:17'],
  '6 lines, 4 h apart': SPREAD_LINES,
  '8 lines, 3 h apart': ['02:47', '05:47', '08:47', '11:47', '14:47', '17:47', '20:47', '23:17'],
});

export const EXTERNAL_FIRING = '23:40:00';

export const DESIGNS: Readonly<Record<DesignName, Design>> = Object.freeze({
  current: {
    name: 'current',
    lines: CURRENT_LINES,
    relay: false,
    external: [],
    label: `today's five evening lines (${CURRENT_LINES.join(', ')}), no relay`,
  },
  spread: {
    name: 'spread',
    lines: SPREAD_LINES,
    relay: false,
    external: [],
    label: `${SPREAD_LINES.length} lines spread over the day (${SPREAD_LINES.join(', ')}), no relay`,
  },
  relay: {
    name: 'relay',
    lines: SPREAD_LINES,
    relay: true,
    external: [],
    label: `the same ${SPREAD_LINES.length} spread lines with the relay`,
  },
  external: {
    name: 'external',
    lines: [],
    relay: false,
    external: [EXTERNAL_FIRING],
    label: `an external scheduler's workflow_dispatch at ${EXTERNAL_FIRING.slice(0, 5)}, no schedule lines`,
  },
});

// ---------------------------------------------------------------------------------------------------------
// What a job costs.

export interface Accounting {
  /** Checkout, setup-node, npm ci and Chromium before the script starts (every run). */
  setupMinutes: number;
  /** A run with nothing to do (or a relay link's dispatch): the script's own time. */
  idleScriptMinutes: number;
  /** From the release to the end of the booking: retry window, verify, status commit, Discord. */
  afterReleaseMinutes: number;
  /** After the script: artifact upload, job clean-up. */
  postMinutes: number;
}

export const ACCOUNTING: Readonly<Accounting> = Object.freeze({
  setupMinutes: 2.5,
  idleScriptMinutes: 0.2,
  afterReleaseMinutes: 5,
  postMinutes: 0.3,
});

// ---------------------------------------------------------------------------------------------------------
// The simulation.

export interface SimulationOptions {
  design: Design;
  regime: DelayRegime;
  nights: number;
  seed: number;
  /** true: a booking every night; false: none (what the schedule costs when nothing is due). */
  bookEveryNight: boolean;
  /** The first night (its release's calendar day); default 2027-01-01, so both clock changes are included. */
  firstNight?: string;
  config?: Config;
  accounting?: Accounting;
  /** Called for every job as it starts (for tests and for looking into a design's failures). */
  onJob?: (job: { source: Request['source']; jobStart: number; action: string; night: string }) => void;
}

export interface SimulationResult {
  design: DesignName;
  regime: DelayRegime['name'];
  nights: number;
  /** Nights whose booking run started early enough to log in before the release (at release). */
  attemptedAtRelease: number;
  /** Nights attempted only after the release (a late start inside the grace). */
  attemptedLate: number;
  nightsAttemptedPct: number;
  jobs: number;
  /** Pending runs GitHub cancelled because a newer one arrived (not billed). */
  cancelled: number;
  /** Scheduled runs GitHub never created. */
  dropped: number;
  /** Billed minutes: each job rounded up to the whole minute. */
  billedMinutes: number;
  minutesPerMonth: number;
  /** The longest job (minutes from job start to end): must stay under book.yml's timeout. */
  longestJobMinutes: number;
  /** Relay only: hand-overs dispatched, hand-overs whose run was never created, broken links reported. */
  handOvers: number;
  lostHandOvers: number;
  reportedBrokenLinks: number;
}

export interface Request {
  id: number;
  createdAt: number;
  source: 'schedule' | 'relay' | 'external';
  relay?: RelayInput;
}

type SimEvent =
  | { at: number; seq: number; type: 'arrive'; request: Request }
  | { at: number; seq: number; type: 'free' }
  | {
      at: number;
      seq: number;
      type: 'handover';
      runId: string;
      decision: Extract<RelayDecision, { action: 'wait-then-hand-over' }>;
    };

type NewEvent = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, 'seq'> : never) : never;

const MIN = 60_000;
export const DAYS_PER_MONTH = 365.25 / 12;

/** A small binary heap ordered by time, then insertion. */
class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;
  push(event: NewEvent): void {
    const e = { ...event, seq: this.seq++ } as SimEvent;
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (before(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** The instants a daily HH:mm[:ss] line fires on calendar day `day` in `zone` (none in a spring-forward gap). */
export function lineInstant(day: DateTime, line: string, zone: string): number | undefined {
  const [hour, minute, second] = line.split(':').map(Number) as [number, number, number?];
  const at = DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour, minute, second: second ?? 0 },
    { zone },
  );
  return at.isValid && at.hour === hour && at.minute === minute ? at.toMillis() : undefined;
}

export function simulate(options: SimulationOptions): SimulationResult {
  const config = options.config ?? DEFAULT_CONFIG;
  const acc = options.accounting ?? ACCOUNTING;
  const { design, regime, seed } = options;
  const zone = config.timeZone;
  const firstNight = DateTime.fromISO(options.firstNight ?? '2027-01-01', { zone });
  const nightIds = Array.from(
    { length: options.nights },
    (_, i) => firstNight.plus({ days: i }).toISODate() as string,
  );
  const releases = nightIds.map((night) =>
    releaseInstant(courtDateReleasedOn(night, config), config).toMillis(),
  );
  const nightIndex = new Map(nightIds.map((night, i) => [night, i]));

  // The booking rows: one per night, 19:00 then 20:00, when booking every night.
  const rowOf = new Map<string, BookingRow>();
  const rowFor = (night: string): BookingRow | undefined => {
    if (!options.bookEveryNight || !nightIndex.has(night)) return undefined;
    let row = rowOf.get(night);
    if (!row) {
      const date = courtDateReleasedOn(night, config);
      row = {
        line: 2,
        key: `${date} 19:00`,
        date,
        time1: '19:00',
        time2: '20:00',
        book: true,
        status: 'Book',
      };
      rowOf.set(night, row);
    }
    return row;
  };
  const booked = new Set<string>();
  let relayState: RelayState | undefined;

  const days = stream(seed, `${regime.name}:days`);
  const runs = stream(seed, `${regime.name}:${design.name}:runs`);
  const dispatches = stream(seed, `${regime.name}:${design.name}:dispatch`);
  const dispatchDelay = (): number | undefined => {
    if (dispatches() < regime.dispatch.lossProbability) return undefined;
    if (dispatches() < regime.dispatch.tailProbability) {
      return (
        regime.dispatch.tailMinMinutes +
        dispatches() * (regime.dispatch.tailMaxMinutes - regime.dispatch.tailMinMinutes)
      );
    }
    return logNormal(dispatches, regime.dispatch.medianMinutes, regime.dispatch.sigma);
  };

  // Every request GitHub will create: schedule lines (each day's level, each run's variation, drops) and the
  // external scheduler's firings; from the day before the first night to the last night.
  const queue = new EventQueue();
  let nextId = 1;
  let dropped = 0;
  const firstDay = firstNight.minus({ days: 2 });
  for (let d = 0; d < options.nights + 2; d++) {
    const day = firstDay.plus({ days: d });
    const level = logNormal(days, regime.dayMedianMinutes, regime.daySigma);
    for (const line of design.lines) {
      const at = lineInstant(day, line, zone);
      const variation = Math.exp(regime.runSigma * normal(runs));
      const drop = runs() < regime.dropProbability;
      if (at === undefined) continue;
      if (drop) {
        dropped++;
        continue;
      }
      const createdAt = at + level * variation * MIN;
      queue.push({ at: createdAt, type: 'arrive', request: { id: nextId++, createdAt, source: 'schedule' } });
    }
    for (const firing of design.external) {
      const at = lineInstant(day, firing, zone);
      const miss = dispatches() < regime.externalMissProbability;
      const delay = dispatchDelay();
      if (at === undefined || miss || delay === undefined) continue;
      const createdAt = at + delay * MIN;
      queue.push({ at: createdAt, type: 'arrive', request: { id: nextId++, createdAt, source: 'external' } });
    }
  }

  const end = releases.at(-1)! + 6 * 60 * MIN;
  const attempted = new Map<number, 'release' | 'late'>();
  let running = false;
  let pending: Request | undefined;
  let jobs = 0;
  let cancelled = 0;
  let billed = 0;
  let longest = 0;
  let handOvers = 0;
  let lost = 0;
  let reported = 0;
  let lastMorningCheck = -1;

  const statusFor = (rows: readonly BookingRow[]): StatusFile => ({
    version: 1,
    bookings: Object.fromEntries(
      rows
        .filter((row) => booked.has(row.key))
        .map((row) => [
          row.key,
          { key: row.key, date: row.date, state: 'booked' as const, updatedAt: '', attempts: [] },
        ]),
    ),
    ...(relayState ? { relay: relayState } : {}),
  });

  const finishJob = (jobStart: number, scriptEnd: number) => {
    const jobEnd = scriptEnd + acc.postMinutes * MIN;
    const minutes = (jobEnd - jobStart) / MIN;
    billed += Math.ceil(minutes);
    longest = Math.max(longest, minutes);
    jobs++;
    queue.push({ at: jobEnd, type: 'free' });
  };

  const book = (jobStart: number, scriptStart: number, releaseMs: number, row: BookingRow) => {
    const night = nightIndex.get(nightAt(releaseMs, config).night);
    if (night !== undefined && !attempted.has(night)) {
      attempted.set(night, scriptStart <= releaseMs - config.loginLeadMinutes * MIN ? 'release' : 'late');
    }
    booked.add(row.key);
    finishJob(jobStart, Math.max(scriptStart, releaseMs) + acc.afterReleaseMinutes * MIN);
  };

  const start = (request: Request, jobStart: number) => {
    running = true;
    const t = jobStart + acc.setupMinutes * MIN;
    const tonight = nightAt(t, config).night;
    const yesterday = DateTime.fromISO(tonight).minus({ days: 1 }).toISODate() as string;
    const rows = [rowFor(yesterday), rowFor(tonight)].filter((r): r is BookingRow => r !== undefined);
    const status = statusFor(rows);
    const runId = String(request.id);

    if (!design.relay) {
      const first = decideRun(rows, status, fixedClock(t), config).due[0];
      options.onJob?.({ source: request.source, jobStart, action: first ? 'book' : 'none', night: tonight });
      if (first) book(jobStart, t, first.releaseAt.toMillis(), first.row);
      else finishJob(jobStart, t + acc.idleScriptMinutes * MIN);
      return;
    }
    const decision = decideRelay({
      now: t,
      config,
      rows,
      status,
      trigger:
        request.source === 'relay'
          ? { kind: 'relay', ...(request.relay ? { relay: request.relay } : {}) }
          : { kind: request.source },
      runId,
      relay: { enabled: true, reason: 'on' },
      jobStartedAt: jobStart,
    });
    options.onJob?.({
      source: request.source,
      jobStart,
      action: decision.action === 'stop' ? `stop:${decision.code}` : decision.action,
      night: tonight,
    });
    const record = linkRecord(
      decision,
      { kind: request.source, startedBy: request.source, ...(request.relay ? { relay: request.relay } : {}) },
      { runId, startedAt: new Date(t).toISOString() },
    );
    if (record)
      relayState = withLink({ version: 1, bookings: {}, relay: relayState }, record.night, record.link).relay;
    if (decision.action === 'book' && decision.due[0]) {
      book(jobStart, t, decision.due[0].releaseAt.toMillis(), decision.due[0].row);
      endLink(decision.night?.night, runId, decision.link ?? 1, t, 'booked');
    } else if (decision.action === 'wait-then-hand-over') {
      queue.push({ at: decision.handOverAt.toMillis(), type: 'handover', runId, decision });
    } else {
      finishJob(jobStart, t + acc.idleScriptMinutes * MIN);
    }
  };

  const endLink = (night: string | undefined, runId: string, link: number, at: number, outcome: string) => {
    if (!night || !relayState) return;
    relayState = updateLink({ version: 1, bookings: {}, relay: relayState }, night, runId, link, {
      endedAt: new Date(at).toISOString(),
      outcome,
    }).relay;
  };

  const jobStartOf = new Map<string, number>();

  for (let event = queue.pop(); event && event.at <= end; event = queue.pop()) {
    if (event.type === 'arrive') {
      if (!running) {
        jobStartOf.set(String(event.request.id), event.at);
        start(event.request, event.at);
      } else {
        if (pending) cancelled++;
        pending = event.request;
      }
    } else if (event.type === 'free') {
      running = false;
      if (pending) {
        const next = pending;
        pending = undefined;
        jobStartOf.set(String(next.id), event.at);
        start(next, event.at);
      }
    } else {
      // A relay link's hand-over: the check of the chain, the dispatch, the record, exit.
      const { decision, runId } = event;
      const night = decision.night.night;
      const rows = [rowFor(night)].filter((r): r is BookingRow => r !== undefined);
      const check = checkBeforeDispatch({
        status: statusFor(rows),
        rows,
        night,
        link: decision.link,
        runId,
        config,
      });
      if (check.ok) {
        handOvers++;
        const delay = dispatchDelay();
        if (delay === undefined) lost++;
        else {
          const createdAt = event.at + delay * MIN;
          queue.push({
            at: createdAt,
            type: 'arrive',
            request: {
              id: nextId++,
              createdAt,
              source: 'relay',
              relay: { night, link: decision.link + 1, fromRunId: runId },
            },
          });
        }
        relayState = updateLink(
          { version: 1, bookings: {}, relay: relayState },
          night,
          runId,
          decision.link,
          {
            dispatch: dispatchRecord(new Date(event.at).toISOString(), { ok: true, status: 204 }),
            endedAt: new Date(event.at).toISOString(),
            outcome: 'handed over',
          },
        ).relay;
      } else {
        endLink(night, runId, decision.link, event.at, 'no hand-over needed');
      }
      finishJob(jobStartOf.get(runId)!, event.at + acc.idleScriptMinutes * MIN);
    }
    // The next morning, the first event after 08:00 looks for last night's broken links (and marks them).
    if (design.relay && relayState) {
      const day = Math.floor((event.at - releases[0]!) / (24 * 60 * MIN));
      if (day > lastMorningCheck && event.at - (releases[0]! + day * 24 * 60 * MIN) >= 8 * 60 * MIN) {
        lastMorningCheck = day;
        const status: StatusFile = { version: 1, bookings: {}, relay: relayState };
        const broken = brokenLinks(status, event.at, config).filter((b) => b.kind === 'no-successor');
        reported += broken.length;
        relayState = {
          chains: relayState.chains.map((chain) =>
            Date.parse(chain.releaseAt) < event.at - 60 * MIN && !chain.reportedAt
              ? { ...chain, reportedAt: new Date(event.at).toISOString() }
              : chain,
          ),
        };
      }
    }
  }

  const atRelease = [...attempted.values()].filter((a) => a === 'release').length;
  const late = [...attempted.values()].filter((a) => a === 'late').length;
  const monthly = (billed / options.nights) * DAYS_PER_MONTH;
  return {
    design: design.name,
    regime: regime.name,
    nights: options.nights,
    attemptedAtRelease: atRelease,
    attemptedLate: late,
    nightsAttemptedPct: options.bookEveryNight ? round2((atRelease / options.nights) * 100) : 0,
    jobs,
    cancelled,
    dropped,
    billedMinutes: billed,
    minutesPerMonth: Math.round(monthly),
    longestJobMinutes: round2(longest),
    handOvers,
    lostHandOvers: lost,
    reportedBrokenLinks: reported,
  };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
