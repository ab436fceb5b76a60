import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { maskSecrets, readInputs } from '../../src/github/inputs.ts';
import { OUTPUT, writeOutputs } from '../../src/github/outputs.ts';
import { writeJobSummary } from '../../src/github/annotations.ts';
import { renderSummary } from '../../src/github/summary.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import type { OutcomeReport } from '../../src/notify/message.ts';

const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const booked: OutcomeReport = {
  outcome: 'booked',
  row: { key: '2026-02-15 19:00', date: '2026-02-15', time1: '19:00', time2: '20:00' },
  bookedTime: '19:00',
  court: 'Padel Court 2',
  reference: 'EM-42',
  firedAt: '2026-02-01T00:00:00.212Z',
  releaseAt: '2026-02-01T00:00:00.000Z',
  latencyMs: 212,
  attempts: 2,
  message: 'Booked',
  screenshots: ['out/run/confirmation.png'],
};

async function actionsEnv() {
  const dir = await mkdtemp(join(tmpdir(), 'actions-env-'));
  const env: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_OUTPUT: join(dir, 'output.txt'),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'member/padel',
    GITHUB_RUN_ID: '123456',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'schedule',
    GITHUB_REF_NAME: 'main',
    SCHEDULED_CRON: '47 20 * * *',
    BOOKING_LANE: 'booking',
    DRY_RUN: 'false',
    NO_WAIT: '',
    NOTIFY_TEST: 'false',
    BOOK_DATE: '',
    ESTELLE_USERNAME: 'member@example.com',
    ESTELLE_PASSWORD: 'hunter2-password',
    DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/abcdefghijklmnop',
  };
  await writeFile(env.GITHUB_STEP_SUMMARY!, '');
  await writeFile(env.GITHUB_OUTPUT!, '');
  return { dir, env };
}

describe('readInputs', () => {
  it('masks every secret before anything else and reads the run context', async () => {
    const { env } = await actionsEnv();
    const masked: string[] = [];
    const { inputs, problems } = readInputs(env, {
      clock: fixedClock('2026-02-01T21:05:00Z'),
      setSecret: (value) => masked.push(value),
    });
    expect(problems).toEqual([]);
    expect(masked).toEqual(
      expect.arrayContaining([
        'hunter2-password',
        'member@example.com',
        env.DISCORD_WEBHOOK_URL,
        'abcdefghijklmnop',
      ]),
    );
    expect(inputs).toMatchObject({
      dryRun: false,
      noWait: false,
      notifyTest: false,
      sessionCacheSecretSource: 'ESTELLE_PASSWORD',
    });
    expect(inputs.github).toMatchObject({
      inActions: true,
      trigger: 'schedule',
      runUrl: 'https://github.com/member/padel/actions/runs/123456',
      branch: 'main',
      scheduledCron: '47 20 * * *',
    });
    expect(inputs.github.scheduledFor).toBe('2026-02-01T20:47:00.000+00:00');
    expect(inputs.github.startedAt).toBe('2026-02-01T21:05:00.000+00:00');
  });

  it('prefers SESSION_CACHE_KEY and reports bad values all at once', () => {
    const { inputs, problems } = readInputs(
      {
        DRY_RUN: 'maybe',
        BOOK_DATE: '2026-02-30',
        ARTIFACT_RETENTION_DAYS: '400',
        SESSION_CACHE_KEY: 'k',
        ESTELLE_PASSWORD: 'p',
      },
      { setSecret: () => {} },
    );
    expect(problems.map((p) => p.name)).toEqual(['DRY_RUN', 'BOOK_DATE', 'ARTIFACT_RETENTION_DAYS']);
    expect(inputs.sessionCacheSecretSource).toBe('SESSION_CACHE_KEY');
    expect(inputs.github.trigger).toBe('local');
  });

  it("reads what the relay needs: the job's start, the workflow file, the ref, and a dispatched_at input", async () => {
    const { env } = await actionsEnv();
    const relayed = {
      ...env,
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      SCHEDULED_CRON: '',
      GITHUB_REF_NAME: 'booking-branch',
      STATUS_BRANCH: 'main',
      GITHUB_WORKFLOW_REF: 'member/padel/.github/workflows/courts.yml@refs/heads/booking-branch',
      JOB_STARTED_AT: '2026-11-25T19:03:12Z',
      DISPATCH_INPUTS: JSON.stringify({
        dry_run: false,
        trigger: 'relay',
        dispatched_at: '2026-11-25T19:01:00Z',
      }),
    };
    const { inputs, problems, warnings } = readInputs(relayed, {
      clock: fixedClock('2026-11-25T19:05:00Z'),
      setSecret: () => {},
    });
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(inputs.github).toMatchObject({
      jobStartedAt: '2026-11-25T19:03:12.000Z',
      workflowFile: 'courts.yml',
      dispatchRef: 'booking-branch',
      branch: 'main',
      dispatchedAt: '2026-11-25T19:01:00Z',
    });
    // Without GITHUB_WORKFLOW_REF: book.yml, and the status branch.
    const plain = readInputs({ GITHUB_REF_NAME: 'main' }, { setSecret: () => {} }).inputs.github;
    expect(plain).toMatchObject({ workflowFile: 'book.yml', dispatchRef: 'main' });
    expect(plain.jobStartedAt).toBeUndefined();
  });

  it.each([
    ['not an instant', 'yesterday'],
    ['in the future', '2026-11-25T19:30:00Z'],
    ['longer ago than a job may run', '2026-11-25T12:00:00Z'],
  ])('warns about a JOB_STARTED_AT %s and does not use it', (_, value) => {
    const { inputs, problems, warnings } = readInputs(
      { JOB_STARTED_AT: value },
      { clock: fixedClock('2026-11-25T19:05:00Z'), setSecret: () => {} },
    );
    expect(problems).toEqual([]);
    expect(inputs.github.jobStartedAt).toBeUndefined();
    expect(warnings.join(' ')).toContain(`JOB_STARTED_AT "${value}" is not this job's start`);
  });

  it('masks with ::add-mask:: on Actions', () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      maskSecrets({ ESTELLE_PASSWORD: 'pw-123' });
    } finally {
      process.stdout.write = write;
    }
    expect(lines.join('')).toContain('::add-mask::pw-123');
  });
});

describe('job summary and outputs on Actions', () => {
  it('writes the outcome table and the run details to GITHUB_STEP_SUMMARY', async () => {
    const { env } = await actionsEnv();
    const { inputs } = readInputs(env, { clock: fixedClock('2026-02-01T21:05:00Z'), setSecret: () => {} });
    const markdown = renderSummary(booked, {
      runUrl: inputs.github.runUrl,
      artifactName: 'booking-123456-1',
      trigger: inputs.github.trigger,
      scheduledCron: inputs.github.scheduledCron,
      scheduledFor: inputs.github.scheduledFor,
      startedAt: inputs.github.startedAt,
      lateStart: 'This run started late',
    });
    expect(await writeJobSummary(markdown, env)).toBe(true);
    const written = await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8');
    for (const s of [
      '| 2026-02-15 | 19:00, 20:00 | 19:00 | Padel Court 2 | `EM-42` | 2026-02-01 00:00:00.212 GMT | 212 ms after',
      '| 2 |',
      '| Scheduled for | 2026-02-01 20:47:00.000 GMT |',
      '| Actually started | 2026-02-01 21:05:00.000 GMT |',
      '| Start delay | 18 min |',
      '(https://github.com/member/padel/actions/runs/123456#artifacts)',
      '`confirmation.png`',
      '[!WARNING]',
    ]) {
      expect(written).toContain(s);
    }
    expect(await writeJobSummary('x', {})).toBe(false);
  });

  it('heads a night of several rows with how many courts it booked, and a night of one row without', () => {
    const second = { key: '2026-02-15 20:00', date: '2026-02-15', time1: '20:00' };
    const mixed: OutcomeReport = {
      ...booked,
      outcome: 'failed',
      rows: [
        {
          row: booked.row!,
          outcome: 'booked',
          bookedTime: '19:00',
          court: 'Padel Court 2',
          message: 'Booked',
        },
        { row: second, outcome: 'failed', message: 'The venue allows one court a day.' },
      ],
    };
    expect(renderSummary(mixed).split('\n')[0]).toBe('## ❌ Court booking: failed (1 of 2 courts booked)');
    expect(renderSummary(booked).split('\n')[0]).toBe('## ✅ Court booking: booked');
  });

  it('sets the step outputs in GITHUB_OUTPUT', async () => {
    const { env } = await actionsEnv();
    process.env.GITHUB_OUTPUT = env.GITHUB_OUTPUT;
    const values = writeOutputs(booked, env);
    expect(values).toEqual({
      outcome: 'booked',
      booked_time: '19:00',
      court: 'Padel Court 2',
      reference: 'EM-42',
      court_date: '2026-02-15',
    });
    const text = await readFile(env.GITHUB_OUTPUT!, 'utf8');
    for (const name of Object.values(OUTPUT)) expect(text).toContain(`${name}<<`);
    expect(text).toContain('Padel Court 2');
  });
});
