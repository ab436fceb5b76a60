/**
 * The selectors of a Chrome DevTools Recorder step, and which of them a venue profile can use (pure).
 *
 * The Recorder stores, for every click and change, several alternative selectors for the same element
 * (front_end/panels/recorder/injected/SelectorComputer.ts): `aria/<accessible name>` (its ARIA name, with
 * `[role="…"]` when the name alone is not unique), a CSS selector (the shortest unique chain: a data
 * attribute such as data-testid, an id, else tags made unique by a class, an input type or
 * `:nth-of-type(n)`), `xpath//…` (by id, else the element's path with positions), `pierce/…` (CSS that
 * crosses shadow roots) and `text/…` (a unique prefix of its text). Each alternative is an array of parts
 * (one per shadow root or frame crossed).
 *
 * The engine finds elements with document.querySelector and Playwright locators, so a profile key needs
 * plain CSS: `aria/` and `text/` alternatives become the `text` of a navigation step (the one key that has
 * one), never a selector.
 */

export type Alternative =
  | { kind: 'css' | 'pierce'; css: string; raw: string }
  | { kind: 'aria'; name: string; role?: string; raw: string }
  | { kind: 'text'; text: string; raw: string }
  | { kind: 'xpath'; xpath: string; raw: string }
  | { kind: 'unusable'; raw: string; why: string };

/** How much a selector can be trusted to find the same element next month, best first. */
export type Stability = 'id' | 'data attribute' | 'class' | 'structure' | 'generated' | 'position';
const RANK: Record<Stability, number> = {
  id: 0,
  'data attribute': 1,
  class: 2,
  structure: 3,
  generated: 4,
  position: 5,
};

/** One chosen selector, why it was chosen, and the alternatives it was chosen from. */
export type Choice = { css: string; stability: Stability; from: string; why: string };

/** Reads one of a step's alternatives (`["#email"]`, `["aria/Email"]`, `["my-app", "#inner"]`…). */
export function readAlternative(selector: string | string[]): Alternative {
  const parts = Array.isArray(selector) ? selector : [selector];
  const raw = parts.join(' ⟩ ');
  if (parts.length !== 1) {
    return {
      kind: 'unusable',
      raw,
      why: 'crosses a shadow root or frame, which document.querySelector cannot',
    };
  }
  const text = parts[0]!;
  if (text.startsWith('aria/')) {
    const m = /^aria\/(.*?)(?:\[role="([^"]+)"\])?$/s.exec(text)!;
    return { kind: 'aria', name: m[1]!, ...(m[2] ? { role: m[2] } : {}), raw };
  }
  if (text.startsWith('text/')) return { kind: 'text', text: text.slice(5), raw };
  if (text.startsWith('xpath/')) return { kind: 'xpath', xpath: text.slice(6), raw };
  if (text.startsWith('pierce/')) return { kind: 'pierce', css: text.slice(7), raw };
  if (/^::-p-/.test(text)) return { kind: 'unusable', raw, why: 'is a Puppeteer query, not CSS' };
  return { kind: 'css', css: text, raw };
}

/** A step's alternatives; an ARIA selector of several parts (ancestor, then element) keeps the element's. */
export function readAlternatives(selectors: readonly (string | string[])[]): Alternative[] {
  return selectors.map((s) => {
    if (Array.isArray(s) && s.length > 1 && s.every((p) => p.startsWith('aria/'))) {
      return { ...readAlternative(s.at(-1)!), raw: s.join(' ⟩ ') };
    }
    return readAlternative(s);
  });
}

// ---------------------------------------------------------------------------------------- CSS chains

/** A CSS selector split into compounds and combinators: "li:nth-of-type(2) > a" → ["li:nth-of-type(2)", ">", "a"]. */
export function splitCss(css: string): string[] | undefined {
  const tokens: string[] = [];
  let current = '';
  let bracket = 0;
  let quote: string | undefined;
  for (let i = 0; i < css.length; i++) {
    const c = css[i]!;
    if (c === '\\') {
      current += c + (css[i + 1] ?? '');
      i++;
      continue;
    }
    if (quote) {
      current += c;
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    if (c === '[' || c === '(') bracket++;
    if (c === ']' || c === ')') bracket--;
    if (bracket === 0 && (c === ' ' || c === '>')) {
      if (current) tokens.push(current);
      current = '';
      if (c === '>') tokens.push('>');
      continue;
    }
    current += c;
  }
  if (current) tokens.push(current);
  if (quote || bracket !== 0 || tokens.length === 0 || tokens[0] === '>' || tokens.at(-1) === '>')
    return undefined;
  if (tokens.some((t) => /[,~+]/.test(t.replace(/\[[^\]]*\]|\\./g, '')))) return undefined;
  return tokens;
}

const NTH = /:nth-of-type\((\d+)\)/;

/** Generated-looking names (ember123, css-1q2w3e, a run of digits) change from one deploy to the next. */
export function looksGenerated(name: string): boolean {
  return (
    /\d{3,}/.test(name) || /^(css|sc|jsx|svelte|emotion)-[a-z0-9]+$/i.test(name) || /[0-9a-f]{8,}/i.test(name)
  );
}

/** How stable a CSS selector is, judged by the element it names (its last compound) and the chain. */
export function stabilityOf(css: string): Stability {
  const tokens = splitCss(css) ?? [css];
  if (tokens.some((t) => NTH.test(t))) return 'position';
  const last = tokens.at(-1)!;
  const names = (token: string, pattern: RegExp) => [...token.matchAll(pattern)].map((m) => m[1]!);
  const ID = /#((?:\\.|[\w-])+)/g;
  const CLASS = /\.((?:\\.|[\w-])+)/g;
  const ids = names(last, ID);
  if (ids.some((id) => !looksGenerated(id))) return 'id';
  if (/\[data-[\w-]+=/.test(last)) return 'data attribute';
  if (names(last, CLASS).some((c) => !looksGenerated(c))) return 'class';
  const all = tokens.flatMap((t) => [...names(t, ID), ...names(t, CLASS)]);
  if (all.some((n) => !looksGenerated(n)) || tokens.some((t) => /\[/.test(t))) return 'class';
  if (all.length > 0) return 'generated';
  return 'structure';
}

/** The chain without positions ("li:nth-of-type(2) span.x" → "li span.x"): every element of that shape. */
export function withoutPositions(css: string): string {
  return css.replace(/:nth-of-type\(\d+\)/g, '');
}

// ------------------------------------------------------------------------------------------- XPath

/** One step of a Recorder XPath: a tag and its 1-based position among same-tag siblings. */
type XStep = { tag: string; index?: number };

/**
 * The Recorder's XPath (`//*[@id="slots"]/div/div[25]/span[3]`, `/html/body/main/ul/li[2]/a`, after its
 * `xpath/` prefix) as an anchor and steps, or undefined for XPath it does not write.
 */
export function readXPath(xpath: string): { anchor: string; steps: XStep[] } | undefined {
  // The Recorder writes `xpath//*[@id="x"]/…` (an attribute anchor) or `xpath//html/body/…` (from the root).
  const m = /^(?:\/\/(\*\[@([\w-]+)=("(?:[^"\\]|\\.)*")\])|\/(html))((?:\/[a-z][\w-]*(?:\[\d+\])?)*)$/i.exec(
    xpath,
  );
  if (!m) return undefined;
  let anchor: string;
  if (m[4]) anchor = 'html';
  else {
    const name = m[2]!;
    let value: string;
    try {
      value = JSON.parse(m[3]!) as string;
    } catch {
      return undefined;
    }
    anchor =
      name === 'id' && /^[A-Za-z_][\w-]*$/.test(value) ? `#${value}` : `[${name}=${JSON.stringify(value)}]`;
  }
  const steps = (m[5] ?? '')
    .split('/')
    .filter(Boolean)
    .map((s) => {
      const step = /^([a-z][\w-]*)(?:\[(\d+)\])?$/i.exec(s)!;
      return { tag: step[1]!.toLowerCase(), ...(step[2] ? { index: Number(step[2]) } : {}) };
    });
  return { anchor, steps };
}

/** The XPath as CSS: "#slots > div > div:nth-of-type(25)"; the html anchor is dropped ("body > main"). */
export function xpathToCss(xpath: string): string | undefined {
  const read = readXPath(xpath);
  if (!read) return undefined;
  const parts = read.steps.map((s) => (s.index ? `${s.tag}:nth-of-type(${s.index})` : s.tag));
  if (read.anchor === 'html') {
    if (parts[0] === 'body') return parts.join(' > ');
    return ['html', ...parts].join(' > ');
  }
  return [read.anchor, ...parts].join(' > ');
}

// ------------------------------------------------------------------------------------------ choosing

/** The alternatives as CSS the engine can use, with how stable each is. */
export function cssCandidates(alternatives: Alternative[]): Choice[] {
  const out: Choice[] = [];
  for (const alt of alternatives) {
    let css: string | undefined;
    let from: string;
    if (alt.kind === 'css') {
      css = alt.css;
      from = `the CSS alternative "${alt.css}"`;
    } else if (alt.kind === 'xpath') {
      css = xpathToCss(alt.xpath);
      from = `the XPath alternative "${alt.xpath}" written as CSS`;
    } else continue;
    if (!css || !splitCss(css)) continue;
    const stability = stabilityOf(css);
    out.push({ css, stability, from, why: WHY[stability] });
  }
  // Stable first; for equal stability the Recorder's own CSS (the shortest unique chain) before XPath.
  return out.sort((a, b) => RANK[a.stability] - RANK[b.stability]);
}

const WHY: Record<Stability, string> = {
  id: 'an id: the most stable kind',
  'data attribute': 'a data attribute, kept for tests and scripts: stable',
  class: 'named by a class or attribute: stable while the design is',
  structure: 'the shortest unique chain of tags: it holds while the page keeps its layout',
  generated: 'an id or class that looks generated: it may change with the next release of the site',
  position: 'a position among siblings: it breaks when an element is added before it',
};

/** The best CSS for an element, or undefined when no alternative is CSS. */
export function chooseCss(alternatives: Alternative[]): Choice | undefined {
  return cssCandidates(alternatives)[0];
}

/** The element's own text as the engine reads it (textContent): the text/ alternative, else its ARIA name. */
export function textOf(alternatives: Alternative[]): { text: string; from: 'text' | 'aria' } | undefined {
  const text = alternatives.find((a) => a.kind === 'text');
  if (text?.kind === 'text' && text.text.trim()) return { text: text.text.trim(), from: 'text' };
  const aria = alternatives.find((a) => a.kind === 'aria');
  if (aria?.kind === 'aria' && aria.name.trim()) return { text: aria.name.trim(), from: 'aria' };
  return undefined;
}

/** Whether an alternative names a password field (its ARIA name, id, name or type). */
export function looksLikePassword(alternatives: Alternative[]): boolean {
  return alternatives.some((a) =>
    a.kind === 'unusable' ? false : /pass(word|wort|code)?\b|passwd|pwd|mot de passe|contraseña/i.test(a.raw),
  );
}

/**
 * The repeated element a click landed in: the outermost `:nth-of-type(n)` of the Recorder's CSS chain, found
 * again in its XPath (same tag, same position), which gives the path from an anchor down to it. Every element
 * on that path without the position is one of the repeated items ("#slots > div > div"); what was clicked
 * inside it is the rest of the CSS chain ("span.slot_start"), or the item itself.
 */
export function repeatedAncestor(
  alternatives: Alternative[],
): { item: string; click: string; xpath: string; css: string; position: number } | undefined {
  const css = alternatives.find((a) => a.kind === 'css');
  const xpath = alternatives.find((a) => a.kind === 'xpath');
  if (css?.kind !== 'css' || xpath?.kind !== 'xpath') return undefined;
  const tokens = splitCss(css.css);
  const path = readXPath(xpath.xpath);
  if (!tokens || !path) return undefined;
  const at = tokens.findIndex((t) => NTH.test(t));
  if (at < 0) return undefined;
  const compound = tokens[at]!;
  const tag = /^[a-z][\w-]*/i.exec(compound)?.[0]?.toLowerCase();
  const position = Number(NTH.exec(compound)![1]);
  if (!tag || compound.replace(NTH, '') !== tag) return undefined;
  // The same element in the XPath: the step with that tag and position nearest the anchor.
  const stepAt = path.steps.findIndex((s) => s.tag === tag && s.index === position);
  if (stepAt < 0) return undefined;
  const steps = path.steps.slice(0, stepAt + 1).map((s) => s.tag);
  const head =
    path.anchor === 'html' ? (steps[0] === 'body' ? steps : ['html', ...steps]) : [path.anchor, ...steps];
  const item = head.join(' > ');
  const rest = tokens.slice(at + 1);
  const click = rest[0] === '>' ? rest.slice(1).join(' ') : rest.join(' ');
  return { item, click: click || ':self', xpath: xpath.xpath, css: css.css, position };
}
