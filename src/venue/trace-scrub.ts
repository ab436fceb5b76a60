import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * Rewrites a Playwright trace (the zip `tracing.stop()` writes) so that it can leave the runner:
 *
 * - network log (`*.network`): the values of `Cookie`, `Set-Cookie`, `Authorization` (and CSRF)
 *   headers and of the HAR cookie lists are replaced, and every request body is dropped (its
 *   resource file too): a login form, a booking's CSRF token;
 * - actions (`*.trace`): what was typed (`fill`, `type`, …) is replaced;
 * - everywhere (DOM snapshots, network log, page resources, stack files): every e-mail address,
 *   every secret handed in (the login, the member's name), every cookie value seen in the trace,
 *   the values of password and e-mail fields, and the name the site shows beside the member's
 *   e-mail (the text of an element whose attribute holds an e-mail address, and each of its words);
 * - screencast frames are removed: they are pixels, which cannot be scrubbed (and show the member
 *   chip). The DOM snapshots show the same pages.
 *
 * Then it checks its own work: a trace that still holds any of those values is refused (an error),
 * never returned. Pure: bytes in, bytes out.
 */

export const REDACTED = '[redacted]';
export const EMAIL_HIDDEN = '[e-mail hidden]';

/** Headers whose values are credentials. */
const SECRET_HEADERS = new Set([
  'cookie',
  'set-cookie',
  'authorization',
  'proxy-authorization',
  'x-csrf-token',
  'x-xsrf-token',
  'csrf-token',
]);

/** Actions whose parameters carry what was typed into the page. */
const TYPING_METHODS = new Set(['fill', 'type', 'pressSequentially', 'setInputFiles', 'insertText']);

/** An e-mail address, also with its `@` percent-, entity- or JSON-escaped. */
const EMAIL =
  /[A-Za-z0-9._%+-]+(?:@|%40|&#64;|&#x40;|\\u0040)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi;

/** Entries whose content is text and is scrubbed as text; everything else is binary. */
const TEXT_ENTRY = /\.(trace|network|stacks|html?|css|js|mjs|json|txt|xml|svg|map)$/i;

/** Random tokens are long; a short cookie value ("1", "yes") is not worth masking everywhere. */
const MIN_SECRET_LENGTH = 6;
const MIN_NAME_PART_LENGTH = 3;

export type ScrubOptions = {
  /** Values that must not remain anywhere: the username, the password, the member's name. */
  secrets?: Iterable<string | undefined>;
};

export type ScrubReport = {
  zip: Uint8Array;
  /** Entries removed (screencast frames, request bodies). */
  removed: string[];
  /** How many values were masked (distinct), for the step log. */
  maskedValues: number;
};

export class TraceScrubError extends Error {}

export function scrubTrace(input: Uint8Array, options: ScrubOptions = {}): ScrubReport {
  const entries = unzipSync(input);
  const secrets = new Set<string>();
  const names = new Set<string>();
  const addSecret = (value: string | undefined, min = MIN_SECRET_LENGTH) => {
    const v = value?.trim();
    if (v && v.length >= min && v !== REDACTED) secrets.add(v);
  };
  for (const value of options.secrets ?? []) addSecret(value, 1);

  const removed: string[] = [];
  const drop = new Set<string>();
  for (const name of Object.keys(entries)) {
    if (name.startsWith('screencast/')) drop.add(name);
  }

  // 1. Structure: what is known to hold credentials is replaced, and the values are remembered.
  const text = new Map<string, string>();
  for (const [name, bytes] of Object.entries(entries)) {
    if (drop.has(name) || !isText(name, bytes)) continue;
    let content = strFromU8(bytes);
    if (name.endsWith('.network')) {
      content = mapJsonLines(content, (event) => scrubNetworkEvent(event, addSecret, drop));
    } else if (name.endsWith('.trace')) {
      content = mapJsonLines(content, (event) => scrubTraceEvent(event, addSecret, names));
    }
    text.set(name, content);
  }
  for (const name of names) {
    addSecret(name, 2);
    for (const part of name.split(/\s+/)) addSecret(part, MIN_NAME_PART_LENGTH);
  }

  // 2. Every text entry: the values found above, in every spelling a page or a log may use.
  const replacements = [...secrets]
    .flatMap((secret) => spellings(secret))
    .filter((s, i, all) => s.length > 0 && all.indexOf(s) === i)
    .sort((a, b) => b.length - a.length);
  for (const [name, content] of text) {
    let out = content;
    for (const spelling of replacements) out = out.split(spelling).join(REDACTED);
    text.set(name, out.replace(EMAIL, EMAIL_HIDDEN));
  }

  // 3. Check: nothing we know of is left, in text or binary entries.
  const files: Zippable = {};
  for (const [name, bytes] of Object.entries(entries)) {
    if (drop.has(name)) {
      removed.push(name);
      continue;
    }
    const scrubbed = text.get(name);
    if (scrubbed !== undefined) {
      EMAIL.lastIndex = 0;
      if (EMAIL.test(scrubbed)) throw new TraceScrubError(`${name} still holds an e-mail address`);
      const left = replacements.find((s) => scrubbed.includes(s));
      if (left) throw new TraceScrubError(`${name} still holds a secret value`);
      files[name] = [strToU8(scrubbed), { level: 6 }];
    } else {
      const latin1 = Buffer.from(bytes).toString('latin1');
      if ([...secrets].some((s) => latin1.includes(Buffer.from(s, 'utf8').toString('latin1')))) {
        throw new TraceScrubError(`${name} (binary) holds a secret value`);
      }
      files[name] = [bytes, { level: 0 }];
    }
  }
  return { zip: zipSync(files), removed, maskedValues: secrets.size };
}

function isText(name: string, bytes: Uint8Array): boolean {
  if (TEXT_ENTRY.test(name)) return true;
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A value as raw text, JSON string content, URL/form encoding and HTML escaping. */
function spellings(value: string): string[] {
  const html = value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  const url = encodeURIComponent(value);
  return [value, JSON.stringify(value).slice(1, -1), url, url.replace(/%20/g, '+'), html];
}

type Json = Record<string, unknown>;

/** Each JSON line through `fn`; a line for which it returns undefined is dropped. */
function mapJsonLines(content: string, fn: (event: Json) => Json | undefined): string {
  return content
    .split('\n')
    .flatMap((line) => {
      if (line.trim() === '') return [line];
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        throw new TraceScrubError('a trace line is not JSON: the trace format is not one we can scrub');
      }
      const mapped = isObject(event) ? fn(event) : event;
      return mapped === undefined ? [] : [JSON.stringify(mapped)];
    })
    .join('\n');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A HAR-like resource snapshot: secret headers, cookies and request bodies go. */
function scrubNetworkEvent(
  event: Json,
  addSecret: (value: string | undefined) => void,
  drop: Set<string>,
): Json {
  const snapshot = event.snapshot;
  if (!isObject(snapshot)) return event;
  for (const side of ['request', 'response'] as const) {
    const message = snapshot[side];
    if (!isObject(message)) continue;
    if (Array.isArray(message.headers)) {
      for (const header of message.headers as Json[]) {
        if (!isObject(header) || typeof header.name !== 'string') continue;
        if (!SECRET_HEADERS.has(header.name.toLowerCase())) continue;
        for (const value of cookieValues(String(header.value ?? ''))) addSecret(value);
        addSecret(String(header.value ?? ''));
        header.value = REDACTED;
      }
    }
    if (Array.isArray(message.cookies)) {
      for (const cookie of message.cookies as Json[]) {
        if (!isObject(cookie)) continue;
        addSecret(typeof cookie.value === 'string' ? cookie.value : undefined);
        cookie.value = REDACTED;
      }
    }
  }
  const request = snapshot.request;
  if (isObject(request) && isObject(request.postData)) {
    for (const key of ['_file', '_sha1']) {
      const file = request.postData[key];
      if (typeof file === 'string') drop.add(file.startsWith('resources/') ? file : `resources/${file}`);
    }
    request.postData = { mimeType: request.postData.mimeType ?? '', text: REDACTED, params: [] };
  }
  return event;
}

/** `a=1; b=2` (Cookie) or `a=1; Path=/; HttpOnly` (Set-Cookie): the values. */
function cookieValues(header: string): string[] {
  return header
    .split(/[;\n]/)
    .map((part) => part.split('=').slice(1).join('=').trim())
    .filter(Boolean);
}

/** Actions and DOM snapshots: typed text, field values and the member's name. */
function scrubTraceEvent(
  event: Json,
  addSecret: (value: string | undefined, min?: number) => void,
  names: Set<string>,
): Json | undefined {
  if (event.type === 'screencast-frame') return undefined;
  if (
    (event.type === 'before' || event.type === 'input') &&
    typeof event.method === 'string' &&
    TYPING_METHODS.has(event.method) &&
    isObject(event.params)
  ) {
    for (const key of ['value', 'text', 'files', 'payloads', 'localPaths']) {
      if (key in event.params) {
        if (typeof event.params[key] === 'string') addSecret(event.params[key] as string, 1);
        event.params[key] = REDACTED;
      }
    }
  }
  if (event.type === 'frame-snapshot' && isObject(event.snapshot)) {
    walkSnapshot(event.snapshot.html, addSecret, names);
  }
  return event;
}

/** Playwright's DOM snapshot: `["TAG", {attributes}, ...children]`, text as strings, `[[n, m]]` references. */
function walkSnapshot(
  node: unknown,
  addSecret: (value: string | undefined, min?: number) => void,
  names: Set<string>,
): void {
  if (!Array.isArray(node) || typeof node[0] !== 'string') return;
  const [tag, maybeAttributes, ...rest] = node as [string, unknown, ...unknown[]];
  const attributes = isObject(maybeAttributes) ? maybeAttributes : {};
  const children = isObject(maybeAttributes) ? rest : [maybeAttributes, ...rest];
  const type = String(attributes.type ?? '').toLowerCase();
  const autocomplete = String(attributes.autocomplete ?? '').toLowerCase();
  if (
    (tag === 'INPUT' || tag === 'TEXTAREA') &&
    (type === 'password' || type === 'email' || /username|email|password/.test(autocomplete))
  ) {
    for (const key of ['value', '__playwright_value_']) {
      if (typeof attributes[key] === 'string') {
        addSecret(attributes[key] as string, 1);
        attributes[key] = REDACTED;
      }
    }
  }
  const marksMember = Object.values(attributes).some((value) => {
    EMAIL.lastIndex = 0;
    return typeof value === 'string' && EMAIL.test(value);
  });
  if (marksMember) {
    for (const textValue of textsOf(children)) {
      const name = textValue.trim();
      EMAIL.lastIndex = 0;
      if (name.length >= 2 && !EMAIL.test(name)) names.add(name);
    }
  }
  for (const child of children) walkSnapshot(child, addSecret, names);
}

function textsOf(children: unknown[]): string[] {
  const out: string[] = [];
  for (const child of children) {
    if (typeof child === 'string') out.push(child);
    else if (Array.isArray(child) && typeof child[0] === 'string') {
      out.push(...textsOf(isObject(child[1]) ? child.slice(2) : child.slice(1)));
    }
  }
  return out;
}
