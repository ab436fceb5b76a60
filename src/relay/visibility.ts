import type { Config } from '../bookings/config.ts';

/**
 * Whether the relay is on for this repository. A relay link waits for hours, which costs nothing on GitHub-hosted
 * runners in a public repository and is billed by the minute in a private one, so `relay: auto` follows the
 * repository's visibility. GitHub writes it into every event payload (GITHUB_EVENT_PATH): `repository.private`
 * (boolean) and `repository.visibility` (public, private or internal).
 */

export type Visibility = 'public' | 'private' | 'unknown';

/** The repository's visibility from the event payload; 'unknown' when the payload does not say. */
export function repositoryVisibility(payload: unknown): Visibility {
  const repository =
    payload !== null && typeof payload === 'object'
      ? (payload as { repository?: { private?: unknown; visibility?: unknown } }).repository
      : undefined;
  if (repository === null || typeof repository !== 'object') return 'unknown';
  if (typeof repository.private === 'boolean') return repository.private ? 'private' : 'public';
  // An internal repository (GitHub Enterprise) is billed like a private one.
  if (repository.visibility === 'public') return 'public';
  if (repository.visibility === 'private' || repository.visibility === 'internal') return 'private';
  return 'unknown';
}

export interface RelaySetting {
  enabled: boolean;
  /** Why, for the job summary. */
  reason: string;
}

/** `relay` from bookings/config.yml and the repository's visibility → on or off, and why. */
export function resolveRelay(setting: Config['relay'], visibility: Visibility): RelaySetting {
  if (setting === true) return { enabled: true, reason: 'on: relay is true in bookings/config.yml' };
  if (setting === false) return { enabled: false, reason: 'off: relay is false in bookings/config.yml' };
  if (visibility === 'public') {
    return { enabled: true, reason: 'on: the repository is public, so waiting costs no Actions minutes' };
  }
  if (visibility === 'private') {
    return {
      enabled: false,
      reason:
        'off: the repository is private and every waiting minute is billed (set relay: true in bookings/config.yml to turn it on, or use an external trigger)',
    };
  }
  return {
    enabled: false,
    reason:
      'off: the event does not say whether the repository is public (set relay: true or false in bookings/config.yml)',
  };
}
