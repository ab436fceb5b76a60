import type { IncomingMessage } from 'node:http';
import type { DateTime } from 'luxon';
import type { ServerClock } from './clock.ts';
import type { Scenario } from './scenario.ts';
import type { Member, Venue } from './venue.ts';

/**
 * What the server shares with a skin's routes: sessions, sign-in rules, faults and the venue. A skin
 * decides paths, markup and texts; the rules (clock, release, faults, booking, ledger) are the server's.
 */

export interface Session {
  id: string;
  email: string;
  createdAtServerMs: number;
  visitedHome: boolean;
  csrf: string;
}

/** What a route produces; the server adds latency, the Date header and the log entry. */
export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  type?: 'html' | 'json' | 'css' | 'js' | 'text';
  outcome: string;
  /** A full HTML page: subject to slowFirstPaintMs. */
  page?: boolean;
  slotId?: string;
  reference?: string;
}

export type Scope = 'booking' | 'availability' | 'pages';

/** A fault that answers instead of the site; the skin renders it. */
export type FaultHit =
  | { kind: 'maintenance' }
  | { kind: 'server-error'; status: 500 | 502 | 503 }
  | { kind: 'rate-limited'; retryAfterSeconds: number };

export type SignInCheck = 'ok' | 'credentials' | 'locked';

/** One request as a skin sees it. */
export interface SiteRequest {
  method: string;
  url: URL;
  body: string;
  req: IncomingMessage;
  /** The live session, if the request carried one. */
  session: Session | undefined;
  /** The request carried a session cookie that is no longer valid (expired, revoked or unknown). */
  staleSession: boolean;
  cookies: Record<string, string>;
  serverMs: number;
}

export interface SiteHost {
  readonly scenario: Scenario;
  readonly venue: Venue;
  readonly members: readonly Member[];
  readonly clock: ServerClock;
  /** Counts failures and locks accounts as `faults.lockAfterFailures` says. */
  checkSignIn(email: string, password: string): SignInCheck;
  openSession(email: string, serverMs: number): Session;
  endSession(session: Session): void;
  /** Maintenance, 5xx or 429 for this request, if the scenario says so (counts towards rate limits). */
  faultFor(scope: Scope, client: string, serverMs: number): FaultHit | undefined;
  /** Months offered for booking: this month through the month after the booking window. */
  listedMonths(serverMs: number): DateTime[];
  newToken(): string;
}

export interface Site {
  /** The session cookie's name on this site. */
  readonly sessionCookie: string;
  route(request: SiteRequest): Reply;
}
