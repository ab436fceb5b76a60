import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOutcomeMessage,
  buildTestMessage,
  OUTCOME_COLOURS,
  shouldNotify,
  type Outcome,
  type OutcomeReport,
} from '../../src/notify/message.ts';
import { sendDiscord } from '../../src/notify/discord.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { fixedClock } from '../../src/calendar/clock.ts';
import { startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';

const clock = fixedClock('2026-02-01T00:00:00.500Z');
const row = { key: '2026-02-15 19:00', date: '2026-02-15', time1: '19:00', time2: '20:00' };
const base = (outcome: Outcome, extra: Partial<OutcomeReport> = {}): OutcomeReport => ({
  outcome,
  row,
  attempts: 3,
  message: 'The venue answered 500',
  screenshots: [],
  ...extra,
});

let discord: DiscordStandIn;
beforeAll(async () => {
  discord = await startDiscordStandIn();
});
afterAll(async () => {
  await discord.stop();
});

describe('buildOutcomeMessage', () => {
  it('describes a booking with court, time, reference and latency, and attaches the screenshot and invite', async () => {
    const message = buildOutcomeMessage(
      base('booked', {
        bookedTime: '19:00',
        court: 'Padel Court 2',
        reference: 'EM-42',
        latencyMs: 312,
        firedAt: '2026-02-01T00:00:00.312Z',
      }),
      { clock, runUrl: 'https://github.com/o/r/actions/runs/1', screenshotPng: new Uint8Array([0x89, 0x50]) },
    );
    const embed = message.payload.embeds![0]!;
    expect(embed.color).toBe(OUTCOME_COLOURS.booked);
    const text = JSON.stringify(embed);
    for (const s of ['Padel Court 2', '19:00', 'EM-42', '312 ms after the venue', 'Sunday 15 February 2026'])
      expect(text).toContain(s);
    expect(message.attachments?.map((a) => a.filename)).toEqual([
      'confirmation.png',
      'padel-2026-02-15-1900.ics',
    ]);
    expect(embed.image?.url).toBe('attachment://confirmation.png');

    const result = await sendDiscord(discord.url, message, { reporter: memoryReporter() });
    expect(result.sent).toBe(true);
    expect(discord.messages().at(-1)?.violations).toEqual([]);
    expect(discord.messages().at(-1)?.files).toHaveLength(2);
  });

  it('reports every row of a run of several in ONE message, with an invite for each court booked', async () => {
    const second = { key: '2026-02-15 20:00', date: '2026-02-15', time1: '20:00' };
    const message = buildOutcomeMessage(
      base('unavailable', {
        bookedTime: '19:00',
        court: 'Padel Court 1',
        reference: 'EM-1',
        rows: [
          {
            row,
            outcome: 'booked',
            bookedTime: '19:00',
            court: 'Padel Court 1',
            reference: 'EM-1',
            message: 'Booked.',
          },
          { row: second, outcome: 'unavailable', message: 'No court free at 20:00.' },
        ],
      }),
      { clock },
    );
    const description = message.payload.embeds![0]!.description!;
    // Neither a plain failure nor a plain success: the title says how many.
    expect(message.payload.embeds![0]!.title).toBe('⚠️ 1 of 2 courts booked');
    expect(description).toMatch(/^1 of 2 courts booked tonight:/);
    expect(description).toContain('✅ 2026-02-15 19:00 / 20:00: booked Padel Court 1 at 19:00 (ref EM-1)');
    expect(description).toContain('⚠️ 2026-02-15 20:00: unavailable');
    expect(message.attachments?.map((a) => a.filename)).toEqual(['padel-2026-02-15-1900.ics']);
    const sent = await sendDiscord(discord.url, message, { reporter: memoryReporter() });
    expect(sent.sent).toBe(true);
    expect(discord.messages().at(-1)?.violations).toEqual([]);
  });

  it('says loudly when the status file could not be written, though the court is booked', () => {
    const message = buildOutcomeMessage(
      base('booked', {
        bookedTime: '19:00',
        court: 'Padel Court 1',
        reference: 'EM-1',
        unrecorded: { error: 'EROFS: read-only file system' },
      }),
      { clock },
    );
    const fields = message.payload.embeds![0]!.fields!;
    expect(fields.find((f) => f.name.includes('Status file not written'))?.value).toMatch(/EROFS/);
    expect(message.payload.embeds![0]!.title).toBe('✅ Court booked');
  });

  it('has one distinct message per outcome, all valid for Discord', async () => {
    const outcomes: Outcome[] = [
      'booked',
      'booked-fallback',
      'unavailable',
      'failed',
      'unverified',
      'dry-run',
      'already-booked',
    ];
    const titles = new Set<string>();
    for (const outcome of outcomes) {
      const message = buildOutcomeMessage(
        base(outcome, { bookedTime: outcome === 'booked-fallback' ? '20:00' : '19:00', court: 'Court 1' }),
        {
          clock,
          runUrl: 'https://github.com/o/r/actions/runs/7',
          lateStart: 'This run started 2 h 10 min after it was scheduled (19:17 London).',
        },
      );
      const embed = message.payload.embeds![0]!;
      titles.add(embed.title!);
      expect(embed.color).toBe(OUTCOME_COLOURS[outcome]);
      expect(JSON.stringify(embed)).toContain('Late start');
      const result = await sendDiscord(discord.url, message, { reporter: memoryReporter() });
      expect(result.sent, outcome).toBe(true);
      expect(discord.messages().at(-1)?.violations).toEqual([]);
    }
    expect(titles.size).toBe(outcomes.length);
  });

  it('links the run and gives the reason on failure, and does not attach files', () => {
    const message = buildOutcomeMessage(base('failed', { message: 'Login failed: wrong password' }), {
      clock,
      runUrl: 'https://github.com/o/r/actions/runs/9',
    });
    const text = JSON.stringify(message.payload);
    expect(text).toContain('Login failed: wrong password');
    expect(text).toContain('https://github.com/o/r/actions/runs/9');
    expect(message.attachments).toEqual([]);
  });

  it('mentions the fallback time', () => {
    const message = buildOutcomeMessage(base('booked-fallback', { bookedTime: '20:00', court: 'Court 3' }), {
      clock,
    });
    expect(message.payload.embeds![0]!.description).toContain('fallback 20:00');
  });

  it('stays quiet when nothing is due unless a start was late', () => {
    expect(shouldNotify({ outcome: 'nothing-due' })).toBe(false);
    expect(shouldNotify({ outcome: 'nothing-due' }, { lateStart: 'late' })).toBe(true);
    expect(shouldNotify({ outcome: 'failed' })).toBe(true);
  });

  it('builds a valid test message', async () => {
    const message = buildTestMessage({ clock, repository: 'o/r' });
    const result = await sendDiscord(discord.url, message, { reporter: memoryReporter() });
    expect(result.sent).toBe(true);
    expect(discord.messages().at(-1)?.payload.embeds?.[0]?.title).toContain('Test message');
  });
});
