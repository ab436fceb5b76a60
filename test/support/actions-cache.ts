import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { evaluateCondition, evaluateValue, type Contexts } from './workflow-expressions.ts';

/**
 * The two cache steps of book.yml, run here: `actions/cache/restore` and `actions/cache/save`
 * with a folder standing in for GitHub's cache service. Their inputs are book.yml's own,
 * evaluated with GitHub's expression evaluator, and the folder keeps the service's rules
 * (actions/cache README, "Cache matching"): an exact key first, else each restore-key prefix in
 * order, the newest entry that matches; an entry is never overwritten (saving an existing key is
 * a warning, not a failure).
 */
export interface CacheStepInputs {
  path: string;
  key: string;
  restoreKeys: string[];
}

export interface CacheFolder {
  dir: string;
  restore(workspace: string, inputs: CacheStepInputs): Promise<{ matchedKey?: string; log: string }>;
  save(
    workspace: string,
    inputs: Omit<CacheStepInputs, 'restoreKeys'>,
  ): Promise<{ saved: boolean; log: string }>;
  keys(): Promise<string[]>;
}

export function cacheFolder(dir: string): CacheFolder {
  const manifest = join(dir, 'entries.json');
  const keys = async (): Promise<string[]> =>
    existsSync(manifest) ? (JSON.parse(await readFile(manifest, 'utf8')) as string[]) : [];
  return {
    dir,
    keys,
    async restore(workspace, inputs) {
      const all = await keys();
      const newestFirst = [...all].reverse();
      const matched =
        all.find((k) => k === inputs.key) ??
        inputs.restoreKeys.map((prefix) => newestFirst.find((k) => k.startsWith(prefix))).find(Boolean);
      if (!matched)
        return { log: `Cache not found for input keys: ${[inputs.key, ...inputs.restoreKeys].join(', ')}` };
      const target = join(workspace, inputs.path);
      await mkdir(join(target, '..'), { recursive: true });
      await cp(join(dir, 'entries', encodeURIComponent(matched)), target);
      return { matchedKey: matched, log: `Cache restored from key: ${matched}` };
    },
    async save(workspace, inputs) {
      const all = await keys();
      if (all.includes(inputs.key)) {
        return { saved: false, log: `Failed to save: Unable to reserve cache with key ${inputs.key}` };
      }
      await mkdir(join(dir, 'entries'), { recursive: true });
      await cp(join(workspace, inputs.path), join(dir, 'entries', encodeURIComponent(inputs.key)));
      await writeFile(manifest, JSON.stringify([...all, inputs.key]));
      return { saved: true, log: `Cache saved with key: ${inputs.key}` };
    },
  };
}

type Step = {
  id?: string;
  name?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
  run?: string;
  env?: Record<string, string>;
};

/** book.yml's Book job steps, as written. */
export function bookSteps(workflowText: string): Step[] {
  return jobSteps(workflowText, 'book');
}

/** A job's steps, as written (watch.yml's `look` and `book`). */
export function jobSteps(workflowText: string, job: string): Step[] {
  const wf = parse(workflowText) as { jobs: Record<string, { steps: Step[] } | undefined> };
  const steps = wf.jobs[job]?.steps;
  if (!steps) throw new Error(`the workflow has no job "${job}"`);
  return steps;
}

export function cacheStep(steps: Step[], kind: 'restore' | 'save'): Step {
  const step = steps.find((s) => s.uses?.startsWith(`actions/cache/${kind}@`));
  if (!step) throw new Error(`the job has no actions/cache/${kind} step`);
  return step;
}

/** A cache step's `if:` and inputs, evaluated the way the runner does. */
export function evaluateCacheStep(
  step: Step,
  contexts: Contexts,
  workspace: string,
): { runs: boolean; inputs: CacheStepInputs } {
  const runs = step.if === undefined ? true : evaluateCondition(step.if, contexts, { workspace });
  const w = step.with ?? {};
  return {
    runs,
    inputs: {
      path: evaluateValue(String(w.path ?? ''), contexts).trim(),
      key: evaluateValue(String(w.key ?? ''), contexts).trim(),
      restoreKeys: evaluateValue(String(w['restore-keys'] ?? ''), contexts)
        .split('\n')
        .map((k) => k.trim())
        .filter(Boolean),
    },
  };
}
