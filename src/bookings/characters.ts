/**
 * Characters a member cannot see in a spreadsheet or an editor, named the way Unicode names them so an
 * error can say exactly what to delete (`U+200B ZERO WIDTH SPACE`). Pure.
 */

const NAMES: Record<number, string> = {
  0x00: 'NULL',
  0x07: 'BELL',
  0x08: 'BACKSPACE',
  0x09: 'CHARACTER TABULATION',
  0x0a: 'LINE FEED',
  0x0b: 'LINE TABULATION',
  0x0c: 'FORM FEED',
  0x0d: 'CARRIAGE RETURN',
  0x1b: 'ESCAPE',
  0x7f: 'DELETE',
  0x85: 'NEXT LINE',
  0xa0: 'NO-BREAK SPACE',
  0xad: 'SOFT HYPHEN',
  0x34f: 'COMBINING GRAPHEME JOINER',
  0x61c: 'ARABIC LETTER MARK',
  0x115f: 'HANGUL CHOSEONG FILLER',
  0x1160: 'HANGUL JUNGSEONG FILLER',
  0x1680: 'OGHAM SPACE MARK',
  0x180e: 'MONGOLIAN VOWEL SEPARATOR',
  0x2000: 'EN QUAD',
  0x2001: 'EM QUAD',
  0x2002: 'EN SPACE',
  0x2003: 'EM SPACE',
  0x2004: 'THREE-PER-EM SPACE',
  0x2005: 'FOUR-PER-EM SPACE',
  0x2006: 'SIX-PER-EM SPACE',
  0x2007: 'FIGURE SPACE',
  0x2008: 'PUNCTUATION SPACE',
  0x2009: 'THIN SPACE',
  0x200a: 'HAIR SPACE',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x202f: 'NARROW NO-BREAK SPACE',
  0x205f: 'MEDIUM MATHEMATICAL SPACE',
  0x2060: 'WORD JOINER',
  0x2061: 'FUNCTION APPLICATION',
  0x2062: 'INVISIBLE TIMES',
  0x2063: 'INVISIBLE SEPARATOR',
  0x2064: 'INVISIBLE PLUS',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x3000: 'IDEOGRAPHIC SPACE',
  0x3164: 'HANGUL FILLER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
  0xffa0: 'HALFWIDTH HANGUL FILLER',
};

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators: never in a one-line value. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
/** Line ends, for a message that says "line break" rather than a code point. */
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/u;
/** Invisible: formatting characters (zero-width, bidirectional marks), every space but U+0020, fillers. */
const INVISIBLE = /[\p{Cf}\p{Zs}\u034f\u115f\u1160\u3164\uffa0]/u;

/** `U+200B ZERO WIDTH SPACE` */
export function describeCharacter(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const name = NAMES[code];
  return name ? `U+${hex} ${name}` : `U+${hex}`;
}

export type CharacterProblem = { kind: 'line-break' | 'control' | 'invisible'; characters: string[] };

/**
 * What is wrong with the characters of a one-line value: a line break or another control character
 * (always), or invisible characters (unless `allowInvisible`, for free text). Undefined when it is clean.
 */
export function characterProblem(
  value: string,
  options: { allowInvisible?: boolean } = {},
): CharacterProblem | undefined {
  const chars = [...value];
  if (chars.some((c) => LINE_BREAK.test(c))) {
    return { kind: 'line-break', characters: distinct(chars.filter((c) => LINE_BREAK.test(c))) };
  }
  const controls = chars.filter((c) => CONTROL.test(c));
  if (controls.length > 0) return { kind: 'control', characters: distinct(controls) };
  if (options.allowInvisible) return undefined;
  const invisible = chars.filter((c) => c !== ' ' && INVISIBLE.test(c));
  return invisible.length > 0 ? { kind: 'invisible', characters: distinct(invisible) } : undefined;
}

function distinct(chars: string[]): string[] {
  return [...new Set(chars)];
}

/**
 * A value as a member can read it in a message: control characters as `\n`, `\t`… and invisible ones
 * as `<U+200B>`, so that nothing in the message is hidden (or starts a new line).
 */
export function visibleText(value: string): string {
  return [...value]
    .map((c) => {
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      if ((CONTROL.test(c) || INVISIBLE.test(c)) && c !== ' ') {
        return `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`;
      }
      return c;
    })
    .join('');
}

/** The message for a CharacterProblem in a field, e.g. `Time1 "7pm<U+200B>" contains U+200B ZERO WIDTH SPACE, …`. */
export function describeCharacterProblem(field: string, value: string, problem: CharacterProblem): string {
  const names = problem.characters.map(describeCharacter).join(', ');
  const shown = `"${visibleText(value)}"`;
  switch (problem.kind) {
    case 'line-break':
      return `${field} ${shown} runs onto more than one line (${names}) (expected a value on one line: remove the line break, and check that every double quote is closed on the same line)`;
    case 'control':
      return `${field} ${shown} contains the control character${problem.characters.length > 1 ? 's' : ''} ${names} (expected plain text: delete ${problem.characters.length > 1 ? 'them' : 'it'} and retype the value)`;
    case 'invisible':
      return `${field} ${shown} contains the invisible character${problem.characters.length > 1 ? 's' : ''} ${names} (expected plain text: delete ${problem.characters.length > 1 ? 'them' : 'it'}, or retype the value)`;
  }
}
