import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { main as doctor } from '../../src/cli/doctor.ts';
import { profilePath } from '../../src/venue/profile.ts';
import { courtDateForTests, offsetForRelease, startSandbox, type Sandbox } from '../sandbox/index.ts';

let venue: Sandbox | undefined;
let dir: string | undefined;
afterEach(async () => {
  await venue?.stop();
  venue = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

/** Runs `npm run doctor` in-process against a sandbox whose court date was released an hour ago. */
async function runDoctor(profileText?: string) {
  const date = courtDateForTests();
  venue = await startSandbox({
    clockOffsetMs: offsetForRelease(date, -60 * 60_000),
    preBooked: [{ date, time: '10:00', court: 'Padel Court 2', member: 'member@example.com' }],
  });
  dir = await mkdtemp(join(tmpdir(), 'doctor-'));
  let profile = 'estelle';
  if (profileText) {
    profile = join(dir, 'club.yml');
    await writeFile(profile, profileText);
  }
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(String(line)));
  const code = await doctor(['--profile', profile, '--date', date, '--out', join(dir, 'out'), '--json'], {
    ESTELLE_USERNAME: 'member@example.com',
    ESTELLE_PASSWORD: 'correct-horse-battery',
    ESTELLE_BASE_URL: venue.url,
  });
  const report = JSON.parse(lines.join('\n')) as {
    keys: { key: string; verdict: string; parsed?: string[] }[];
    screenshots: string[];
  };
  return { code, report, verdict: (key: string) => report.keys.find((k) => k.key === key)?.verdict };
}

describe('npm run doctor checks a profile against the live site and never books', () => {
  it('passes the Estelle profile on its skin: every key it can check works, with annotated screenshots', async () => {
    const { code, report, verdict } = await runDoctor();
    const broken = report.keys.filter((k) => k.verdict === 'broken');
    expect(broken).toEqual([]);
    expect(code).toBe(0);
    for (const key of [
      'login.email',
      'navigation.2',
      'slots.time',
      'slots.free',
      'confirm.button',
      'myBookings.date',
    ])
      expect(verdict(key), key).toBe('ok');
    expect(report.keys.find((k) => k.key === 'myBookings.time')?.parsed).toEqual(['10:00']);
    expect(verdict('confirm.success')).toBe('not-checked');
    expect(report.screenshots.length).toBeGreaterThanOrEqual(5);
    for (const file of report.screenshots) expect(existsSync(file)).toBe(true);
    // Never books: the only booking is the one that was there.
    expect(venue!.ledger().filter((e) => e.client === 'member')).toHaveLength(0);
    expect(venue!.requests().filter((r) => /\/book$/.test(r.path) && r.method === 'POST')).toHaveLength(0);
  }, 60_000);

  it('names every broken key of a broken profile, and exits non-zero', async () => {
    const raw = parse(await readFile(profilePath('estelle'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    raw.slots.time.format = 'HH:mm'; // the site shows "15/12/2026 19:00:00"
    raw.slots.court = 'span.court-name'; // no such element
    raw.myBookings.date = { read: { selector: 'td:nth-child(2)' }, format: 'yyyy-MM-dd' }; // it shows "Tue 15 Dec 2026"
    const { code, verdict } = await runDoctor(stringify(raw));
    expect(code).toBe(1);
    expect(verdict('slots.time')).toBe('broken');
    expect(verdict('slots.court')).toBe('broken');
    expect(verdict('myBookings.date')).toBe('broken');
    expect(verdict('slots.free')).toBe('ok');
    expect(verdict('login.email')).toBe('ok');
  }, 60_000);
});

describe('the doctor names a slot click that finds nothing', () => {
  it('slots.click broken when the element to click is not in the slot', async () => {
    const raw = parse(await readFile(profilePath('estelle'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    raw.slots.click = 'a.reserve-link'; // nothing of the kind in the card
    const { code, verdict } = await runDoctor(stringify(raw));
    expect(code).toBe(1);
    expect(verdict('slots.click')).toBe('broken');
  }, 60_000);
});
