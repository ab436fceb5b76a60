import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { BookerError } from '../errors.ts';
import { findTodos, type ProfileTodo } from './profile-todos.ts';

/**
 * A venue profile describes the site's booking FLOW, not one page shape: every URL, selector, text and
 * format the engine depends on, and for each step what it does and whether it loads a new page. A site
 * that changes its markup needs an edit to its YAML file, not a code change. Every key is validated here
 * with a message a member can act on (`my.yml:42: slots.time.format: ...`).
 *
 * Two shared shapes appear throughout:
 * - a **Read** says where a value is: the element's own text (`text`, the default), one of its
 *   attributes (`attribute: datetime`), optionally in a descendant (`selector`) and narrowed by a regular
 *   expression (`pattern`, its first group). A bare string is shorthand for `{ selector: <string> }`.
 * - a **Match** says how to recognise something: an element (`selector`), and/or text it contains
 *   (`text`: case-insensitive substring, or `/regex/flags`). A bare string is shorthand for a selector.
 * Formats are luxon tokens (https://moment.github.io/luxon/#/formatting?id=table-of-tokens); a value
 * matches when it equals the court's date/time in that format, ignoring case and spaces ("7PM" = "7 pm").
 */

const selector = z.string({ error: 'must be a CSS selector in quotes' }).min(1, 'must not be empty');
const path = z
  .string({ error: 'must be a path in quotes (expected e.g. "/page/login")' })
  .startsWith('/', 'must start with "/" (a path on the venue\'s site, e.g. "/page/login")');

/** Luxon's formatting tokens (https://moment.github.io/luxon/#/formatting?id=table-of-tokens). */
const LUXON_TOKENS = new Set(
  (
    'S SSS u uu uuu s ss m mm h hh H HH Z ZZ ZZZ ZZZZ ZZZZZ z a d dd c ccc cccc ccccc E EEE EEEE EEEEE ' +
    'L LL LLL LLLL LLLLL M MM MMM MMMM MMMMM y yy yyyy yyyyyy G GG GGGGG kk kkkk W WW n nn ii iiii o ooo q qq ' +
    'X x D DD DDD DDDD t tt ttt tttt T TT TTT TTTT f ff fff ffff F FF FFF FFFF'
  ).split(' '),
);

/** Runs of letters outside 'quoted literals' that are not luxon tokens ("hour" → o, u, r). */
function unknownTokens(fmt: string): string[] {
  const bare = fmt.replace(/'[^']*'/g, '');
  return (bare.match(/([A-Za-z])\1*/g) ?? []).filter((run) => !LUXON_TOKENS.has(run));
}

/** A luxon format: every letter run a token, and what it formats can be read back with it. */
const format = z
  .string({ error: 'must be a luxon date/time format in quotes (expected e.g. "dd/MM/yyyy")' })
  .min(1, 'must not be empty')
  .refine((f) => unknownTokens(f).length === 0, {
    error: (issue) =>
      `has ${unknownTokens(String(issue.input))
        .map((t) => `"${t}"`)
        .join(
          ', ',
        )}, which luxon does not know (expected tokens such as dd/MM/yyyy, HH:mm, h:mm a, ccc d LLL; put other text in 'quotes')`,
    abort: true,
  })
  .refine(
    (f) => {
      const shown = DateTime.fromISO('2026-12-15T19:30:00').toFormat(f, { locale: 'en-GB' });
      return DateTime.fromFormat(shown, f, { locale: 'en-GB' }).isValid;
    },
    { error: 'cannot be read back (a format must be able to parse what it formats)' },
  );

/** A text test: a case-insensitive substring, or a /regular expression/ with optional flags. */
const textPattern = z
  .string({ error: 'must be text in quotes, or a /regular expression/' })
  .min(1, 'must not be empty')
  .refine((t) => !isRegexLiteral(t) || compilesAsRegex(t), {
    error: 'is not a valid /regular expression/',
  });

/** Where a value is: an element's (or a descendant's) text or attribute, narrowed by a pattern. */
export type Read = { selector?: string; attribute?: string; pattern?: string };
/** How to recognise something: an element, and/or text it contains. */
export type Match = { selector?: string; text?: string };

export const ReadSchema = z.union(
  [
    selector.transform((s): Read => ({ selector: s })),
    z.strictObject({
      /** A descendant of the element; absent = the element itself. */
      selector: selector.optional(),
      /** An attribute instead of the text. */
      attribute: z.string().min(1).optional(),
      /** A regular expression the value must match; its first group (else the whole match) is the value. */
      pattern: z
        .string()
        .min(1)
        .refine((p) => compilesAsRegex(`/${p}/`), { error: 'is not a valid regular expression' })
        .optional(),
    }),
  ],
  { error: 'must be a selector in quotes or { selector, attribute, pattern }' },
);

export const MatchSchema = z.union(
  [
    selector.transform((s): Match => ({ selector: s })),
    z
      .strictObject({ selector: selector.optional(), text: textPattern.optional() })
      .refine((m) => m.selector !== undefined || m.text !== undefined, {
        error: 'needs a selector, a text, or both',
      }),
  ],
  { error: 'must be a selector in quotes or { selector, text }' },
);

/** A `{date:FORMAT}`, `{time:FORMAT}`, `{court}` template (URLs, link texts). */
const template = z
  .string()
  .min(1)
  .refine((t) => templateProblems(t).length === 0, {
    error: (issue) => templateProblems(String(issue.input)).join('; '),
  });

/** One click of the path from the home page to the day view. */
export const NavigationStepSchema = z.strictObject({
  /** What to click. */
  click: selector,
  /** Only the element whose text contains this (case-insensitive); `{date:FORMAT}` is the court date. */
  text: template.optional(),
  /** The element's whole text must equal `text` (case- and space-insensitive), not just contain it. */
  exact: z.boolean().default(false),
  /** Whether the click loads a new page (default true). */
  navigates: z.boolean().default(true),
});
export type NavigationStep = z.infer<typeof NavigationStepSchema>;

const Outcome = z.enum(
  ['taken', 'not-open', 'limit', 'session', 'csrf', 'rate-limited', 'maintenance', 'error'],
  {
    error: 'must be one of taken, not-open, limit, session, csrf, rate-limited, maintenance, error',
  },
);
export type RefusalOutcome = z.infer<typeof Outcome>;

export const ProfileSchema = z.strictObject({
  name: z.string().min(1),
  baseUrl: z.url({ error: 'must be the site\'s address (expected e.g. "https://home.estellemanor.com")' }),
  timeZone: z.string().default('Europe/London'),
  /** Locale for month and day names in formats. */
  locale: z.string().default('en-GB'),
  paths: z.strictObject({
    login: path,
    home: path,
    myBookings: path,
    /** A cheap page whose HTTP Date header the clock synchronisation reads (HEAD, no session needed). */
    clockProbe: path,
  }),
  login: z.strictObject({
    email: selector,
    password: selector,
    submit: selector,
    /** Shown when the site refuses the credentials or has locked the account. */
    error: selector,
    /** Text of the error that means the account is locked (default /lock/). */
    locked: textPattern.default('/lock/i'),
    /** Present on every page of a logged-in member: proves the session is alive. */
    loggedIn: selector,
  }),
  /** Cookie banners and pop-ups: each is clicked when visible, then Escape is pressed. */
  overlays: z.array(selector).default([]),
  /** The site's maintenance page. */
  maintenance: MatchSchema,
  /** From the home page to the day view, one click at a time. */
  navigation: z.array(NavigationStepSchema).min(1, 'needs at least one step (from home to the day view)'),
  dayView: z.strictObject({
    /** The date field to set (by script, with the events a date picker listens to), if the site has one. */
    date: z.strictObject({ field: selector, format }).optional(),
    /** How the day's availability is shown: press a button or link, or go to a URL built from the date. */
    apply: z.union(
      [
        z.strictObject({
          click: selector,
          /** false: the slots are rendered in this page (the engine waits for them); true: a new page loads. */
          navigates: z.boolean(),
          /**
           * true: each press sends its own request even while the last one is loading, and each answer is
           * shown when it comes; the engine then presses a few times around midnight (a volley, see
           * src/venue/fire/volley.ts). `npm run doctor` checks it. Default false: one press at a time.
           */
          overlapping: z.boolean().default(false),
        }),
        z.strictObject({ url: template }),
      ],
      { error: 'must be { click, navigates } or { url: "/…?date={date:yyyy-MM-dd}" }' },
    ),
    /** Shown instead of slots while the day is not open yet (or has none). */
    notOpen: MatchSchema,
  }),
  slots: z.strictObject({
    /** One element per bookable slot (one court at one time). */
    item: selector,
    /** What to click to choose it: ":self" (default), ":parent", or a selector inside the item. */
    click: z.string().min(1).default(':self'),
    /** The slot's start: where it is and its format. */
    time: z.strictObject({ read: ReadSchema, format }),
    /** The court's name. */
    court: ReadSchema,
    /** Whether the slot can still be booked: by counts, or by a mark of a full (or a free) slot. */
    free: z.union(
      [
        z.strictObject({ booked: ReadSchema, capacity: ReadSchema }),
        z.strictObject({ full: MatchSchema }),
        z.strictObject({ available: MatchSchema }),
      ],
      { error: 'must be { booked, capacity } (counts), { full: <match> } or { available: <match> }' },
    ),
  }),
  confirm: z.strictObject({
    /** What choosing a slot opens: a dialog on the same page, or a confirm page. */
    opens: z.enum(['dialog', 'page'], { error: 'must be dialog or page' }),
    /** The dialog (required when opens: dialog); controls are looked for inside it first. */
    dialog: selector.optional(),
    /** A checkbox to tick first (terms, club rules), if any. */
    terms: selector.optional(),
    button: selector,
    /** Whether pressing the button loads a new page (default: true for a confirm page, false for a dialog). */
    navigates: z.boolean().optional(),
    /** Closes the dialog after a booking (to book the next row), if the site has such a control. */
    close: selector.optional(),
    success: MatchSchema,
    /** The booking reference, looked for in the success element (else the page). */
    reference: ReadSchema,
    /** Where a refusal appears (default: the dialog, or the page). */
    failure: MatchSchema.optional(),
    /**
     * The confirm page can be opened before the release from a URL built from the date, time and court
     * (it renders early and is refused only when submitted). The engine then opens it ahead and submits
     * it to arrive just after the venue's midnight.
     */
    address: z
      .strictObject({
        url: template,
        /** The court names as the site shows them → their value in the URL ({court}). */
        courts: z.record(z.string(), z.string()).refine((c) => Object.keys(c).length > 0, {
          error: 'needs at least one court',
        }),
      })
      .optional(),
  }),
  /**
   * The watch for cancellations: what the venue tolerates. `minIntervalMinutes`: never look at one
   * row's day more often than this, whatever bookings/config.yml's watch.everyMinutes says.
   */
  watch: z
    .strictObject({
      minIntervalMinutes: z
        .number({ error: 'must be a whole number of minutes (expected 1 to 1440, e.g. 30)' })
        .int('must be a whole number of minutes (expected 1 to 1440, e.g. 30)')
        .min(1, 'is too small (expected 1 to 1440, e.g. 30)')
        .max(1440, 'is too large (expected 1 to 1440: at most one look a day)')
        .optional(),
    })
    .optional(),
  /** How to read a refusal: the first rule whose match is found in the failure area decides. */
  refusals: z.array(z.strictObject({ match: MatchSchema, outcome: Outcome })).default([]),
  myBookings: z.strictObject({
    row: selector,
    date: z.strictObject({ read: ReadSchema, format }),
    time: z.strictObject({ read: ReadSchema, format }),
    court: ReadSchema.optional(),
    reference: ReadSchema.optional(),
  }),
});

export type VenueProfile = z.infer<typeof ProfileSchema>;

/** In-page: the slots render in the day view and confirm is a dialog, with no page load after the release. */
export type FireStrategy = 'in-page' | 'page-by-page';

export function fireStrategy(profile: VenueProfile): FireStrategy {
  const apply = profile.dayView.apply;
  const applyInPage = 'click' in apply && !apply.navigates;
  const confirmInPage = profile.confirm.opens === 'dialog' && !confirmNavigates(profile);
  return applyInPage && confirmInPage && !profile.confirm.address ? 'in-page' : 'page-by-page';
}

export function confirmNavigates(profile: VenueProfile): boolean {
  return profile.confirm.navigates ?? profile.confirm.opens === 'page';
}

export const PROFILES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

/** Where a profile named in config (`estelle`) or given as a path (`./my.yml`) lives. */
export function profilePath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.yml') || nameOrPath.endsWith('.yaml') || nameOrPath.includes('/')) {
    return isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  }
  return join(PROFILES_DIR, `${nameOrPath}.yml`);
}

/**
 * Loads and validates a venue profile. `baseUrl` (ESTELLE_BASE_URL) overrides the profile's
 * own, so the same engine drives the sandbox, a staging copy or the real site.
 */
export async function loadProfile(nameOrPath = 'estelle', baseUrl?: string): Promise<VenueProfile> {
  const file = profilePath(nameOrPath);
  if (!existsSync(file)) {
    throw new BookerError(
      `Venue profile "${nameOrPath}" not found (looked for ${file}).`,
      `Set venue.profile in bookings/config.yml to a file in src/venue/profiles/ (e.g. "estelle") or a path to a .yml file.`,
    );
  }
  const text = await readFile(file, 'utf8');
  return parseProfile(text, file, baseUrl);
}

/** One problem in a profile, on its line. */
export type ProfileProblem = { line: number; key: string; message: string };

export class ProfileError extends BookerError {
  constructor(
    readonly file: string,
    readonly problems: ProfileProblem[],
    hint = 'Fix the keys above (docs/venue-profiles.md describes every key; `npm run doctor` checks a profile against the live site).',
  ) {
    super(
      `The venue profile ${file} is not valid:\n${problems.map((p) => `  ${file}:${p.line}: ${p.key}: ${p.message}`).join('\n')}`,
      hint,
    );
  }
}

/**
 * A draft (from `npm run profile:from-recording`) with keys still `TODO: <hint>`: no run uses it, and
 * `npm run doctor` lists the keys before it checks anything on the site.
 */
export class DraftProfileError extends ProfileError {
  constructor(
    file: string,
    readonly todos: ProfileTodo[],
  ) {
    super(
      file,
      todos.map((t) => ({ line: t.line, key: t.key, message: `is still TODO (${t.hint})` })),
      'This is a draft profile: fill each TODO key (its hint says what to look for), then check it with `npm run doctor -- --profile FILE`.',
    );
  }
}

export function parseProfile(text: string, file: string, baseUrl?: string): VenueProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;
  if (doc.errors.length > 0) {
    throw new ProfileError(
      file,
      doc.errors.map((e) => ({ line: lineAt(e.pos[0]), key: '(yaml)', message: e.message.split('\n')[0]! })),
    );
  }
  const todos = findTodos(doc, lineAt);
  if (todos.length > 0) throw new DraftProfileError(file, todos);
  const result = ProfileSchema.safeParse(doc.toJS({ maxAliasCount: 50 }), { reportInput: true });
  if (!result.success) {
    throw new ProfileError(
      file,
      result.error.issues.map((issue) => describeIssue(issue, doc, lineAt)).sort((a, b) => a.line - b.line),
    );
  }
  const profile = result.data;
  const conflicts = crossChecks(profile);
  if (conflicts.length > 0) {
    throw new ProfileError(
      file,
      conflicts.map(({ key, message }) => ({ line: lineOf(doc, key.split('.'), lineAt), key, message })),
    );
  }
  if (baseUrl && baseUrl.trim()) profile.baseUrl = baseUrl.trim();
  profile.baseUrl = profile.baseUrl.replace(/\/+$/, '');
  return profile;
}

/** Rules that involve more than one key. */
function crossChecks(profile: VenueProfile): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  if (profile.confirm.opens === 'dialog' && !profile.confirm.dialog) {
    out.push({
      key: 'confirm.dialog',
      message: "is required when confirm.opens is dialog (the dialog's selector)",
    });
  }
  if (profile.confirm.address && profile.confirm.opens !== 'page') {
    out.push({ key: 'confirm.address', message: 'needs confirm.opens: page (an addressable confirm page)' });
  }
  const address = profile.confirm.address?.url ?? '';
  if (
    profile.confirm.address &&
    !(address.includes('{date') && address.includes('{time') && address.includes('{court'))
  ) {
    out.push({ key: 'confirm.address.url', message: 'must use {date:FORMAT}, {time:FORMAT} and {court}' });
  }
  const apply = profile.dayView.apply;
  if ('click' in apply && apply.overlapping && apply.navigates) {
    out.push({
      key: 'dayView.apply.overlapping',
      message: 'needs navigates: false (a press that loads a new page cancels the one before it)',
    });
  }
  if ('url' in apply && !apply.url.includes('{date')) {
    out.push({ key: 'dayView.apply.url', message: 'must contain {date:FORMAT} (the day to show)' });
  }
  if (!profile.slots.click.startsWith(':') || [':self', ':parent'].includes(profile.slots.click)) {
    // a selector inside the item, or one of the two keywords
  } else {
    out.push({
      key: 'slots.click',
      message: 'must be ":self", ":parent" or a selector inside the slot item',
    });
  }
  return out;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  lineAt: (offset: number) => number,
): ProfileProblem {
  const keys = issue.path.map(String);
  const key = keys.join('.') || '(profile)';
  if (issue.code === 'unrecognized_keys') {
    return {
      line: lineOf(doc, keys, lineAt),
      key: keys.length ? key : '(profile)',
      message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (see docs/venue-profiles.md for the keys a profile has)`,
    };
  }
  const missing = 'input' in issue && issue.input === undefined && issue.code !== 'custom';
  const message = missing ? 'is missing' : issue.message.replace(/^Invalid input: /, '');
  return { line: lineOf(doc, keys, lineAt), key, message };
}

/** The line of the deepest node on `keys` that exists in the document. */
function lineOf(doc: Document, keys: string[], lineAt: (offset: number) => number): number {
  for (let depth = keys.length; depth > 0; depth--) {
    const node = doc.getIn(
      keys.slice(0, depth).map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      true,
    ) as { range?: [number, number, number] } | undefined;
    if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range) return lineAt(node.range[0]);
  }
  return 1;
}

/** The absolute URL of a profile path. */
export function venueUrl(profile: VenueProfile, path: string): string {
  return `${profile.baseUrl}${path}`;
}

// ------------------------------------------------------------------------------------------ templates

const PLACEHOLDER = /\{(date|time|court)(?::([^}]*))?\}/g;

function templateProblems(text: string): string[] {
  const problems: string[] = [];
  const stripped = text.replace(PLACEHOLDER, (_, name: string, fmt: string | undefined) => {
    if (name !== 'court' && !fmt)
      problems.push(`{${name}} needs a format, e.g. {${name}:${name === 'date' ? 'yyyy-MM-dd' : 'HH:mm'}}`);
    return '';
  });
  if (/[{}]/.test(stripped))
    problems.push('has a { or } that is not {date:FORMAT}, {time:FORMAT} or {court}');
  return problems;
}

/**
 * Fills a template: `{date:FORMAT}` and `{time:FORMAT}` with the slot's start in that luxon format,
 * `{court}` with the court's value. In a URL every value is percent-encoded.
 */
export function fillTemplate(
  text: string,
  values: { date: string; time?: string; court?: string },
  profile: Pick<VenueProfile, 'timeZone' | 'locale'>,
  options: { url?: boolean } = {},
): string {
  const at = DateTime.fromISO(`${values.date}T${values.time ?? '00:00'}`, { zone: profile.timeZone });
  const encode = (v: string) => (options.url ? encodeURIComponent(v) : v);
  return text.replace(PLACEHOLDER, (_, name: string, fmt: string | undefined) =>
    name === 'court' ? encode(values.court ?? '') : encode(at.toFormat(fmt!, { locale: profile.locale })),
  );
}

/** The court's date and time in a format, as the site would show it. */
export function formatSlot(
  date: string,
  time: string,
  fmt: string,
  profile: Pick<VenueProfile, 'timeZone' | 'locale'>,
): string {
  return DateTime.fromISO(`${date}T${time}`, { zone: profile.timeZone }).toFormat(fmt, {
    locale: profile.locale,
  });
}

function isRegexLiteral(text: string): boolean {
  return /^\/.*\/[dgimsuy]*$/s.test(text) && text.length > 2;
}

function compilesAsRegex(text: string): boolean {
  const m = /^\/(.*)\/([dgimsuy]*)$/s.exec(text);
  if (!m) return false;
  try {
    new RegExp(m[1]!, m[2]);
    return true;
  } catch {
    return false;
  }
}
