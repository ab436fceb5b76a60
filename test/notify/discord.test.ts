import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enforceLimits, sendDiscord, DISCORD_LIMITS, type DiscordMessage } from '../../src/notify/discord.ts';
import { memoryReporter } from '../../src/github/reporter.ts';
import { formatReceived, startDiscordStandIn, type DiscordStandIn } from '../support/discord-standin.ts';

let discord: DiscordStandIn;
beforeEach(async () => {
  discord = await startDiscordStandIn();
});
afterEach(async () => {
  await discord.stop();
});

const simple: DiscordMessage = { payload: { content: 'hello', embeds: [{ title: 'T', description: 'D' }] } };

describe('sendDiscord against a local Discord stand-in', () => {
  it('posts JSON with ?wait=true and allowed_mentions {parse: []}', async () => {
    const reporter = memoryReporter();
    const result = await sendDiscord(discord.url, { payload: { content: '@everyone hi' } }, { reporter });
    expect(result.sent).toBe(true);
    expect(result.status).toBe(200);
    expect(result.messageId).toMatch(/^\d+$/);
    const [message] = discord.messages();
    expect(message?.violations).toEqual([]);
    expect(message?.query.wait).toBe('true');
    expect(message?.contentType).toContain('application/json');
    expect(message?.payload.allowed_mentions).toEqual({ parse: [] });
  });

  it('sends files as multipart payload_json + files[n]', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const result = await sendDiscord(
      discord.url,
      {
        payload: { embeds: [{ title: 'Booked', image: { url: 'attachment://confirmation.png' } }] },
        attachments: [
          { filename: 'confirmation.png', contentType: 'image/png', data: png },
          {
            filename: 'court.ics',
            contentType: 'text/calendar',
            data: new TextEncoder().encode('BEGIN:VCALENDAR'),
          },
        ],
      },
      { reporter: memoryReporter() },
    );
    expect(result.sent).toBe(true);
    const [message] = discord.messages();
    expect(message?.violations).toEqual([]);
    expect(message?.contentType).toContain('multipart/form-data');
    expect(message?.files.map((f) => [f.field, f.filename, f.size])).toEqual([
      ['files[0]', 'confirmation.png', 7],
      ['files[1]', 'court.ics', 15],
    ]);
    expect(message?.payload.attachments).toEqual([
      { id: 0, filename: 'confirmation.png' },
      { id: 1, filename: 'court.ics' },
    ]);
    expect(Buffer.compare(message!.files[0]!.data, Buffer.from(png))).toBe(0);
  });

  it('brings an oversized message within every limit before sending', async () => {
    const long = (n: number) => 'x'.repeat(n);
    const huge: DiscordMessage = {
      payload: {
        content: long(5000),
        embeds: Array.from({ length: 12 }, (_, i) => ({
          title: long(400),
          description: long(5000),
          footer: { text: long(3000) },
          author: { name: long(300) },
          fields: Array.from({ length: 30 }, (_, j) => ({
            name: `${i}-${j} ${long(300)}`,
            value: long(2000),
          })),
          image: { url: 'attachment://big.png' },
        })),
      },
      attachments: [
        { filename: 'big.png', contentType: 'image/png', data: new Uint8Array(11 * 1024 * 1024) },
      ],
    };
    const reporter = memoryReporter();
    const result = await sendDiscord(discord.url, huge, { reporter });
    expect(result.sent).toBe(true);
    const [message] = discord.messages();
    expect(message?.violations).toEqual([]);
    expect(message?.files).toEqual([]);
    expect(Array.from(message!.payload.content!).length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(message?.payload.content).toContain('big.png not attached');
    expect(message?.payload.embeds).toHaveLength(10);
    expect(message?.payload.embeds?.[0]?.title?.endsWith('…')).toBe(true);
  });

  it('keeps small text untouched', () => {
    const { message, notes } = enforceLimits(simple);
    expect(message.payload).toEqual(simple.payload);
    expect(notes).toEqual([]);
  });

  it('waits retry_after (seconds, float) after a 429 and then succeeds', async () => {
    discord.failNext(429, { message: 'You are being rate limited.', retry_after: 0.25, global: false });
    const waits: number[] = [];
    const result = await sendDiscord(discord.url, simple, {
      reporter: memoryReporter(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result).toMatchObject({ sent: true, status: 200 });
    expect(waits).toEqual([250]);
    expect(discord.messages().map((m) => m.status)).toEqual([429, 200]);
  });

  it('falls back to the Retry-After header and gives up after a bounded number of retries', async () => {
    for (let i = 0; i < 5; i++) discord.failNext(429, 'slow down', { 'retry-after': '2' });
    const waits: number[] = [];
    const reporter = memoryReporter();
    const result = await sendDiscord(discord.url, simple, {
      reporter,
      maxRetries: 2,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(result.sent).toBe(false);
    expect(result.status).toBe(429);
    expect(waits).toEqual([2000, 2000]);
    expect(discord.messages()).toHaveLength(3);
  });

  it('does not retry a 404 and says what to do, without printing the URL', async () => {
    discord.failNext(404, { message: 'Unknown Webhook', code: 10015 });
    const reporter = memoryReporter();
    const result = await sendDiscord(discord.url, simple, { reporter, sleep: async () => {} });
    expect(result.sent).toBe(false);
    expect(result.status).toBe(404);
    expect(result.warning).toContain('the webhook was deleted or the URL is wrong');
    expect(result.warning).toContain('DISCORD_WEBHOOK_URL');
    expect(discord.messages()).toHaveLength(1);
    const printed = JSON.stringify(reporter.lines) + JSON.stringify(result);
    expect(printed).not.toContain(discord.url);
    expect(printed).not.toContain(discord.token);
  });

  it('turns any other failure into a warning that never carries the webhook URL', async () => {
    discord.failNext(500, { message: `internal error for ${discord.url}` });
    const reporter = memoryReporter();
    const result = await sendDiscord(discord.url, simple, { reporter });
    expect(result).toMatchObject({ sent: false, status: 500 });
    expect(reporter.lines.some((l) => l.level === 'warning')).toBe(true);
    const printed = JSON.stringify(reporter.lines) + JSON.stringify(result);
    expect(printed).not.toContain(discord.token);

    const stopped = discord.url;
    await discord.stop();
    const offline = await sendDiscord(stopped, simple, { reporter, timeoutMs: 2000 });
    expect(offline.sent).toBe(false);
    expect(JSON.stringify(reporter.lines)).not.toContain(discord.token);
    discord = await startDiscordStandIn();
  });

  it('never throws, even when the injected sleep does', async () => {
    discord.failNext(429, { retry_after: 0.01 });
    const result = await sendDiscord(discord.url, simple, {
      reporter: memoryReporter(),
      sleep: async () => {
        throw new Error('boom');
      },
    });
    expect(result).toMatchObject({ sent: false });
    expect(result.warning).toContain('boom');
  });

  it('prints what it received in a readable form', async () => {
    await sendDiscord(discord.url, simple, { reporter: memoryReporter() });
    expect(formatReceived(discord.messages().at(-1)!)).toContain('■ T');
  });

  it('skips with a notice when no webhook is configured, and never throws on a bad URL', async () => {
    const reporter = memoryReporter();
    expect(await sendDiscord(undefined, simple, { reporter })).toEqual({ sent: false, skipped: true });
    expect(await sendDiscord('  ', simple, { reporter })).toEqual({ sent: false, skipped: true });
    expect(reporter.lines.filter((l) => l.level === 'notice')).toHaveLength(2);
    const bad = await sendDiscord('not a url/secret-token-123456', simple, { reporter });
    expect(bad.sent).toBe(false);
    expect(JSON.stringify(reporter.lines)).not.toContain('secret-token-123456');
  });
});
