import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright';
import type { VenueProfile } from './profile.ts';

/**
 * Screenshots for the run's artifacts. Every field the profile names as a credential (`login.email`,
 * `login.password`), any password, e-mail or username field, and the logged-in member marker
 * (`login.loggedIn`: the member's e-mail badge) are masked on every page, the login-failure and error
 * pages included; a failed screenshot (page gone) never hides the real error, and a screenshot that
 * cannot be masked is not taken.
 */
export class Screenshots {
  readonly files: string[] = [];
  private counter = 0;

  constructor(
    readonly outDir: string,
    private readonly profile: VenueProfile,
  ) {
    mkdirSync(outDir, { recursive: true });
  }

  async take(page: Page | undefined, name: string): Promise<string | undefined> {
    if (!page || page.isClosed()) return undefined;
    this.counter += 1;
    const file = join(
      this.outDir,
      `${String(this.counter).padStart(2, '0')}-${name.replace(/[^a-z0-9-]+/gi, '-')}.png`,
    );
    try {
      await page.screenshot({
        path: file,
        fullPage: true,
        timeout: 10_000,
        animations: 'disabled',
        mask: credentialMasks(page, this.profile),
        maskColor: '#444',
      });
      this.files.push(file);
      return file;
    } catch {
      return undefined;
    }
  }
}

/** What every screenshot hides: the login fields (the profile's and any that look like them) and the member marker. */
export function credentialMasks(page: Page, profile: VenueProfile): Locator[] {
  return [
    profile.login.email,
    profile.login.password,
    profile.login.loggedIn,
    'input[type="password"]',
    'input[type="email"]',
    'input[autocomplete~="username"]',
    'input[autocomplete~="email"]',
  ].map((selector) => page.locator(selector));
}
