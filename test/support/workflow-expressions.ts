import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';

/**
 * GitHub's own expression evaluator (@actions/expressions, the package GitHub's language services
 * use) for the `${{ … }}` in our workflows. Contexts are given as plain JSON (`github`, `inputs`,
 * `vars`, `needs`, `steps`, `secrets`); the runner's functions that the package leaves to the host
 * (`always()`, `success()`, `hashFiles()`) are supplied here, hashFiles over real files.
 */
export type Contexts = Record<string, unknown>;

export interface EvalOptions {
  /** The workspace hashFiles() looks in; hashFiles is '' when no file matches (as on the runner). */
  workspace?: string;
  /** What the job status functions answer (default: the job is succeeding). */
  status?: 'success' | 'failure' | 'cancelled';
}

function functions(options: EvalOptions): Map<string, FunctionDefinition> {
  const status = options.status ?? 'success';
  const bool = (b: boolean) => new data.BooleanData(b);
  const list: FunctionDefinition[] = [
    { name: 'always', minArgs: 0, maxArgs: 0, call: () => bool(true) },
    { name: 'success', minArgs: 0, maxArgs: 0, call: () => bool(status === 'success') },
    { name: 'failure', minArgs: 0, maxArgs: 0, call: () => bool(status === 'failure') },
    { name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => bool(status === 'cancelled') },
    {
      name: 'hashFiles',
      minArgs: 1,
      maxArgs: 255,
      call: (...patterns) => {
        // Our workflows pass plain paths; a pattern with wildcards is refused rather than guessed.
        const hash = createHash('sha256');
        let matched = 0;
        for (const p of patterns) {
          const path = p.coerceString();
          if (/[*?[\]!]/.test(path)) throw new Error(`hashFiles stand-in: no globs (${path})`);
          const file = join(options.workspace ?? process.cwd(), path);
          if (!existsSync(file)) continue;
          matched++;
          hash.update(createHash('sha256').update(readFileSync(file)).digest());
        }
        return new data.StringData(matched === 0 ? '' : hash.digest('hex'));
      },
    },
  ];
  return new Map(list.map((f) => [f.name.toLowerCase(), f]));
}

/** Evaluates one expression (no `${{ }}` around it) to GitHub's expression data. */
export function evaluateExpression(
  expression: string,
  contexts: Contexts,
  options: EvalOptions = {},
): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const fns = functions(options);
  const parser = new Parser(lexed.tokens, Object.keys(contexts), [...fns.values()]);
  const dictionary = new data.Dictionary(
    ...Object.entries(contexts).map(([key, value]) => ({
      key,
      value: JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData,
    })),
  );
  return new Evaluator(parser.parse(), dictionary, fns).evaluate();
}

/**
 * A workflow value as the runner sees it: a string with `${{ … }}` parts is interpolated (each part
 * coerced to a string as GitHub does); an `if:` without `${{ }}` is an expression on its own.
 */
export function evaluateValue(value: string, contexts: Contexts, options: EvalOptions = {}): string {
  if (!value.includes('${{')) return value;
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) =>
    evaluateExpression(expr.trim(), contexts, options).coerceString(),
  );
}

/** An `if:` condition: with or without `${{ }}`, truthy by GitHub's rules. */
export function evaluateCondition(condition: string, contexts: Contexts, options: EvalOptions = {}): boolean {
  const trimmed = condition.trim();
  const whole = /^\$\{\{([\s\S]*)\}\}$/.exec(trimmed);
  const expression = whole ? whole[1]!.trim() : trimmed;
  return truthy(evaluateExpression(expression, contexts, options));
}

function truthy(value: data.ExpressionData): boolean {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number:
      return (value as data.NumberData).value !== 0 && !Number.isNaN((value as data.NumberData).value);
    case data.Kind.String:
      return (value as data.StringData).value !== '';
    default:
      return true;
  }
}
