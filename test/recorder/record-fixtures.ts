/**
 * Makes the recorder-import fixtures: a member signing in on each sandbox skin and going as far as the
 * confirm step for one court (stopping before confirming), recorded by Chrome DevTools' own recording
 * client (./devtools-recorder.ts) while Playwright drives the page with real mouse clicks and key presses.
 *
 *   npx tsx test/recorder/record-fixtures.ts [--skin estelle|clubhouse]
 *
 * Writes test/recorder/fixtures/<skin>.json, exactly as DevTools' Recorder → Export → JSON would. The court
 * date is the one released today (today + 14 days); 19:00 on the first court. The sandbox's demo member and
 * password are in the recordings on purpose: the import must never let a typed password through.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright';
import { launchBrowser } from '../../src/browser/launch.ts';
import { courtDateForTests, offsetForRelease, startSandbox, type Sandbox } from '../sandbox/index.ts';
import { ddmmyyyy, monthButtonText } from '../sandbox/helpers.ts';
import { monthTabText } from '../sandbox/clubhouse/helpers.ts';
import { DevToolsRecording } from './devtools-recorder.ts';
import { FIXTURES_DIR } from './fixtures.ts';

type Skin = 'estelle' | 'clubhouse';

const TITLES: Record<Skin, string> = {
  estelle: 'Book a padel court at Estelle Manor',
  clubhouse: 'Reserve a padel court at Cherwell',
};

/**
 * The member's own actions, one at a time; `settle` after each lets a page it loaded finish. A click the
 * Recorder drops (it ignores one whose offset inside the element it hit is negative, which happens on an
 * element's edge at fractional positions) fails the run instead of leaving a gap in the fixture.
 */
function actions(rec: DevToolsRecording) {
  return async (action: () => Promise<unknown>, { click = true } = {}) => {
    const before = rec.stepCount();
    await action();
    await rec.settle();
    if (click && rec.stepCount() === before) throw new Error('the Recorder did not record this click');
  };
}

async function estelleMember(page: Page, rec: DevToolsRecording, venue: Sandbox, date: string) {
  const member = venue.members[0]!;
  const act = actions(rec);
  await act(() => page.getByLabel('Email address').click());
  await act(() => page.keyboard.type(member.email, { delay: 5 }), { click: false });
  await act(() => page.getByLabel('Password').click());
  await act(() => page.keyboard.type(member.password, { delay: 5 }), { click: false });
  await act(() => page.getByRole('button', { name: 'Sign in' }).click());
  await act(() => page.getByRole('link', { name: 'Book now' }).click());
  await act(() => page.getByText('Padel Courts', { exact: true }).click());
  await act(() => page.getByRole('link', { name: monthButtonText(date), exact: true }).click());
  // Types the day into the date field (select what is there, then type over it).
  await act(() => page.locator('#from_date').click());
  await act(() => page.keyboard.press('ControlOrMeta+A'), { click: false });
  await act(() => page.keyboard.type(ddmmyyyy(date), { delay: 5 }), { click: false });
  await act(() => page.getByRole('link', { name: 'Show Availability' }).click());
  const card = page
    .locator('#slots [data-slot-id]', { hasText: 'Padel Court 1' })
    .filter({ hasText: '7:00 PM' });
  await card.waitFor();
  await act(() => card.click());
  await page.locator('#confirm-dialog').waitFor();
  await act(() => page.getByLabel('I accept the booking terms').click());
}

async function clubhouseMember(page: Page, rec: DevToolsRecording, venue: Sandbox, date: string) {
  const member = venue.members[0]!;
  const act = actions(rec);
  await act(() => page.getByLabel('Email').click());
  await act(() => page.keyboard.type(member.email, { delay: 5 }), { click: false });
  await act(() => page.getByLabel('Password').click());
  await act(() => page.keyboard.type(member.password, { delay: 5 }), { click: false });
  await act(() => page.getByRole('button', { name: 'Log in' }).click());
  await act(() => page.getByRole('link', { name: 'Book a court' }).click());
  await act(() => page.getByRole('link', { name: /Padel/ }).click());
  await act(() => page.getByRole('link', { name: monthTabText(date), exact: true }).click());
  // A native date field: type into its segments in the order this Chromium shows them (mm/dd/yyyy).
  await act(() => page.locator('#session-date').click({ position: { x: 8, y: 10 } }));
  const [y, m, d] = date.split('-');
  await act(() => page.keyboard.type(`${m}${d}${y}`, { delay: 5 }), { click: false });
  await act(() => page.getByRole('button', { name: 'Find sessions' }).click());
  const card = page
    .locator('li.session-card')
    .filter({ has: page.locator(`time[datetime="${date}T19:00"]`) })
    .filter({ hasText: 'Court A' });
  await act(() => card.getByRole('link', { name: 'Reserve' }).click());
  await act(() => page.getByLabel('I agree to the club rules').click());
}

export async function recordFixture(skin: Skin): Promise<string> {
  const date = courtDateForTests();
  const venue = await startSandbox({ skin, clockOffsetMs: offsetForRelease(date, -3_600_000) });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const start = `${venue.url}${skin === 'estelle' ? '/page/login' : '/members/sign-in'}`;
    const rec = await DevToolsRecording.start(page, start, TITLES[skin]);
    if (skin === 'estelle') await estelleMember(page, rec, venue, date);
    else await clubhouseMember(page, rec, venue, date);
    const json = await rec.exportJson();
    await rec.stop();
    if (venue.ledger().some((e) => e.client === 'member')) throw new Error('the recording booked a court');
    return json;
  } finally {
    await browser.close();
    await venue.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { skin: { type: 'string' } } });
  const skins: Skin[] = values.skin ? [values.skin as Skin] : ['estelle', 'clubhouse'];
  for (const skin of skins) {
    if (skin !== 'estelle' && skin !== 'clubhouse') throw new Error(`--skin must be estelle or clubhouse`);
    const file = join(FIXTURES_DIR, `${skin}.json`);
    await writeFile(file, await recordFixture(skin));
    console.log(`wrote ${file}`);
  }
}
