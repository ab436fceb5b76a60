import { DateTime } from 'luxon';
import type { TriggerKind } from '../bookings/relay-state.ts';

/**
 * How a run came to start, recognised from the raw environment and event payload GitHub gives it, so every run
 * can record who started it: GitHub's schedule, the relay (a predecessor's workflow_dispatch), an external
 * scheduler (workflow_dispatch with `trigger: external`, or repository_dispatch), a member from the Actions tab,
 * or a local `npm run book`. Pure: the caller reads GITHUB_EVENT_PATH. Nothing here fails a run: an input it
 * cannot read becomes a problem to show, and the run goes on as the event it is.
 *
 * The workflow_dispatch inputs it reads (book.yml declares them):
 *   trigger        '' | 'relay' | 'external'
 *   relay          '<night>/<link>/<predecessor run id>', e.g. '2026-11-26/2/16250421337' (trigger relay)
 *   source         a short label for the sender, e.g. 'cron-job.org' (trigger external)
 *   dispatched_at  when the sender sent the request (ISO 8601)
 * A repository_dispatch carries `source` and `dispatched_at` in its client_payload.
 */

export interface RelayInput {
  /** The night the chain works towards (YYYY-MM-DD, the release's calendar day). */
  night: string;
  /** This run's link number in the chain, as the predecessor numbered it. */
  link: number;
  /** The predecessor's run id. */
  fromRunId?: string;
}

export interface TriggerRecord {
  kind: TriggerKind;
  /** GITHUB_EVENT_NAME, or 'local'. */
  event: string;
  /** Who or what started the run, for the job summary and the chain record (safe characters only). */
  startedBy: string;
  /** The GitHub login that triggered the run (GITHUB_TRIGGERING_ACTOR, else GITHUB_ACTOR). */
  actor?: string;
  /** The cron line of a scheduled run. */
  schedule?: string;
  /** When the sender says it sent the request (ISO 8601, as sent). */
  dispatchedAt?: string;
  /** The external sender's label. */
  source?: string;
  relay?: RelayInput;
  /** Inputs that could not be read, each a sentence for a notice. */
  problems: string[];
}

type Json = Record<string, unknown>;

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const SOURCE = /^[A-Za-z0-9 ._:@/()+-]{1,64}$/;
const CRON = /^[0-9A-Za-z*/,\- ]{9,100}$/;
const RUN_ID = /^\d{1,20}$/;
const NIGHT = /^\d{4}-\d{2}-\d{2}$/;

const text = (value: unknown): string | undefined => {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed ? trimmed : undefined;
};

const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

/** The `relay` input a link sends its successor. */
export function encodeRelayInput(input: RelayInput): string {
  return `${input.night}/${input.link}/${input.fromRunId ?? ''}`;
}

/** Reads the `relay` input; a problem (never an exception) when it is not what a link sends. */
export function decodeRelayInput(raw: string): RelayInput | { problem: string } {
  const [night, link, fromRunId, ...rest] = raw.split('/');
  const linkNumber = Number(link);
  const validNight = night !== undefined && NIGHT.test(night) && DateTime.fromISO(night).isValid;
  if (
    rest.length > 0 ||
    !validNight ||
    !Number.isInteger(linkNumber) ||
    linkNumber < 1 ||
    linkNumber > 99 ||
    (fromRunId !== undefined && fromRunId !== '' && !RUN_ID.test(fromRunId))
  ) {
    return {
      problem:
        'The relay input is not what a relay link sends (expected <night>/<link>/<run id>, e.g. 2026-11-26/2/16250421337); this run counts as a new start.',
    };
  }
  return { night: night!, link: linkNumber, ...(fromRunId ? { fromRunId } : {}) };
}

/**
 * Recognises the trigger from the environment (GITHUB_EVENT_NAME, GITHUB_ACTOR, GITHUB_TRIGGERING_ACTOR,
 * SCHEDULED_CRON, DISPATCHED_AT) and the event payload (`inputs` of a workflow_dispatch, `client_payload` of a
 * repository_dispatch, `schedule` of a scheduled run).
 */
export function recognizeTrigger(env: NodeJS.ProcessEnv, payload: unknown = {}): TriggerRecord {
  const event = object(payload);
  const problems: string[] = [];
  const eventName = text(env.GITHUB_EVENT_NAME);
  const actorRaw = text(env.GITHUB_TRIGGERING_ACTOR) ?? text(env.GITHUB_ACTOR);
  const actor = actorRaw && LOGIN.test(actorRaw) ? actorRaw : undefined;
  if (actorRaw && !actor)
    problems.push('The actor who started this run is not a GitHub login; it is not shown.');

  const inputs = eventName === 'repository_dispatch' ? object(event.client_payload) : object(event.inputs);
  const dispatchedRaw = text(inputs.dispatched_at) ?? text(env.DISPATCHED_AT);
  let dispatchedAt: string | undefined;
  if (dispatchedRaw) {
    if (DateTime.fromISO(dispatchedRaw, { setZone: true }).isValid && dispatchedRaw.length <= 40) {
      dispatchedAt = dispatchedRaw;
    } else {
      problems.push(
        'dispatched_at is not an ISO 8601 instant (e.g. 2026-11-25T23:40:00Z); the dispatch time is not recorded.',
      );
    }
  }
  const sourceRaw = text(inputs.source);
  let source: string | undefined;
  if (sourceRaw) {
    if (SOURCE.test(sourceRaw)) source = sourceRaw;
    else {
      problems.push(
        'The source input may hold letters, digits, spaces and ._:@/()+- (at most 64); it is not recorded.',
      );
    }
  }
  const base = {
    event: eventName ?? 'local',
    problems,
    ...(actor ? { actor } : {}),
    ...(dispatchedAt ? { dispatchedAt } : {}),
    ...(source ? { source } : {}),
  };

  if (!eventName) {
    return { ...base, kind: 'local', startedBy: 'npm run book on this machine' };
  }
  if (eventName === 'schedule') {
    const cronRaw = text(env.SCHEDULED_CRON) ?? text(event.schedule);
    const schedule = cronRaw && CRON.test(cronRaw) ? cronRaw : undefined;
    return {
      ...base,
      kind: 'schedule',
      startedBy: schedule ? `GitHub's schedule (${schedule})` : "GitHub's schedule",
      ...(schedule ? { schedule } : {}),
    };
  }
  if (eventName === 'repository_dispatch') {
    return {
      ...base,
      kind: 'external',
      startedBy: `an external scheduler (repository_dispatch${source ? `, ${source}` : ''})`,
    };
  }
  if (eventName === 'workflow_dispatch') {
    const trigger = text(inputs.trigger)?.toLowerCase();
    if (trigger === 'relay') {
      const raw = text(inputs.relay);
      const relay = raw ? decodeRelayInput(raw) : { problem: 'A relay run came without its relay input.' };
      if ('problem' in relay) {
        problems.push(relay.problem);
        return { ...base, kind: 'relay', startedBy: 'the relay (predecessor unknown)' };
      }
      const from = relay.fromRunId ? ` (run ${relay.fromRunId})` : '';
      return {
        ...base,
        kind: 'relay',
        relay,
        startedBy: relay.link > 1 ? `the relay: link ${relay.link - 1}${from}` : `the relay${from}`,
      };
    }
    if (trigger === 'external' || (!trigger && (source || dispatchedAt))) {
      return { ...base, kind: 'external', startedBy: `an external scheduler${source ? ` (${source})` : ''}` };
    }
    if (trigger && trigger !== 'manual') {
      problems.push(
        `The trigger input "${trigger.slice(0, 20).replace(/[^\w-]/g, '?')}" is not relay or external.`,
      );
    }
    return {
      ...base,
      kind: 'manual',
      startedBy: actor ? `@${actor} (Run workflow, or the API)` : 'Run workflow (or the API)',
    };
  }
  return { ...base, kind: 'other', startedBy: `the ${eventName.replace(/[^\w]/g, '') || 'unknown'} event` };
}

/**
 * The workflow_dispatch inputs a link sends its successor: a real run (book.yml's dry_run input defaults to
 * true, so it is always sent), marked as the relay's, with the chain's night, the successor's link number and
 * the sender's run id.
 */
export function successorInputs(opts: {
  night: string;
  /** The successor's link number. */
  link: number;
  fromRunId?: string;
  dispatchedAt: string;
  /** The court date a --date run was started for, carried along. */
  date?: string;
}): Record<string, string> {
  return {
    dry_run: 'false',
    trigger: 'relay',
    relay: encodeRelayInput({
      night: opts.night,
      link: opts.link,
      ...(opts.fromRunId ? { fromRunId: opts.fromRunId } : {}),
    }),
    dispatched_at: opts.dispatchedAt,
    ...(opts.date ? { date: opts.date } : {}),
  };
}
