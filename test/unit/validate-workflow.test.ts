import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const FILE = '.github/workflows/validate.yml';

describe('.github/workflows/validate.yml', () => {
  it('is safe for pull requests from forks: pull_request, read-only, no secrets, pinned actions', async () => {
    const text = await readFile(FILE, 'utf8');
    const workflow = parse(text) as {
      on: Record<string, { paths?: string[]; branches?: string[] }>;
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { uses?: string; run?: string }[] }>;
    };
    expect(Object.keys(workflow.on)).not.toContain('pull_request_target');
    expect(workflow.on.pull_request?.paths).toEqual(['bookings/**']);
    expect(workflow.on.push).toEqual({ branches: ['main'], paths: ['bookings/**'] });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(text).not.toMatch(/secrets\./);
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    for (const step of steps.filter((s) => s.uses)) expect(step.uses).toMatch(/@[0-9a-f]{40}$/);
    expect(text).toMatch(/actions\/checkout@[0-9a-f]{40} # v\d+\.\d+\.\d+\n/); // verified in test/github/workflows.test.ts
    expect(steps.map((s) => s.run).filter(Boolean)).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run validate',
      'npm run plan',
    ]);
  });
});
