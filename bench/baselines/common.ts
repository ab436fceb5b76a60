import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { setDate, walkToDayView } from '../../src/venue/navigate.ts';
import type { VenueContext } from '../../src/venue/page-tools.ts';
import { formatSlot, loadProfile, type VenueProfile } from '../../src/venue/profile.ts';
import { Screenshots } from '../../src/venue/screenshots.ts';
import { logIn } from '../../src/venue/session.ts';
import type { TrialPlacement } from '../lib/arena.ts';
import type { BenchSkin, SkinName } from '../lib/skins.ts';

/** Where a bot books, as whom. */
export type VenueTarget = { url: string; member: string; password: string };

/**
 * What the baselines share: one browser context per bot per case, logged in once (as a member's
 * always-on bot would be), and armed for each trial by the site's click path to the target month's
 * day view. Arming uses the engine's navigation helpers and the skin's venue profile for selectors (it
 * is not what is measured); the measured part — what each baseline does around midnight — is its own
 * code, with its own waits.
 */

export type BaselineOutcome = {
  outcome: 'booked' | 'lost' | 'unavailable' | 'gave-up' | 'error';
  detail?: string;
  /** Availability requests (reloads, polls, volley shots) made around the release. */
  reloads: number;
  /** |its estimate − the true offset| of the venue's clock, for a bot that estimates it. */
  offsetErrorMs?: number;
};

export type BaselineRun = (bot: BaselineSession, p: TrialPlacement) => Promise<BaselineOutcome>;

export type BaselineName = 'old-way' | 'poller' | 'fast-poller' | 'sniper';

/** A baseline: which peer it models, where it runs, and how its trials are scheduled. */
export type BaselineSpec = {
  name: BaselineName;
  /** Short, for tables. */
  label: string;
  /** The skins it runs on (and, in the README, why not the others). */
  skins: readonly SkinName[];
  /**
   * 'ms': its figures are tens of milliseconds, so its trials run alone, like ours; 's': seconds, so
   * its trials run in parallel lanes (the noise of a busy machine is small beside them).
   */
  scale: 'ms' | 's';
  /** How long before the release it must be armed and waiting (on top of 1 s of slack). */
  leadMs: number;
  run: BaselineRun;
};

export class BaselineSession {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly ctx: VenueContext,
    private readonly dir: string,
    readonly skin: BenchSkin,
  ) {}

  static async open(target: VenueTarget, browser: Browser, skin: BenchSkin): Promise<BaselineSession> {
    const dir = await mkdtemp(join(tmpdir(), 'bench-baseline-'));
    const profile: VenueProfile = await loadProfile(skin.profile, target.url);
    const ctx: VenueContext = { profile, shots: new Screenshots(dir, profile), timeoutMs: 15_000 };
    const context = await browser.newContext({ locale: 'en-GB', timezoneId: profile.timeZone });
    const page = await context.newPage();
    await logIn(page, ctx, { username: target.member, password: target.password });
    return new BaselineSession(context, page, ctx, dir, skin);
  }

  get profile(): VenueProfile {
    return this.ctx.profile;
  }

  /** Logged in and on the target month's day view (the release is still seconds away). */
  async arm(date: string): Promise<void> {
    await walkToDayView(this.page, this.ctx, date);
  }

  /** The day view's own "Show Availability" for `date`, after a reload (the single-page skin's flow). */
  async reloadAndShow(date: string): Promise<void> {
    await this.page.reload({ waitUntil: 'domcontentloaded' });
    await setDate(this.page, this.ctx, date);
    await this.page.locator(this.apply).click();
  }

  private get apply(): string {
    const apply = this.profile.dayView.apply;
    if (!('click' in apply))
      throw new Error('the baselines model bots of single-page sites (a Show Availability button)');
    return apply.click;
  }

  /** The slot start text the site shows for `time` on `date` (the single-page skin's `span.slot_start`). */
  startText(date: string, time: string): string {
    return formatSlot(date, time, this.profile.slots.time.format, this.profile);
  }

  /** The clickable card (the profile's card's parent) for `time` on `date` that still has room. */
  freeCard(date: string, time: string): Locator {
    const { slots } = this.profile;
    return this.page
      .locator(`*:has(> ${slots.item}):not([aria-disabled="true"])`)
      .filter({ has: this.page.locator(slots.time.read.selector!, { hasText: this.startText(date, time) }) })
      .first();
  }

  /** Any card for `time` (free or full). */
  anyCard(date: string, time: string): Locator {
    return this.page.locator(this.profile.slots.time.read.selector!, { hasText: this.startText(date, time) });
  }

  /** Ticks the terms and presses Confirm booking; returns the outcome shown. */
  async confirm(waitMs: number | 'auto'): Promise<BaselineOutcome['outcome'] | 'not-open'> {
    const { confirm } = this.profile;
    const success = confirm.success.selector!;
    const failure = confirm.failure!.selector!;
    if (waitMs !== 'auto') await this.page.waitForTimeout(waitMs);
    if (confirm.terms) await this.page.locator(confirm.terms).check();
    await this.page.locator(confirm.button).click();
    if (waitMs !== 'auto') await this.page.waitForTimeout(waitMs);
    const result = this.page.locator(`${success}, ${failure}`).first();
    await result.waitFor({ state: 'attached', timeout: this.ctx.timeoutMs });
    if ((await this.page.locator(success).count()) > 0) return 'booked';
    const code = await this.page.locator(failure).first().getAttribute('data-error-code');
    if (code === 'unavailable') return 'lost';
    if (code === 'not-open') return 'not-open';
    return 'error';
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Real-clock epoch ms (as the page reads Date.now()) of an instant on the venue's clock. */
export function venueToRealMs(p: TrialPlacement, venueMs: number): number {
  return venueMs - (p.shiftMs + p.trueOffsetMs);
}

/** Sleeps in Node until `realMs − aheadMs` (the page then does the last, precise wait itself). */
export async function sleepUntilReal(realMs: number, aheadMs = 250): Promise<void> {
  const ms = realMs - aheadMs - Date.now();
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs an action that loads a new page in the main frame and waits until the new document is committed
 * (`until: 'commit'`) or parsed (an evaluate whose page went away under it is fine: the navigation is
 * what counts).
 */
export async function loadBy(
  page: Page,
  timeoutMs: number,
  action: () => Promise<unknown>,
  until: 'commit' | 'domcontentloaded' = 'domcontentloaded',
): Promise<void> {
  const committed = page.waitForEvent('framenavigated', {
    predicate: (frame) => frame === page.mainFrame(),
    timeout: timeoutMs,
  });
  committed.catch(() => undefined);
  await action().catch((error: unknown) => {
    if (!/context was destroyed|navigat|Target page|detached/i.test(String(error))) throw error;
  });
  await committed;
  if (until === 'domcontentloaded') await page.waitForLoadState('domcontentloaded', { timeout: timeoutMs });
}

/** Waits on the bot's clock with a plain timer, as the old bots did (no offset, no precise wait). */
export async function naiveWaitUntil(page: Page, clockNow: () => number, localMs: number): Promise<void> {
  const ms = localMs - clockNow();
  if (ms > 0) await page.waitForTimeout(ms);
}
