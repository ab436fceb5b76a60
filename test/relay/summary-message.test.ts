import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/bookings/config.ts';
import { emptyStatus } from '../../src/bookings/status.ts';
import { renderRelayRunSummary, renderRelaySummary } from '../../src/github/relay-summary.ts';
import { sendDiscord } from '../../src/notify/discord.ts';
import { buildBrokenChainMessage } from '../../src/notify/relay-message.ts';
import { brokenLinks, chainFor, linkRecord, withLink } from '../../src/relay/chain.ts';
import { decideRelay } from '../../src/relay/decide.ts';
import { nightOf } from '../../src/relay/night.ts';
import { recognizeTrigger } from '../../src/relay/trigger.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';
import { ms, ON, rows } from './helpers.ts';

const bookings = rows('2026-12-10,19:00,20:00,Book');

describe('the summary of a run that ends with the relay', () => {
  const early = () =>
    decideRelay({
      now: ms('2026-11-25T09:00'),
      config: DEFAULT_CONFIG,
      rows: bookings,
      status: emptyStatus(),
      trigger: { kind: 'schedule' },
      runId: '500',
      relay: ON,
      jobStartedAt: ms('2026-11-25T08:57'),
    });

  it('heads a hand-over with the successor and when it is expected', () => {
    const md = renderRelayRunSummary({
      outcome: 'handed-over',
      decision: early(),
      summary: '### Relay\n',
    });
    expect(md).toContain('## ⛓️ Handed over to link 2');
    expect(md).toContain(
      "This run did not book: tonight's release (Thu 26 Nov 2026 00:00 GMT) was too far away for one job.",
    );
    expect(md).toContain('expected to start about 14:42 GMT, which hands over again.');
    expect(md).toContain('### Relay');
  });

  it("escapes GitHub's message in a failed hand-over, and says why a planned hand-over did not happen", () => {
    const failed = renderRelayRunSummary(
      {
        outcome: 'dispatch-failed',
        decision: early(),
        summary: '### Relay\n',
        error: '422: GitHub refused ("<b>Unexpected</b> | inputs")',
      },
      [{ title: 'Warning', markdown: '> [!WARNING]\n> x' }],
    );
    expect(failed).toContain('## ❌ The hand-over failed');
    expect(failed).toContain('> 422: GitHub refused ("\\<b\\>Unexpected\\</b\\> \\| inputs")');
    expect(failed).not.toContain('<b>');
    expect(failed).toContain('### Warning');
    const ended = renderRelayRunSummary({
      outcome: 'stopped',
      decision: early(),
      summary: '### Relay\n',
      ended: 'Tonight was booked meanwhile; no successor needed.',
    });
    expect(ended).toContain('## ⛓️ The chain ends here');
    expect(ended).toContain('Tonight was booked meanwhile; no successor needed.');
  });
});

describe('the relay lines of the job summary', () => {
  it('says which link this run is, who started it and when the next link is due, then the chain so far', () => {
    const night = nightOf('2026-11-26', DEFAULT_CONFIG);
    let status = withLink(emptyStatus(), night, {
      link: 1,
      runId: '101',
      trigger: 'schedule',
      startedBy: "GitHub's schedule (41 7 * * *)",
      startedAt: '2026-11-25T11:02:00.000+00:00',
      role: 'relay',
      handOverAt: '2026-11-25T16:39:00.000+00:00',
      nextDueAt: '2026-11-25T16:44:00.000+00:00',
      dispatch: { at: '2026-11-25T16:39:01.000+00:00', ok: true, status: 204 },
      endedAt: '2026-11-25T16:39:02.000+00:00',
    });
    const trigger = recognizeTrigger(
      { GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_ACTOR: 'github-actions[bot]' },
      { inputs: { trigger: 'relay', relay: '2026-11-26/2/101', dispatched_at: '2026-11-25T16:39:01Z' } },
    );
    const decision = decideRelay({
      now: ms('2026-11-25T16:44'),
      config: DEFAULT_CONFIG,
      rows: bookings,
      status,
      trigger,
      runId: '102',
      relay: ON,
      jobStartedAt: ms('2026-11-25T16:41'),
    });
    const record = linkRecord(decision, trigger, {
      runId: '102',
      startedAt: '2026-11-25T16:44:00.000+00:00',
    })!;
    status = withLink(status, record.night, record.link);
    const md = renderRelaySummary({
      decision,
      trigger,
      chain: chainFor(status, '2026-11-26'),
      relay: { enabled: true, reason: 'on: the repository is public, so waiting costs no Actions minutes' },
    });
    expect(md).toContain(
      '| This run | link 2 of the chain for the release on Thu 26 Nov 2026 00:00 GMT (court date 2026-12-10) |',
    );
    expect(md).toContain('| Started by | the relay: link 1 (run 101) |');
    expect(md).toContain('| Dispatched at | 16:39:01 GMT |');
    expect(md).toContain(
      '| Next due | link 3, expected to start about 19:06:00 GMT (hand-over at 19:01:00 GMT; retries until 22:21:00 GMT) |',
    );
    expect(md).toContain('| Relay | on: the repository is public, so waiting costs no Actions minutes |');
    expect(md).toContain("Tonight's chain (night of 2026-11-26):");
    expect(md).toContain(
      "| 1 | 101 | GitHub's schedule (41 7 * * \\*) | 11:02:00 GMT | relay | 16:39:01 GMT ✓ | 16:44:00 GMT | 16:39:02 GMT |",
    );
    expect(md).toContain(
      '| 2 | 102 | the relay: link 1 (run 101) | 16:44:00 GMT | relay | 19:01:00 GMT | 19:06:00 GMT | — |',
    );
  });

  it('says when no link is due, and escapes what it shows', () => {
    const decision = decideRelay({
      now: ms('2026-11-25T22:00'),
      config: DEFAULT_CONFIG,
      rows: bookings,
      status: emptyStatus(),
      trigger: { kind: 'external' },
      relay: ON,
    });
    const md = renderRelaySummary({
      decision,
      trigger: { startedBy: 'an external scheduler (a|b)', problems: ['a | b'] },
      relay: ON,
    });
    expect(md).toContain('| Next due | none: this run books the release |');
    expect(md).toContain('| Started by | an external scheduler (a\\|b) |');
    expect(md).toContain('> a \\| b');
  });
});

describe('the morning message about a broken link', () => {
  let discord: DiscordStandIn;
  beforeAll(async () => {
    discord = await startDiscordStandIn();
  });
  afterAll(async () => {
    await discord.stop();
  });

  it("names the night, the link and what to do, and passes Discord's limits", async () => {
    const night = nightOf('2026-11-26', DEFAULT_CONFIG);
    const status = withLink(emptyStatus(), night, {
      link: 1,
      runId: '101',
      trigger: 'schedule',
      startedBy: 'x',
      startedAt: '2026-11-25T11:02:00.000+00:00',
      role: 'relay',
      nextDueAt: '2026-11-25T19:06:00.000+00:00',
      dispatch: { at: '2026-11-25T19:01:00.000+00:00', ok: true, status: 204 },
      endedAt: '2026-11-25T19:01:01.000+00:00',
    });
    const broken = brokenLinks(status, ms('2026-11-26T07:30'), DEFAULT_CONFIG);
    const message = buildBrokenChainMessage(broken, {
      now: ms('2026-11-26T07:30'),
      runUrl: 'https://github.com/member/padel/actions/runs/200',
    });
    const embed = message.payload.embeds![0]!;
    expect(embed.title).toBe('⛓️ The relay broke last night');
    expect(embed.fields![0]).toEqual({
      name: 'Release Thu 26 Nov 00:00 GMT (court date 2026-12-10)',
      value:
        '• Link 1 (run 101) handed over at 19:01 GMT, but link 2, due about 19:06 GMT, never started.\nNo run booked that court.',
    });
    expect(embed.description).toMatch(/permissions: actions: write/);
    const sent = await sendDiscord(discord.url, message, { sleep: async () => {} });
    expect(sent.sent).toBe(true);
    expect(discord.messages().at(-1)!.violations).toEqual([]);
  });
});
