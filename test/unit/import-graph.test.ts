import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape of src/, read with TypeScript's own import scanner (type-only imports included: a circle of
 * types is still a circle a newcomer has to untangle).
 */
const SRC = 'src';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [normalize(path)] : [];
  });
}

type Imports = { local: string[]; packages: string[] };

function importsOf(file: string): Imports {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const specifiers = importedFiles.map((f) => f.fileName);
  return {
    local: specifiers.filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(file), s))),
    packages: specifiers.filter((s) => !s.startsWith('.')),
  };
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));

/** Every circle of imports in `edges`, each as the path that closes it. */
function circles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of [...edges.keys()].sort()) if (!state.has(node)) visit(node);
  return found;
}

/** The pure core: the logic a newcomer can read and test without a browser, a network or GitHub. */
const CORE = ['src/bookings/', 'src/calendar/', 'src/relay/', 'src/outcome.ts', 'src/errors.ts'];
/** What the core must not reach: the adapters at the edges, and the libraries that drive them. */
const ABOVE_THE_CORE = [
  'src/venue/',
  'src/engine/',
  'src/github/',
  'src/browser/',
  'src/cli/',
  'src/notify/',
  'src/run.ts',
  'src/watch.ts',
  'src/dry-run.ts',
  'src/env.ts',
];
const ADAPTER_PACKAGES = ['playwright', 'undici', '@actions/', 'node:child_process', 'node:http', 'node:net'];

const inCore = (file: string) => CORE.some((c) => file.startsWith(c));

describe('the import graph of src/', () => {
  it('was read (the scanner found the modules and their imports)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get(normalize('src/bookings/csv.ts'))!.local).toContain(
      normalize('src/calendar/release.ts'),
    );
  });

  it('has no import circle, type-only imports included', () => {
    const local = new Map([...graph].map(([f, i]) => [f, i.local.map((p) => relative('.', p))]));
    expect(circles(local).map((c) => c.join(' → '))).toEqual([]);
  });

  it('finds a circle when there is one (the check itself)', () => {
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(circles(edges)).toEqual([['a', 'b', 'c', 'a']]);
    expect(
      circles(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('keeps the pure core (bookings, calendar, relay decisions, outcomes) free of anything above it', () => {
    const breaches: string[] = [];
    for (const [file, { local, packages }] of graph) {
      if (!inCore(file)) continue;
      for (const target of local)
        if (ABOVE_THE_CORE.some((a) => target.startsWith(a))) breaches.push(`${file} imports ${target}`);
      for (const name of packages)
        if (ADAPTER_PACKAGES.some((p) => name.startsWith(p))) breaches.push(`${file} imports ${name}`);
    }
    expect(breaches).toEqual([]);
  });
});
