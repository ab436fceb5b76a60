import { parse, parseStep, type Step, type UserFlow } from '@puppeteer/replay';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { BookerError } from '../../errors.ts';

/**
 * Reads a Chrome DevTools Recorder export (Recorder → Export → JSON: a "user flow") and validates it with
 * @puppeteer/replay's own parser, the one Chrome's team keeps with the format. Its messages name a field
 * but not the step, so each step is parsed on its own: a bad one is reported as
 * `recording.json:57: steps[4] (click): "offsetX" is not a number`.
 */

export class RecordingError extends BookerError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly where: string,
    readonly problem: string,
  ) {
    super(
      `${file}${line ? `:${line}` : ''}: ${where}: ${problem}`,
      'Export the recording again from Chrome (DevTools → Recorder → the recording → Export → JSON) and import that file unchanged.',
    );
  }
}

/** The field a @puppeteer/replay parse message is about. */
export function fieldOf(message: string): string | undefined {
  const rules: [RegExp, string | ((m: RegExpExecArray) => string)][] = [
    [/^Step\.(\w+) is not/, (m) => m[1]!],
    [/selectors|Selector/, 'selectors'],
    [/`frame`/, 'frame'],
    [/[Aa]sserted ?[eE]vent/, 'assertedEvents'],
    [/^Timeout is not between/, 'timeout'],
    [/'deviceType'/, 'deviceType'],
    [/'button'/, 'button'],
    [/operator/, 'operator'],
    [/attribute is not a dictionary/, 'attributes'],
    [/attribute is not an object/, 'properties'],
    [/`expression`/, 'expression'],
    [/customStep.*name/, 'name'],
    [/type/i, 'type'],
  ];
  for (const [pattern, field] of rules) {
    const m = pattern.exec(message);
    if (m) return typeof field === 'string' ? field : field(m);
  }
  return undefined;
}

/** Reads and validates a recording; every problem names where it is. */
export function readRecording(text: string, file: string): UserFlow {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    throw new RecordingError(
      file,
      line,
      'not JSON',
      `${message.replace(/^JSON\.parse: /, '')} (a Recorder export is a JSON file; was it exported as JSON, not as a Puppeteer script?)`,
    );
  }
  const lines = lineFinder(text);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new RecordingError(file, 1, 'the recording', 'is not a JSON object with "title" and "steps"');
  }
  const record = data as Record<string, unknown>;
  // The recording's own fields, checked by the same parser without its steps.
  try {
    parse({ ...record, steps: [] });
  } catch (error) {
    const message = (error as Error).message;
    const field = /`(\w+)`/.exec(message)?.[1] ?? fieldOf(message) ?? '(recording)';
    throw new RecordingError(file, lines([field]), `the recording's "${field}"`, lowerFirst(message));
  }
  if (!('steps' in record) || record.steps === undefined) {
    throw new RecordingError(file, 1, 'the recording', 'has no "steps" (a Recorder export lists its steps)');
  }
  if (!Array.isArray(record.steps)) {
    throw new RecordingError(file, lines(['steps']), 'the recording\'s "steps"', 'is not a list of steps');
  }
  record.steps.forEach((step: unknown, index: number) => {
    const type =
      typeof step === 'object' && step !== null && typeof (step as { type?: unknown }).type === 'string'
        ? (step as { type: string }).type
        : undefined;
    const where = `steps[${index}]${type ? ` (${type})` : ''}`;
    try {
      parseStep(step, index);
    } catch (error) {
      const message = (error as Error).message;
      const field = fieldOf(message);
      const problem = describeProblem(message, field);
      throw new RecordingError(file, lines(['steps', index, ...(field ? [field] : [])]), where, problem);
    }
  });
  return parse(record) as UserFlow;
}

function describeProblem(message: string, field: string | undefined): string {
  const text = message.replace(/^Step \d+ /, 'the step ');
  if (field && /^Step\.\w+ is not/.test(message)) {
    const wanted = /is not (a|an) (\w+)/.exec(message);
    return `"${field}" is missing or not ${wanted ? `${wanted[1]} ${wanted[2]}` : 'valid'}`;
  }
  if (field === 'type' && /not supported/.test(message))
    return `${lowerFirst(message)} (not a Recorder step type)`;
  return field ? `"${field}": ${lowerFirst(text)}` : lowerFirst(text);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The line of the deepest node on a path of the JSON (JSON is YAML, so the yaml parser knows lines). */
function lineFinder(text: string): (path: (string | number)[]) => number | undefined {
  let doc: Document | undefined;
  const counter = new LineCounter();
  try {
    doc = parseDocument(text, { lineCounter: counter });
    if (doc.errors.length > 0) doc = undefined;
  } catch {
    doc = undefined;
  }
  return (path) => {
    if (!doc) return undefined;
    for (let depth = path.length; depth > 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node && (isScalar(node) || isMap(node) || isSeq(node)) && node.range)
        return counter.linePos(node.range[0]).line;
    }
    return 1;
  };
}

export type { Step, UserFlow };
