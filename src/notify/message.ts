import type { RunOutcome } from '../outcome.ts';
import { DateTime } from 'luxon';
import type { APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import type { Clock } from '../calendar/clock.ts';
import { systemClock } from '../calendar/clock.ts';
import type { DiscordAttachment, DiscordMessage } from './discord.ts';
import { calendarInvite } from './ics.ts';

export type Outcome = RunOutcome;

/**
 * What this module needs of the engine's RunResult (src/run.ts satisfies it structurally), so the
 * notifications do not depend on the engine.
 */
/** One row's outcome in a run that booked several rows. */
export interface RowReport {
  row: { key: string; date: string; time1: string; time2?: string; court?: string };
  outcome: Outcome;
  bookedTime?: string;
  court?: string;
  reference?: string;
  latencyMs?: number;
  message: string;
}

export interface OutcomeReport {
  outcome: Outcome;
  /** Each row of the run; the fields here are the first row's (and the outcome the one to look at first). */
  rows?: RowReport[];
  /** The outcome could not be written to the status file (the message says what to commit). */
  unrecorded?: { error: string; statusText?: string };
  row?: { key: string; date: string; time1: string; time2?: string; court?: string; note?: string };
  bookedTime?: string;
  court?: string;
  reference?: string;
  firedAt?: string;
  releaseAt?: string;
  latencyMs?: number;
  attempts: number;
  message: string;
  screenshots: string[];
  /** Who found the court when it was not the nightly run: "the watch for cancellations (look 3)". */
  foundBy?: string;
}

export interface MessageContext {
  /** Link to the Actions run (or the demo's folder). */
  runUrl?: string;
  /** "late start" text from lateStartWarning / scheduleHealth; shown on every outcome. */
  lateStart?: string;
  /**
   * A screenshot (PNG bytes) to attach: the confirmation when booked, the error page when the run
   * failed or could not verify (a path on the runner means nothing to the member). The caller reads it.
   */
  screenshotPng?: Uint8Array;
  /** Attach an .ics invite on success (default true). */
  calendar?: boolean;
  venue?: string;
  timeZone?: string;
  clock?: Clock;
  /** Shown as the webhook's name (default "Court booker"). */
  username?: string;
}

/** Embed colours per outcome (24-bit RGB). */
export const OUTCOME_COLOURS: Record<Outcome | 'test', number> = {
  booked: 0x2ecc71,
  'booked-fallback': 0x27ae60,
  'already-booked': 0x3498db,
  'dry-run': 0x95a5a6,
  'nothing-due': 0x95a5a6,
  unavailable: 0xe67e22,
  unverified: 0xf1c40f,
  failed: 0xe74c3c,
  test: 0x5865f2,
};

const TITLES: Record<Outcome, string> = {
  booked: '✅ Court booked',
  'booked-fallback': '✅ Court booked on the fallback time',
  'already-booked': 'ℹ️ Already booked',
  'dry-run': '🧪 Dry run: nothing was booked',
  'nothing-due': 'Nothing due tonight',
  unavailable: '⚠️ No court available',
  unverified: '❓ Booking not confirmed',
  failed: '❌ Booking failed',
};

/** Whether an outcome deserves a message at all ("nothing due" only when something is wrong). */
export function shouldNotify(result: Pick<OutcomeReport, 'outcome'>, ctx: MessageContext = {}): boolean {
  return result.outcome !== 'nothing-due' || Boolean(ctx.lateStart);
}

export function formatLatency(latencyMs: number | undefined): string | undefined {
  if (latencyMs === undefined || !Number.isFinite(latencyMs)) return undefined;
  const abs = Math.abs(latencyMs);
  const amount = abs >= 1000 ? `${(abs / 1000).toFixed(2)} s` : `${Math.round(abs)} ms`;
  return latencyMs >= 0 ? `${amount} after the venue's midnight` : `${amount} before the venue's midnight`;
}

function courtDateLabel(date: string, zone: string): string {
  const dt = DateTime.fromISO(date, { zone });
  return dt.isValid ? dt.toFormat('cccc d LLLL yyyy') : date;
}

function londonTime(iso: string | undefined, zone: string): string | undefined {
  if (!iso) return undefined;
  const dt = DateTime.fromISO(iso, { setZone: true });
  return dt.isValid ? dt.setZone(zone).toFormat('HH:mm:ss.SSS ZZZZ') : iso;
}

/** One line per row: `✅ 19:00 → Booked Padel Court 1 (ref EM-1)`. */
export function describeRows(rows: readonly RowReport[]): string[] {
  return rows.map((r) => {
    const what =
      r.outcome === 'booked' || r.outcome === 'booked-fallback' || r.outcome === 'already-booked'
        ? `${r.outcome === 'already-booked' ? 'already held' : 'booked'} ${r.court ?? 'a court'} at ${r.bookedTime ?? r.row.time1}${r.reference ? ` (ref ${r.reference})` : ''}`
        : r.outcome;
    return `${OUTCOME_ICON[r.outcome]} ${r.row.date} ${[r.row.time1, r.row.time2].filter(Boolean).join(' / ')}: ${what}`;
  });
}

/** One icon per outcome (Discord rows, the job summary's heading). */
export const OUTCOME_ICON: Record<Outcome, string> = {
  booked: '✅',
  'booked-fallback': '✅',
  'already-booked': 'ℹ️',
  'dry-run': '🧪',
  'nothing-due': '💤',
  unavailable: '⚠️',
  unverified: '❓',
  failed: '❌',
};

/** How many of a run's several rows booked a court; undefined for a run of one row. */
export function courtsBooked(result: OutcomeReport): { booked: number; of: number } | undefined {
  if (!result.rows || result.rows.length < 2) return undefined;
  const booked = result.rows.filter((r) => r.outcome === 'booked' || r.outcome === 'booked-fallback').length;
  return { booked, of: result.rows.length };
}

/**
 * The message's title: the outcome's, except on a night of several rows where some booked and some did
 * not, which is neither a plain failure nor a plain success ("⚠️ 1 of 2 courts booked").
 */
export function outcomeTitle(result: OutcomeReport): string {
  const count = courtsBooked(result);
  if (count && count.booked > 0 && count.booked < count.of)
    return `⚠️ ${count.booked} of ${count.of} courts booked`;
  return TITLES[result.outcome];
}

export function describeOutcome(result: OutcomeReport): string {
  const count = courtsBooked(result);
  if (count && result.rows) {
    return `${count.booked} of ${count.of} courts booked tonight:\n${describeRows(result.rows).join('\n')}`;
  }
  const row = result.row;
  const when = row ? `${row.date} ${result.bookedTime ?? row.time1}` : undefined;
  const requested = row ? [row.time1, row.time2].filter(Boolean).join(' or ') : undefined;
  switch (result.outcome) {
    case 'booked':
      return `Booked ${result.court ?? 'a court'} on ${when ?? 'the requested date'}.`;
    case 'booked-fallback':
      return `${row?.time1 ?? 'The first time'} was taken; booked the fallback ${result.bookedTime ?? row?.time2 ?? ''} instead (${result.court ?? 'court'}).`;
    case 'already-booked':
      return `${when ?? 'This slot'} was already booked (${result.court ?? 'court'}); nothing more to do.`;
    case 'dry-run':
      return `Dry run for ${row ? `${row.date} ${requested}` : 'tonight'}: the run went through every step except confirming.`;
    case 'nothing-due':
      return 'No booking is released tonight.';
    case 'unavailable':
      return `No court was free for ${row ? `${row.date} at ${requested}` : 'the requested time'}.`;
    case 'unverified':
      return `The booking for ${row ? `${row.date} ${requested}` : 'tonight'} was submitted but could not be confirmed under My bookings. Check the venue's site.`;
    case 'failed':
      return `The booking for ${row ? `${row.date} ${requested}` : 'tonight'} failed.`;
  }
}

/** One Discord message for one run outcome. */
export function buildOutcomeMessage(result: OutcomeReport, ctx: MessageContext = {}): DiscordMessage {
  const zone = ctx.timeZone ?? 'Europe/London';
  const clock = ctx.clock ?? systemClock;
  const fields: APIEmbedField[] = [];
  const add = (name: string, value: string | undefined, inline = true): void => {
    if (value) fields.push({ name, value, inline });
  };
  const row = result.row;
  const several = (result.rows?.length ?? 0) > 1;
  if (row) {
    add('Date', courtDateLabel(row.date, zone));
    if (!several) add('Requested', [row.time1, row.time2].filter(Boolean).join(' or '));
  }
  const success = result.outcome === 'booked' || result.outcome === 'booked-fallback';
  // Several rows: the description lists each (describeOutcome); the fields are the run's.
  if (!several && (success || result.outcome === 'already-booked')) {
    add('Time', result.bookedTime ?? row?.time1);
    add('Court', result.court);
    add('Reference', result.reference ? `\`${result.reference}\`` : undefined);
  }
  if (result.foundBy) add('Found by', result.foundBy, false);
  if (success) add('Reached the venue', formatLatency(result.latencyMs), false);
  if (result.firedAt && result.outcome !== 'already-booked')
    add('Fired at', londonTime(result.firedAt, zone));
  if (result.outcome !== 'nothing-due' && result.outcome !== 'already-booked') {
    add('Attempts', String(result.attempts));
  }
  if (
    !several &&
    (result.outcome === 'failed' || result.outcome === 'unverified' || result.outcome === 'unavailable')
  ) {
    add('Reason', result.message, false);
  }
  if (result.unrecorded)
    add(
      '⚠️ Status file not written',
      `${result.unrecorded.error}. The run's summary holds the status to commit.`,
      false,
    );
  if (ctx.lateStart) add('⏰ Late start', ctx.lateStart, false);
  if (ctx.runUrl) add('Run', `[Open the run](${ctx.runUrl})`, false);
  if (ctx.runUrl && (result.outcome === 'failed' || result.outcome === 'unverified'))
    add('Screenshots and step log', `[In the run's artifact](${ctx.runUrl}#artifacts)`, false);

  const embed: APIEmbed = {
    title: outcomeTitle(result),
    description: describeOutcome(result),
    color: OUTCOME_COLOURS[result.outcome],
    fields,
    timestamp: new Date(clock.now()).toISOString(),
    footer: { text: ctx.venue ?? 'Estelle Manor · padel' },
  };

  const attachments: DiscordAttachment[] = [];
  const trouble = result.outcome === 'failed' || result.outcome === 'unverified';
  if ((success || trouble) && ctx.screenshotPng) {
    // Discord shows an attachment in the embed by `attachment://<filename>` (ASCII name, no spaces).
    const filename = success ? 'confirmation.png' : 'error.png';
    attachments.push({
      filename,
      contentType: 'image/png',
      data: ctx.screenshotPng,
      description: success ? 'Confirmation page' : 'What the page showed when it went wrong',
    });
    embed.image = { url: `attachment://${filename}` };
  }
  // A calendar invite for every court booked.
  const bookedRows: RowReport[] = result.rows?.length
    ? result.rows.filter((r) => r.outcome === 'booked' || r.outcome === 'booked-fallback')
    : success && row
      ? [
          {
            row,
            outcome: result.outcome,
            message: result.message,
            ...(result.bookedTime ? { bookedTime: result.bookedTime } : {}),
            ...(result.court ? { court: result.court } : {}),
            ...(result.reference ? { reference: result.reference } : {}),
          },
        ]
      : [];
  for (const r of ctx.calendar === false ? [] : bookedRows) {
    const time = r.bookedTime ?? r.row.time1;
    const ics = calendarInvite({
      date: r.row.date,
      time,
      ...(r.court ? { court: r.court } : {}),
      ...(r.reference ? { reference: r.reference } : {}),
      clock,
    });
    attachments.push({
      filename: `padel-${r.row.date}-${time.replace(':', '')}.ics`,
      contentType: 'text/calendar; charset=utf-8',
      data: new TextEncoder().encode(ics),
      description: 'Calendar invite',
    });
  }

  const content =
    result.outcome === 'failed' || result.outcome === 'unverified'
      ? `${outcomeTitle(result)}: ${describeOutcome(result)}`
      : undefined;
  return {
    payload: {
      username: ctx.username ?? 'Court booker',
      ...(content ? { content } : {}),
      embeds: [embed],
    },
    attachments,
  };
}

/** The message `notify_test` / `npm run notify:test` sends. */
export function buildTestMessage(ctx: MessageContext & { repository?: string } = {}): DiscordMessage {
  const clock = ctx.clock ?? systemClock;
  const fields: APIEmbedField[] = [];
  if (ctx.repository) fields.push({ name: 'Repository', value: ctx.repository, inline: true });
  if (ctx.runUrl) fields.push({ name: 'Run', value: `[Open the run](${ctx.runUrl})`, inline: true });
  return {
    payload: {
      username: ctx.username ?? 'Court booker',
      embeds: [
        {
          title: '🔔 Test message',
          description:
            'The court booker can reach this channel. Booking results will appear here after each nightly run.',
          color: OUTCOME_COLOURS.test,
          fields,
          timestamp: new Date(clock.now()).toISOString(),
          footer: { text: ctx.venue ?? 'Estelle Manor · padel' },
        },
      ],
    },
    attachments: [],
  };
}

/** A row whose watch stopped at its cut-off, for the one message that says so. */
export interface WatchStopReport {
  row: { key: string; date: string; time1: string; time2?: string };
  /** How many times the watch looked. */
  looks: number;
  /** ISO: when watching the row's last time stopped. */
  cutOffAt: string;
}

/**
 * The one message when the watch for cancellations stops watching rows at their cut-off (never a message
 * per look). `cutoffMinutes` is the configured cut-off, for the member's sake.
 */
export function buildWatchStoppedMessage(
  rows: readonly WatchStopReport[],
  ctx: MessageContext & { cutoffMinutes: number },
): DiscordMessage {
  const zone = ctx.timeZone ?? 'Europe/London';
  const clock = ctx.clock ?? systemClock;
  const lines = rows.map((r) => {
    const when = DateTime.fromISO(r.cutOffAt, { setZone: true }).setZone(zone).toFormat('ccc d LLL HH:mm');
    return `${courtDateLabel(r.row.date, zone)}, ${[r.row.time1, r.row.time2].filter(Boolean).join(' or ')}: nothing came free; stopped at ${when} after ${r.looks} look${r.looks === 1 ? '' : 's'}.`;
  });
  const fields: APIEmbedField[] = [];
  if (ctx.runUrl) fields.push({ name: 'Run', value: `[Open the run](${ctx.runUrl})`, inline: false });
  return {
    payload: {
      username: ctx.username ?? 'Court booker',
      embeds: [
        {
          title: '🔕 Stopped watching for a cancellation',
          description: `${lines.join('\n')}\nThe watch stops ${ctx.cutoffMinutes} minutes before the court (watch.cutoffMinutes in bookings/config.yml).`,
          color: OUTCOME_COLOURS.unavailable,
          fields,
          timestamp: new Date(clock.now()).toISOString(),
          footer: { text: ctx.venue ?? 'Estelle Manor · padel' },
        },
      ],
    },
    attachments: [],
  };
}
