import { Document, isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { BookerError } from '../../errors.ts';
import { isTodo, todo } from '../profile-todos.ts';
import { dateInUrl, monthFormatOf, readDate } from './dates.ts';
import type { Step, UserFlow } from './recording.ts';
import {
  chooseCss,
  cssCandidates,
  looksLikePassword,
  readAlternatives,
  repeatedAncestor,
  textOf,
  withoutPositions,
  type Alternative,
  type Choice,
} from './selectors.ts';

/**
 * A draft venue profile from a Chrome DevTools Recorder recording of a member signing in and going as far as
 * the confirm step for one court (pure). The recording tells the flow: where sign-in is and its fields, the
 * click path (which clicks load a page, from the steps' navigation events), the day view (the date typed
 * and the control that shows the day), the slot clicked, and what was ticked before confirming. What it
 * cannot tell (what marks a full slot, how times are written, My bookings, refusals, what success looks
 * like) is written as `TODO: <hint>`, which `npm run doctor` lists. Every chosen selector carries a comment
 * saying which of the Recorder's alternatives it is and why.
 *
 * Values typed at sign-in are never written: the fields become references to the secrets
 * (ESTELLE_USERNAME, ESTELLE_PASSWORD), no alternative that holds a typed value is used, and the finished
 * text is searched for them before it is returned.
 */

export type Draft = {
  /** The profile's YAML, with comments. */
  yaml: string;
  /** The dotted keys left as TODO, in file order. */
  todos: string[];
  /** Things about the recording the member should know (steps not used, guesses made). */
  notes: string[];
};

export class RecordingNotUsableError extends BookerError {
  constructor(file: string, problem: string) {
    super(
      `${file}: ${problem}`,
      'Record again in Chrome (DevTools → Recorder): start on the sign-in page, type your e-mail and password, sign in, click through to the day view, type the date into its date field, show the day, choose one court, tick what must be ticked, and stop the recording before confirming.',
    );
  }
}

/** What a step tells: its index, where it was, whether it loaded a page (and which). */
type Seen = {
  index: number;
  step: Step;
  /** The page's URL when the step happened. */
  url: string;
  navigatedTo?: string;
  navigated: boolean;
  alternatives: Alternative[];
};

const MAIN = 'main';

function describe(seen: Seen): string {
  return `step ${seen.index + 1} [${seen.step.type}]`;
}

function isClick(seen: Seen): boolean {
  return seen.step.type === 'click' || seen.step.type === 'doubleClick';
}

/** Two steps on the same element: the same selectors, or the same CSS alternative (a text/ one can differ). */
function sameElement(a: Seen, b: Seen): boolean {
  const sa = 'selectors' in a.step ? JSON.stringify(a.step.selectors) : undefined;
  const sb = 'selectors' in b.step ? JSON.stringify(b.step.selectors) : undefined;
  if (sa !== undefined && sa === sb) return true;
  const css = (s: Seen) => s.alternatives.find((alt) => alt.kind === 'css')?.raw;
  return css(a) !== undefined && css(a) === css(b);
}

/** Walks the steps: each with the page it happened on and the page it loaded. */
function walk(flow: UserFlow, notes: string[]): Seen[] {
  const out: Seen[] = [];
  let url = '';
  flow.steps.forEach((step, index) => {
    const navigation = step.assertedEvents?.find((e) => e.type === 'navigation');
    const target = 'target' in step ? step.target : undefined;
    const frame = 'frame' in step ? step.frame : undefined;
    if ((target && target !== MAIN) || (frame && frame.length > 0)) {
      notes.push(`step ${index + 1} [${step.type}] happened in another tab or frame: not used.`);
      return;
    }
    const seen: Seen = {
      index,
      step,
      url: step.type === 'navigate' ? step.url : url,
      navigated: step.type !== 'navigate' && navigation !== undefined,
      ...(navigation?.url ? { navigatedTo: navigation.url } : {}),
      alternatives: 'selectors' in step && step.selectors ? readAlternatives(step.selectors) : [],
    };
    out.push(seen);
    if (step.type === 'navigate') url = step.url;
    else if (navigation?.url) url = navigation.url;
  });
  return out;
}

/** A path on the site (with its query) from a URL of the recording. */
function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

// ---------------------------------------------------------------------------------------------------

type Comments = Map<string, string>;

class DraftBuilder {
  readonly comments: Comments = new Map();
  readonly notes: string[] = [];
  readonly secrets: string[] = [];
  constructor(readonly file: string) {}

  comment(key: string, text: string): void {
    // Texts from the site (names, addresses) go into YAML comments: no control character may end the line.
    text = [...text].map((c) => (c !== '\n' && /[\p{Cc}\u2028\u2029]/u.test(c) ? ' ' : c)).join('');
    for (const secret of this.secrets.filter((x) => x.length >= 4))
      text = text.split(secret).join('[typed at sign-in]');
    const before = this.comments.get(key);
    this.comments.set(key, before ? `${before}\n${text}` : text);
  }

  /** The alternatives with every one that holds a value typed at sign-in left out. */
  safe(alternatives: Alternative[]): Alternative[] {
    return alternatives.filter((a) => !this.leaks(a.raw));
  }

  leaks(text: string): boolean {
    const lower = text.toLowerCase();
    return this.secrets.some((s) => {
      if (s.length < 4) return false;
      if (lower.includes(s.toLowerCase())) return true;
      // The Recorder's text/ alternative is a prefix of the element's text (an input's value).
      const shown = /^(?:text|aria)\/(.*)$/s.exec(text)?.[1];
      return shown !== undefined && shown.length >= 4 && s.toLowerCase().includes(shown.toLowerCase());
    });
  }

  /** A selector for a key that takes only CSS, with a comment saying which alternative and why. */
  selectorFor(key: string, seen: Seen, what: string): string {
    const alternatives = this.safe(seen.alternatives);
    const choice = chooseCss(alternatives);
    if (!choice) {
      const recorded = alternatives.map((a) => a.raw).join(', ') || 'none';
      return todo(
        `a CSS selector for ${what}: the Recorder's alternatives (${recorded}) have no CSS the engine can use (${describe(seen)})`,
      );
    }
    this.comment(key, this.why(seen, choice, alternatives));
    return choice.css;
  }

  why(seen: Seen, choice: Choice, alternatives: Alternative[]): string {
    const others = alternatives.map((a) => a.raw).filter((raw) => !choice.from.includes(`"${raw}"`));
    const left = seen.alternatives.length - alternatives.length;
    return [
      `${describe(seen)}: ${choice.from}, ${choice.why}.`,
      others.length ? `Also recorded: ${others.join(', ')}.` : '',
      left > 0
        ? `(${left} alternative${left > 1 ? 's' : ''} left out: it holds what you typed at sign-in.)`
        : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
}

/** Builds the draft profile of a recording. `file` names the recording in messages. */
export function draftProfile(flow: UserFlow, file: string, options: { locale?: string } = {}): Draft {
  const locale = options.locale ?? 'en-GB';
  const b = new DraftBuilder(file);
  const steps = walk(flow, b.notes);
  const first = steps.find((s) => s.step.type === 'navigate');
  if (!first || first.step.type !== 'navigate') {
    throw new RecordingNotUsableError(file, 'the recording has no page it started on (no "navigate" step)');
  }
  const origin = new URL(first.step.url).origin;

  // ---- Sign in: the fields typed into before the first step that loads a page after typing.
  const firstChange = steps.findIndex((s) => s.step.type === 'change');
  if (firstChange < 0)
    throw new RecordingNotUsableError(file, 'nothing was typed in the recording (no sign-in)');
  const submitAt = steps.findIndex((s, i) => i > firstChange && s.navigated);
  if (submitAt < 0) {
    throw new RecordingNotUsableError(
      file,
      'no step after typing loaded a page: the recording does not sign in',
    );
  }
  const loginChanges = steps.slice(firstChange, submitAt).filter((s) => s.step.type === 'change');
  const fields: Seen[] = [];
  for (const change of loginChanges) if (!fields.some((f) => sameElement(f, change))) fields.push(change);
  for (const change of loginChanges) {
    if (change.step.type === 'change' && change.step.value) b.secrets.push(change.step.value);
  }
  const password =
    fields.find((f) => looksLikePassword(f.alternatives)) ?? (fields.length > 1 ? fields.at(-1) : undefined);
  const email = fields.find((f) => f !== password);
  if (!password) {
    throw new RecordingNotUsableError(
      file,
      `only one field was typed into before ${describe(steps[submitAt]!)} loaded a page: the recording must type both the e-mail and the password`,
    );
  }
  const submit = steps[submitAt]!;
  const loginUrl = password.url;
  const home = submit.navigatedTo;
  const overlays = steps
    .slice(0, firstChange)
    .filter(
      (s) => isClick(s) && !s.navigated && s.url === loginUrl && !fields.some((f) => sameElement(f, s)),
    );
  steps
    .slice(0, firstChange)
    .filter((s) => isClick(s) && s.navigated)
    .forEach((s) =>
      b.notes.push(`${describe(s)} led to the sign-in page: not needed (the engine opens it directly).`),
    );

  // ---- After sign-in: the path to the day view, the day view, the slot, the confirm step.
  let after = steps.slice(submitAt + 1);
  let homePath = home ? pathOf(home) : undefined;
  const typed = after.findLastIndex((s) => s.step.type === 'navigate');
  if (typed >= 0) {
    const nav = after[typed]!;
    homePath = pathOf((nav.step as { url: string }).url);
    b.notes.push(`${describe(nav)} typed an address: the click path starts there (paths.home).`);
    after = after.slice(typed + 1);
  }

  // The day view: the last date typed after sign-in.
  const dateChanges = after
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.step.type === 'change' && readDate(s.step.value, locale).length > 0);
  const lastDate = dateChanges.at(-1);
  let courtDates: { date: string; format: string }[] = [];
  let dayStart = -1; // first step on the day view (the date field)
  let applyAt = -1; // the step that shows the day
  let applyByUrl: { template: string; date: string; format: string } | undefined;
  if (lastDate) {
    courtDates = readDate((lastDate.s.step as { value: string }).value, locale);
    dayStart = after.findIndex((s) => sameElement(s, lastDate.s));
    applyAt = after.findIndex(
      (s, i) =>
        i > lastDate.i &&
        ((isClick(s) && !sameElement(s, lastDate.s)) ||
          (s.step.type === 'keyDown' && s.step.key === 'Enter')),
    );
  } else {
    const byUrl = after.findIndex((s) => s.navigatedTo && dateInUrl(pathOf(s.navigatedTo), locale));
    if (byUrl >= 0) {
      applyByUrl = dateInUrl(pathOf(after[byUrl]!.navigatedTo!), locale)!;
      courtDates = [{ date: applyByUrl.date, format: applyByUrl.format }];
      dayStart = byUrl;
      applyAt = byUrl;
    }
  }
  const navigationSteps = after.slice(0, dayStart >= 0 ? dayStart : undefined).filter(isClick);
  // A date that could be two days (05/12 or 12/05) is settled by a month clicked on the way, if one was.
  if (courtDates.length > 1) {
    const settled = courtDates.filter((c) =>
      navigationSteps.some((s) => {
        const t = textOf(b.safe(s.alternatives));
        return t !== undefined && monthFormatOf(t.text, c.date, locale) !== undefined;
      }),
    );
    if (settled.length === 1) courtDates = settled;
  }
  const courtDate = courtDates.length === 1 ? courtDates[0]!.date : undefined;

  const slotAt = applyAt >= 0 ? after.findIndex((s, i) => i > applyAt && isClick(s)) : -1;
  const slot = slotAt >= 0 ? after[slotAt] : undefined;
  const afterSlot = slotAt >= 0 ? after.slice(slotAt + 1).filter(isClick) : [];

  // ---------------------------------------------------------------------------------- the profile
  const profile: Record<string, unknown> = {};
  profile.name = flow.title && !b.leaks(flow.title) ? flow.title : 'My venue';
  b.comment('name', "The recording's title: name the venue as you like.");
  profile.baseUrl = origin;
  b.comment('baseUrl', 'Where the recording started (ESTELLE_BASE_URL overrides it).');
  profile.timeZone = 'Europe/London';
  b.comment('timeZone', "Assumed (a recording does not show it): the venue's time zone.");
  profile.locale = locale;

  profile.paths = {
    login: pathOf(loginUrl),
    home:
      homePath ?? todo('the page a member lands on after signing in, e.g. "/" (the recording did not say)'),
    myBookings: todo(
      'the path of the page that lists your bookings, e.g. "/account/bookings" (open it on the site and copy the address after the domain)',
    ),
    clockProbe: pathOf(loginUrl),
  };
  b.comment('paths.login', `The page the e-mail and password were typed on (${describe(password)}).`);
  if (homePath) b.comment('paths.home', `Where signing in led (${describe(submit)}).`);
  b.comment(
    'paths.clockProbe',
    'The sign-in page: it answers without a session, which is all the clock check needs.',
  );

  const login: Record<string, unknown> = {};
  if (email) {
    login.email = b.selectorFor('login.email', email, 'the e-mail field');
    b.comment('login.email', 'typed ESTELLE_USERNAME (the value is not kept here).');
  } else {
    login.email = todo('a CSS selector for the e-mail (or user name) field: only one field was typed into');
  }
  login.password = b.selectorFor('login.password', password, 'the password field');
  b.comment('login.password', 'typed ESTELLE_PASSWORD (the value is not kept here).');
  if (isClick(submit)) login.submit = b.selectorFor('login.submit', submit, 'the sign-in button');
  else {
    login.submit = todo(
      `a CSS selector for the sign-in button: the recording signed in by ${submit.step.type === 'keyDown' ? `pressing ${submit.step.key}` : describe(submit)}, e.g. 'button[type="submit"]'`,
    );
  }
  login.error = todo(
    'a CSS selector for the message shown when the e-mail or password is wrong, e.g. ".alert--error" (sign in once with a wrong password to see it)',
  );
  login.locked = '/lock/i';
  b.comment(
    'login.locked',
    'Text of the error that means the account is locked (the default; adjust if the site words it otherwise).',
  );
  login.loggedIn = todo(
    'a CSS selector present on every page once signed in (your name, the "Log out" link), e.g. ".signed-in-as" or "a[href*=logout]"',
  );
  profile.login = login;

  profile.overlays = overlays.map((o, i) => b.selectorFor(`overlays.${i}`, o, 'the banner clicked away'));
  if (overlays.length === 0)
    b.comment('overlays', 'Cookie banners and pop-ups to click away: none was clicked in the recording.');
  else
    b.comment('overlays', 'Clicked on the sign-in page before typing: taken for a cookie banner or pop-up.');

  profile.maintenance = todo(
    'how to recognise the site\'s maintenance page, e.g. "#maintenance" or { selector: h1, text: "Down for maintenance" } (a selector that is NOT on normal pages)',
  );

  // The click path.
  const navigation = navigationSteps.map((s, i) => navigationStep(b, s, i, courtDate, locale));
  profile.navigation =
    navigation.length > 0
      ? navigation
      : todo('the clicks from the home page to the day view: the recording has none after signing in');
  if (navigation.length > 0) {
    b.comment(
      'navigation',
      `From paths.home to the day view: the clicks of ${describeRange(navigationSteps)}.`,
    );
  }

  // The day view.
  profile.dayView = dayView(b, { after, lastDate: lastDate?.s, applyAt, applyByUrl, courtDates, locale });

  // The slot the member chose.
  profile.slots = slots(b, slot);

  // The confirm step.
  profile.confirm = confirmStep(b, slot, afterSlot);

  profile.refusals = todo(
    'how the site words a refusal, as a list of { match, outcome }, e.g. - { match: { text: "just been taken" }, outcome: taken } (outcomes: taken, not-open, limit, session, csrf, rate-limited, maintenance, error); [] when you do not know yet',
  );
  profile.myBookings = {
    row: todo(
      'a CSS selector for one booking on the My bookings page (paths.myBookings), e.g. "table.bookings tbody tr"',
    ),
    date: todo(
      'where the booking\'s date is in a row and its format, e.g. { read: "td:nth-child(1)", format: ccc d LLL yyyy } for "Tue 15 Dec 2026", or { read: { attribute: data-date }, format: yyyy-MM-dd }',
    ),
    time: todo(
      'where the booking\'s start time is in a row and its format, e.g. { read: "td:nth-child(2)", format: ha } for "7pm"',
    ),
    court: todo('where the court\'s name is in a row, e.g. "td:nth-child(3)" (or delete this key)'),
    reference: todo('where the booking reference is in a row, e.g. "td.reference" (or delete this key)'),
  };
  b.comment(
    'myBookings',
    'The recording did not open My bookings: open it on the site with a booking in it and name its parts.',
  );

  const termsUsed = afterSlot[0] && !afterSlot[0].navigated ? afterSlot[0] : undefined;
  afterSlot
    .filter((s) => s !== termsUsed)
    .forEach((s) =>
      b.notes.push(
        `${describe(s)} came after choosing the slot and was not used (the draft stops at the confirm step).`,
      ),
    );

  return render(b, profile, flow, file);
}

function describeRange(steps: Seen[]): string {
  if (steps.length === 1) return describe(steps[0]!);
  return `steps ${steps[0]!.index + 1}–${steps.at(-1)!.index + 1}`;
}

/** Whether a text can go into a profile `text` as it is (not read as a /regex/ nor as a {template}). */
function plainText(text: string): boolean {
  return !/[{}]/.test(text) && !/^\/.*\/[a-z]*$/s.test(text) && text.length <= 60;
}

/** One click of the path: CSS the engine can use, and the text that makes it the right element. */
function navigationStep(
  b: DraftBuilder,
  seen: Seen,
  index: number,
  courtDate: string | undefined,
  locale: string,
): Record<string, unknown> {
  const key = `navigation.${index}`;
  const alternatives = b.safe(seen.alternatives);
  const candidates = cssCandidates(alternatives);
  const label = textOf(alternatives);
  const month = label && courtDate ? monthFormatOf(label.text, courtDate, locale) : undefined;
  const step: Record<string, unknown> = {};
  const nav = { navigates: seen.navigated };
  const fromLabel = label
    ? `${label.from === 'text' ? 'its text/ alternative' : 'its ARIA name'} "${label.text}"`
    : undefined;
  if (month) {
    // The month of the court date: every month's tab is the same element with another text.
    const shape =
      candidates.find((c) => c.stability !== 'id' && c.stability !== 'data attribute') ?? candidates[0];
    step.click = shape
      ? withoutPositions(shape.css)
      : (roleCss(alternatives) ?? todo(`a CSS selector for ${describe(seen)}`));
    step.text = `{date:${month}}`;
    step.exact = true;
    b.comment(
      key,
      `${describe(seen)}: ${fromLabel} is the month of the date typed later, in the format ${month}: the click finds the month of any court date. ${shape ? `Element: ${shape.from} without positions.` : ''}`,
    );
    return { ...step, ...nav };
  }
  const best = candidates[0];
  if (best && (best.stability === 'id' || best.stability === 'data attribute')) {
    b.comment(key, b.why(seen, best, alternatives));
    return { click: best.css, ...nav };
  }
  if (label && plainText(label.text)) {
    const css = best ? withoutPositions(best.css) : roleCss(alternatives);
    if (css) {
      b.comment(
        key,
        `${describe(seen)}: ${fromLabel} (the engine matches text, case-insensitively) on ${best ? `${best.from}${best.css !== css ? ' without positions' : ''}` : `the element its ARIA role names`}. ${label.from === 'aria' ? 'An ARIA name can come from aria-label rather than the text: if the doctor finds nothing, change the text.' : ''}`.trim(),
      );
      return { click: css, text: label.text, ...nav };
    }
  }
  if (best) {
    b.comment(key, b.why(seen, best, alternatives));
    return { click: best.css, ...nav };
  }
  return {
    click: todo(
      `a CSS selector for ${describe(seen)}: the Recorder's alternatives have no CSS the engine can use`,
    ),
    ...nav,
  };
}

/** CSS for an ARIA role, when that is all the Recorder gave (aria/Book[role="link"]). */
function roleCss(alternatives: Alternative[]): string | undefined {
  const role = alternatives.find((a) => a.kind === 'aria' && a.role);
  if (role?.kind !== 'aria') return undefined;
  const css: Record<string, string> = {
    link: 'a, [role="link"]',
    button: 'button, [role="button"], input[type="submit"], input[type="button"]',
    tab: '[role="tab"]',
    menuitem: '[role="menuitem"]',
    option: 'option, [role="option"]',
  };
  return role.role ? css[role.role] : undefined;
}

function dayView(
  b: DraftBuilder,
  {
    after,
    lastDate,
    applyAt,
    applyByUrl,
    courtDates,
    locale,
  }: {
    after: Seen[];
    lastDate: Seen | undefined;
    applyAt: number;
    applyByUrl: { template: string; date: string; format: string } | undefined;
    courtDates: { date: string; format: string }[];
    locale: string;
  },
): unknown {
  const view: Record<string, unknown> = {};
  if (lastDate) {
    const value = (lastDate.step as { value: string }).value;
    const field = b.selectorFor('dayView.date.field', lastDate, 'the date field');
    let format: string;
    if (courtDates.length === 1) {
      format = courtDates[0]!.format;
      b.comment(
        'dayView.date',
        `${describe(lastDate)} typed "${value}" into the date field: format ${format}.${format.includes('dd') && !format.startsWith('yyyy') ? ` If the site writes days below 10 without a leading zero, use ${format.replace('dd', 'd').replace('MM', 'M')}.` : ''}`,
      );
    } else {
      format = todo(
        `the date field's format: "${value}" (${describe(lastDate)}) can be read as ${courtDates.map((c) => `${c.format} (${c.date})`).join(' or ')}; keep the right one`,
      );
    }
    view.date = { field, format };
  } else if (!applyByUrl) {
    view.date = todo(
      'the date field and its format, e.g. { field: "input#date", format: dd/MM/yyyy }: the recording typed no date (record again typing the date into the field rather than using a calendar, or delete this key if the day is chosen by address)',
    );
  }
  const apply = applyAt >= 0 ? after[applyAt] : undefined;
  if (applyByUrl && apply) {
    view.apply = { url: applyByUrl.template };
    b.comment(
      'dayView.apply',
      `${describe(apply)} loaded ${pathOf(apply.navigatedTo!)}: the day is in its address (${applyByUrl.format}), so the engine builds it for any date.`,
    );
  } else if (apply && isClick(apply)) {
    view.apply = {
      click: b.selectorFor('dayView.apply.click', apply, 'the control that shows the day'),
      navigates: apply.navigated,
    };
    const url = apply.navigatedTo ? dateInUrl(pathOf(apply.navigatedTo), locale) : undefined;
    b.comment(
      'dayView.apply',
      `${describe(apply)} showed the day${apply.navigated ? ', loading a new page' : ' in the same page'}.${url ? ` It loaded ${pathOf(apply.navigatedTo!)}: { url: "${url.template}" } would also work.` : ''}`,
    );
  } else if (apply?.navigatedTo && dateInUrl(pathOf(apply.navigatedTo), locale)) {
    const url = dateInUrl(pathOf(apply.navigatedTo), locale)!;
    view.apply = { url: url.template };
    b.comment(
      'dayView.apply',
      `${describe(apply)} loaded ${pathOf(apply.navigatedTo)}, which has the day in its address.`,
    );
  } else {
    view.apply = todo(
      `how the day is shown after setting the date: { click: "<selector>", navigates: true|false } or { url: "/…?date={date:yyyy-MM-dd}" }${apply ? ` (${describe(apply)} pressed ${(apply.step as { key?: string }).key ?? 'a key'})` : ''}`,
    );
  }
  view.notOpen = todo(
    'what the day view shows instead of slots before they are released, e.g. ".no-slots" or { text: "not open for booking yet" } (look at a day 15 days ahead)',
  );
  return view;
}

function slots(b: DraftBuilder, slot: Seen | undefined): unknown {
  const out: Record<string, unknown> = {};
  const repeated = slot ? repeatedAncestor(b.safe(slot.alternatives)) : undefined;
  if (slot && repeated) {
    out.item = repeated.item;
    out.click = repeated.click;
    b.comment(
      'slots.item',
      `${describe(slot)} chose a court: it landed in the ${ordinal(repeated.position)} of a run of like elements (the Recorder's "${repeated.css}", at ${repeated.xpath}), so each of those is one slot. A class every slot has would be sturdier, if there is one.`,
    );
    b.comment(
      'slots.click',
      repeated.click === ':self'
        ? 'The member clicked the slot itself.'
        : `What was clicked inside the slot (the rest of "${repeated.css}").`,
    );
  } else {
    const recorded = slot
      ? b
          .safe(slot.alternatives)
          .map((a) => a.raw)
          .join(', ')
      : '';
    out.item = todo(
      slot
        ? `a CSS selector matching every slot (one court at one time) on the day view; ${describe(slot)} clicked ${recorded || 'an element'}, which does not show which of its ancestors repeats`
        : 'a CSS selector matching every slot (one court at one time): the recording chose none after showing the day',
    );
    out.click = ':self';
    b.comment('slots.click', 'What to click in a slot: ":self", ":parent" or a selector inside it.');
  }
  out.time = todo(
    'where a slot\'s start time is and its format, e.g. { read: "span.start", format: HH:mm } for "19:00", or { read: { selector: time, attribute: datetime }, format: "yyyy-MM-dd\'T\'HH:mm" }',
  );
  out.court = todo('where a slot\'s court name is, e.g. ".court-name"');
  out.free = todo(
    'how to tell a slot that can still be booked: { full: ".slot--full" } (a mark of a full slot), { available: ".book-button" } (a mark of a free one) or { booked: ".booked", capacity: ".capacity" } (counts)',
  );
  return out;
}

function confirmStep(b: DraftBuilder, slot: Seen | undefined, afterSlot: Seen[]): unknown {
  const out: Record<string, unknown> = {};
  if (slot) {
    out.opens = slot.navigated ? 'page' : 'dialog';
    b.comment(
      'confirm.opens',
      `${describe(slot)} ${slot.navigated ? `loaded a new page (${pathOf(slot.navigatedTo ?? slot.url)})` : 'loaded no page: a dialog on the same page'}.`,
    );
    if (!slot.navigated) {
      out.dialog = todo(
        'a CSS selector for the confirm dialog that choosing a slot opens, e.g. "[role=dialog]" or "#confirm-dialog"',
      );
    }
  } else {
    out.opens = todo('dialog or page: what choosing a slot opens (the recording chose no slot)');
  }
  const terms = afterSlot[0];
  if (terms && !terms.navigated) {
    out.terms = b.selectorFor('confirm.terms', terms, 'the box ticked before confirming');
    b.comment(
      'confirm.terms',
      'The click after choosing the slot: taken for the terms box to tick. If it was something else, delete this key.',
    );
  } else {
    b.comment(
      'confirm',
      'Nothing was ticked after choosing the slot: add terms: "<selector>" if the site has a box to tick.',
    );
  }
  out.button = todo(
    'a CSS selector for the button that confirms the booking (the recording stopped before it), e.g. "#confirm-booking" or \'button[type="submit"]\'',
  );
  out.success = todo(
    'what shows the booking went through, e.g. ".booking-confirmation" or { text: "Your reference is" }',
  );
  out.reference = todo(
    'where the booking reference is in (or near) the success message, e.g. ".booking-reference" or { selector: strong }',
  );
  if (slot?.navigated && slot.navigatedTo && /date=|\d{4}-\d{2}-\d{2}/.test(slot.navigatedTo)) {
    b.comment(
      'confirm.opens',
      `The confirm page's address (${pathOf(slot.navigatedTo)}) names the court: if it opens before the release too, confirm.address lets the engine open it ahead (see docs/venue-profiles.md).`,
    );
  }
  return out;
}

function ordinal(n: number): string {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
}

// ---------------------------------------------------------------------------------------- rendering

const HEADER = (flow: UserFlow, file: string, title: string) =>
  [
    ` A DRAFT venue profile, made by \`npm run profile:from-recording\` from ${file}`,
    ` ("${title.replace(/\s+/g, ' ')}", ${flow.steps.length} steps recorded in Chrome's Recorder).`,
    '',
    ' Keys marked TODO are what a recording cannot show: fill each one (its hint says what to look for),',
    ' then run `npm run doctor -- --profile <this file>`: it lists the TODOs left, and once there are none',
    ' it checks every key against the site. The comment above a key says which of the selectors the',
    ' Recorder offered was chosen and why. Every key is described in docs/venue-profiles.md; two finished',
    ' profiles to compare with: src/venue/profiles/estelle.yml and test/sandbox/profiles/clubhouse.yml.',
    ' What you typed at sign-in is not in this file: the engine types ESTELLE_USERNAME and ESTELLE_PASSWORD.',
  ].join('\n');

function render(b: DraftBuilder, profile: Record<string, unknown>, flow: UserFlow, file: string): Draft {
  const doc = new Document(profile);
  doc.commentBefore = HEADER(flow, file, String(profile.name));
  for (const [key, text] of b.comments) {
    const pair = pairAt(doc, key.split('.'));
    if (pair) pair.commentBefore = ` ${text.split('\n').join('\n ')}`;
  }
  const yaml = doc.toString({ lineWidth: 0, singleQuote: true });
  for (const secret of b.secrets) {
    if (secret.length >= 4 && yaml.toLowerCase().includes(secret.toLowerCase())) {
      throw new BookerError(
        'The draft would contain a value you typed at sign-in, so it was not written.',
        'Please report this (without the recording): the recorder import must never copy a typed value.',
      );
    }
  }
  const todos = collectTodos(profile);
  return { yaml, todos, notes: b.notes };
}

/** The key node of a dotted path (the comment goes above it). */
function pairAt(doc: Document, keys: string[]): Node | undefined {
  let node: unknown = doc.contents;
  for (const [i, key] of keys.entries()) {
    if (isMap(node)) {
      const pair = (node as YAMLMap).items.find((p) => isScalar(p.key) && String(p.key.value) === key);
      if (!pair) return undefined;
      if (i === keys.length - 1) return pair.key as Node;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && /^\d+$/.test(key)) {
      const item = (node as { items: unknown[] }).items[Number(key)];
      if (i === keys.length - 1) {
        // A list item: the comment goes above its first key.
        return isMap(item) && (item as YAMLMap).items[0]
          ? ((item as YAMLMap).items[0]!.key as Node)
          : (item as Node);
      }
      node = item;
    } else return undefined;
  }
  return undefined;
}

function collectTodos(value: unknown, keys: string[] = []): string[] {
  if (typeof value === 'string') return isTodo(value) ? [keys.join('.')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => collectTodos(v, [...keys, String(i)]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => collectTodos(v, [...keys, k]));
  return [];
}
