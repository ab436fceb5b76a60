import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { BookerError } from '../errors.ts';
import type { BookingRow } from './csv.ts';
import { RelayStateSchema } from './relay-state.ts';

export const DEFAULT_STATUS_PATH = 'bookings/status.json';

export const BOOKING_STATES = [
  'pending',
  'booked',
  /** The member holds another court that day (booked by hand, or the venue's one-court-a-day rule). */
  'held-elsewhere',
  'unavailable',
  'failed',
  'unverified',
  'skipped',
  'dry-run',
] as const;
export const BookingStateSchema = z.enum(BOOKING_STATES);
export type BookingState = z.infer<typeof BookingStateSchema>;

// Field order in these schemas is the order written to the file (see writeStatus).
export const AttemptSchema = z.strictObject({
  runId: z.string().optional(),
  runUrl: z.string().optional(),
  /** How the run was started, as src/relay/trigger.ts recognises it: schedule | relay | external | manual | local | other (older entries: the event name) */
  trigger: z.string().optional(),
  scheduledFor: z.string().optional(),
  startedAt: z.string(),
  firedAt: z.string().optional(),
  latencyMs: z.number().optional(),
  outcome: BookingStateSchema,
  bookedTime: z.string().optional(),
  court: z.string().optional(),
  reference: z.string().optional(),
  error: z.string().optional(),
});
export type Attempt = z.infer<typeof AttemptSchema>;

/**
 * The watch for cancellations on this row (src/watch.ts), kept small on purpose: a count and the last
 * look, never a line per look (a row watched every 30 minutes for two weeks would be 600 lines).
 */
export const WatchSchema = z.strictObject({
  /** How many times the watch has looked at the day's availability for this row. */
  looks: z.number().int().nonnegative(),
  /** When it last looked (ISO). */
  lastLookAt: z.string(),
  /** What it saw then, e.g. "19:00 full, 20:00 full" or "free: Padel Court 2 at 19:00". */
  lastSeen: z.string().optional(),
  /** When watching stopped because the row's cut-off before the court time passed (told once). */
  cutOffAt: z.string().optional(),
});
export type WatchState = z.infer<typeof WatchSchema>;

export const StatusEntrySchema = z.strictObject({
  key: z.string(),
  date: z.string(),
  state: BookingStateSchema,
  bookedTime: z.string().optional(),
  court: z.string().optional(),
  reference: z.string().optional(),
  updatedAt: z.string(),
  watch: WatchSchema.optional(),
  attempts: z.array(AttemptSchema),
});
export type StatusEntry = z.infer<typeof StatusEntrySchema>;

export const StatusFileSchema = z.strictObject({
  version: z.literal(1),
  bookings: z.record(z.string(), StatusEntrySchema),
  /** The relay's chains of runs, night by night (src/bookings/relay-state.ts). */
  relay: RelayStateSchema.optional(),
});
export type StatusFile = z.infer<typeof StatusFileSchema>;

/** The status file cannot be read or is not what the bot writes. Never answered by resetting it. */
export class StatusFileError extends BookerError {
  /** The line of a JSON syntax error, when known. */
  readonly line?: number;

  constructor(
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly detail: string,
    options?: { cause?: unknown; line?: number },
  ) {
    super(
      `${file}${options?.line ? `:${options.line}` : ''}: ${detail}`,
      `This file is written by the bot, not by hand. Restore the last good version from git history ` +
        `(git log -p -- ${file}, then git checkout <commit> -- ${file}) and commit it.`,
      options,
    );
    this.line = options?.line;
  }
}

export function emptyStatus(): StatusFile {
  return { version: 1, bookings: {} };
}

/** Reads the status file: missing => empty; unreadable, not JSON or not the bot's shape => StatusFileError. */
export async function readStatus(path: string = DEFAULT_STATUS_PATH): Promise<StatusFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyStatus();
    throw new StatusFileError(path, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  return parseStatus(text, path);
}

/** Parses status file text; throws StatusFileError naming the line and column of a JSON syntax error. */
export function parseStatus(text: string, path: string = DEFAULT_STATUS_PATH): StatusFile {
  // Editors on Windows save a byte-order mark; it is not part of the JSON.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const where = jsonErrorPosition(text, message);
    throw new StatusFileError(
      path,
      `is not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ''} (${message})`,
      { cause: error, ...(where ? { line: where.line } : {}) },
    );
  }
  // JSON.parse keeps the last of two equal keys without a word: an entry (or a field) would vanish.
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    throw new StatusFileError(
      path,
      `has the key "${duplicate.key}" twice in the same object (first on line ${duplicate.firstLine}): JSON keeps only the last, so the other would be lost`,
      { line: duplicate.line },
    );
  }
  const result = StatusFileSchema.safeParse(data);
  if (!result.success) {
    const details = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`)
      .join('; ');
    throw new StatusFileError(path, `is not a status file the bot wrote (${details})`);
  }
  for (const [key, entry] of Object.entries(result.data.bookings)) {
    if (entry.key !== key) {
      throw new StatusFileError(path, `entry "${key}" has key "${entry.key}" (they must match)`);
    }
  }
  return result.data;
}

/**
 * The first key that appears twice in one object of valid JSON `text`, with the lines of both. A scan of
 * the text (JSON.parse cannot tell): strings are read whole, so braces and quotes inside them are text.
 */
export function findDuplicateKey(text: string): { key: string; line: number; firstLine: number } | undefined {
  type Frame = { keys: Map<string, number> | undefined; expectKey: boolean };
  const stack: Frame[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line += 1;
    else if (c === '{') stack.push({ keys: new Map(), expectKey: true });
    else if (c === '[') stack.push({ keys: undefined, expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    } else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const first = top.keys.get(key);
        if (first !== undefined) return { key, line, firstLine: first };
        top.keys.set(key, line);
        top.expectKey = false;
      }
      i = end; // a JSON string holds no raw line break
    }
  }
  return undefined;
}

function jsonErrorPosition(text: string, message: string): { line: number; column: number } | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(message);
  let offset: number;
  if (position) offset = Number(position[1]);
  else if (/Unexpected end of JSON input/.test(message)) offset = text.length;
  else return undefined;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The exact text writeStatus writes: entries sorted by key, fields in schema order, 2-space indent, final newline. */
export function formatStatus(status: StatusFile): string {
  const validated = StatusFileSchema.parse(status);
  const bookings = Object.fromEntries(
    Object.keys(validated.bookings)
      .sort()
      .map((key) => [key, ordered(validated.bookings[key] as StatusEntry)]),
  );
  const relay = validated.relay ? { relay: validated.relay } : {};
  return `${JSON.stringify({ version: validated.version, bookings, ...relay }, null, 2)}\n`;
}

function ordered(entry: StatusEntry): StatusEntry {
  return pick(
    {
      ...entry,
      ...(entry.watch ? { watch: pick(entry.watch, Object.keys(WatchSchema.shape)) } : {}),
      attempts: entry.attempts.map((a) => pick(a, Object.keys(AttemptSchema.shape))),
    },
    Object.keys(StatusEntrySchema.shape),
  ) as StatusEntry;
}

function pick<T extends object>(source: T, keys: string[]): T {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (source as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/** Temporary files this process is writing now (never removed as orphans). */
const writing = new Set<string>();

/** `.status.json.<pid>.<random>.tmp`: the temporary file of one atomic write, named by its writer's pid. */
function tempName(path: string, pid: number): string {
  return `.${basename(path)}.${pid}.${randomBytes(4).toString('hex')}.tmp`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but is another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that killed writes left beside the status file (a write killed between
 * creating its temporary file and renaming it). A temporary file is another writer's while that
 * writer's process lives: only those whose pid is gone (or is this process, not writing it now) are
 * removed. Returns the files removed.
 */
export async function removeOrphanedTemps(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
    if (!match) continue;
    const pid = Number(match[1]);
    const file = join(dir, name);
    const orphan = pid === process.pid ? !writing.has(file) : !processAlive(pid);
    if (!orphan) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

/**
 * Writes the status file atomically: a temporary file in the same directory, flushed to disk, then renamed
 * over the old one, so a crash leaves either the old or the new file, never half of one. Temporary files
 * left by earlier killed writes are removed first (removeOrphanedTemps).
 */
export async function writeStatus(path: string, status: StatusFile): Promise<void> {
  const text = formatStatus(status);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  await removeOrphanedTemps(path);
  const temp = join(dir, tempName(path, process.pid));
  writing.add(temp);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    writing.delete(temp);
  }
}

/**
 * Returns a new status with the attempt recorded on the row's entry (pure: the input is not changed).
 * The entry takes the attempt's outcome as its state, except that a booked entry stays booked: a later
 * run that finds nothing to do must not hide a court the member has.
 */
export function recordAttempt(
  status: StatusFile,
  row: Pick<BookingRow, 'key' | 'date'>,
  attempt: Attempt,
): StatusFile {
  const previous = status.bookings[row.key];
  const keepBooked = previous?.state === 'booked' && attempt.outcome !== 'booked';
  // A booked entry keeps its details; otherwise the entry shows what this attempt found (no stale court).
  const details = keepBooked ? previous : attempt;
  const entry: StatusEntry = {
    key: row.key,
    date: row.date,
    state: keepBooked ? 'booked' : attempt.outcome,
    bookedTime: details.bookedTime,
    court: details.court,
    reference: details.reference,
    updatedAt: attempt.firedAt ?? attempt.startedAt,
    // The watch's count of looks survives every attempt (the nightly run's, the watch's booking).
    ...(previous?.watch ? { watch: previous.watch } : {}),
    attempts: [...(previous?.attempts ?? []), { ...attempt }],
  };
  return {
    ...status,
    version: 1,
    bookings: { ...status.bookings, [row.key]: pick(entry, Object.keys(StatusEntrySchema.shape)) },
  };
}

/**
 * Returns a new status with one look of the watch counted on the row's entry (pure): the count goes up
 * and the last look is replaced, with no attempt line (a look books nothing). A row the bot has never
 * tried (a Watch row added after its release) gets a `pending` entry.
 */
export function recordLook(
  status: StatusFile,
  row: Pick<BookingRow, 'key' | 'date'>,
  look: { at: string; seen?: string },
): StatusFile {
  const previous = status.bookings[row.key];
  const entry: StatusEntry = {
    ...(previous ?? { key: row.key, date: row.date, state: 'pending', updatedAt: look.at, attempts: [] }),
    watch: {
      looks: (previous?.watch?.looks ?? 0) + 1,
      lastLookAt: look.at,
      ...(look.seen ? { lastSeen: look.seen } : {}),
    },
  };
  return { ...status, version: 1, bookings: { ...status.bookings, [row.key]: ordered(entry) } };
}

/** Returns a new status saying watching the row stopped at its cut-off, at `at` (pure; the looks are kept). */
export function recordCutOff(
  status: StatusFile,
  row: Pick<BookingRow, 'key' | 'date'>,
  at: string,
): StatusFile {
  const previous = status.bookings[row.key];
  if (!previous?.watch) return status;
  const entry: StatusEntry = { ...previous, watch: { ...previous.watch, cutOffAt: at } };
  return { ...status, version: 1, bookings: { ...status.bookings, [row.key]: ordered(entry) } };
}
