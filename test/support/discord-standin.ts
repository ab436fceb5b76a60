import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIEmbed, RESTPostAPIWebhookWithTokenJSONBody } from 'discord-api-types/v10';

/**
 * A real HTTP server standing in for a Discord webhook. It records every request, parses
 * JSON and multipart bodies like Discord does (payload_json + files[n]), and checks each
 * payload against Discord's documented limits and types. Violations are recorded on the
 * message (and answered with 400, as Discord would), so tests and the demo can assert none.
 */
export interface ReceivedFile {
  field: string;
  filename: string;
  contentType: string;
  size: number;
  data: Buffer;
}

export interface ReceivedMessage {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string;
  payload: RESTPostAPIWebhookWithTokenJSONBody;
  files: ReceivedFile[];
  /** Everything about the request that Discord would reject or that breaks our rules. */
  violations: string[];
  /** The status the stand-in answered. */
  status: number;
  receivedAt: number;
}

export interface DiscordStandIn {
  /** The webhook URL to use (contains a fake id and token). */
  url: string;
  token: string;
  messages(): ReceivedMessage[];
  /** Answer the next request with this status and JSON body instead of accepting it. */
  failNext(status: number, body?: unknown, headers?: Record<string, string>): void;
  stop(): Promise<void>;
}

// Written out again from Discord's documentation rather than imported from src/notify, so a wrong limit
// in the product is caught here instead of copied.
const LIMITS = {
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
  uploadBytes: 10 * 1024 * 1024,
};

const chars = (text: unknown): number => (typeof text === 'string' ? Array.from(text).length : 0);

export function validatePayload(payload: unknown, files: ReceivedFile[]): string[] {
  const v: string[] = [];
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return ['payload is not a JSON object'];
  }
  const p = payload as Record<string, unknown>;
  const known = new Set([
    'content',
    'username',
    'avatar_url',
    'tts',
    'embeds',
    'allowed_mentions',
    'components',
    'attachments',
    'flags',
    'thread_name',
    'applied_tags',
    'poll',
  ]);
  for (const key of Object.keys(p)) if (!known.has(key)) v.push(`unknown field "${key}"`);
  if (p.content !== undefined && typeof p.content !== 'string') v.push('content is not a string');
  if (chars(p.content) > LIMITS.content)
    v.push(`content has ${chars(p.content)} > ${LIMITS.content} characters`);
  const embeds = (p.embeds ?? []) as APIEmbed[];
  const hasBody = chars(p.content) > 0 || embeds.length > 0 || files.length > 0;
  if (!hasBody) v.push('message is empty (no content, embeds or files)');
  if (!Array.isArray(embeds)) v.push('embeds is not an array');
  else {
    if (embeds.length > LIMITS.embeds) v.push(`${embeds.length} embeds > ${LIMITS.embeds}`);
    let total = 0;
    embeds.forEach((e, i) => {
      const where = `embeds[${i}]`;
      if (chars(e.title) > LIMITS.title) v.push(`${where}.title ${chars(e.title)} > ${LIMITS.title}`);
      if (chars(e.description) > LIMITS.description) v.push(`${where}.description > ${LIMITS.description}`);
      if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) {
        v.push(`${where}.color is not an integer 0..0xFFFFFF`);
      }
      if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp)))
        v.push(`${where}.timestamp is not ISO 8601`);
      if (e.footer && chars(e.footer.text) > LIMITS.footerText)
        v.push(`${where}.footer.text > ${LIMITS.footerText}`);
      if (e.footer && chars(e.footer.text) === 0) v.push(`${where}.footer.text is empty`);
      if (e.author && chars(e.author.name) > LIMITS.authorName)
        v.push(`${where}.author.name > ${LIMITS.authorName}`);
      const fields = e.fields ?? [];
      if (fields.length > LIMITS.fields) v.push(`${where} has ${fields.length} fields > ${LIMITS.fields}`);
      fields.forEach((f, j) => {
        if (chars(f.name) === 0 || chars(f.name) > LIMITS.fieldName)
          v.push(`${where}.fields[${j}].name length ${chars(f.name)}`);
        if (chars(f.value) === 0 || chars(f.value) > LIMITS.fieldValue) {
          v.push(`${where}.fields[${j}].value length ${chars(f.value)}`);
        }
        if (f.inline !== undefined && typeof f.inline !== 'boolean')
          v.push(`${where}.fields[${j}].inline not boolean`);
      });
      for (const key of ['image', 'thumbnail'] as const) {
        const url = e[key]?.url;
        if (
          url?.startsWith('attachment://') &&
          !files.some((file) => `attachment://${file.filename}` === url)
        ) {
          v.push(`${where}.${key} points at ${url}, which was not uploaded`);
        }
      }
      total +=
        chars(e.title) +
        chars(e.description) +
        chars(e.footer?.text) +
        chars(e.author?.name) +
        fields.reduce((sum, f) => sum + chars(f.name) + chars(f.value), 0);
    });
    if (total > LIMITS.embedTotal) v.push(`embeds total ${total} > ${LIMITS.embedTotal} characters`);
  }
  const mentions = p.allowed_mentions as { parse?: unknown } | undefined;
  if (!mentions || !Array.isArray(mentions.parse) || mentions.parse.length !== 0) {
    v.push('allowed_mentions is not {parse: []}');
  }
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  if (bytes > LIMITS.uploadBytes) v.push(`uploads total ${bytes} bytes > 10 MiB`);
  const attachments = (p.attachments ?? []) as { id: unknown; filename?: string }[];
  files.forEach((file) => {
    const match = /^files\[(\d+)\]$/.exec(file.field);
    if (!match) v.push(`file field "${file.field}" is not files[n]`);
    else if (!attachments.some((a) => String(a.id) === match[1]))
      v.push(`${file.field} has no attachments entry`);
  });
  return v;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startDiscordStandIn(): Promise<DiscordStandIn> {
  const received: ReceivedMessage[] = [];
  const queued: { status: number; body: unknown; headers: Record<string, string> }[] = [];
  const id = '112233445566778899';
  const token = 'standin-token-' + Math.random().toString(36).slice(2, 14);
  let nextMessageId = 1_000_000_000_000_000_000n;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.method !== 'POST' || url.pathname !== `/api/webhooks/${id}/${token}`) {
      send(404, { message: 'Unknown Webhook', code: 10015 });
      return;
    }
    let payload: unknown = {};
    const files: ReceivedFile[] = [];
    const violations: string[] = [];
    try {
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(new Uint8Array(raw), {
          headers: { 'content-type': contentType },
        }).formData();
        for (const [field, value] of form.entries()) {
          if (field === 'payload_json') payload = JSON.parse(String(value));
          else if (typeof value === 'string') violations.push(`unexpected text field "${field}"`);
          else {
            const data = Buffer.from(await value.arrayBuffer());
            files.push({ field, filename: value.name, contentType: value.type, size: data.length, data });
          }
        }
      } else if (contentType.startsWith('application/json')) {
        payload = JSON.parse(raw.toString('utf8'));
      } else {
        violations.push(`unsupported content-type "${contentType}"`);
      }
    } catch (error) {
      violations.push(`body could not be parsed: ${String(error)}`);
    }
    if (url.searchParams.get('wait') !== 'true') violations.push('request is not ?wait=true');
    violations.push(...validatePayload(payload, files));

    const failure = queued.shift();
    const status = failure ? failure.status : violations.length > 0 ? 400 : 200;
    received.push({
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      payload: payload as RESTPostAPIWebhookWithTokenJSONBody,
      files,
      violations,
      status,
      receivedAt: Date.now(),
    });
    if (failure) {
      send(failure.status, failure.body, failure.headers);
      return;
    }
    if (violations.length > 0) {
      send(400, { message: 'Invalid Form Body', code: 50035, errors: violations });
      return;
    }
    const p = payload as RESTPostAPIWebhookWithTokenJSONBody;
    nextMessageId += 1n;
    send(200, {
      id: String(nextMessageId),
      type: 0,
      channel_id: '998877665544332211',
      webhook_id: id,
      content: p.content ?? '',
      embeds: p.embeds ?? [],
      attachments: files.map((f, i) => ({ id: String(i), filename: f.filename, size: f.size })),
      timestamp: new Date().toISOString(),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/webhooks/${id}/${token}`,
    token,
    messages: () => [...received],
    failNext: (status, body = {}, headers = {}) => {
      queued.push({ status, body, headers });
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** One received message as a few readable lines (the demo prints these). */
export function formatReceived(message: ReceivedMessage): string {
  const lines: string[] = [
    `Discord ← ${message.status}${message.violations.length ? ` (${message.violations.join('; ')})` : ''}`,
  ];
  if (message.payload.content) lines.push(`  ${message.payload.content}`);
  for (const embed of message.payload.embeds ?? []) {
    if (embed.title) lines.push(`  ■ ${embed.title}`);
    if (embed.description) lines.push(`    ${embed.description}`);
    for (const field of embed.fields ?? []) lines.push(`    ${field.name}: ${field.value}`);
  }
  for (const file of message.files)
    lines.push(`  📎 ${file.filename} (${file.size} bytes, ${file.contentType})`);
  return lines.join('\n');
}
