import { BookerError } from '../errors.ts';

/** A selector from the venue profile matched nothing on the page. */
export class SelectorMissingError extends BookerError {
  constructor(
    readonly profileKey: string,
    readonly selector: string,
    readonly pageUrl: string,
    readonly screenshot?: string,
    readonly step?: string,
  ) {
    super(
      `${step ? `${step}: ` : ''}the venue profile's ${profileKey} ("${selector}") found nothing on ${pageUrl}` +
        (screenshot ? ` (screenshot: ${screenshot})` : ''),
      `The site's markup may have changed: open the screenshot, then update ${profileKey} in the venue profile (src/venue/profiles/<venue>.yml; \`npm run doctor\` checks every key).`,
    );
  }
}

/**
 * A step of the flow did not end as the profile says it should (a page that shows neither slots nor the
 * "not open" notice, a result that is neither a confirmation nor a known refusal, …).
 */
export class StepError extends BookerError {
  constructor(
    readonly step: string,
    readonly profileKeys: string[],
    readonly detail: string,
    readonly pageUrl: string,
    readonly screenshot?: string,
  ) {
    super(
      `${step}: ${detail} on ${pageUrl}` + (screenshot ? ` (screenshot: ${screenshot})` : ''),
      `Open the screenshot and check ${profileKeys.join(', ')} in the venue profile (\`npm run doctor\` shows what each key finds).`,
    );
  }
}

/** My bookings could not be read well enough to tell whether a court is already held: booking blind is how courts get booked twice. */
export class BlindCheckError extends BookerError {
  constructor(
    readonly detail: string,
    readonly pageUrl: string,
    readonly screenshot?: string,
  ) {
    super(
      `My bookings could not be read, so the bot cannot tell whether you already hold a court: ${detail} (${pageUrl})` +
        (screenshot ? ` (screenshot: ${screenshot})` : ''),
      'Nothing was booked, on purpose. Check myBookings in the venue profile (`npm run doctor`), and book by hand tonight if you need the court.',
    );
  }
}

/** The site refused the credentials or the account is locked. */
export class LoginRefusedError extends BookerError {
  constructor(
    readonly siteMessage: string,
    readonly locked: boolean,
  ) {
    super(
      locked
        ? `The venue says the account is locked: "${siteMessage}"`
        : `The venue refused the login: "${siteMessage}"`,
      locked
        ? 'Unlock the account with the venue (log in by hand or call reception); the bot will try again on the next run.'
        : 'Check the ESTELLE_USERNAME and ESTELLE_PASSWORD secrets (log in by hand to be sure), then run again.',
    );
  }
}

/** No credentials to log in with. */
export class MissingCredentialsError extends BookerError {
  constructor() {
    super(
      'No saved session and no credentials: ESTELLE_USERNAME / ESTELLE_PASSWORD are not set.',
      'Add them to .env (locally) or as repository secrets (GitHub Actions).',
    );
  }
}

/** The site is down (maintenance page, 5xx) for longer than the retry window. */
export class SiteDownError extends BookerError {
  constructor(detail: string) {
    super(
      `The venue's site is not working: ${detail}`,
      'Nothing was booked. Try booking by hand once the site is back; the bot retries on its next run.',
    );
  }
}

/** The browser or page went away under us. */
export class BrowserCrashedError extends BookerError {
  constructor(detail: string) {
    super(
      `The browser stopped unexpectedly: ${detail}`,
      'Run again (npm run book -- --date ...) or book by hand.',
    );
  }
}

/** Another run on this machine holds the booking lock. */
export class LockHeldError extends BookerError {
  constructor(
    readonly lockFile: string,
    readonly holder: string,
  ) {
    super(
      `Another booking run is active on this machine (${holder}; lock ${lockFile}).`,
      'Nothing to do: that run books the court. If no run is active, delete the lock file.',
    );
  }
}

/** A step landed on the venue's sign-in page: the session ended (the only sign of a lost session). */
export class SessionLostError extends BookerError {
  constructor(readonly pageUrl: string) {
    super(
      `The venue sent the bot to its sign-in page (${pageUrl}): the session ended.`,
      'The bot logs in again once by itself; if this keeps happening, check the login keys of the venue profile.',
    );
  }
}
