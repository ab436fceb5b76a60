import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { main as doctor } from '../../src/cli/doctor.ts';
import { profilePath } from '../../src/venue/profile.ts';
import {
  courtDateForTests,
  offsetForRelease,
  startSandbox,
  type Sandbox,
  type ScenarioPatch,
} from '../sandbox/index.ts';

let venue: Sandbox | undefined;
let dir: string | undefined;
afterEach(async () => {
  await venue?.stop();
  venue = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

/** Runs `npm run doctor` in-process against a sandbox whose court date was released an hour ago. */
async function runDoctor(profileText?: string, scenario: ScenarioPatch = {}) {
  const date = courtDateForTests();
  venue = await startSandbox({
    clockOffsetMs: offsetForRelease(date, -60 * 60_000),
    preBooked: [{ date, time: '10:00', court: 'Padel Court 2', member: 'member@example.com' }],
    ...scenario,
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
    keys: { key: string; verdict: string; parsed?: string[]; note?: string }[];
    screenshots: string[];
  };
  const entry = (key: string) => report.keys.find((k) => k.key === key);
  return {
    code,
    report,
    verdict: (key: string) => entry(key)?.verdict,
    note: (key: string) => entry(key)?.note,
  };
}

describe('npm run doctor checks a profile against the live site and never books', () => {
  it('passes the Estelle profile on its skin: every key it can check works, with annotated screenshots', async () => {
    // With the cookie banner (sign-in page) and the marketing pop-up (after sign-in) both shown.
    const { code, report, verdict, note } = await runDoctor(undefined, {
      overlays: { cookieBanner: true, marketing: true, marketingDelayMs: 0 },
    });
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
    // The keys a run needs beyond the click path: the clock probe, the overlays, the dialog's close.
    expect(verdict('paths.clockProbe')).toBe('ok');
    expect(note('paths.clockProbe')).toMatch(/venue's clock -?\d+ ms \(±\d+\) from this machine's/);
    expect([verdict('overlays.0'), verdict('overlays.1')]).toEqual(['ok', 'ok']);
    expect(verdict('confirm.close')).toBe('ok');
    expect(verdict('dayView.apply.overlapping')).toBe('ok');
    expect(note('dayView.apply.overlapping')).toMatch(/both answered and the slots shown/);
    expect([verdict('login.error'), verdict('login.locked')]).toEqual(['not-checked', 'not-checked']);
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

describe('the doctor names what a run needs besides the click path', () => {
  it('a clock probe the venue clock cannot be read from, and an overlay its click does not close', async () => {
    const raw = parse(await readFile(profilePath('estelle'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    raw.overlays = ['#cookie-banner', '.triptease-close']; // the banner itself, not its Accept button
    const { code, verdict, note } = await runDoctor(stringify(raw), {
      overlays: { cookieBanner: true, marketing: false, marketingDelayMs: 0 },
      faults: { noDateHeader: true },
    });
    expect(code).toBe(1);
    expect(verdict('paths.clockProbe')).toBe('broken');
    expect(note('paths.clockProbe')).toMatch(/without a Date header.*fires late/);
    expect(verdict('overlays.0')).toBe('broken');
    expect(note('overlays.0')).toMatch(/still there after it was clicked/);
    expect(verdict('overlays.1')).toBe('not-checked'); // no pop-up shown in this scenario
    expect(verdict('login.loggedIn')).toBe('ok'); // the rest still checked
  }, 120_000); // the banner left open costs every click of the sign-in and the click path its 6 s of retries
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

describe('the doctor checks that Show Availability presses overlap before a volley relies on it', () => {
  it('dayView.apply.overlapping broken on a site that ignores a press while the last is loading; right when off', async () => {
    const declared = await runDoctor(undefined, { faults: { busyApply: true } });
    expect(declared.code).toBe(1);
    expect(declared.verdict('dayView.apply.overlapping')).toBe('broken');
    expect(declared.note('dayView.apply.overlapping')).toMatch(
      /answered one of two presses in a row .*set overlapping: false/,
    );
    await venue?.stop();
    await rm(dir!, { recursive: true, force: true });
    const raw = parse(await readFile(profilePath('estelle'), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    raw.dayView.apply.overlapping = false;
    const off = await runDoctor(stringify(raw), { faults: { busyApply: true } });
    expect(off.verdict('dayView.apply.overlapping')).toBe('ok');
    expect(off.note('dayView.apply.overlapping')).toMatch(/overlapping: false is right/);
    expect(off.code).toBe(0);
  }, 120_000);
});
