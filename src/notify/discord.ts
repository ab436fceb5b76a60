import { setTimeout as delay } from 'node:timers/promises';
import { fetch, FormData } from 'undici';
import type { APIEmbed, RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';
import { defaultReporter, type Reporter } from '../github/reporter.ts';

/**
 * Discord's documented limits for a webhook message
 * (https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
 * https://discord.com/developers/docs/reference#uploading-files).
 */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footerText: 2048,
  authorName: 256,
  embedTotal: 6000,
  /** Total upload size of one message (non-boosted server). */
  attachmentBytes: 10 * 1024 * 1024,
  attachments: 10,
} as const;

export interface DiscordAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
  description?: string;
}

/** A webhook message: the JSON body plus files to upload (`files[n]`). */
export interface DiscordMessage {
  payload: RESTPostAPIWebhookWithTokenJSONBody;
  attachments?: DiscordAttachment[];
}

export interface SendResult {
  sent: boolean;
  status?: number;
  warning?: string;
  /** Set when the message was not sent because no webhook is configured. */
  skipped?: boolean;
  /** The id of the created message (from `?wait=true`). */
  messageId?: string;
}

export interface SendOptions {
  /** How to wait before a retry; tests pass a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** Retries after a 429 (default 3). */
  maxRetries?: number;
  /** The longest single wait we accept from `retry_after` (default 60 s); longer → give up. */
  maxWaitMs?: number;
  /** Abort one request after this long (default 15 s). */
  timeoutMs?: number;
  reporter?: Reporter;
}

const ELLIPSIS = '…';

export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return chars.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

const len = (text: string | undefined): number => (text ? Array.from(text).length : 0);

export function embedChars(embed: APIEmbed): number {
  return (
    len(embed.title) +
    len(embed.description) +
    len(embed.footer?.text) +
    len(embed.author?.name) +
    (embed.fields ?? []).reduce((sum, field) => sum + len(field.name) + len(field.value), 0)
  );
}

/**
 * Brings a message within Discord's limits: truncates text with an ellipsis, drops embeds and
 * fields beyond the maximum counts, and drops attachments that do not fit in the upload limit
 * (saying so in the content). Returns the fitted message and a note per change.
 */
export function enforceLimits(message: DiscordMessage): { message: DiscordMessage; notes: string[] } {
  const notes: string[] = [];
  const L = DISCORD_LIMITS;
  const payload: RESTPostAPIWebhookWithTokenJSONBody = { ...message.payload };

  let embeds = (payload.embeds ?? []).map((embed) => structuredClone(embed));
  if (embeds.length > L.embeds) {
    notes.push(`dropped ${embeds.length - L.embeds} embed(s) beyond Discord's ${L.embeds}`);
    embeds = embeds.slice(0, L.embeds);
  }
  for (const embed of embeds) {
    if (embed.title !== undefined) embed.title = truncate(embed.title, L.title);
    if (embed.description !== undefined) embed.description = truncate(embed.description, L.description);
    if (embed.footer) embed.footer.text = truncate(embed.footer.text, L.footerText);
    if (embed.author) embed.author.name = truncate(embed.author.name, L.authorName);
    if (embed.fields) {
      if (embed.fields.length > L.fields) {
        notes.push(`dropped ${embed.fields.length - L.fields} field(s) beyond Discord's ${L.fields}`);
        embed.fields = embed.fields.slice(0, L.fields);
      }
      embed.fields = embed.fields.map((field) => ({
        ...field,
        name: truncate(field.name, L.fieldName) || '\u200b',
        value: truncate(field.value, L.fieldValue) || '\u200b',
      }));
    }
  }
  // The 6000-character budget across all embeds: shorten the least important text first
  // (descriptions, field values, footers, authors, titles; last embed first), then drop fields.
  let total = embeds.reduce((sum, embed) => sum + embedChars(embed), 0);
  if (total > L.embedTotal) notes.push(`shortened embeds to Discord's ${L.embedTotal}-character total`);
  type Slot = { get: () => string | undefined; set: (text: string) => void };
  const slots = (embed: APIEmbed): Slot[][] => [
    [{ get: () => embed.description, set: (t) => (embed.description = t) }],
    (embed.fields ?? [])
      .map((field) => ({ get: () => field.value, set: (t: string) => (field.value = t) }))
      .reverse(),
    embed.footer ? [{ get: () => embed.footer?.text, set: (t) => (embed.footer!.text = t) }] : [],
    embed.author ? [{ get: () => embed.author?.name, set: (t) => (embed.author!.name = t) }] : [],
    [{ get: () => embed.title, set: (t) => (embed.title = t) }],
  ];
  const reversed = [...embeds].reverse();
  for (let group = 0; group < 5 && total > L.embedTotal; group++) {
    for (const embed of reversed) {
      for (const slot of slots(embed)[group] ?? []) {
        const text = slot.get();
        if (total <= L.embedTotal || !text || len(text) <= 1) continue;
        const keep = Math.max(1, len(text) - (total - L.embedTotal));
        total -= len(text) - keep;
        slot.set(truncate(text, keep));
      }
    }
  }
  for (const embed of reversed) {
    while (total > L.embedTotal && embed.fields && embed.fields.length > 0) {
      const dropped = embed.fields.pop()!;
      total -= len(dropped.name) + len(dropped.value);
    }
  }
  if (payload.embeds) payload.embeds = embeds;

  const kept: DiscordAttachment[] = [];
  const dropNotes: string[] = [];
  let bytes = 0;
  for (const attachment of message.attachments ?? []) {
    const size = attachment.data.byteLength;
    if (kept.length >= L.attachments || bytes + size > L.attachmentBytes) {
      dropNotes.push(
        `(${attachment.filename} not attached: ${(size / 1024 / 1024).toFixed(1)} MiB does not fit Discord's 10 MiB upload limit; it is in the run's artifacts)`,
      );
      continue;
    }
    kept.push(attachment);
    bytes += size;
  }
  notes.push(...dropNotes);
  const dropped = (message.attachments ?? []).filter((a) => !kept.includes(a));
  // An embed that pointed at a dropped file would show a broken image.
  for (const embed of embeds) {
    for (const key of ['image', 'thumbnail'] as const) {
      const url = embed[key]?.url;
      if (url && dropped.some((a) => url === `attachment://${a.filename}`)) delete embed[key];
    }
  }
  const note = dropNotes.join('\n');
  if (payload.content !== undefined || note) {
    const original = payload.content ?? '';
    const room = note ? L.content - len(note) - 1 : L.content;
    if (len(original) > room) notes.push(`shortened content to Discord's ${L.content} characters`);
    const body = truncate(original, Math.max(0, room));
    payload.content = truncate(note ? (body ? `${body}\n${note}` : note) : body, L.content);
  }
  return { message: { payload, attachments: kept }, notes };
}

/** Replaces the webhook URL and its token wherever they appear: the URL is a secret. */
export function redactWebhook(text: string, webhookUrl: string | undefined): string {
  if (!webhookUrl) return text;
  let out = text.split(webhookUrl).join('[DISCORD_WEBHOOK_URL]');
  const token = webhookToken(webhookUrl);
  if (token) out = out.split(token).join('[redacted]');
  return out;
}

function webhookToken(webhookUrl: string): string | undefined {
  try {
    const parts = new URL(webhookUrl).pathname.split('/').filter(Boolean);
    const token = parts.at(-1);
    return token && token.length >= 8 ? token : undefined;
  } catch {
    return undefined;
  }
}

function withWait(webhookUrl: string): URL {
  const url = new URL(webhookUrl);
  url.searchParams.set('wait', 'true');
  return url;
}

function buildBody(message: DiscordMessage): { body: string | FormData; headers: Record<string, string> } {
  const payload: RESTPostAPIWebhookWithTokenJSONBody = {
    ...message.payload,
    allowed_mentions: { parse: [] },
  };
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) {
    return { body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } };
  }
  payload.attachments = attachments.map((a, id) => ({
    id,
    filename: a.filename,
    ...(a.description ? { description: a.description } : {}),
  }));
  const form = new FormData();
  form.append('payload_json', JSON.stringify(payload));
  attachments.forEach((a, id) => {
    form.append(`files[${id}]`, new Blob([new Uint8Array(a.data)], { type: a.contentType }), a.filename);
  });
  return { body: form, headers: {} };
}

/** Seconds to wait after a 429: `retry_after` from the JSON body, else the Retry-After header. */
export function retryAfterMs(bodyText: string, header: string | null): number | undefined {
  try {
    const parsed = JSON.parse(bodyText) as { retry_after?: unknown };
    if (typeof parsed.retry_after === 'number' && Number.isFinite(parsed.retry_after)) {
      return Math.max(0, Math.ceil(parsed.retry_after * 1000));
    }
  } catch {
    // not JSON: fall back to the header
  }
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  }
  return undefined;
}

/**
 * Posts a message to a Discord webhook. Never throws: a failure is a warning (reported and
 * returned), because a notification must never change a booking's outcome or exit code.
 */
export async function sendDiscord(
  webhookUrl: string | undefined,
  message: DiscordMessage,
  opts: SendOptions = {},
): Promise<SendResult> {
  const reporter = opts.reporter ?? defaultReporter();
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));
  const maxRetries = opts.maxRetries ?? 3;
  const maxWaitMs = opts.maxWaitMs ?? 60_000;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const secretUrl = webhookUrl?.trim();

  const warn = (warning: string, status?: number): SendResult => {
    const safe = redactWebhook(warning, secretUrl);
    reporter.warning(safe);
    return { sent: false, ...(status !== undefined ? { status } : {}), warning: safe };
  };

  if (!secretUrl) {
    reporter.notice('Discord notification skipped: DISCORD_WEBHOOK_URL is not set.');
    return { sent: false, skipped: true };
  }
  let url: URL;
  try {
    url = withWait(secretUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    return warn(
      'Discord notification not sent: DISCORD_WEBHOOK_URL is not a valid URL. ' +
        'Copy it again from Discord (Server Settings → Integrations → Webhooks → Copy Webhook URL).',
    );
  }

  let fitted: DiscordMessage;
  try {
    const { message: m, notes } = enforceLimits(message);
    fitted = m;
    for (const note of notes) reporter.info(`Discord message: ${note}`);
  } catch (error) {
    return warn(`Discord notification not sent: could not prepare the message (${String(error)}).`);
  }

  try {
    return await deliver(url, fitted, { reporter, sleep, maxRetries, maxWaitMs, timeoutMs }, warn);
  } catch (error) {
    return warn(`Discord notification not sent: ${error instanceof Error ? error.message : String(error)}.`);
  }
}

async function deliver(
  url: URL,
  fitted: DiscordMessage,
  o: {
    reporter: Reporter;
    sleep: (ms: number) => Promise<void>;
    maxRetries: number;
    maxWaitMs: number;
    timeoutMs: number;
  },
  warn: (warning: string, status?: number) => SendResult,
): Promise<SendResult> {
  const { reporter, sleep, maxRetries, maxWaitMs, timeoutMs } = o;
  for (let attempt = 0; ; attempt++) {
    let status: number;
    let text: string;
    let retryHeader: string | null;
    try {
      const { body, headers } = buildBody(fitted);
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      retryHeader = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      return warn(`Discord notification not sent: the request failed (${reason}).`);
    }

    if (status === 200 || status === 201) {
      let messageId: string | undefined;
      try {
        messageId = (JSON.parse(text) as { id?: string }).id;
      } catch {
        messageId = undefined;
      }
      return { sent: true, status, ...(messageId ? { messageId } : {}) };
    }
    if (status === 204) {
      return warn('Discord answered 204 to ?wait=true: the message may not have been saved.', status);
    }
    if (status === 404) {
      return warn(
        'Discord notification not sent (404): the webhook was deleted or the URL is wrong; ' +
          'create a new one and update DISCORD_WEBHOOK_URL.',
        status,
      );
    }
    if (status === 429) {
      const waitMs = retryAfterMs(text, retryHeader);
      if (attempt >= maxRetries) {
        return warn(
          `Discord notification not sent: still rate limited (429) after ${attempt} retries.`,
          status,
        );
      }
      if (waitMs === undefined || waitMs > maxWaitMs) {
        return warn(
          `Discord notification not sent: rate limited (429) and asked to wait ${waitMs === undefined ? 'an unknown time' : `${(waitMs / 1000).toFixed(1)} s`}, longer than we wait.`,
          status,
        );
      }
      reporter.info(`Discord rate limited this webhook; retrying in ${(waitMs / 1000).toFixed(3)} s.`);
      await sleep(waitMs);
      continue;
    }
    const detail = text.length > 300 ? `${text.slice(0, 300)}${ELLIPSIS}` : text;
    return warn(`Discord notification not sent: HTTP ${status}${detail ? ` ${detail}` : ''}.`, status);
  }
}
