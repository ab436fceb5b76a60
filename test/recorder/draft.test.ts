import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LineCounter, parse, parseDocument } from 'yaml';
import { findTodos, formatTodoReport } from '../../src/venue/profile-todos.ts';
import { draftProfile, RecordingNotUsableError } from '../../src/venue/recorder/draft.ts';
import { readRecording, type UserFlow } from '../../src/venue/recorder/recording.ts';
import { DraftProfileError, loadProfile, parseProfile } from '../../src/venue/profile.ts';
import { scene, type Scene } from '../e2e/harness.ts';
import { DEMO_PASSWORD } from '../sandbox/index.ts';
import { FIXTURES_DIR } from './fixtures.ts';

type Json = { title: string; steps: Record<string, unknown>[] };
const fixtureText = (skin: string) => readFileSync(join(FIXTURES_DIR, `${skin}.json`), 'utf8');
const fixture = (skin: string): Json => JSON.parse(fixtureText(skin)) as Json;
const draftOf = (flow: Json, file = 'rec.json') =>
  draftProfile(readRecording(JSON.stringify(flow, null, 2), file) as UserFlow, file);
const profileOf = (yaml: string) => parse(yaml) as Record<string, Record<string, unknown>>;

describe('the draft of a recording', () => {
  it('never writes a typed value, even where the Recorder kept one in a selector or the title', () => {
    const flow = fixture('clubhouse');
    flow.title = `Cherwell (${DEMO_PASSWORD})`;
    // The password field's step as the Recorder writes it when the field already held the value (the member
    // came back to it): its text/ alternative is a prefix of the value.
    const password = flow.steps.findIndex((s) => s.type === 'change' && s.value === DEMO_PASSWORD);
    flow.steps[password]!.selectors = [
      ['aria/Password'],
      ['#user_password'],
      ['xpath///*[@id="user_password"]'],
      ['text/correct-hors'],
    ];
    // A link on the way that shows the member's e-mail: its text and ARIA name are the typed e-mail.
    const book = flow.steps.findIndex((s) => JSON.stringify(s.selectors ?? '').includes('Book a court'));
    flow.steps[book]!.selectors = [
      ['aria/Account member@example.com'],
      ['section.welcome > a'],
      ['text/member@example.com'],
    ];
    const draft = draftOf(flow);
    for (const secret of [DEMO_PASSWORD, 'correct-hors', 'member@example.com'])
      expect(draft.yaml).not.toContain(secret);
    const profile = profileOf(draft.yaml);
    expect(profile.login!.password).toBe('#user_password');
    expect(profile.name).toBe('My venue');
    expect((profile.navigation as unknown as Record<string, unknown>[])[0]).toEqual({
      click: 'section.welcome > a',
      navigates: true,
    });
    expect(draft.yaml).toMatch(/left out: it holds what you typed at sign-in/);
  });

  it('refuses to return a draft that would contain a typed value (the last line of defence)', () => {
    expect(() => draftOf(fixture('clubhouse'), `${DEMO_PASSWORD}.json`)).toThrow(/was not written/);
  });

  it('reads an ambiguous date by the month clicked on the way, else leaves its format TODO', () => {
    const flow = fixture('estelle');
    const dateChange = flow.steps.findIndex((s) => s.type === 'change' && s.value === '15/12/2026');
    flow.steps[dateChange]!.value = '05/12/2026'; // 5 December or 12 May?
    const settled = profileOf(draftOf(flow).yaml);
    expect(settled.dayView!.date).toEqual({ field: '#from_date', format: 'dd/MM/yyyy' }); // DECEMBER was clicked
    const month = flow.steps.findIndex((s) => JSON.stringify(s.selectors ?? '').includes('DECEMBER'));
    flow.steps[month]!.selectors = [['main > div > a'], ['xpath//html/body/main/div/a']];
    const open = draftOf(flow);
    const format = (profileOf(open.yaml).dayView!.date as { format: string }).format;
    expect(format).toMatch(
      /^TODO: .*"05\/12\/2026".*dd\/MM\/yyyy \(2026-12-05\) or MM\/dd\/yyyy \(2026-05-12\)/,
    );
    expect(open.todos).toContain('dayView.date.format');
  });

  it('takes the day view from an address when the member clicked a day instead of typing it', () => {
    const flow = fixture('clubhouse');
    const first = flow.steps.findIndex((s) => JSON.stringify(s.selectors ?? '').includes('#session-date'));
    const find = flow.steps.findIndex((s) => JSON.stringify(s.selectors ?? '').includes('Find sessions'));
    const url = (flow.steps[find]!.assertedEvents as { url: string }[])[0]!.url;
    flow.steps.splice(first, find - first + 1, {
      type: 'click',
      target: 'main',
      selectors: [['aria/15'], ['tr:nth-of-type(3) > td:nth-of-type(2) > a'], ['text/15']],
      offsetY: 8,
      offsetX: 9,
      assertedEvents: [{ type: 'navigation', url, title: 'Padel sessions' }],
    });
    const draft = profileOf(draftOf(flow).yaml);
    expect(draft.dayView).toMatchObject({
      apply: { url: '/members/book/padel/sessions?date={date:yyyy-MM-dd}' },
    });
    expect(draft.dayView!.date).toBeUndefined();
    expect((draft.navigation as unknown as { text?: string }[]).map((s) => s.text)).toEqual([
      'Book a court',
      'Padel',
      '{date:LLL yyyy}',
    ]);
    expect(draft.slots).toMatchObject({ item: 'body > main > ul > li', click: 'a' });
  });

  it('leaves the sign-in button TODO when the member signed in with Enter', () => {
    const flow = fixture('clubhouse');
    const submit = flow.steps[6]!;
    flow.steps[6] = { type: 'keyDown', target: 'main', key: 'Enter', assertedEvents: submit.assertedEvents };
    const draft = draftOf(flow);
    expect(profileOf(draft.yaml).login!.submit).toMatch(/^TODO: .*pressing Enter/);
    expect(draft.todos).toContain('login.submit');
  });

  it('says what to record again when nothing was typed at sign-in', () => {
    const flow = fixture('clubhouse');
    flow.steps = flow.steps.filter((s, i) => i < 2 || s.type !== 'change');
    expect(() => draftOf(flow)).toThrow(RecordingNotUsableError);
  });

  it('takes a click on the sign-in page before typing for a banner to click away', () => {
    const flow = fixture('clubhouse');
    flow.steps.splice(2, 0, {
      type: 'click',
      target: 'main',
      selectors: [['aria/Allow all cookies'], ['button.cc-allow'], ['text/Allow all cookies']],
      offsetY: 10,
      offsetX: 40,
    });
    const draft = draftOf(flow);
    expect(profileOf(draft.yaml).overlays).toEqual(['button.cc-allow']);
    expect(draft.yaml).toMatch(/# step 3 \[click\]: the CSS alternative "button.cc-allow", named by a class/);
  });

  it('lists the clicks it did not use', () => {
    const flow = fixture('estelle');
    flow.steps.push({ ...flow.steps.at(-1)!, selectors: [['#confirm-booking']] });
    expect(draftOf(flow).notes.join('\n')).toMatch(
      /step 20 \[click\] came after choosing the slot and was not used/,
    );
  });
});

describe('a draft profile is not a profile', () => {
  let dir: string | undefined;
  let booking: Scene | undefined;
  afterEach(async () => {
    await booking?.stop();
    booking = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('knows a TODO marker from a text that only starts with the word', () => {
    const text = [
      'navigation:',
      "  - { click: a, text: 'TODO list' }",
      '  - { click: TODO }',
      "refusals: 'TODO: how the site words a refusal'",
    ].join('\n');
    const counter = new LineCounter();
    const todos = findTodos(parseDocument(text, { lineCounter: counter }), (o) => counter.linePos(o).line);
    expect(todos).toEqual([
      { key: 'navigation.1.click', line: 3, hint: '(no hint)' },
      { key: 'refusals', line: 4, hint: 'how the site words a refusal' },
    ]);
    expect(formatTodoReport(todos, 'my.yml')).toContain(
      '  ✗ my.yml:4: refusals: how the site words a refusal',
    );
  });

  it('loading it names each TODO key on its line', () => {
    const draft = draftOf(fixture('clubhouse'));
    let error: unknown;
    try {
      parseProfile(draft.yaml, 'club.yml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DraftProfileError);
    const lines = draft.yaml.split('\n');
    const problems = (error as DraftProfileError).problems;
    expect(problems.map((p) => p.key)).toEqual(draft.todos);
    for (const p of problems) {
      expect(lines[p.line - 1], p.key).toContain(`${p.key.split('.').at(-1)}: 'TODO:`);
      expect((error as Error).message).toContain(`club.yml:${p.line}: ${p.key}: is still TODO (`);
    }
  });

  it('a run with it fails at once, naming the TODO keys, and sends nothing to the venue', async () => {
    dir = await mkdtemp(join(tmpdir(), 'draft-run-'));
    const file = join(dir, 'club.yml');
    await writeFile(file, draftOf(fixture('clubhouse')).yaml);
    await expect(loadProfile(file)).rejects.toThrow(/club\.yml:\d+: login\.loggedIn: is still TODO/);
    booking = await scene({ skin: 'clubhouse', config: { venue: { profile: file } } });
    const result = await booking.run();
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/login\.error: is still TODO/);
    expect(booking.venue.requests()).toEqual([]);
  });
});
