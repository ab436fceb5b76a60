import {
  DAYS_PER_MONTH,
  DESIGNS,
  REGIMES,
  SPREAD_CANDIDATES,
  SPREAD_LINES,
  simulate,
  type Design,
  type DesignName,
  type DelayRegime,
  type SimulationResult,
} from './model.ts';

/**
 * Runs the schedule simulation for every design and regime and renders the figures (bench/schedule.md and the
 * --json output). Pure apart from the time it takes: the same seed and nights give the same report, byte for
 * byte.
 */

export const GOAL_PCT = 99.5;
export const GOAL_DESIGNS: readonly DesignName[] = ['relay', 'external'];
export const NIGHTS_PER_MONTH = [4, 8, 15, 30] as const;

export interface DesignFigures extends SimulationResult {
  /** Billed minutes a month when nothing is due (every run finds nothing to do). */
  idleMinutesPerMonth: number;
}

export interface LineChoice {
  label: string;
  lines: readonly string[];
  regime: DelayRegime['name'];
  withoutRelayPct: number;
  withRelayPct: number;
  /** Billed a month without the relay, booking every night (a private repository's fallback). */
  withoutRelayMinutes: number;
}

export interface ScheduleReport {
  seed: number;
  nights: number;
  firstNight: string;
  designs: DesignFigures[];
  lineChoice: LineChoice[];
  /** Variants of the external trigger. */
  externalVariants: { label: string; regime: DelayRegime['name']; pct: number; minutesPerMonth: number }[];
}

export function runSchedule(opts: {
  seed: number;
  nights: number;
  firstNight?: string;
  progress?: (line: string) => void;
}): ScheduleReport {
  const firstNight = opts.firstNight ?? '2027-01-01';
  const base = { nights: opts.nights, seed: opts.seed, firstNight };
  const designs: DesignFigures[] = [];
  for (const regime of Object.values(REGIMES)) {
    for (const design of Object.values(DESIGNS)) {
      opts.progress?.(`${design.name} / ${regime.name}`);
      const booking = simulate({ ...base, design, regime, bookEveryNight: true });
      const idle = simulate({ ...base, design, regime, bookEveryNight: false });
      designs.push({ ...booking, idleMinutesPerMonth: idle.minutesPerMonth });
    }
  }
  const lineChoice: LineChoice[] = [];
  for (const regime of Object.values(REGIMES)) {
    for (const [label, lines] of Object.entries(SPREAD_CANDIDATES)) {
      opts.progress?.(`spread lines: ${label} / ${regime.name}`);
      const design: Design = { ...DESIGNS.spread, lines };
      const without = simulate({ ...base, design, regime, bookEveryNight: true });
      const withRelay = simulate({
        ...base,
        design: { ...design, relay: true },
        regime,
        bookEveryNight: true,
      });
      lineChoice.push({
        label,
        lines,
        regime: regime.name,
        withoutRelayPct: without.nightsAttemptedPct,
        withRelayPct: withRelay.nightsAttemptedPct,
        withoutRelayMinutes: without.minutesPerMonth,
      });
    }
  }
  const externalVariants: ScheduleReport['externalVariants'] = [];
  const variants: [string, readonly string[]][] = [
    ['once at 23:45', ['23:45:00']],
    ['twice, at 23:30 and 23:45', ['23:30:00', '23:45:00']],
  ];
  for (const regime of Object.values(REGIMES)) {
    for (const [label, firings] of variants) {
      opts.progress?.(`external ${label} / ${regime.name}`);
      const r = simulate({
        ...base,
        design: { ...DESIGNS.external, external: firings },
        regime,
        bookEveryNight: true,
      });
      externalVariants.push({
        label,
        regime: regime.name,
        pct: r.nightsAttemptedPct,
        minutesPerMonth: r.minutesPerMonth,
      });
    }
  }
  return { seed: opts.seed, nights: opts.nights, firstNight, designs, lineChoice, externalVariants };
}

/** Exactly `{"designs":[{"design","regime","nightsAttemptedPct","minutesPerMonth"}, …]}`. */
export function reportJson(report: ScheduleReport): string {
  return JSON.stringify({
    designs: report.designs.map((d) => ({
      design: d.design,
      regime: d.regime,
      nightsAttemptedPct: d.nightsAttemptedPct,
      minutesPerMonth: d.minutesPerMonth,
    })),
  });
}

/** Billed minutes a month for a member who books `n` nights a month: the idle cost plus n booked nights. */
export function minutesForNights(
  d: Pick<DesignFigures, 'minutesPerMonth' | 'idleMinutesPerMonth'>,
  n: number,
): number {
  const perBookedNight = (d.minutesPerMonth - d.idleMinutesPerMonth) / DAYS_PER_MONTH;
  return Math.round(d.idleMinutesPerMonth + perBookedNight * n);
}

export interface GoalResult {
  design: DesignName;
  pct: number;
  pass: boolean;
}

export function goals(report: ScheduleReport): GoalResult[] {
  return GOAL_DESIGNS.map((design) => {
    const pct = report.designs.find(
      (d) => d.design === design && d.regime === 'degraded',
    )!.nightsAttemptedPct;
    return { design, pct, pass: pct >= GOAL_PCT };
  });
}

const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const pct = (n: number) => `${n.toFixed(2)}%`;

export function renderMarkdown(report: ScheduleReport): string {
  const last = new Date(`${report.firstNight}T12:00:00Z`);
  last.setUTCDate(last.getUTCDate() + report.nights - 1);
  const lines: string[] = [];
  lines.push(
    `Generated by \`npm run bench:schedule\` (seed ${report.seed}; ${thousands(report.nights)} nights per design and regime, the releases of ${report.firstNight} to ${last.toISOString().slice(0, 10)}, both clock changes every year) — do not edit by hand. The model, its parameters and their sources: \`bench/README.md\`.`,
    '',
    '| Design | Regime | Nights attempted at release | Attempted late | Minutes a month, booking every night | Minutes a month, nothing due |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const d of report.designs) {
    lines.push(
      `| \`${d.design}\`: ${DESIGNS[d.design].label} | ${d.regime} | ${pct(d.nightsAttemptedPct)} | ${thousands(d.attemptedLate)} | ${thousands(d.minutesPerMonth)} | ${thousands(d.idleMinutesPerMonth)} |`,
    );
  }
  lines.push(
    '',
    'Minutes are what a **private** repository is billed (each job rounded up to the whole minute; a run that waits is billed while it waits); a **public** repository pays 0 for all of them. "At release": the booking run started early enough to log in on time (by release − `loginLeadMinutes`).',
    '',
    `Minutes a month for a member who books N nights a month (private repository):`,
    '',
    `| Design | Regime | ${NIGHTS_PER_MONTH.map((n) => `${n} nights`).join(' | ')} |`,
    `| --- | --- | ${NIGHTS_PER_MONTH.map(() => '---').join(' | ')} |`,
  );
  for (const d of report.designs) {
    lines.push(
      `| \`${d.design}\` | ${d.regime} | ${NIGHTS_PER_MONTH.map((n) => thousands(minutesForNights(d, n))).join(' | ')} |`,
    );
  }
  const results = goals(report);
  lines.push(
    '',
    `Goal, degraded regime, ≥ ${GOAL_PCT}% of nights attempted at release: ${results
      .map((g) => `\`${g.design}\` ${g.pass ? 'PASS' : 'FAIL'} (${pct(g.pct)})`)
      .join(
        ', ',
      )}; today's design (\`current\`) ${pct(report.designs.find((d) => d.design === 'current' && d.regime === 'degraded')!.nightsAttemptedPct)}.`,
  );
  const longest = Math.max(...report.designs.map((d) => d.longestJobMinutes));
  const relay = report.designs.filter((d) => d.design === 'relay');
  lines.push(
    '',
    `Checks: the longest job of any design ran ${longest.toFixed(1)} min (book.yml's timeout is 350). Relay hand-overs: ${relay
      .map(
        (d) =>
          `${thousands(d.handOvers)} (${d.regime}), ${d.lostHandOvers} of them created no run, ${d.reportedBrokenLinks} broken links reported the next morning`,
      )
      .join('; ')} (a lost hand-over is not a broken link when a later scheduled run took over).`,
  );
  lines.push(
    '',
    `Spread lines (the schedule phase 2 uses: ${SPREAD_LINES.join(', ')}, London time):`,
    '',
    '| Lines | Regime | At release, no relay | At release, relay | Minutes a month, no relay, booking every night |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const c of report.lineChoice) {
    lines.push(
      `| ${c.label} (${c.lines.join(', ')}) | ${c.regime} | ${pct(c.withoutRelayPct)} | ${pct(c.withRelayPct)} | ${thousands(c.withoutRelayMinutes)} |`,
    );
  }
  lines.push('', 'The external trigger at other times (booking every night):', '');
  lines.push('| External scheduler | Regime | At release | Minutes a month |', '| --- | --- | --- | --- |');
  for (const v of report.externalVariants) {
    lines.push(`| ${v.label} | ${v.regime} | ${pct(v.pct)} | ${thousands(v.minutesPerMonth)} |`);
  }
  return `${lines.join('\n')}\n`;
}
