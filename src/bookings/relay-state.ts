import { z } from 'zod';

/**
 * The relay's record in bookings/status.json (the optional top-level `relay` field): for each night, the chain
 * of runs that carried the booking from the first run that started to the one that booked. Every link records
 * itself when it starts, and again when it hands over or ends, so a link that handed over but whose successor
 * never started is visible the next morning (src/relay/chain.ts reads and writes it; nothing here decides).
 *
 * Field order in these schemas is the order written to the file.
 */

const isoInstant = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'is not an ISO 8601 instant');

/** How a run came to start (src/relay/trigger.ts recognises it). */
export const TRIGGER_KINDS = [
  'schedule',
  'relay',
  'external',
  'manual',
  'repository_dispatch',
  'local',
  'other',
] as const;
export const TriggerKindSchema = z.enum(TRIGGER_KINDS);
export type TriggerKind = z.infer<typeof TriggerKindSchema>;

/** What a link did: waited and handed over, booked (the normal path), or ended the chain. */
export const LINK_ROLES = ['relay', 'book', 'stop'] as const;
export const LinkRoleSchema = z.enum(LINK_ROLES);
export type LinkRole = z.infer<typeof LinkRoleSchema>;

/** The hand-over request a link sent for its successor (POST …/actions/workflows/{workflow}/dispatches). */
export const DispatchRecordSchema = z.strictObject({
  /** When the request was sent. */
  at: isoInstant,
  ok: z.boolean(),
  /** GitHub's HTTP status (204, or 200 with run details); absent after a network failure. */
  status: z.number().int().optional(),
  /** The member-readable reason when it failed. */
  error: z.string().optional(),
  /** The successor's run, when GitHub returned its details. */
  successorRunId: z.string().optional(),
  successorRunUrl: z.string().optional(),
});
export type DispatchRecord = z.infer<typeof DispatchRecordSchema>;

export const ChainLinkSchema = z.strictObject({
  /** 1 for the run that started the chain, then 2, 3, … */
  link: z.number().int().positive(),
  runId: z.string().optional(),
  runUrl: z.string().optional(),
  trigger: TriggerKindSchema,
  /** Who or what started this run, as the job summary shows it ("GitHub's schedule (17 6 * * *)"). */
  startedBy: z.string(),
  startedAt: isoInstant,
  /** When the run was meant to start: its cron line's instant, or when the sender says it dispatched it. */
  scheduledFor: isoInstant.optional(),
  role: LinkRoleSchema,
  /** The instant this link planned to hand over (role relay). */
  handOverAt: isoInstant.optional(),
  /** When the successor is expected to start (role relay). */
  nextDueAt: isoInstant.optional(),
  /** The successor dispatch, once sent. */
  dispatch: DispatchRecordSchema.optional(),
  endedAt: isoInstant.optional(),
  /** How the link ended: the booking outcome (role book), or why it stopped. */
  outcome: z.string().optional(),
});
export type ChainLink = z.infer<typeof ChainLinkSchema>;

export const ChainSchema = z.strictObject({
  /** The calendar day of the release in the venue's time zone (YYYY-MM-DD): the chain's identity. */
  night: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a YYYY-MM-DD date'),
  releaseAt: isoInstant,
  /** The court date released that night. */
  courtDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a YYYY-MM-DD date'),
  links: z.array(ChainLinkSchema),
  /** When a broken link of this chain was reported (on Discord), so it is reported once. */
  reportedAt: isoInstant.optional(),
});
export type Chain = z.infer<typeof ChainSchema>;

export const RelayStateSchema = z.strictObject({
  /** Oldest night first; the last few nights only (src/relay/chain.ts prunes it). */
  chains: z.array(ChainSchema),
});
export type RelayState = z.infer<typeof RelayStateSchema>;
