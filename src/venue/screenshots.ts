import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright';
import type { VenueProfile } from './profile.ts';

/**
 * Screenshots for the run's artifacts. Password fields and personal details (the member's e-mail
 * badge) are always masked; a failed screenshot (page gone) never hides the real error.
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
        mask: [
          page.locator(this.profile.login.password),
          page.locator('input[type="password"]'),
          page.locator(this.profile.login.loggedIn),
        ],
        maskColor: '#444',
      });
      this.files.push(file);
      return file;
    } catch {
      return undefined;
    }
  }
}
