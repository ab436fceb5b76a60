import { describe, expect, it } from 'vitest';
import {
  decodeRelayInput,
  encodeRelayInput,
  recognizeTrigger,
  successorInputs,
} from '../../src/relay/trigger.ts';
import { repositoryVisibility, resolveRelay } from '../../src/relay/visibility.ts';

const actions = { GITHUB_ACTIONS: 'true' };

describe('recognizeTrigger', () => {
  it('recognises GitHub schedule runs and names their cron line', () => {
    const t = recognizeTrigger(
      { ...actions, GITHUB_EVENT_NAME: 'schedule', GITHUB_ACTOR: 'member' },
      { schedule: '41 7 * * *' },
    );
    expect(t).toMatchObject({ kind: 'schedule', event: 'schedule', schedule: '41 7 * * *', problems: [] });
    expect(t.startedBy).toBe("GitHub's schedule (41 7 * * *)");
    expect(recognizeTrigger({ GITHUB_EVENT_NAME: 'schedule', SCHEDULED_CRON: '7 23 * * *' }).schedule).toBe(
      '7 23 * * *',
    );
  });

  it('recognises a relay link from its workflow_dispatch inputs', () => {
    const t = recognizeTrigger(
      { ...actions, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'github-actions[bot]' },
      {
        inputs: {
          dry_run: 'false',
          trigger: 'relay',
          relay: '2026-11-26/3/16250421337',
          dispatched_at: '2026-11-25T16:32:01Z',
        },
      },
    );
    expect(t).toMatchObject({
      kind: 'relay',
      actor: 'github-actions[bot]',
      dispatchedAt: '2026-11-25T16:32:01Z',
      relay: { night: '2026-11-26', link: 3, fromRunId: '16250421337' },
      problems: [],
    });
    expect(t.startedBy).toBe('the relay: link 2 (run 16250421337)');
  });

  it("recognises and records an external start: trigger external, a source label, the sender's time", () => {
    const env = { ...actions, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'member' };
    const t = recognizeTrigger(env, {
      inputs: {
        dry_run: 'false',
        trigger: 'external',
        source: 'cron-job.org',
        dispatched_at: '2026-11-25T23:40:00+00:00',
      },
    });
    expect(t).toMatchObject({
      kind: 'external',
      source: 'cron-job.org',
      dispatchedAt: '2026-11-25T23:40:00+00:00',
    });
    expect(t.startedBy).toBe('an external scheduler (cron-job.org)');
    // A source or a dispatch time alone also marks an external start (older senders).
    expect(recognizeTrigger(env, { inputs: { dispatched_at: '2026-11-25T23:40:00Z' } }).kind).toBe(
      'external',
    );
    // repository_dispatch, the older route, carries them in client_payload.
    const rd = recognizeTrigger(
      { ...actions, GITHUB_EVENT_NAME: 'repository_dispatch' },
      {
        action: 'book',
        client_payload: { source: 'cloudflare-worker', dispatched_at: '2026-11-25T23:40:00Z' },
      },
    );
    expect(rd).toMatchObject({
      kind: 'external',
      source: 'cloudflare-worker',
      dispatchedAt: '2026-11-25T23:40:00Z',
    });
    expect(rd.startedBy).toBe('an external scheduler (repository_dispatch, cloudflare-worker)');
  });

  it('recognises a member running it from the Actions tab', () => {
    const t = recognizeTrigger(
      {
        ...actions,
        GITHUB_EVENT_NAME: 'workflow_dispatch',
        GITHUB_ACTOR: 'bot',
        GITHUB_TRIGGERING_ACTOR: 'member-1',
      },
      { inputs: { dry_run: 'true', date: '', no_wait: 'false' } },
    );
    expect(t).toMatchObject({ kind: 'manual', actor: 'member-1' });
    expect(t.startedBy).toBe('@member-1 (Run workflow, or the API)');
    expect(recognizeTrigger({}).kind).toBe('local');
  });

  it('turns inputs it cannot read into problems, never failures, and never echoes unsafe text', () => {
    const t = recognizeTrigger(
      { ...actions, GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'x<script>' },
      {
        inputs: {
          trigger: 'external',
          source: '<img src=x onerror=alert(1)>',
          dispatched_at: 'yesterday',
        },
      },
    );
    expect(t.kind).toBe('external');
    expect(t.source).toBeUndefined();
    expect(t.dispatchedAt).toBeUndefined();
    expect(t.actor).toBeUndefined();
    expect(t.startedBy).toBe('an external scheduler');
    expect(t.problems).toHaveLength(3);
    expect(t.problems.join(' ')).not.toMatch(/<|script|onerror|yesterday/);
    const badRelay = recognizeTrigger(
      { GITHUB_EVENT_NAME: 'workflow_dispatch' },
      { inputs: { trigger: 'relay', relay: '2026-11-26/two/abc' } },
    );
    expect(badRelay).toMatchObject({ kind: 'relay', startedBy: 'the relay (predecessor unknown)' });
    expect(badRelay.relay).toBeUndefined();
    expect(badRelay.problems[0]).toMatch(/expected <night>\/<link>\/<run id>/);
    const odd = recognizeTrigger(
      { GITHUB_EVENT_NAME: 'workflow_dispatch' },
      { inputs: { trigger: 'now!<b>' } },
    );
    expect(odd.kind).toBe('manual');
    expect(odd.problems[0]).not.toMatch(/<b>/);
  });
});

describe('the relay input', () => {
  it('round-trips what a link sends its successor', () => {
    const input = { night: '2026-10-26', link: 4, fromRunId: '123' };
    expect(encodeRelayInput(input)).toBe('2026-10-26/4/123');
    expect(decodeRelayInput(encodeRelayInput(input))).toEqual(input);
    expect(decodeRelayInput('2026-10-26/1/')).toEqual({ night: '2026-10-26', link: 1 });
    for (const bad of ['2026-02-30/1/1', '2026-10-26/0/1', '2026-10-26/1/1/1', 'x', '2026-10-26/1/abc']) {
      expect(decodeRelayInput(bad), bad).toHaveProperty('problem');
    }
  });

  it("asks for a real run (book.yml defaults dry_run to true), marked as the relay's", () => {
    expect(
      successorInputs({
        night: '2026-11-26',
        link: 3,
        fromRunId: '99',
        dispatchedAt: '2026-11-25T16:32:00Z',
      }),
    ).toEqual({
      dry_run: 'false',
      trigger: 'relay',
      relay: '2026-11-26/3/99',
      dispatched_at: '2026-11-25T16:32:00Z',
    });
  });
});

describe('relay on or off', () => {
  it('reads the repository visibility from the event payload GitHub writes', () => {
    expect(repositoryVisibility({ repository: { private: false, visibility: 'public' } })).toBe('public');
    expect(repositoryVisibility({ repository: { private: true, visibility: 'private' } })).toBe('private');
    expect(repositoryVisibility({ repository: { visibility: 'internal' } })).toBe('private');
    expect(repositoryVisibility({ schedule: '41 7 * * *' })).toBe('unknown');
    expect(repositoryVisibility(null)).toBe('unknown');
  });

  it('is on by default for public repositories and off for private ones, and config.yml overrides it', () => {
    expect(resolveRelay('auto', 'public')).toMatchObject({ enabled: true });
    expect(resolveRelay('auto', 'private')).toMatchObject({ enabled: false });
    expect(resolveRelay('auto', 'private').reason).toMatch(/private and every waiting minute is billed/);
    expect(resolveRelay('auto', 'unknown')).toMatchObject({ enabled: false });
    expect(resolveRelay(true, 'private')).toMatchObject({
      enabled: true,
      reason: 'on: relay is true in bookings/config.yml',
    });
    expect(resolveRelay(false, 'public')).toMatchObject({ enabled: false });
  });
});
