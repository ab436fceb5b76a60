import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emptyStatus,
  formatStatus,
  parseStatus,
  readStatus,
  recordAttempt,
  recordCutOff,
  recordLook,
  StatusFileError,
  writeStatus,
  type StatusFile,
} from '../../src/bookings/status.ts';

const row = { key: '2026-12-15 19:00', date: '2026-12-15' };
const other = { key: '2026-12-01 08:00', date: '2026-12-01' };

describe('status file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is empty when missing', async () => {
    expect(await readStatus(join(dir, 'missing.json'))).toEqual({ version: 1, bookings: {} });
  });

  it('the committed bookings/status.json is the empty file exactly as writeStatus writes it', async () => {
    expect(await readFile('bookings/status.json', 'utf8')).toBe(formatStatus(emptyStatus()));
    expect(formatStatus(emptyStatus())).toBe('{\n  "version": 1,\n  "bookings": {}\n}\n');
  });

  it('records attempts purely and round-trips through the file with a stable order', async () => {
    const start = emptyStatus();
    const failed = recordAttempt(start, row, {
      startedAt: '2026-12-01T23:40:00Z',
      outcome: 'unavailable',
      error: 'all courts taken',
      runId: '42',
    });
    expect(start).toEqual(emptyStatus());
    const booked = recordAttempt(
      recordAttempt(failed, row, {
        runId: '43',
        runUrl: 'https://github.com/o/r/actions/runs/43',
        trigger: 'schedule',
        startedAt: '2026-12-01T23:45:00Z',
        firedAt: '2026-12-02T00:00:00.120Z',
        latencyMs: 120,
        outcome: 'booked',
        bookedTime: '19:00',
        court: 'Court 2',
        reference: 'EM-1234',
      }),
      other,
      { startedAt: '2026-11-17T00:00:00Z', outcome: 'dry-run' },
    );

    expect(booked.bookings[row.key]).toMatchObject({
      state: 'booked',
      bookedTime: '19:00',
      court: 'Court 2',
      reference: 'EM-1234',
      updatedAt: '2026-12-02T00:00:00.120Z',
    });
    expect(booked.bookings[row.key]?.attempts.map((a) => a.outcome)).toEqual(['unavailable', 'booked']);

    const file = join(dir, 'status.json');
    await writeStatus(file, booked);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    // Entries sorted by key, fields in a fixed order whatever the insertion order.
    expect(Object.keys(JSON.parse(text).bookings)).toEqual([other.key, row.key]);
    expect(Object.keys(JSON.parse(text).bookings[row.key])).toEqual([
      'key',
      'date',
      'state',
      'bookedTime',
      'court',
      'reference',
      'updatedAt',
      'attempts',
    ]);
    expect(text).toContain(
      '\n      "attempts": [\n        {\n          "runId": "42",\n          "startedAt"',
    );
    expect(await readStatus(file)).toEqual(booked);
    // Writing what was read changes nothing: diffs show only real changes.
    await writeStatus(file, await readStatus(file));
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  it('keeps a booked entry booked when a later run finds nothing to do', () => {
    const booked = recordAttempt(emptyStatus(), row, {
      startedAt: '2026-12-01T23:45:00Z',
      outcome: 'booked',
      bookedTime: '19:00',
      court: 'Court 2',
    });
    const later = recordAttempt(booked, row, { startedAt: '2026-12-02T00:10:00Z', outcome: 'unavailable' });
    expect(later.bookings[row.key]).toMatchObject({ state: 'booked', court: 'Court 2' });
    expect(later.bookings[row.key]?.attempts).toHaveLength(2);
  });

  it("counts the watch's looks on the entry, without an attempt line, and keeps the count through attempts", async () => {
    const lost = recordAttempt(emptyStatus(), row, {
      startedAt: '2026-12-01T23:50:00Z',
      outcome: 'unavailable',
    });
    const once = recordLook(lost, row, { at: '2026-12-02T10:07:00Z', seen: '19:00 full, 20:00 full' });
    const twice = recordLook(once, row, { at: '2026-12-02T10:37:00Z', seen: '19:00 full, 20:00 full' });
    expect(once).not.toBe(lost);
    expect(lost.bookings[row.key]?.watch).toBeUndefined();
    expect(twice.bookings[row.key]).toEqual({
      ...lost.bookings[row.key],
      watch: { looks: 2, lastLookAt: '2026-12-02T10:37:00Z', lastSeen: '19:00 full, 20:00 full' },
    });
    // The watch's booking is an attempt; the count stays.
    const booked = recordAttempt(twice, row, {
      trigger: 'watch',
      startedAt: '2026-12-02T11:07:00Z',
      outcome: 'booked',
      bookedTime: '19:00',
      court: 'Court 2',
    });
    expect(booked.bookings[row.key]).toMatchObject({ state: 'booked', watch: { looks: 2 } });
    expect(booked.bookings[row.key]?.attempts.map((a) => a.outcome)).toEqual(['unavailable', 'booked']);
    // A Watch row added after its release has no entry yet: its first look makes a pending one.
    const fresh = recordLook(emptyStatus(), other, { at: '2026-12-02T10:07:00Z' });
    expect(fresh.bookings[other.key]).toEqual({
      key: other.key,
      date: other.date,
      state: 'pending',
      updatedAt: '2026-12-02T10:07:00Z',
      watch: { looks: 1, lastLookAt: '2026-12-02T10:07:00Z' },
      attempts: [],
    });
    // The cut-off is recorded once on an entry that was watched; an entry never looked at is left alone.
    const stopped = recordCutOff(twice, row, '2026-12-15T17:05:00Z');
    expect(stopped.bookings[row.key]?.watch).toEqual({
      ...twice.bookings[row.key]!.watch,
      cutOffAt: '2026-12-15T17:05:00Z',
    });
    expect(recordCutOff(lost, row, '2026-12-15T17:05:00Z')).toBe(lost);
    // In the file: the watch sits before the attempts, and a round trip changes nothing.
    const file = join(dir, 'watched.json');
    await writeStatus(file, stopped);
    const text = await readFile(file, 'utf8');
    expect(text.indexOf('"watch"')).toBeLessThan(text.indexOf('"attempts"'));
    expect(formatStatus(await readStatus(file))).toBe(text);
    expect(text).toContain('"looks": 2');
  });

  it('refuses a watch of the wrong shape, naming the field', () => {
    const text = JSON.stringify({
      version: 1,
      bookings: {
        [row.key]: {
          ...row,
          state: 'unavailable',
          updatedAt: 'x',
          attempts: [],
          watch: { looks: -1, lastLookAt: 'x' },
        },
      },
    });
    expect(() => parseStatus(text, 's.json')).toThrow(/bookings\.2026-12-15 19:00\.watch\.looks/);
  });

  it('writes atomically: no temporary file is left and the directory is created', async () => {
    const file = join(dir, 'nested', 'deeper', 'status.json');
    await writeStatus(file, emptyStatus());
    expect(await readdir(join(dir, 'nested', 'deeper'))).toEqual(['status.json']);
  });

  it('leaves the old file whole when a write fails, and removes its temporary file', async () => {
    const file = join(dir, 'keep.json');
    await writeStatus(file, emptyStatus());
    const invalid = { version: 2, bookings: {} } as unknown as StatusFile;
    await expect(writeStatus(file, invalid)).rejects.toThrow();
    expect(await readFile(file, 'utf8')).toBe(formatStatus(emptyStatus()));
    // The rename target is a directory: the temp file is written, the rename fails, the temp is removed.
    const target = join(dir, 'is-a-dir');
    await writeStatus(join(target, 'x.json'), emptyStatus());
    await expect(writeStatus(target, emptyStatus())).rejects.toThrow();
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a corrupt file with its line and how to restore it, and never resets it', async () => {
    const file = join(dir, 'corrupt.json');
    const broken = '{\n  "version": 1,\n  "bookings": {\n    "x": 1,,\n  }\n}\n';
    await writeFile(file, broken);
    const error = await readStatus(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusFileError);
    expect((error as StatusFileError).message).toMatch(
      new RegExp(`^${file}:4: is not valid JSON at line 4, column \\d+`),
    );
    expect((error as StatusFileError).describe()).toContain(`git log -p -- ${file}`);
    expect(await readFile(file, 'utf8')).toBe(broken);
  });

  it('refuses a file of the wrong shape, an empty file and a mismatched key', async () => {
    const file = join(dir, 'shape.json');
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        bookings: { a: { key: 'a', date: 'd', state: 'bookd', updatedAt: 'u', attempts: [] } },
      }),
    );
    await expect(readStatus(file)).rejects.toThrow(
      /is not a status file the bot wrote \(bookings\.a\.state: /,
    );
    await writeFile(file, '');
    await expect(readStatus(file)).rejects.toThrow(StatusFileError);
    await writeFile(
      file,
      JSON.stringify({
        version: 1,
        bookings: { a: { key: 'b', date: 'd', state: 'booked', updatedAt: 'u', attempts: [] } },
      }),
    );
    await expect(readStatus(file)).rejects.toThrow(/entry "a" has key "b"/);
  });

  it('accepts a byte-order mark (as Windows editors save it)', async () => {
    const file = join(dir, 'bom.json');
    const status = recordAttempt(emptyStatus(), row, {
      startedAt: '2026-12-01T23:50:00.000Z',
      outcome: 'booked',
    });
    await writeFile(file, `\uFEFF${formatStatus(status)}`);
    expect(await readStatus(file)).toEqual(status);
  });

  it('refuses a key written twice in one object, with both lines, wherever it is', async () => {
    const file = join(dir, 'duplicate.json');
    const entry = (state: string) =>
      `{ "key": "2026-12-15 19:00", "date": "2026-12-15", "state": "${state}", "updatedAt": "u", "attempts": [] }`;
    // The booked entry would silently give way to the failed one.
    const twice = `{\n  "version": 1,\n  "bookings": {\n    "2026-12-15 19:00": ${entry('booked')},\n    "2026-12-15 19:00": ${entry('failed')}\n  }\n}\n`;
    await writeFile(file, twice);
    const error = await readStatus(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusFileError);
    expect((error as StatusFileError).message).toBe(
      `${file}:5: has the key "2026-12-15 19:00" twice in the same object (first on line 4): JSON keeps only the last, so the other would be lost`,
    );
    expect((error as StatusFileError).line).toBe(5);
    // In a nested object, and spelt with an escape: the same key to JSON.
    await writeFile(
      file,
      `{"version": 1, "bookings": {"k": {"key": "k",\n "st\\u0061te": "booked", "state": "failed", "date": "d", "updatedAt": "u", "attempts": []}}}`,
    );
    await expect(readStatus(file)).rejects.toThrow(
      /:2: has the key "state" twice in the same object \(first on line 2\)/,
    );
    // Equal keys in different objects, and braces and quotes inside strings, are fine.
    const fine = recordAttempt(
      recordAttempt(emptyStatus(), row, {
        startedAt: 's',
        outcome: 'failed',
        error: 'a "quoted" {brace} \\ "key": 1',
      }),
      other,
      { startedAt: 's', outcome: 'failed' },
    );
    await writeFile(file, formatStatus(fine));
    expect(await readStatus(file)).toEqual(fine);
  });
});
