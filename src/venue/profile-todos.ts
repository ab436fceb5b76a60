import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';

/**
 * TODO markers in a venue profile (pure). A draft profile (`npm run profile:from-recording`) writes what a
 * recording cannot tell as a value `TODO: <hint>`; `npm run doctor` lists those keys with their hints
 * before it checks anything on the site, and loading such a profile for a run fails naming each one.
 */

export const TODO_PREFIX = 'TODO:';

/** A value the recorder import could not tell: `TODO: <hint>`. */
export function todo(hint: string): string {
  return `${TODO_PREFIX} ${hint}`;
}

export type ProfileTodo = { key: string; line: number; hint: string };

/** `TODO: hint`, or a bare `TODO` (not "TODO list", which could be a site's text). */
const MARK = /^\s*TODO(?::\s*|\s*$)/;

export function isTodo(value: unknown): value is string {
  return typeof value === 'string' && MARK.test(value);
}

/** Every scalar of the document that is still a TODO, with its dotted key and line, in document order. */
export function findTodos(doc: Document, lineAt: (offset: number) => number): ProfileTodo[] {
  const out: ProfileTodo[] = [];
  const visit = (node: Node | null | undefined, keys: string[]) => {
    if (!node) return;
    if (isScalar(node)) {
      if (isTodo(node.value)) {
        out.push({
          key: keys.join('.') || '(profile)',
          line: node.range ? lineAt(node.range[0]) : 1,
          hint: node.value.replace(MARK, '').trim() || '(no hint)',
        });
      }
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        visit(pair.value as Node | null, [...keys, key]);
      }
      return;
    }
    if (isSeq(node)) node.items.forEach((item, i) => visit(item as Node, [...keys, String(i)]));
  };
  visit(doc.contents as Node | null, []);
  return out;
}

/** What `npm run doctor` prints for a draft: each TODO key on its line, with its hint (pure). */
export function formatTodoReport(todos: ProfileTodo[], file: string): string[] {
  return [
    `Venue profile ${file} is a draft: ${todos.length} key${todos.length === 1 ? ' is' : 's are'} still TODO, so nothing was checked on the site.`,
    '',
    ...todos.map((t) => `  ✗ ${file}:${t.line}: ${t.key}: ${t.hint}`),
    '',
    `✗ Fill in ${todos.length === 1 ? 'that key' : 'those keys'} (each hint says what to look for on the site), then run the doctor again: it checks every key once none is TODO.`,
  ];
}
