import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * One scenario drives everything the sandbox venue does: its clock, its calendar, how slow it is,
 * who else is booking, and which faults it shows. Tests, the demo and the benchmarks share this
 * type; the standalone server can load it from a YAML file (`--scenario file.yml`).
 *
 * Times "relative to release" are signed milliseconds from the daily release instant nearest to the
 * server clock (00:00:00 Europe/London by default), so `{ fromMs: -2000, toMs: 3000 }` means
 * "from two seconds before midnight to three seconds after", whatever the date.
 */

const hhmm = z.string().regex(/^\d{2}:\d{2}$/, 'expected HH:mm, e.g. "07:00"');
const hhmmss = z.string().regex(/^\d{2}:\d{2}(:\d{2})?$/, 'expected HH:mm or HH:mm:ss, e.g. "23:58"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD');

/** A stretch of time relative to the nearest release; either end may be left open. */
const WindowSchema = z.object({
  fromMs: z.number().optional(),
  toMs: z.number().optional(),
});

/** Which requests a fault applies to. */
const FaultScope = z.enum(['booking', 'availability', 'pages', 'all']);

/**
 * Which members' site the sandbox shows: 'estelle' (the Estelle-like single-page day view, the markup of
 * src/venue/profiles/estelle.yml) or 'clubhouse' (a different club's multi-page site: the day view by a
 * GET form, a link per slot to a separate confirm page, a POST form to book). Same venue underneath.
 */
export const SKINS = ['estelle', 'clubhouse'] as const;
export type Skin = (typeof SKINS)[number];

/**
 * A booking the venue cancels at a set instant (someone freeing a court): the active booking on that
 * court-hour, whoever holds it. `afterReleaseMs` is relative to the release of `date`; `at` is a server
 * clock time (ISO 8601; without an offset it is read in the venue's time zone). Exactly one of the two.
 */
const CancellationSchema = z
  .object({
    date: isoDate,
    time: hhmm,
    /** Omitted: the first court (in `courts` order) with an active booking at that hour. */
    court: z.string().optional(),
    afterReleaseMs: z.number().optional(),
    at: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'expected an ISO date-time, e.g. "2026-12-01T10:00:00"')
      .optional(),
  })
  .refine((c) => (c.afterReleaseMs === undefined) !== (c.at === undefined), {
    message:
      'give exactly one of afterReleaseMs (ms after the release of date) or at (a server-clock ISO time)',
  });

export const ScenarioSchema = z.object({
  /** The site's page shape: 'estelle' (default) or 'clubhouse'. Fixed for a sandbox's lifetime. */
  skin: z.enum(SKINS),
  /** Server clock = real clock + this offset (ms). The HTTP Date header follows the server clock. */
  clockOffsetMs: z.number(),
  /** Slots for court date D are released at `releaseTime` on D - advanceDays (timeZone). */
  advanceDays: z.number().int().min(0),
  releaseTime: hhmmss,
  timeZone: z.string(),
  /** Hourly slots from `open`; the last one starts an hour before `close`. */
  openingHours: z.object({ open: hhmm, close: hhmm }),
  slotMinutes: z.number().int().positive(),
  courts: z.array(z.string()).min(1),
  /** How many bookings one court-hour takes. */
  capacity: z.number().int().positive(),
  /** Applied before processing and again before responding (so "accepted at" = arrival + oneWayMs). */
  latency: z.object({ oneWayMs: z.number().min(0), jitterMs: z.number().min(0) }),
  /** Extra delay before the HTML of a full page is sent. */
  slowFirstPaintMs: z.number().min(0),
  overlays: z.object({
    cookieBanner: z.boolean(),
    marketing: z.boolean(),
    /** The marketing pop-up appears this long after the page loads (as third-party widgets do). */
    marketingDelayMs: z.number().min(0),
  }),
  /** The date picker hides input#from_date behind its own widget (the input can still be set by script). */
  hideDateInput: z.boolean(),
  /** Deep links to /spa/<id> without having visited the home page in this session redirect to /. */
  requireClickPath: z.boolean(),
  /** A session lives this long after login (server clock). */
  sessionTtlMs: z.number().positive(),
  /** Simulated members who book through the same atomic booking function at release + afterReleaseMs. */
  competitors: z.array(
    z.object({
      name: z.string(),
      date: isoDate,
      time: hhmm,
      /** Omitted: the first court free at that hour. */
      court: z.string().optional(),
      afterReleaseMs: z.number(),
      /**
       * Also book the moment a signed-in member's availability request shows the day's slots (the
       * single-page skin's slots fragment), before that answer leaves: the court is lost between the
       * member seeing it free and confirming, however slow the member's machine. `afterReleaseMs` is
       * then the latest it books.
       */
      whenSlotsShown: z.boolean().optional(),
    }),
  ),
  /** Places taken before the sandbox starts (by "someone else"). */
  preBooked: z.array(
    z.object({ date: isoDate, time: hhmm, court: z.string().optional(), member: z.string().optional() }),
  ),
  /** Bookings the venue cancels on a schedule (server clock), e.g. for a cancellation watch. */
  cancellations: z.array(CancellationSchema),
  faults: z.object({
    /** 429 with Retry-After. `count`: only the first N matching requests in the window; `maxPerSecond`: per client. */
    rateLimit: WindowSchema.extend({
      retryAfterSeconds: z.number().int().min(0),
      count: z.number().int().positive().optional(),
      maxPerSecond: z.number().int().positive().optional(),
      scope: FaultScope,
    }).optional(),
    /** 500 or 503 for every matching request in the window. */
    serverErrors: WindowSchema.extend({
      status: z.union([z.literal(500), z.literal(502), z.literal(503)]),
      scope: FaultScope,
    }).optional(),
    /** The whole site answers 503 with a maintenance page (#maintenance): always, or in a window. */
    maintenance: z.union([z.boolean(), WindowSchema]),
    /** Every session that exists at this London wall time (server clock) is revoked, e.g. "23:58". */
    revokeSessionsAt: hhmmss.optional(),
    /** The CSRF token of the session rotates right after each day view is rendered. */
    rotateCsrf: z.boolean(),
    /** Renamed classes in the day view: true = slot_start → slot-start; or an explicit map. */
    markupDrift: z.union([z.boolean(), z.record(z.string(), z.string())]),
    /** The account locks after this many wrong passwords in a row (0 = never). */
    lockAfterFailures: z.number().int().min(0),
    /** Active bookings one member may hold per court date (0 = unlimited). */
    dailyLimitPerMember: z.number().int().min(0),
    /** No HTTP Date header on any response (as behind a proxy that strips it): the clock cannot be read. */
    noDateHeader: z.boolean(),
    /**
     * Show Availability (estelle skin) does nothing while its last request is still loading, as on a site
     * with a "busy" flag: presses do not overlap.
     */
    busyApply: z.boolean(),
    /**
     * The first `count` answers leave `delayMs` after the venue's clock read them, as when the runner
     * stalls right after its first requests (a cold start, a busy machine): a look at the venue's clock
     * through them reads it seconds behind, within a wide uncertainty.
     */
    slowFirstAnswers: z.object({ count: z.number().int().positive(), delayMs: z.number().min(0) }).optional(),
  }),
});

export type Scenario = z.infer<typeof ScenarioSchema>;

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/**
 * What tests pass to startSandbox / setScenario: any part of a scenario; nested objects merge,
 * arrays replace, `undefined` leaves a field alone and `null` removes it (e.g. turns a fault off:
 * `{ faults: { rateLimit: null } }`).
 */
export type ScenarioPatch = DeepPartial<Scenario>;

export const DEFAULT_SCENARIO: Scenario = {
  skin: 'estelle',
  clockOffsetMs: 0,
  advanceDays: 14,
  releaseTime: '00:00:00',
  timeZone: 'Europe/London',
  openingHours: { open: '07:00', close: '22:00' },
  slotMinutes: 60,
  courts: ['Padel Court 1', 'Padel Court 2'],
  capacity: 1,
  latency: { oneWayMs: 0, jitterMs: 0 },
  slowFirstPaintMs: 0,
  overlays: { cookieBanner: false, marketing: false, marketingDelayMs: 0 },
  hideDateInput: false,
  requireClickPath: false,
  sessionTtlMs: 12 * 60 * 60 * 1000,
  competitors: [],
  preBooked: [],
  cancellations: [],
  faults: {
    maintenance: false,
    rotateCsrf: false,
    markupDrift: false,
    lockAfterFailures: 0,
    dailyLimitPerMember: 0,
    noDateHeader: false,
    busyApply: false,
  },
};

/** The clubhouse's courts unless the scenario names its own: the club calls them Court A and Court B. */
export const CLUBHOUSE_COURTS = ['Court A', 'Court B'];

/** The defaults a patch is merged over: the clubhouse skin has its own court names. */
export function defaultScenarioFor(skin: Skin | undefined): Scenario {
  return skin === 'clubhouse' ? { ...DEFAULT_SCENARIO, skin, courts: CLUBHOUSE_COURTS } : DEFAULT_SCENARIO;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge: nested plain objects merge, arrays and everything else replace; undefined is skipped, null deletes. */
export function mergeDeep<T>(base: T, patch: unknown): T {
  if (!isPlainObject(patch) || !isPlainObject(base)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeDeep(out[key], value) : value;
  }
  return out as T;
}

export class ScenarioError extends Error {}

/**
 * Applies a patch to a scenario and validates the result. Without a base, the defaults of the patch's
 * skin (`defaultScenarioFor`).
 */
export function resolveScenario(patch: unknown = {}, base?: Scenario): Scenario {
  base ??= defaultScenarioFor(isPlainObject(patch) ? (patch.skin as Skin | undefined) : undefined);
  const merged = mergeDeep(base, patch);
  const result = ScenarioSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(scenario)'}: ${i.message}`);
    throw new ScenarioError(`Invalid sandbox scenario:\n${problems.join('\n')}`);
  }
  return result.data;
}

/** Loads a scenario patch from a YAML (or JSON) file, validated against the defaults. */
export async function loadScenarioFile(path: string): Promise<ScenarioPatch> {
  const text = await readFile(path, 'utf8');
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (error) {
    throw new ScenarioError(`${path}: not valid YAML (${(error as Error).message})`);
  }
  try {
    resolveScenario(data);
  } catch (error) {
    throw new ScenarioError(`${path}: ${(error as Error).message}`);
  }
  return data as ScenarioPatch;
}
