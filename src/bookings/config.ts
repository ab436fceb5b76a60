import { readFile } from 'node:fs/promises';
import { IANAZone } from 'luxon';
import { isAlias, isMap, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { z } from 'zod';
import { BookerError } from '../errors.ts';
import { firstProblems, formatProblem, sortProblems, type Problem } from './problem.ts';
import { didYouMean } from './suggest.ts';
import { minutesOf } from './time.ts';

export const DEFAULT_CONFIG_PATH = 'bookings/config.yml';

/**
 * The longest a run may wait for a release. GitHub cancels a job after 6 hours (360 minutes); the run also
 * needs time to install, log in (loginLeadMinutes before the release), fire, verify, commit the status file
 * and notify. 330 minutes leaves 30 minutes for all of that.
 */
export const MAX_LEAD_MINUTES = 330;

/**
 * How many times aliases (`*name`) may be expanded while reading config.yml. A configuration needs none;
 * the limit stops an alias bomb (aliases of aliases, growing exponentially) from exhausting the run.
 */
export const MAX_YAML_ALIASES = 100;

const hhmm = z
  .string({ error: 'must be a time in quotes (expected HH:mm, e.g. "07:00")' })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'is not a 24-hour time (expected HH:mm, e.g. "07:00")');

const wholeMinutes = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number (expected ${min} to ${max})` })
    .int(`must be a whole number (expected ${min} to ${max})`)
    .min(min, `is too small (expected ${min} to ${max})`)
    .max(max, `is too large (expected ${min} to ${max})`);

export const ConfigSchema = z.strictObject({
  /** IANA time zone of the venue; release times and opening hours are wall-clock times there. */
  timeZone: z
    .string({ error: 'must be a time zone name (expected e.g. Europe/London)' })
    .refine((zone) => IANAZone.isValidZone(zone), 'is not a known time zone (expected e.g. Europe/London)')
    .default('Europe/London'),
  /** A court for date D is released this many days before D. */
  advanceDays: wholeMinutes(0, 365).default(14),
  /** Wall-clock time of the release on D − advanceDays; HH:mm or HH:mm:ss, stored as HH:mm:ss. */
  releaseTime: z
    .string({ error: 'must be a time in quotes (expected HH:mm:ss, e.g. "00:00:00")' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'is not a time (expected HH:mm:ss, e.g. "00:00:00")')
    .transform((t) => (t.length === 5 ? `${t}:00` : t))
    .default('00:00:00'),
  /** Length of one booking in minutes. */
  slotMinutes: wholeMinutes(15, 240).default(60),
  /** Opening hours; the last slot starts at close − slotMinutes. */
  openingHours: z
    .strictObject({ open: hhmm.default('07:00'), close: hhmm.default('22:00') })
    .refine((h) => minutesOf(h.open) < minutesOf(h.close), {
      message:
        'is not a valid range: close must be later than open (expected e.g. open "07:00", close "22:00")',
    })
    .prefault({}),
  /** How long before the release the run logs in. */
  loginLeadMinutes: wholeMinutes(1, 120).default(10),
  runWindow: z
    .strictObject({
      /** A run started up to this long before a release waits for it (bounded by GitHub's 6-hour limit). */
      leadMinutes: wholeMinutes(0, MAX_LEAD_MINUTES).default(300),
      /** A run started up to this long after a release (a late start) still tries at once. */
      graceMinutes: wholeMinutes(0, 24 * 60).default(30),
    })
    .prefault({}),
  retry: z
    .strictObject({
      /** How long after the release the engine keeps trying while the slot shows as not yet open. */
      windowSeconds: wholeMinutes(1, 900).default(180),
      /** Upper bound on booking attempts per second, to stay polite to the venue. */
      maxPerSecond: z
        .number({ error: 'must be a number (expected 0.1 to 10)' })
        .min(0.1, 'is too small (expected 0.1 to 10)')
        .max(10, 'is too large (expected 0.1 to 10)')
        .default(4),
    })
    .prefault({}),
  /**
   * The relay (a run that starts too early for tonight's release hands over to a successor run): `auto` is on
   * for a public repository, where waiting is free, and off for a private one, where every minute is billed.
   */
  relay: z
    .union([z.literal('auto'), z.boolean()], {
      error: 'must be auto, true or false (auto: on for a public repository, off for a private one)',
    })
    .default('auto'),
  /** The watch for cancellations (npm run watch, watch.yml). */
  watch: z
    .strictObject({
      /**
       * A row is looked at again once its last look is this old. At least 15 minutes: a member's bot
       * polling the venue every few minutes all day is what gets accounts blocked. The venue profile may
       * ask for more (watch.minIntervalMinutes); the larger of the two wins.
       */
      everyMinutes: z
        .number({ error: 'must be a whole number of minutes (expected 15 to 1440)' })
        .int('must be a whole number of minutes (expected 15 to 1440)')
        .min(
          15,
          'is too small (expected 15 to 1440): looking more often than every 15 minutes is more than the venue should see from one member',
        )
        .max(1440, 'is too large (expected 15 to 1440)')
        .default(30),
      /** Watching a time stops this long before the court starts (nobody plans a game at 10 minutes' notice). */
      cutoffMinutes: wholeMinutes(0, 7 * 24 * 60).default(120),
    })
    .prefault({}),
  venue: z
    .strictObject({
      /** Name of src/venue/profiles/<name>.yml, or a path to a profile file. */
      profile: z.string().min(1, 'must not be empty (expected e.g. estelle)').default('estelle'),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = Object.freeze(ConfigSchema.parse({})) as Config;

/** The configuration file is unreadable or invalid; `problems` holds every finding with its line. */
export class ConfigError extends BookerError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    const { listed, more } = firstProblems(problems);
    super(
      `${file} is not valid:\n${[...listed.map(formatProblem), ...(more ? [more] : [])].map((line) => `  ${line}`).join('\n')}`,
      `Fix the lines above in ${file} (docs/configuration.md lists every key), or delete a key to use its default.`,
    );
  }
}

/** Reads and validates the configuration; a missing file means all defaults. */
export async function loadConfig(path: string = DEFAULT_CONFIG_PATH): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(DEFAULT_CONFIG);
    throw new BookerError(`${path}: cannot read the configuration (${(error as Error).message})`);
  }
  return parseConfig(text, path);
}

/** Validates configuration YAML; throws ConfigError listing every problem with its line. */
export function parseConfig(text: string, file: string = DEFAULT_CONFIG_PATH): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        file,
        line: lineAt(e.pos[0]),
        message: `YAML syntax: ${e.message.split('\n')[0]} (expected "key: value" lines, nested keys indented by two spaces)`,
        severity: 'error',
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.contents === null ? {} : doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let line = 1;
    let aliases = 0;
    visit(doc, {
      Alias(_, node) {
        aliases += 1;
        if (aliases === 1 && isAlias(node) && node.range) line = lineAt(node.range[0]);
      },
    });
    throw new ConfigError(file, [
      {
        file,
        line,
        message: `YAML aliases (*name) go over the limit of ${MAX_YAML_ALIASES} alias expansions (${aliases} aliases in the file, the first on this line; expected plain "key: value" settings: write each value out instead of using an alias)`,
        severity: 'error',
      },
    ]);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(file, [
      { file, line: 1, message: 'the file must be a list of "key: value" settings', severity: 'error' },
    ]);
  }
  const result = ConfigSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    file,
    sortProblems(result.error.issues.flatMap((issue) => describeIssue(issue, doc, lineAt, file))),
  );
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  lineAt: (offset: number) => number,
  file: string,
): Problem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(path);
    return issue.keys.map((key) => ({
      file,
      line: keyLine(doc, path, key, lineAt),
      field: [...path, key].join('.'),
      message: `unknown setting "${[...path, key].join('.')}"${didYouMean(key, known)}`,
      severity: 'error' as const,
    }));
  }
  const name = path.join('.') || 'openingHours';
  const input = 'input' in issue ? issue.input : undefined;
  const value =
    input !== undefined && (typeof input !== 'object' || input === null) ? ` ${JSON.stringify(input)}` : '';
  const message = `${name}${value} ${issue.message}`;
  return [{ file, line: valueLine(doc, path, lineAt), field: name, message, severity: 'error' }];
}

function knownKeys(path: string[]): string[] {
  let shape: z.ZodType = ConfigSchema;
  for (const segment of path) {
    const inner = unwrap(shape);
    if (!(inner instanceof z.ZodObject)) return [];
    shape = inner.shape[segment] as z.ZodType;
  }
  const inner = unwrap(shape);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodPipe) {
    s = (s instanceof z.ZodPipe ? s.in : s.def.innerType) as z.ZodType;
  }
  return s;
}

function valueLine(doc: Document, path: string[], lineAt: (offset: number) => number): number {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineAt(node.range[0]);
  }
  return 1;
}

function keyLine(doc: Document, path: string[], key: string, lineAt: (offset: number) => number): number {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key) && pair.key.range) return lineAt(pair.key.range[0]);
  }
  return valueLine(doc, path, lineAt);
}
