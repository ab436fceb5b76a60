import { describe, expect, it } from 'vitest';
import { dateInUrl, monthFormatOf, readDate } from '../../src/venue/recorder/dates.ts';
import {
  chooseCss,
  readAlternatives,
  repeatedAncestor,
  splitCss,
  stabilityOf,
  textOf,
  withoutPositions,
  xpathToCss,
} from '../../src/venue/recorder/selectors.ts';

// Selectors exactly as the Recorder wrote them in the fixtures (test/recorder/fixtures/).
const ESTELLE_SLOT = [
  ['div:nth-of-type(25) span.slot_start'],
  ['xpath///*[@id="slots"]/div/div[25]/div/span[3]'],
  ['pierce/div:nth-of-type(25) span.slot_start'],
];
const CLUBHOUSE_SLOT = [
  ['li:nth-of-type(25) > a'],
  ['xpath//html/body/main/ul/li[25]/a'],
  ['pierce/li:nth-of-type(25) > a'],
];
const ESTELLE_EMAIL = [
  ['aria/Email address'],
  ['label:nth-of-type(1) > input'],
  ['xpath//html/body/main/section/form/label[1]/input'],
  ['pierce/label:nth-of-type(1) > input'],
];

describe("the Recorder's alternatives", () => {
  it('reads each kind, and keeps a selector that crosses a shadow root out of CSS', () => {
    const alts = readAlternatives([
      ['aria/Book a court[role="link"]'],
      ['#user_email'],
      ['xpath///*[@id="user_email"]'],
      ['pierce/#user_email'],
      ['text/Log in'],
      ['my-app', '#inner'],
      ['aria/Main', 'aria/Reserve'],
    ]);
    expect(alts.map((a) => a.kind)).toEqual(['aria', 'css', 'xpath', 'pierce', 'text', 'unusable', 'aria']);
    expect(alts[0]).toMatchObject({ name: 'Book a court', role: 'link' });
    expect(alts[6]).toMatchObject({ name: 'Reserve' });
  });

  it('writes its XPath as CSS, with positions as :nth-of-type', () => {
    expect(xpathToCss('//*[@id="slots"]/div/div[25]/div/span[3]')).toBe(
      '#slots > div > div:nth-of-type(25) > div > span:nth-of-type(3)',
    );
    expect(xpathToCss('/html/body/main/ul/li[25]/a')).toBe('body > main > ul > li:nth-of-type(25) > a');
    expect(xpathToCss('//*[@data-testid="slot 1"]/span')).toBe('[data-testid="slot 1"] > span');
    expect(xpathToCss('//div[contains(@class, "x")]')).toBeUndefined();
  });

  it('splits CSS chains with escapes and quoted attribute values', () => {
    expect(splitCss("[data-testid='a b'] > span.x\\:y")).toEqual(["[data-testid='a b']", '>', 'span.x\\:y']);
    expect(splitCss('a, b')).toBeUndefined();
  });

  it('ranks ids and data attributes over classes over tag chains over generated names over positions', () => {
    expect(stabilityOf('#user_email')).toBe('id');
    expect(stabilityOf("[data-testid='reserve']")).toBe('data attribute');
    expect(stabilityOf('section.welcome > a')).toBe('class');
    expect(stabilityOf('form > input')).toBe('structure');
    expect(stabilityOf('#ember1234')).toBe('generated');
    expect(stabilityOf('label:nth-of-type(1) > input')).toBe('position');
    const email = chooseCss(readAlternatives([...ESTELLE_EMAIL, ['#email']]))!;
    expect(email).toMatchObject({ css: '#email', stability: 'id' });
    // Of two positional alternatives, the Recorder's own (shortest) CSS before the XPath written as CSS.
    expect(chooseCss(readAlternatives(ESTELLE_EMAIL))!.css).toBe('label:nth-of-type(1) > input');
    expect(withoutPositions('li:nth-of-type(2) span.sport-title')).toBe('li span.sport-title');
  });

  it('takes the text/ alternative for a text (what the engine reads), else the ARIA name', () => {
    expect(textOf(readAlternatives([['aria/BOOK NOW'], ['#b'], ['text/Book now']]))).toEqual({
      text: 'Book now',
      from: 'text',
    });
    expect(textOf(readAlternatives([['aria/Dec 2026'], ['ul a']]))).toEqual({
      text: 'Dec 2026',
      from: 'aria',
    });
    expect(textOf(readAlternatives([['li:nth-of-type(25) > a']]))).toBeUndefined();
  });

  it('finds the slot: the repeated ancestor of a click, and what was clicked inside it', () => {
    expect(repeatedAncestor(readAlternatives(ESTELLE_SLOT))).toMatchObject({
      item: '#slots > div > div',
      click: 'span.slot_start',
      position: 25,
    });
    expect(repeatedAncestor(readAlternatives(CLUBHOUSE_SLOT))).toMatchObject({
      item: 'body > main > ul > li',
      click: 'a',
    });
    // A click on the repeated element itself.
    expect(
      repeatedAncestor(readAlternatives([['li:nth-of-type(3)'], ['xpath///*[@id="list"]/li[3]']])),
    ).toMatchObject({ item: '#list > li', click: ':self' });
    // No position in the chain: nothing repeats.
    expect(
      repeatedAncestor(readAlternatives([['#slot-7 > a'], ['xpath///*[@id="slot-7"]/a']])),
    ).toBeUndefined();
  });
});

describe('dates in a recording', () => {
  it('reads a typed date in its format, and says when it could be two days', () => {
    expect(readDate('15/12/2026', 'en-GB')).toEqual([{ date: '2026-12-15', format: 'dd/MM/yyyy' }]);
    expect(readDate('2026-12-15', 'en-GB')).toEqual([{ date: '2026-12-15', format: 'yyyy-MM-dd' }]);
    expect(readDate('05/12/2026', 'en-GB')).toEqual([
      { date: '2026-12-05', format: 'dd/MM/yyyy' },
      { date: '2026-05-12', format: 'MM/dd/yyyy' },
    ]);
    expect(readDate('5/12/2026', 'en-GB')[0]).toEqual({ date: '2026-12-05', format: 'd/M/yyyy' });
    expect(readDate('member@example.com', 'en-GB')).toEqual([]);
  });

  it("knows a month tab's label as a format of the court date's month", () => {
    expect(monthFormatOf('DECEMBER', '2026-12-15', 'en-GB')).toBe('LLLL');
    expect(monthFormatOf('Dec 2026', '2026-12-15', 'en-GB')).toBe('LLL yyyy');
    expect(monthFormatOf('Book a court', '2026-12-15', 'en-GB')).toBeUndefined();
  });

  it('finds the date in an address and writes the template for any date', () => {
    expect(dateInUrl('/members/book/padel/sessions?date=2026-12-15', 'en-GB')).toEqual({
      template: '/members/book/padel/sessions?date={date:yyyy-MM-dd}',
      date: '2026-12-15',
      format: 'yyyy-MM-dd',
    });
    expect(dateInUrl('/day?d=15%2F12%2F2026', 'en-GB')?.template).toBe('/day?d={date:dd/MM/yyyy}');
    expect(dateInUrl('/spa/55523', 'en-GB')).toBeUndefined();
  });
});
