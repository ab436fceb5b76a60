import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GITHUB_API_VERSION } from '../../src/github/dispatch.ts';
import { recognizeTrigger } from '../../src/relay/trigger.ts';

/**
 * The external-trigger recipe in docs/nightly-run.md ("A start to the minute") is what a member copies into a cron service
 * or a Worker: every request in it must be one book.yml accepts. GitHub answers 422 "Unexpected inputs
 * provided" to an input the workflow does not declare, so each request body is read out of the README and
 * checked against book.yml's workflow_dispatch inputs.
 */

const readme = readFileSync('docs/nightly-run.md', 'utf8');
const section = (() => {
  const start = readme.indexOf('## A start to the minute: trigger it from outside');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start, 'docs/nightly-run.md has lost its external-trigger section').toBeGreaterThan(-1);
  return readme.slice(start, end);
})();
const workflow = parse(readFileSync('.github/workflows/book.yml', 'utf8')) as {
  on: {
    workflow_dispatch: { inputs: Record<string, { type: string }> };
    repository_dispatch: { types: string[] };
  };
};
const declared = workflow.on.workflow_dispatch.inputs;

type Body = { ref?: string; inputs?: Record<string, unknown> };

/** The curl request: its URL, headers and the JSON of -d (shell escapes undone, the date substitution filled). */
function curlRequest() {
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  expect(block, 'no curl block').toBeDefined();
  const url = /curl [^\n]*?(https:\/\/api\.github\.com\/\S+)/.exec(block!)?.[1];
  const headers = [...block!.matchAll(/-H "([^"]+)"/g)].map((m) => m[1]!);
  const data = /-d "((?:[^"\\]|\\.)*)"/.exec(block!)?.[1];
  expect(data, 'no -d body in the curl block').toBeDefined();
  const json = data!.replace(/\\"/g, '"').replace(/\$\(date -u \+%FT%TZ\)/g, '2026-11-25T23:40:00Z');
  return { url, headers, body: JSON.parse(json) as Body };
}

/** Every `{"ref":…}` body written inline in backticks (the cron-job.org body, the minimal one). */
function inlineBodies(): Body[] {
  return [...section.matchAll(/`(\{"ref":[^`]*\})`/g)].map((m) => JSON.parse(m[1]!) as Body);
}

/** The Worker's JSON.stringify({ ref, inputs: { … } }), read as the object literal it is. */
function workerBody(): Body {
  const literal = /body: JSON\.stringify\((\{[\s\S]*?\n {8}\})\)/.exec(section)?.[1];
  expect(literal, 'no JSON.stringify body in the Worker').toBeDefined();
  const json = literal!
    .replace(/when\.toISOString\(\)/g, "'2026-11-25T23:40:00.000Z'")
    .replace(/'/g, '"')
    .replace(/([{,]\s*)([A-Za-z_]\w*):/g, '$1"$2":')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(json) as Body;
}

function expectAccepted(body: Body, where: string) {
  expect(body.ref, where).toBe('main');
  const inputs = body.inputs ?? {};
  expect(Object.keys(inputs).length, where).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(inputs)) {
    expect(
      declared[name],
      `${where}: book.yml declares no input "${name}" (GitHub would answer 422)`,
    ).toBeDefined();
    // The API takes every input as a string; a boolean input as "true" or "false".
    expect(typeof value, `${where}: ${name}`).toBe('string');
    if (declared[name]!.type === 'boolean') expect(['true', 'false'], `${where}: ${name}`).toContain(value);
  }
  // A real run: dry_run defaults to true in book.yml, so the recipe must send it.
  expect(inputs.dry_run, where).toBe('false');
}

describe("the README's external-trigger requests, against book.yml", () => {
  it('the curl request: the documented endpoint and headers, and inputs book.yml declares', () => {
    const { url, headers, body } = curlRequest();
    expect(url).toBe('https://api.github.com/repos/OWNER/REPO/actions/workflows/book.yml/dispatches');
    expect(headers).toEqual(
      expect.arrayContaining([
        'Accept: application/vnd.github+json',
        'Authorization: Bearer $TOKEN',
        `X-GitHub-Api-Version: ${GITHUB_API_VERSION}`,
      ]),
    );
    expectAccepted(body, 'curl');
    // The run it starts recognises an external scheduler and records its label and dispatch time.
    const trigger = recognizeTrigger({ GITHUB_EVENT_NAME: 'workflow_dispatch' }, { inputs: body.inputs });
    expect(trigger).toMatchObject({
      kind: 'external',
      source: 'my-server',
      dispatchedAt: '2026-11-25T23:40:00Z',
      problems: [],
    });
  });

  it('the cron-job.org body and the minimal body for an older book.yml', () => {
    const bodies = inlineBodies();
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    bodies.forEach((body, i) => expectAccepted(body, `inline body ${i + 1}`));
    const cronJob = bodies.find((b) => b.inputs?.source === 'cron-job.org');
    expect(cronJob, 'the cron-job.org body').toBeDefined();
    expect(
      recognizeTrigger({ GITHUB_EVENT_NAME: 'workflow_dispatch' }, { inputs: cronJob!.inputs }).kind,
    ).toBe('external');
  });

  it("the Cloudflare Worker's request body", () => {
    const body = workerBody();
    expectAccepted(body, 'Worker');
    expect(
      recognizeTrigger({ GITHUB_EVENT_NAME: 'workflow_dispatch' }, { inputs: body.inputs }),
    ).toMatchObject({ kind: 'external', source: 'cloudflare-worker', problems: [] });
  });

  it('the older repository_dispatch route names an event type book.yml listens for', () => {
    const route = /`(\{"event_type":[^`]*\})`/.exec(section)?.[1];
    expect(route).toBeDefined();
    const event = JSON.parse(route!.replace(/"…"/g, '"x"')) as { event_type: string };
    expect(workflow.on.repository_dispatch.types).toContain(event.event_type);
  });

  it('really catches an input book.yml does not declare', () => {
    expect(() => expectAccepted({ ref: 'main', inputs: { dry_run: 'false', when: 'now' } }, 'test')).toThrow(
      /declares no input "when"/,
    );
  });
});
