import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';
import { main as doctor } from '../../src/cli/doctor.ts';
import { main as importRecording } from '../../src/cli/profile-from-recording.ts';
import { profilePath } from '../../src/venue/profile.ts';
import { memberBookings, scene, SKINS, type Scene, type SkinName } from '../e2e/harness.ts';
import {
  courtDateForTests,
  DEMO_PASSWORD,
  offsetForRelease,
  startSandbox,
  type Sandbox,
} from '../sandbox/index.ts';
import { FIXTURES_DIR } from './fixtures.ts';

/**
 * The recorder import end to end, on both sandbox skins: a recording made with Chrome's own Recorder client
 * (fixtures/, see record-fixtures.ts) → `npm run profile:from-recording` → a draft whose TODO keys
 * `npm run doctor` names exactly → the TODOs filled, and nothing else → the doctor passes against the
 * sandbox → the engine books a court with it at the release.
 *
 * The TODOs are filled with the values the skin's hand-written profile has at the same keys (the Estelle
 * profile, test/sandbox/profiles/clubhouse.yml): "the right values for that skin", written once.
 */

const MEMBER = 'member@example.com';
/** The keys each draft must leave TODO: what a recording cannot show. */
const EXPECTED_TODOS: Record<SkinName, string[]> = {
  estelle: [
    'paths.myBookings',
    'login.error',
    'login.loggedIn',
    'maintenance',
    'dayView.notOpen',
    'slots.time',
    'slots.court',
    'slots.free',
    'confirm.dialog',
    'confirm.button',
    'confirm.success',
    'confirm.reference',
    'refusals',
    'myBookings.row',
    'myBookings.date',
    'myBookings.time',
    'myBookings.court',
    'myBookings.reference',
  ],
  clubhouse: [
    'paths.myBookings',
    'login.error',
    'login.loggedIn',
    'maintenance',
    'dayView.notOpen',
    'slots.time',
    'slots.court',
    'slots.free',
    'confirm.button',
    'confirm.success',
    'confirm.reference',
    'refusals',
    'myBookings.row',
    'myBookings.date',
    'myBookings.time',
    'myBookings.court',
    'myBookings.reference',
  ],
};

let dir: string | undefined;
let venue: Sandbox | undefined;
let booking: Scene | undefined;
afterEach(async () => {
  await venue?.stop();
  await booking?.stop();
  venue = booking = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
  vi.restoreAllMocks();
});

/** Runs a CLI's main in-process, capturing what it prints. */
async function captured(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
  try {
    return { code: await run(), out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

type DoctorJson = {
  draft?: boolean;
  todos?: { key: string; line: number; hint: string }[];
  keys: { key: string; verdict: string; note?: string }[];
};

async function runDoctor(profile: string, url: string): Promise<{ code: number; report: DoctorJson }> {
  const { code, out } = await captured(() =>
    doctor(['--profile', profile, '--date', courtDateForTests(), '--out', join(dir!, 'doctor'), '--json'], {
      ESTELLE_USERNAME: MEMBER,
      ESTELLE_PASSWORD: DEMO_PASSWORD,
      ESTELLE_BASE_URL: url,
    }),
  );
  return { code, report: JSON.parse(out) as DoctorJson };
}

/** Every leaf of a YAML document with its dotted key. */
function leaves(node: Node | null | undefined, keys: string[] = [], out = new Map<string, unknown>()) {
  if (isScalar(node)) out.set(keys.join('.'), node.value);
  else if (isMap(node))
    for (const pair of node.items)
      leaves(pair.value as Node, [...keys, String((pair.key as { value: unknown }).value)], out);
  else if (isSeq(node)) node.items.forEach((item, i) => leaves(item as Node, [...keys, String(i)], out));
  return out;
}

const isTodo = (value: unknown) => typeof value === 'string' && value.startsWith('TODO:');

describe.each(Object.keys(SKINS) as SkinName[])('a Recorder recording of the %s skin', (skin) => {
  it('imports to a draft whose TODOs the doctor names exactly; filled (and nothing else), it passes the doctor and books at the release', async () => {
    dir = await mkdtemp(join(tmpdir(), 'recorder-import-'));
    const recording = join(FIXTURES_DIR, `${skin}.json`);
    const draftFile = join(dir, `${skin}-draft.yml`);

    // 1. Import.
    const imported = await captured(() => importRecording([recording, '--out', draftFile]));
    expect(imported.code).toBe(0);
    const draftText = await readFile(draftFile, 'utf8');
    // What was typed at sign-in is in the recording, and nowhere in the draft or what the import printed.
    expect(await readFile(recording, 'utf8')).toContain(DEMO_PASSWORD);
    for (const secret of [DEMO_PASSWORD, MEMBER]) {
      expect(draftText).not.toContain(secret);
      expect(imported.out).not.toContain(secret);
    }
    expect(draftText).toContain('typed ESTELLE_PASSWORD');
    expect(draftText).toContain('typed ESTELLE_USERNAME');

    // 2. The doctor on the draft: exactly its TODO keys, exit 1, and no request to the site.
    const date = courtDateForTests();
    venue = await startSandbox({ skin, clockOffsetMs: offsetForRelease(date, -3_600_000) });
    const draftDoctor = await runDoctor(draftFile, venue.url);
    expect(draftDoctor.code).toBe(1);
    expect(draftDoctor.report.draft).toBe(true);
    expect(draftDoctor.report.todos!.map((t) => t.key)).toEqual(EXPECTED_TODOS[skin]);
    for (const t of draftDoctor.report.todos!) expect(t.hint.length, t.key).toBeGreaterThan(10);
    expect(venue.requests()).toEqual([]);

    // 3. Fill the TODOs (only they) with the skin's values, from its hand-written profile.
    const known = parse(await readFile(profilePath(SKINS[skin].profile), 'utf8')) as Record<string, unknown>;
    const doc = parseDocument(draftText);
    const before = leaves(doc.contents as Node);
    for (const key of EXPECTED_TODOS[skin]) {
      const path = key.split('.');
      const value = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], known);
      expect(value, `the ${skin} profile has ${key}`).toBeDefined();
      doc.setIn(path, doc.createNode(value));
    }
    const after = leaves(doc.contents as Node);
    for (const [key, value] of before) {
      if (isTodo(value)) continue;
      expect(after.get(key), `${key} is not touched`).toEqual(value);
    }
    expect([...after.values()].some(isTodo)).toBe(false);
    const filled = join(dir, `${skin}.yml`);
    await writeFile(filled, doc.toString());

    // 4. The doctor on the filled profile: every key it can check works.
    const checked = await runDoctor(filled, venue.url);
    const broken = checked.report.keys.filter((k) => k.verdict === 'broken');
    expect(broken).toEqual([]);
    expect(checked.code).toBe(0);
    for (const key of ['navigation.2', 'slots.item', 'slots.time', 'slots.free', 'confirm.terms'])
      expect(checked.report.keys.find((k) => k.key === key)?.verdict, key).toBe('ok');
    expect(memberBookings(venue)).toEqual([]); // the doctor never books
    await venue.stop();
    venue = undefined;

    // 5. The engine books with it, at the release.
    booking = await scene({ skin, config: { venue: { profile: filled } } });
    const result = await booking.run();
    expect(result.outcome, JSON.stringify(result)).toBe('booked');
    const booked = memberBookings(booking.venue);
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ date: booking.date, time: '19:00' });
    expect(booked[0]!.acceptedAtServerMs).toBeGreaterThanOrEqual(booking.releaseServerMs);
  }, 180_000);
});
