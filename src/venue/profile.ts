import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { BookerError } from '../errors.ts';

/**
 * A venue profile: every URL, selector, date format and text the engine depends on.
 * A markup change on the real site needs an edit to the YAML file, not a code change.
 */
const selector = z.string().min(1);
const path = z.string().startsWith('/');

export const ProfileSchema = z.object({
  name: z.string().min(1),
  baseUrl: z.url(),
  timeZone: z.string().default('Europe/London'),
  paths: z.object({
    login: path,
    home: path,
    myBookings: path,
    clockProbe: path,
  }),
  login: z.object({
    email: selector,
    password: selector,
    submit: selector,
    error: selector,
    loggedIn: selector,
  }),
  navigation: z.object({
    bookNow: selector,
    activity: selector,
    activityName: z.string().min(1),
    monthButton: selector,
    monthFormat: z.string().min(1),
  }),
  overlays: z.array(selector).default([]),
  dayView: z.object({
    dateInput: selector,
    dateFormat: z.string().min(1),
    showAvailability: selector,
    slotsContainer: selector,
    card: selector,
    slotStart: selector,
    slotStartFormat: z.string().min(1),
    slotLabel: selector,
    court: selector,
    booked: selector,
    capacity: selector,
    noSlots: selector,
  }),
  confirm: z.object({
    dialog: selector,
    terms: selector,
    button: selector,
    success: selector,
    reference: selector,
    failure: selector,
  }),
  myBookings: z.object({
    row: selector,
    reference: selector,
  }),
  maintenance: selector,
});

export type VenueProfile = z.infer<typeof ProfileSchema>;

export const PROFILES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'profiles');

/** Where a profile named in config (`estelle`) or given as a path (`./my.yml`) lives. */
export function profilePath(nameOrPath: string): string {
  if (nameOrPath.endsWith('.yml') || nameOrPath.endsWith('.yaml') || nameOrPath.includes('/')) {
    return isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
  }
  return join(PROFILES_DIR, `${nameOrPath}.yml`);
}

/**
 * Loads and validates a venue profile. `baseUrl` (ESTELLE_BASE_URL) overrides the profile's
 * own, so the same engine drives the sandbox, a staging copy or the real site.
 */
export async function loadProfile(nameOrPath = 'estelle', baseUrl?: string): Promise<VenueProfile> {
  const file = profilePath(nameOrPath);
  if (!existsSync(file)) {
    throw new BookerError(
      `Venue profile "${nameOrPath}" not found (looked for ${file}).`,
      `Set venue.profile in bookings/config.yml to a file in src/venue/profiles/ (e.g. "estelle") or a path to a .yml file.`,
    );
  }
  const text = await readFile(file, 'utf8');
  return parseProfile(text, file, baseUrl);
}

export function parseProfile(text: string, file: string, baseUrl?: string): VenueProfile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new BookerError(`${file}: not valid YAML: ${(error as Error).message}`, 'Fix the YAML syntax.');
  }
  const result = ProfileSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new BookerError(
      `Venue profile is invalid:\n${lines.join('\n')}`,
      'Every key of src/venue/profiles/estelle.yml must be present.',
    );
  }
  const profile = result.data;
  if (baseUrl && baseUrl.trim()) profile.baseUrl = baseUrl.trim();
  profile.baseUrl = profile.baseUrl.replace(/\/+$/, '');
  return profile;
}

/** The absolute URL of a profile path. */
export function venueUrl(profile: VenueProfile, path: string): string {
  return `${profile.baseUrl}${path}`;
}
