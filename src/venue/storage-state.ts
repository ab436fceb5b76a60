import { z } from 'zod';

/**
 * The shape of a saved session: Playwright's storageState, as `context.storageState()` writes it and
 * `browser.newContext({ storageState })` reads it (playwright-core's types: cookies with name, value,
 * domain, path, expires, httpOnly, secure, sameSite; origins with their localStorage). Checked in ONE
 * place, by the session cache before it restores a file and by the engine before it loads one, so a
 * file that is JSON but not a session (`42`, `null`, `{"cookies":"x"}`) is discarded, never loaded
 * and never cached again. Fields a newer Playwright adds (partitionKey, indexedDB) are kept.
 */
const cookie = z.looseObject({
  name: z.string(),
  value: z.string(),
  domain: z.string(),
  path: z.string(),
  expires: z.number(),
  httpOnly: z.boolean(),
  secure: z.boolean(),
  sameSite: z.enum(['Strict', 'Lax', 'None']),
});

const origin = z.looseObject({
  origin: z.string(),
  localStorage: z.array(z.object({ name: z.string(), value: z.string() })),
});

export const storageStateSchema = z.looseObject({
  cookies: z.array(cookie),
  origins: z.array(origin),
});

export type StorageState = z.infer<typeof storageStateSchema>;

export type StorageStateCheck = { ok: true; state: StorageState } | { ok: false; reason: string };

/** Parses the text of a saved session; says why it is not one (never the values: they are secrets). */
export function parseStorageState(text: string): StorageStateCheck {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'it is not JSON' };
  }
  const parsed = storageStateSchema.safeParse(value);
  if (parsed.success) return { ok: true, state: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the top level';
  return {
    ok: false,
    reason: `it is JSON but not a Playwright storage state (${where}: ${issue?.message ?? 'unexpected shape'})`,
  };
}
