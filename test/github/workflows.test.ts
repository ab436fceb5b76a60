import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { cronTimes } from '../../src/github/schedule-health.ts';
import { readInputs } from '../../src/github/inputs.ts';
import { laneFromEnv } from '../../src/cli/lane.ts';
import { evaluateCondition, evaluateValue } from '../support/workflow-expressions.ts';
import { SPREAD_LINES } from '../../bench/schedule/model.ts';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import { DEFAULT_JOB_LIMITS } from '../../src/relay/decide.ts';
import { recognizeTrigger, successorInputs } from '../../src/relay/trigger.ts';
import { requestFromArgs } from '../../src/cli/dispatch.ts';

const DIR = '.github/workflows';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
const text = (file: string) => readFileSync(join(DIR, file), 'utf8');

type Step = {
  name?: string;
  uses?: string;
  run?: string;
  id?: string;
  if?: string;
  'timeout-minutes'?: number;
  'continue-on-error'?: boolean;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
};
type Job = {
  needs?: string | string[];
  permissions?: Record<string, string>;
  'timeout-minutes'?: number;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  steps: Step[];
  if?: string;
};
type Workflow = {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};
const load = (file: string) => parse(text(file)) as Workflow;

/** Every `uses:` line of every workflow, as written (the comment included). */
function allUses(): { where: string; line: string }[] {
  return files.flatMap((file) =>
    text(file)
      .split('\n')
      .map((line, i) => ({ where: `${file}:${i + 1}`, line: line.replace(/^\s*-?\s*/, '') }))
      .filter((u) => u.line.startsWith('uses:')),
  );
}

type PinRow = { uses: string; tag: string; commit: string; runtime: string; verified: string };
const pinsTable = () =>
  (JSON.parse(readFileSync('.github/action-pins.json', 'utf8')) as { pins: PinRow[] }).pins;

async function check(name: string, content: string) {
  const result = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (errors.length > 0 || !result.value) return { errors, template: undefined };
  const template = await convertWorkflowTemplate(result.context, result.value);
  return { errors: [...errors, ...(template.errors ?? []).map((e) => e.Message)], template };
}

describe("workflows, checked by GitHub's own parser", () => {
  it('finds the workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['book.yml', 'ci.yml', 'keepalive.yml', 'watch.yml']));
  });

  it.each(files)('%s parses and converts without errors', async (file) => {
    const { errors, template } = await check(file, text(file));
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  it('really reports mistakes (a misspelt schedule key, an empty timezone)', async () => {
    const bad = text('book.yml').replace(
      '      timezone: Europe/London\n',
      '      time_zone: Europe/London\n',
    );
    expect((await check('bad.yml', bad)).errors.length).toBeGreaterThan(0);
    const empty = text('book.yml').replace('timezone: Europe/London\n', "timezone: ''\n");
    expect((await check('empty.yml', empty)).errors.length).toBeGreaterThan(0);
    // The relay's permission, the job timeout and an input type, each misspelt once.
    for (const [from, to] of [
      ['      actions: write\n', '      action: write\n'],
      ['      actions: write\n', '      actions: admin\n'],
      ['timeout-minutes: 350', 'timeout-minutes: lots'],
      [
        "        type: string\n        default: ''\n      relay:",
        "        type: strin\n        default: ''\n      relay:",
      ],
    ]) {
      const bad = text('book.yml').replace(from!, to!);
      expect(bad, from).not.toBe(text('book.yml'));
      expect((await check('bad.yml', bad)).errors.length, to).toBeGreaterThan(0);
    }
  });

  it('pins every action to a full commit SHA, with the full tag (vX.Y.Z) in the comment', () => {
    const uses = allUses();
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) {
      expect(u.line, `${u.where}: ${u.line}`).toMatch(
        /^uses: [\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40} # v\d+\.\d+\.\d+$/,
      );
    }
  });

  it('pins only commits listed, with their tag, in the verified table .github/action-pins.json', () => {
    const verified = pinsTable();
    for (const u of allUses()) {
      const m = /^uses: ([\w.-]+\/[\w.-]+)(?:\/[\w.-]+)*@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(u.line);
      expect(m, `${u.where}: ${u.line}`).not.toBeNull();
      const [, action, commit, tag] = m!;
      const row = verified.find((p) => p.uses === action && p.commit === commit);
      expect(
        row,
        `${u.where}: ${action}@${commit} is not in .github/action-pins.json (verify it first)`,
      ).toBeDefined();
      expect(row!.tag, `${u.where}: the comment names ${tag}, the table says ${row!.tag}`).toBe(tag);
      expect(row!.runtime, `${action} ${tag}`).toBe('node24');
    }
  });

  it('keeps a verified table whose every row says how it was checked', () => {
    for (const row of pinsTable()) {
      expect(row.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(row.tag).toMatch(/^v\d+\.\d+\.\d+$/);
      expect(row.verified).toMatch(/rev-parse|ls-remote/);
    }
    // The known-bad pin of issue 9 (a SHA that matches v4.6.2 for 16 characters, then not) is not there.
    expect(pinsTable().map((p) => p.commit)).not.toContain('ea165f8d65b6e75b10ddcee3b9e8ef4d2dc12ebd');
  });

  it('takes the Node version from .nvmrc in every workflow', () => {
    expect(readFileSync('.nvmrc', 'utf8').trim()).toBe('24');
    for (const file of files) {
      for (const job of Object.values(load(file).jobs)) {
        for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/setup-node@'))) {
          expect(step.with, file).toMatchObject({ 'node-version-file': '.nvmrc' });
          expect(step.with?.['node-version'], file).toBeUndefined();
        }
      }
    }
  });

  it('keeps permissions minimal: contents: write where the status is committed, actions: write where a run starts another', () => {
    for (const file of files) {
      const wf = load(file);
      expect(wf.permissions, `${file} top-level permissions`).toBeDefined();
      for (const value of Object.values(wf.permissions ?? {})) expect(value, file).toBe('read');
      for (const [id, job] of Object.entries(wf.jobs)) {
        const writes = Object.entries(job.permissions ?? {})
          .filter(([, v]) => v === 'write')
          .map(([k]) => k);
        // The status commit: the nightly booking (which, as a relay link, also dispatches its successor), and
        // the watch's look and booking.
        const allowed =
          file === 'book.yml' && id === 'book'
            ? ['contents', 'actions']
            : file === 'watch.yml' && ['look', 'book'].includes(id)
              ? ['contents']
              : file === 'keepalive.yml'
                ? ['actions']
                : [];
        expect(writes, `${file} job ${id}`).toEqual(allowed);
      }
    }
  });
});

describe('book.yml', () => {
  const wf = load('book.yml');
  const book = wf.jobs.book!;
  const schedule = wf.on.schedule as { cron: string; timezone: string }[];

  it('starts runs at the spread lines the schedule simulation measured, in GMT and in BST, off the hour', () => {
    // bench/schedule/model.ts SPREAD_LINES is what `npm run bench:schedule` measured: they cannot drift apart.
    expect(SPREAD_LINES).toEqual(['03:47', '07:47', '11:47', '15:47', '19:47', '23:17']);
    for (const day of ['2026-01-14', '2026-07-14', '2026-03-29', '2026-10-25']) {
      const from = DateTime.fromISO(`${day}T00:00`, { zone: 'Europe/London' });
      const times = schedule.flatMap((line) => {
        expect(line.timezone).toBe('Europe/London');
        return cronTimes(line.cron, line.timezone, from, from.plus({ days: 1 }));
      });
      expect(times.map((t) => t.toFormat('HH:mm')).sort(), day).toEqual([...SPREAD_LINES]);
      expect(times.every((t) => t.minute !== 0)).toBe(true);
      const last = times.find((t) => t.toFormat('HH:mm') === '23:17')!;
      expect(last.toUTC().hour).toBe(last.offset === 0 ? 23 : 22);
    }
  });

  it('gives the relay the job time it assumes, and lets an evening line wait for midnight in one job', () => {
    // The relay hands over jobTimeoutMinutes − handOverMarginMinutes after the job's start (src/relay/decide.ts).
    expect(book['timeout-minutes']).toBe(DEFAULT_JOB_LIMITS.jobTimeoutMinutes);
    expect(book['timeout-minutes']).toBeLessThanOrEqual(360); // GitHub-hosted runners' ceiling
    // A line inside the run window waits for the release and still has 30 minutes for login, fire, verify;
    // the earlier lines are carried by the relay.
    const lead = DEFAULT_CONFIG.runWindow.leadMinutes;
    const inWindow = SPREAD_LINES.filter((line) => {
      const start = DateTime.fromISO(`2026-07-14T${line}`, { zone: 'Europe/London' });
      const wait = start.plus({ days: 1 }).startOf('day').diff(start, 'minutes').minutes;
      if (wait > lead) return false;
      expect(book['timeout-minutes']).toBeGreaterThanOrEqual(wait + 30);
      return true;
    });
    expect(inWindow).toEqual(['19:47', '23:17']);
  });

  it('queues real bookings and rehearsals in two lanes decided by a first job, never cancelling a waiting run', () => {
    const lane = wf.jobs.lane!;
    expect(lane.concurrency).toBeUndefined(); // it must start at once
    expect(lane.steps.find((s) => s.id === 'decide')?.run).toBe('npm run --silent lane');
    expect(book.needs).toBe('lane');
    expect(book.concurrency).toEqual({
      group: '${{ needs.lane.outputs.lane }}-${{ github.repository }}',
      'cancel-in-progress': false,
    });
    const group = (laneOutput: string) =>
      evaluateValue(book.concurrency!.group, {
        needs: { lane: { outputs: { lane: laneOutput } } },
        github: { repository: 'member/padel' },
      });
    expect(group('booking')).toBe('booking-member/padel');
    expect(group('rehearsal')).toBe('rehearsal-member/padel');
    // The Book step is told the same lane its job queued in, and refuses to book for real outside "booking".
    const step = book.steps.find((s) => s.id === 'book')!;
    expect(step.env?.BOOKING_LANE).toBe('${{ needs.lane.outputs.lane }}');
    expect(book.concurrency!.group.startsWith(step.env!.BOOKING_LANE!)).toBe(true);
    // notify_test: its own group, and neither the lane nor the Book job runs.
    const notify = wf.jobs['notify-test']!;
    expect(notify.concurrency?.group).toBe('notify-test-${{ github.repository }}');
    const dispatch = { github: { event_name: 'workflow_dispatch' }, inputs: { notify_test: true } };
    expect(evaluateCondition(lane.if!, dispatch)).toBe(false);
    expect(evaluateCondition(notify.if!, dispatch)).toBe(true);
    expect(evaluateCondition(lane.if!, { github: { event_name: 'schedule' }, inputs: {} })).toBe(true);
  });

  it('has the dispatch inputs and the outside trigger', async () => {
    // As GitHub's parser reads them (types and defaults), not only as YAML.
    const { template } = await check('book.yml', text('book.yml'));
    const parsed = (
      template!.events as unknown as {
        workflow_dispatch: { inputs: Record<string, { type: string; default?: unknown }> };
      }
    ).workflow_dispatch.inputs;
    expect(parsed.dry_run).toMatchObject({ type: 'boolean', default: true });
    expect(parsed.date?.type).toBe('string');
    expect(parsed.no_wait?.type).toBe('boolean');
    expect(parsed.wait).toMatchObject({ type: 'boolean', default: false });
    expect(parsed.notify_test?.type).toBe('boolean');
    // What the relay and an external trigger send (src/relay/trigger.ts reads them): strings, empty by default.
    for (const name of ['trigger', 'relay', 'source', 'dispatched_at']) {
      expect(parsed[name], name).toEqual(expect.objectContaining({ type: 'string', default: '' }));
    }
    // GitHub allows at most 25 inputs on a workflow_dispatch (it was 10 before; these stay under both).
    expect(Object.keys(parsed).length).toBeLessThanOrEqual(10);
    expect(wf.on.repository_dispatch).toEqual({ types: ['book'] });
  });

  it('declares every input the relay and `npm run dispatch` send (GitHub answers 422 to an undeclared one)', () => {
    const declared = Object.keys((wf.on.workflow_dispatch as { inputs: Record<string, unknown> }).inputs);
    const relay = successorInputs({
      night: '2026-11-26',
      link: 2,
      fromRunId: '16250421337',
      dispatchedAt: '2026-11-25T19:01:00.000Z',
      date: '2026-12-10',
    });
    expect(declared).toEqual(expect.arrayContaining(Object.keys(relay)));
    const now = new Date('2026-11-25T23:40:00Z');
    for (const argv of [
      ['--repo', 'member/padel'],
      ['--repo', 'member/padel', '--book'],
    ]) {
      const request = requestFromArgs(argv, { GITHUB_TOKEN: 'github_pat_x' }, now);
      if (request === 'help') throw new Error('unexpected help');
      expect(declared, argv.join(' ')).toEqual(expect.arrayContaining(Object.keys(request.inputs)));
    }
  });

  it("installs Chromium without --with-deps, bounded, with a fallback to the runner's Chrome", () => {
    const install = book.steps.find((s) => s.run?.includes('playwright install'))!;
    expect(install.run).not.toContain('--with-deps');
    expect(install['timeout-minutes']).toBeLessThanOrEqual(10);
    expect(install['continue-on-error']).toBe(true);
    const fallback = book.steps.find((s) => s.run?.includes('BROWSER_CHANNEL=chrome'))!;
    expect(fallback.if).toContain(`steps.${install.id}.outcome`);
    const node = book.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
    expect(node.with).toMatchObject({ cache: 'npm' });
  });

  it('runs the booking with the raw inputs, the schedule and the secrets as env, and keeps artifacts whatever happens', () => {
    const run = book.steps.find((s) => s.id === 'book')!;
    expect(run.run).toBe('npm run book -- --out out/booking');
    expect(run.env?.SCHEDULED_CRON).toBe('${{ github.event.schedule }}');
    for (const name of ['ESTELLE_USERNAME', 'ESTELLE_PASSWORD', 'DISCORD_WEBHOOK_URL', 'SESSION_CACHE_KEY']) {
      expect(run.env?.[name], name).toBe(`\${{ secrets.${name} }}`);
    }
    // The raw values, for the code to decide (src/dry-run.ts): once, for every job.
    expect(wf.env).toEqual({
      DRY_RUN: '${{ vars.DRY_RUN }}',
      DISPATCH_INPUTS: '${{ toJSON(inputs) }}',
      CLIENT_PAYLOAD: '${{ toJSON(github.event.client_payload) }}',
    });
    // Inputs reach the shell only through env, never spliced into a script.
    for (const job of Object.values(wf.jobs))
      for (const step of job.steps) expect(step.run ?? '', step.name).not.toContain('${{');
    const upload = book.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.if).toBe('${{ always() }}');
    expect(String(upload.with?.name)).toContain('${{ github.run_id }}-${{ github.run_attempt }}');
    expect(String(upload.with?.['retention-days'])).toBe('${{ vars.ARTIFACT_RETENTION_DAYS || 7 }}');
    expect(book.steps.indexOf(upload)).toBe(book.steps.length - 1);
  });

  it('keeps the token out of .git/config and gives it to the Book step only, for git', () => {
    for (const [id, job] of Object.entries(wf.jobs)) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect(step.with?.['persist-credentials'], id).toBe(false);
      }
      for (const step of job.steps) {
        const wantsToken = JSON.stringify(step.env ?? {}).includes('github.token');
        expect(wantsToken, `${id}: ${step.name ?? step.uses}`).toBe(id === 'book' && step.id === 'book');
      }
    }
  });
});

describe("book.yml: dry runs, through GitHub's expression evaluator", () => {
  const wf = load('book.yml');
  /** The workflow-level env as the runner computes it for an event, then the code's decision. */
  function decide(
    event: string,
    options: { inputs?: Record<string, unknown>; payload?: unknown; vars?: Record<string, string> },
  ) {
    const contexts = {
      github: {
        event_name: event,
        repository: 'member/padel',
        event:
          event === 'repository_dispatch' ? { action: 'book', client_payload: options.payload ?? {} } : {},
      },
      inputs: options.inputs ?? {},
      vars: options.vars ?? {},
    };
    const env: NodeJS.ProcessEnv = { GITHUB_EVENT_NAME: event };
    for (const [name, value] of Object.entries(wf.env ?? {})) env[name] = evaluateValue(value, contexts);
    const { inputs, problems } = readInputs(env, { mask: false });
    return {
      env,
      dryRun: inputs.dryRun,
      noWait: inputs.noWait,
      lane: laneFromEnv(env).lane,
      problems: problems.map((p) => p.message),
    };
  }
  const dispatchInputs = (dry_run: boolean, extra: Record<string, unknown> = {}) => ({
    dry_run,
    wait: false,
    date: '',
    no_wait: false,
    notify_test: false,
    ...extra,
  });

  it.each([
    ['schedule', {}, false],
    ['schedule, DRY_RUN=true on the repository', { vars: { DRY_RUN: 'true' } }, true],
    ['schedule, DRY_RUN=Yes on the repository', { vars: { DRY_RUN: 'Yes' } }, true],
    [
      'the Actions tab, dry_run ticked (the default)',
      { event: 'workflow_dispatch', inputs: dispatchInputs(true) },
      true,
    ],
    [
      'the Actions tab, dry_run unticked',
      { event: 'workflow_dispatch', inputs: dispatchInputs(false) },
      false,
    ],
    [
      'the Actions tab, dry_run unticked, DRY_RUN=true',
      { event: 'workflow_dispatch', inputs: dispatchInputs(false), vars: { DRY_RUN: 'true' } },
      true,
    ],
    ['a payload with dry_run: true (boolean)', { payload: { dry_run: true } }, true],
    ['a payload with dry_run: "true" (string)', { payload: { dry_run: 'true' } }, true],
    ['a payload with dry_run: "TRUE"', { payload: { dry_run: 'TRUE' } }, true],
    ['a payload with dry_run: 1 (number)', { payload: { dry_run: 1 } }, true],
    ['a payload with dry_run: " yes "', { payload: { dry_run: ' yes ' } }, true],
    ['a payload with dry_run: false', { payload: { dry_run: false } }, false],
    ['a payload with dry_run: "false"', { payload: { dry_run: 'false' } }, false],
    ['a payload with dry_run: 0', { payload: { dry_run: 0 } }, false],
    ['a payload without dry_run', { payload: { dispatched_at: '2026-02-14T23:40:00Z' } }, false],
    ['a payload without dry_run, DRY_RUN=true', { payload: {}, vars: { DRY_RUN: 'true' } }, true],
    [
      'a payload with dry_run: false, DRY_RUN=TRUE',
      { payload: { dry_run: false }, vars: { DRY_RUN: 'TRUE' } },
      true,
    ],
  ] as const)('%s → dry run %s', (_, c, expected) => {
    const options = c as {
      event?: string;
      inputs?: Record<string, unknown>;
      payload?: unknown;
      vars?: Record<string, string>;
    };
    const event = options.event ?? (options.payload !== undefined ? 'repository_dispatch' : 'schedule');
    const d = decide(event, options);
    expect(d.problems).toEqual([]);
    expect(d.dryRun).toBe(expected);
    expect(d.lane).toBe(expected ? 'rehearsal' : 'booking');
  });

  it.each([
    ['"maybe"', { dry_run: 'maybe' }],
    ['2', { dry_run: 2 }],
    ['an object', { dry_run: { really: true } }],
  ])(
    'stops, before any login, on a payload dry_run of %s (a rehearsal lane, never a real booking)',
    (_, payload) => {
      const d = decide('repository_dispatch', { payload });
      expect(d.problems.join(' ')).toMatch(/client_payload\.dry_run is .* not a yes\/no value/);
      expect(d.dryRun).toBe(true);
      expect(d.lane).toBe('rehearsal');
    },
  );

  it('stops on a repository variable it cannot read', () => {
    const d = decide('schedule', { vars: { DRY_RUN: 'sometimes' } });
    expect(d.problems.join(' ')).toContain(
      'DRY_RUN (the repository variable or the environment) is "sometimes"',
    );
  });

  it('acts at once on a dispatched dry run unless asked to wait; a scheduled rehearsal waits', () => {
    expect(decide('workflow_dispatch', { inputs: dispatchInputs(true) }).noWait).toBe(true);
    expect(decide('workflow_dispatch', { inputs: dispatchInputs(true, { wait: true }) }).noWait).toBe(false);
    expect(decide('repository_dispatch', { payload: { dry_run: 'true' } }).noWait).toBe(true);
    expect(decide('repository_dispatch', { payload: { dry_run: 'true', wait: 'true' } }).noWait).toBe(false);
    expect(decide('schedule', { vars: { DRY_RUN: 'true' } }).noWait).toBe(false);
    // A real booking waits for the release unless told not to ("no_wait": "true", a string, is read).
    expect(decide('repository_dispatch', { payload: {} }).noWait).toBe(false);
    expect(decide('repository_dispatch', { payload: { no_wait: 'true' } }).noWait).toBe(true);
    expect(decide('workflow_dispatch', { inputs: dispatchInputs(false, { no_wait: true }) }).noWait).toBe(
      true,
    );
  });

  it('puts a relay link in the booking lane, as a real run that waits for the release', () => {
    const inputs = successorInputs({
      night: '2026-11-26',
      link: 2,
      fromRunId: '16250421337',
      dispatchedAt: '2026-11-25T19:01:00.000Z',
    });
    // The inputs context as GitHub fills it: every declared input, booleans as booleans, strings as sent.
    const declared = (
      wf.on.workflow_dispatch as { inputs: Record<string, { type: string; default?: unknown }> }
    ).inputs;
    const context = Object.fromEntries(
      Object.entries(declared).map(([name, spec]) => {
        const sent = (inputs as Record<string, string>)[name];
        if (spec.type === 'boolean') return [name, sent === undefined ? spec.default : sent === 'true'];
        return [name, sent ?? spec.default ?? ''];
      }),
    );
    const d = decide('workflow_dispatch', { inputs: context });
    expect(d.problems).toEqual([]);
    expect(d).toMatchObject({ dryRun: false, noWait: false, lane: 'booking' });
    // Its run recognises itself from the event payload GitHub writes (github.event.inputs holds strings).
    const trigger = recognizeTrigger(
      { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'github-actions[bot]' },
      { inputs },
    );
    expect(trigger).toMatchObject({ kind: 'relay', relay: { night: '2026-11-26', link: 2 }, problems: [] });
    // Unless the repository rehearses every run: then it is a rehearsal like the rest (no relay starts one).
    expect(decide('workflow_dispatch', { inputs: context, vars: { DRY_RUN: 'true' } }).lane).toBe(
      'rehearsal',
    );
  });

  it('passes the court date from the Actions tab or the payload', () => {
    const fromTab = decide('workflow_dispatch', { inputs: dispatchInputs(false, { date: '2026-02-15' }) });
    expect(readInputs(fromTab.env, { mask: false }).inputs.bookDate).toBe('2026-02-15');
    const fromPayload = decide('repository_dispatch', { payload: { date: '2026-02-16' } });
    expect(readInputs(fromPayload.env, { mask: false }).inputs.bookDate).toBe('2026-02-16');
  });
});

describe('.github/dependabot.yml', () => {
  it('updates the action pins and the npm packages weekly, minor and patch grouped', () => {
    const config = parse(readFileSync('.github/dependabot.yml', 'utf8')) as {
      version: number;
      updates: {
        'package-ecosystem': string;
        directory: string;
        schedule: { interval: string };
        groups: Record<string, { 'update-types': string[] }>;
      }[];
    };
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) {
      expect(update.directory).toBe('/');
      expect(update.schedule.interval).toBe('weekly');
      expect(Object.values(update.groups).map((g) => g['update-types'])).toEqual([['minor', 'patch']]);
    }
  });
});

describe('ci.yml', () => {
  it('typechecks, lints and tests on push and pull request with a browser installed first', () => {
    const wf = load('ci.yml');
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    const runs = steps.map((s) => s.run ?? '');
    const at = (needle: string) => runs.findIndex((r) => r.includes(needle));
    expect(at('playwright install chromium')).toBeGreaterThan(-1);
    expect(at('typecheck')).toBeGreaterThan(-1);
    expect(at('lint')).toBeGreaterThan(-1);
    expect(at('vitest run')).toBeGreaterThan(at('playwright install chromium'));
  });
});

describe('upstream-sync.yml', () => {
  it("runs only when asked, reads with the job token and pushes with the member's own token, in one step", () => {
    const wf = load('upstream-sync.yml');
    expect(Object.keys(wf.on)).toEqual(['workflow_dispatch']);
    const job = wf.jobs.sync!;
    expect(job.permissions).toEqual({ contents: 'read' });
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with).toMatchObject({ 'persist-credentials': false, 'fetch-depth': 0 });
    const sync = job.steps.find((s) => s.run === 'npm run upstream:sync')!;
    expect(sync.env).toEqual({
      UPSTREAM_REPOSITORY: '${{ inputs.upstream || vars.UPSTREAM_REPOSITORY }}',
      UPSTREAM_BRANCH: '${{ inputs.branch }}',
      UPSTREAM_SYNC_TOKEN: '${{ secrets.UPSTREAM_SYNC_TOKEN }}',
    });
    expect(
      evaluateValue(sync.env!.UPSTREAM_REPOSITORY!, {
        inputs: { upstream: '' },
        vars: { UPSTREAM_REPOSITORY: 'up/court-booker' },
      }),
    ).toBe('up/court-booker');
    expect(
      evaluateValue(sync.env!.UPSTREAM_REPOSITORY!, { inputs: { upstream: 'other/fork' }, vars: {} }),
    ).toBe('other/fork');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['upstream:sync']).toBe('tsx src/github/upstream-sync.ts');
  });
});

describe('keepalive.yml', () => {
  it("re-enables the schedules more often than GitHub's 60-day cut-off, with only actions: write", () => {
    const wf = load('keepalive.yml');
    const lines = wf.on.schedule as { cron: string; timezone: string }[];
    const from = DateTime.fromISO('2026-01-01T00:00', { zone: 'Europe/London' });
    const runs = lines.flatMap((l) => cronTimes(l.cron, l.timezone, from, from.plus({ years: 1 })));
    const gaps = runs.slice(1).map((t, i) => t.diff(runs[i]!, 'days').days);
    expect(Math.max(...gaps)).toBeLessThan(30);
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    expect(steps.some((s) => s.run === 'npm run keepalive')).toBe(true);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.keepalive).toBe('tsx src/github/keepalive.ts');
    expect(pkg.scripts['notify:test']).toBe('tsx src/cli/notify-test.ts');
  });
});
