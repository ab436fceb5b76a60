import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, type Config } from '../../src/bookings/config.ts';
import { readStatus, type StatusFile } from '../../src/bookings/status.ts';
import { shiftedClock, type Clock } from '../../src/calendar/clock.ts';
import type { Environment } from '../../src/env.ts';
import { runBooking, type RunOptions, type RunResult } from '../../src/run.ts';
import { profilePath } from '../../src/venue/profile.ts';
import { onTestFailed } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  courtDateForTests,
  releaseInstantMs,
  startSandbox,
  type Sandbox,
  type ScenarioPatch,
} from '../sandbox/index.ts';

/**
 * One end-to-end scene: a sandbox venue and an engine placed `leadMs` before a release.
 * The engine's clock is shiftedClock(X) so that it reads release − leadMs now; the sandbox's
 * clock is X + skewMs, i.e. the venue runs `skewMs` ahead of the engine.
 */
/** The two sandbox skins, each with the venue profile that describes it. */
export const SKINS = {
  estelle: { profile: 'estelle', courts: ['Padel Court 1', 'Padel Court 2'] },
  clubhouse: { profile: 'test/sandbox/profiles/clubhouse.yml', courts: ['Court A', 'Court B'] },
} as const;
export type SkinName = keyof typeof SKINS;
export const SKIN_NAMES = Object.keys(SKINS) as SkinName[];

export type Scene = {
  skin: SkinName;
  /** The skin's court names, in the venue's order. */
  courts: readonly string[];
  venue: Sandbox;
  date: string;
  dir: string;
  clock: Clock;
  /** Engine clock shift (ms). */
  shiftMs: number;
  paths: { bookings: string; status: string; config: string; storageState: string };
  env: Environment;
  run(overrides?: Partial<RunOptions>): Promise<RunResult>;
  status(): Promise<StatusFile>;
  /** Server-clock ms of the release. */
  releaseServerMs: number;
  stop(): Promise<void>;
};

export type SceneOptions = {
  /** The sandbox skin (and so the venue profile); default estelle. */
  skin?: SkinName;
  skewMs?: number;
  leadMs?: number;
  scenario?: ScenarioPatch;
  /** bookings.csv rows after the header; `{date}` is replaced by the court date. */
  rows?: string[];
  config?: Partial<Record<string, unknown>>;
  password?: string;
  /** Edits the skin's venue profile (its parsed YAML) for this scene, as a member would edit a copy. */
  profile?: (raw: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any
};

/** Scenes that pin the fire to one press at a time (the test is about what follows the first answer). */
export const ONE_PRESS_AT_A_TIME: SceneOptions['profile'] = (raw) => {
  raw.dayView.apply.overlapping = false;
};

export const FAST_RUN = {
  // Placed ~18 s before a release: log in at once, measure the clock 6 s ahead, re-check the session 3 s
  // ahead. Under CI's load (fault rows and browser tests at once on two cores) logging in and arming were
  // seen to take 10.6 s; a run armed later than its clock sync measures less, and fires later.
  loginLeadMs: 60_000,
  clockSyncLeadMs: 6_000,
  sessionCheckLeadMs: 3_000,
  stepTimeoutMs: 15_000,
  clockSync: { probesPerRound: 4, rounds: 3 },
} satisfies Partial<RunOptions>;

export async function scene(options: SceneOptions = {}): Promise<Scene> {
  const date = courtDateForTests();
  const skewMs = options.skewMs ?? 0;
  // The venue's midnight comes skewMs earlier than the engine's: keep the lead on its clock either way.
  const leadMs = options.leadMs ?? 18_000 + Math.max(0, skewMs);
  const releaseMs = releaseInstantMs(date);
  const shiftMs = releaseMs - leadMs - Date.now();
  const skin = options.skin ?? 'estelle';
  const venue = await startSandbox({
    skin,
    clockOffsetMs: shiftMs + skewMs,
    latency: { oneWayMs: 30, jitterMs: 10 },
    ...options.scenario,
  });
  const dir = await mkdtemp(join(tmpdir(), 'booker-e2e-'));
  const paths = {
    bookings: join(dir, 'bookings', 'bookings.csv'),
    status: join(dir, 'bookings', 'status.json'),
    config: join(dir, 'bookings', 'config.yml'),
    storageState: join(dir, '.auth', 'session.json'),
  };
  const rows = (options.rows ?? ['{date},19:00,20:00,Book,,']).map((r) => r.replaceAll('{date}', date));
  await import('node:fs/promises').then((fs) => fs.mkdir(join(dir, 'bookings'), { recursive: true }));
  await writeFile(paths.bookings, ['Date,Time1,Time2,Status,Court,Note', ...rows].join('\n') + '\n');
  let profile: string = SKINS[skin].profile;
  if (options.profile) {
    const raw = parse(await readFile(profilePath(profile), 'utf8')) as Record<string, unknown>;
    options.profile(raw);
    profile = join(dir, 'profile.yml');
    await writeFile(profile, stringify(raw));
  }
  const config: Config = ConfigSchema.parse({
    retry: { windowSeconds: 20, maxPerSecond: 4 },
    venue: { profile },
    ...options.config,
  });
  const member = venue.members[0]!;
  const env: Environment = {
    username: member.email,
    password: options.password ?? member.password,
    dryRun: false,
    logLevel: 'info',
    baseUrl: venue.url,
  };
  const clock = shiftedClock(shiftMs);
  let runs = 0;
  // What each run did and when (its step log), printed with a failure: a timing bound that a busy CI
  // machine broke is then told from a fault of the engine's.
  const stepLogs: string[] = [];
  onTestFailed(() => {
    for (const [i, text] of stepLogs.entries()) console.log(`step log of run ${i + 1}:\n${text}`);
  });
  return {
    skin,
    courts: SKINS[skin].courts,
    venue,
    date,
    dir,
    clock,
    shiftMs,
    paths,
    env,
    releaseServerMs: venue.releaseInstant(date),
    run: async (overrides = {}) => {
      runs += 1;
      const result = await runBooking({
        clock,
        env,
        config,
        paths,
        outDir: join(dir, `out-${runs}`),
        log: process.env.E2E_VERBOSE ? (line) => console.log(line) : () => undefined,
        ...FAST_RUN,
        ...overrides,
      });
      if (result.stepLog && existsSync(result.stepLog)) stepLogs.push(await readFile(result.stepLog, 'utf8'));
      return result;
    },
    status: () => readStatus(paths.status),
    stop: async () => {
      await venue.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Booking requests the venue refused as early (before its midnight). */
export function earlyBookings(venue: Sandbox) {
  return bookingRequests(venue).filter((r) => r.outcome === 'not-open');
}

/** A booking request: POST /spa/<id>/book (estelle) or POST /members/book/padel/reserve (clubhouse). */
export function isBooking(path: string, method = 'POST'): boolean {
  return method === 'POST' && (/^\/spa\/\d+\/book$/.test(path) || path === '/members/book/padel/reserve');
}

/** Every booking request the venue processed, in order. */
export function bookingRequests(venue: Sandbox) {
  return venue.requests().filter((r) => isBooking(r.path, r.method));
}

/** Requests for the day's availability: the slots fragment (estelle) or the sessions page (clubhouse). */
export function availabilityRequests(venue: Sandbox) {
  return venue
    .requests()
    .filter((r) => r.path.includes('/slots') || r.path.startsWith('/members/book/padel/sessions'));
}

/** Requests for My bookings (My reservations on the clubhouse skin). */
export function myBookingsRequests(venue: Sandbox) {
  return venue.requests().filter((r) => r.path === '/page/my-bookings' || r.path === '/members/reservations');
}

export function memberBookings(venue: Sandbox) {
  return venue.ledger().filter((e) => e.client === 'member' && !e.cancelled);
}

export async function fileExists(path: string): Promise<boolean> {
  return existsSync(path) && (await readFile(path)).length > 0;
}
