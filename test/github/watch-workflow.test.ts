import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { laneFor } from '../../src/dry-run.ts';
import { readInputs } from '../../src/github/inputs.ts';
import { cronTimes } from '../../src/github/schedule-health.ts';
import { describeWatchMinutes, watchMinutes, WATCH_JOB_MINUTES } from '../../src/github/watch-minutes.ts';
import { WATCH_OUTPUT } from '../../src/github/watch-run.ts';
import { evaluateCondition, evaluateValue } from '../support/workflow-expressions.ts';

/**
 * watch.yml, read as GitHub reads it: parsed and converted by @actions/workflow-parser, its conditions,
 * groups and keys evaluated by @actions/expressions, its schedule by cron-parser in London time.
 */

type Step = {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
};
type Job = {
  if?: string;
  needs?: string;
  'timeout-minutes'?: number;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
};
type Workflow = {
  on: { schedule: { cron: string; timezone: string }[]; workflow_dispatch?: unknown };
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};

const TEXT = readFileSync('.github/workflows/watch.yml', 'utf8');
const BOOK_TEXT = readFileSync('.github/workflows/book.yml', 'utf8');
const wf = parse(TEXT) as Workflow;
const bookYml = parse(BOOK_TEXT) as Workflow;
const look = wf.jobs.look!;
const book = wf.jobs.book!;
const step = (job: Job, id: string) => job.steps.find((s) => s.id === id)!;

describe('watch.yml', () => {
  it("parses and converts with GitHub's own parser", async () => {
    const parsed = parseWorkflow({ name: 'watch.yml', content: TEXT }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors()).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(template.jobs.map((j) => j.id.value)).toEqual(['look', 'book']);
  });

  it('looks every 30 minutes from 07:07 to 18:37 London time, in GMT and BST', () => {
    const expected = Array.from({ length: 12 }, (_, i) => [
      `${String(7 + i).padStart(2, '0')}:07`,
      `${String(7 + i).padStart(2, '0')}:37`,
    ]).flat();
    for (const day of ['2026-01-14', '2026-07-14', '2026-03-29', '2026-10-25']) {
      const from = DateTime.fromISO(`${day}T00:00`, { zone: 'Europe/London' });
      const times = wf.on.schedule.flatMap((line) => {
        expect(line.timezone).toBe('Europe/London');
        return cronTimes(line.cron, line.timezone, from, from.plus({ days: 1 }));
      });
      expect(times.map((t) => t.toFormat('HH:mm')).sort(), day).toEqual(expected);
    }
  });

  it('is opt-in: the look job runs only when the repository variable WATCH says yes (any case), or when started by hand', () => {
    const runs = (vars: Record<string, string>, event = 'schedule') =>
      evaluateCondition(look.if!, { github: { event_name: event }, vars });
    for (const yes of ['true', 'TRUE', 'True', '1', 'yes', 'on', 'ON'])
      expect(runs({ WATCH: yes }), yes).toBe(true);
    for (const no of ['false', 'FALSE', '0', 'no', 'off', '', 'maybe'])
      expect(runs({ WATCH: no }), no).toBe(false);
    expect(runs({})).toBe(false);
    expect(runs({}, 'workflow_dispatch')).toBe(true);
    // The book job needs the look job: skipped with it, and skipped when nothing came free.
    expect(book.needs).toBe('look');
    const books = (found: string) =>
      evaluateCondition(book.if!, { needs: { look: { outputs: { found_date: found } } } });
    expect(books('')).toBe(false);
    expect(books('2026-12-16')).toBe(true);
  });

  it("looks and books in the watch's own groups, never the nightly booking's (whose waiting relay link it would cancel)", () => {
    const contexts = (lane: string) => ({
      github: { repository: 'member/padel' },
      needs: { look: { outputs: { lane } } },
    });
    expect(evaluateValue(look.concurrency!.group, contexts('booking'))).toBe('watch-member/padel');
    expect(look.concurrency!['cancel-in-progress']).toBe(false);
    expect(evaluateValue(book.concurrency!.group, contexts('booking'))).toBe('watch-booking-member/padel');
    expect(evaluateValue(book.concurrency!.group, contexts('rehearsal'))).toBe(
      'watch-rehearsal-member/padel',
    );
    expect(book.concurrency!['cancel-in-progress']).toBe(false);
    const nightly = bookYml.jobs.book!.concurrency!.group;
    for (const lane of ['booking', 'rehearsal'])
      expect(
        evaluateValue(nightly, {
          github: { repository: 'member/padel' },
          needs: { lane: { outputs: { lane } } },
        }),
      ).not.toBe(evaluateValue(book.concurrency!.group, contexts(lane)));
    // The book step is told the lane its job queued in (a real booking refuses any other).
    expect(step(book, 'book').env?.BOOKING_LANE).toBe('${{ needs.look.outputs.lane }}');
    // The look's outputs are the ones the glue writes.
    expect(look.outputs).toEqual({
      [WATCH_OUTPUT.foundDate]: `\${{ steps.look.outputs.${WATCH_OUTPUT.foundDate} }}`,
      [WATCH_OUTPUT.lane]: `\${{ steps.look.outputs.${WATCH_OUTPUT.lane} }}`,
    });
  });

  it("decides the lane from DRY_RUN in code: a dry run's booking queues with the rehearsals", () => {
    const lane = (vars: Record<string, string>) => {
      const env: NodeJS.ProcessEnv = { GITHUB_EVENT_NAME: 'schedule' };
      for (const [name, value] of Object.entries(wf.env ?? {}))
        env[name] = evaluateValue(value, { vars, inputs: {}, github: { event_name: 'schedule' } });
      return laneFor(readInputs(env, { mask: false }).inputs.dryRunDecision);
    };
    expect(lane({})).toBe('booking');
    expect(lane({ DRY_RUN: 'false' })).toBe('booking');
    expect(lane({ DRY_RUN: 'TRUE' })).toBe('rehearsal');
  });

  it('has minimal permissions, keeps the token out of .git/config and gives it to the look and the booking only', () => {
    expect(wf.permissions).toEqual({});
    expect(look.permissions).toEqual({ contents: 'write' });
    expect(book.permissions).toEqual({ contents: 'write' });
    for (const [id, job] of Object.entries(wf.jobs)) {
      for (const s of job.steps.filter((x) => x.uses?.startsWith('actions/checkout@'))) {
        expect(s.with?.['persist-credentials'], id).toBe(false);
      }
      for (const s of job.steps) {
        const wantsToken = JSON.stringify(s.env ?? {}).includes('github.token');
        expect(wantsToken, `${id}: ${s.name ?? s.uses}`).toBe(s.id === 'look' || s.id === 'book');
        // Values reach the shell only through env, never spliced into a script.
        expect(s.run ?? '', `${id}: ${s.name}`).not.toContain('${{');
      }
    }
  });

  it("uses exactly book.yml's pins, Node from .nvmrc, and its Chromium install with the fallback", () => {
    const uses = (text: string) =>
      new Set(
        text
          .split('\n')
          .filter((l) => l.trim().replace(/^- /, '').startsWith('uses:'))
          .map((l) => l.trim().replace(/^- /, '')),
      );
    const nightly = uses(BOOK_TEXT);
    for (const line of uses(TEXT)) expect(nightly.has(line), line).toBe(true);
    for (const job of [look, book]) {
      const node = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!;
      expect(node.with).toEqual({ 'node-version-file': '.nvmrc', cache: 'npm' });
      const install = job.steps.find((s) => s.run?.includes('playwright install'))!;
      expect(install.run).toBe('npx playwright install chromium');
      const fallback = job.steps.find((s) => s.run?.includes('BROWSER_CHANNEL=chrome'))!;
      expect(fallback.if).toContain(`steps.${install.id}.outcome != 'success'`);
      expect(job['timeout-minutes']).toBeLessThanOrEqual(20);
    }
  });

  it('stops the look job after `--due` when nothing is due: every later step is gated on it', () => {
    const due = step(look, 'due');
    expect(due.run).toBe('npm run --silent watch -- --due');
    expect(due.env).toBeUndefined(); // no secrets for a decision from the files
    const later = look.steps.slice(look.steps.indexOf(due) + 1);
    expect(later.length).toBeGreaterThanOrEqual(6);
    for (const s of later) {
      const contexts = (value: string) => ({
        steps: {
          due: { outputs: { due: value } },
          chromium: { outcome: 'failure' },
          'session-key': { outputs: { prefix: 'session-v1-abc-' } },
        },
      });
      expect(evaluateCondition(s.if!, contexts('false'), { workspace: '.' }), s.name ?? s.uses).toBe(false);
      expect(
        evaluateCondition(s.if!, contexts('true'), { workspace: '.' }) || s.if!.includes('hashFiles'),
        s.name ?? s.uses,
      ).toBe(true);
    }
    expect(step(look, 'look').run).toBe('npm run watch -- --look --out out/watch');
    expect(step(book, 'book').run).toBe('npm run watch -- --book "$FOUND_DATE" --out out/booking');
    expect(step(book, 'book').env?.FOUND_DATE).toBe('${{ needs.look.outputs.found_date }}');
  });

  it("saves the session under a key of each job's own, restored by the nightly run's prefix", () => {
    const keys = (job: Job) => {
      const restore = job.steps.find((s) => s.uses?.startsWith('actions/cache/restore@'))!;
      const save = job.steps.find((s) => s.uses?.startsWith('actions/cache/save@'))!;
      const contexts = {
        github: { run_id: '42', run_attempt: '1' },
        steps: { 'session-key': { outputs: { prefix: 'session-v1-abc-' } } },
      };
      expect(restore.with?.path).toBe('.auth/estelle.json.enc');
      expect(save.with?.path).toBe('.auth/estelle.json.enc');
      expect(evaluateValue(restore.with!['restore-keys']!, contexts)).toBe('session-v1-abc-');
      expect(evaluateValue(restore.with!.key!, contexts)).toBe(evaluateValue(save.with!.key!, contexts));
      return evaluateValue(save.with!.key!, contexts);
    };
    expect([keys(look), keys(book)]).toEqual(['session-v1-abc-42-1-look', 'session-v1-abc-42-1-book']);
    // book.yml restores with the same prefix, so tomorrow night's run picks up the watch's session.
    const nightlyRestore = bookYml.jobs.book!.steps.find((s) =>
      s.uses?.startsWith('actions/cache/restore@'),
    )!;
    expect(nightlyRestore.with?.['restore-keys']).toBe('${{ steps.session-key.outputs.prefix }}');
  });

  it('runs `npm run watch`, a script of package.json', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.watch).toBe('tsx src/cli/watch.ts');
  });
});

describe('the Actions minutes the watch costs', () => {
  it('counts the scheduled look jobs in 30 days from the schedule lines (in GMT and in BST)', () => {
    for (const from of ['2027-01-01T00:00', '2027-07-01T00:00']) {
      const m = watchMinutes(TEXT, DateTime.fromISO(from, { zone: 'Europe/London' }));
      expect(m.runs).toBe(24 * 30);
      expect(m.idle).toBe(m.runs * WATCH_JOB_MINUTES.idle);
      expect(m.looking).toBe(m.runs * WATCH_JOB_MINUTES.look);
    }
    // One line fewer is half the minutes.
    const oneLine = TEXT.replace("    - cron: '37 7-18 * * *'\n      timezone: Europe/London\n", '');
    expect(watchMinutes(oneLine).runs).toBe(12 * 30);
  });

  it('is stated in docs/watch.md exactly as `npm run watch -- --minutes` prints it', () => {
    const readme = readFileSync('docs/watch.md', 'utf8');
    const text = describeWatchMinutes(watchMinutes(TEXT));
    expect(readme).toContain(['```text', text, '```'].join('\n'));
  });
});
