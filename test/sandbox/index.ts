import type { ServerClock } from './clock.ts';
import type { Scenario, ScenarioPatch } from './scenario.ts';
import { SandboxServer } from './server.ts';
import type { LedgerEntry, Member, RequestLogEntry } from './venue.ts';

export {
  courtDateForTests,
  courtDateReleasedOn,
  msFromNearestRelease,
  offsetForRelease,
  releaseInstantMs,
  type CalendarConfig,
  type ServerClock,
} from './clock.ts';
export {
  CLUBHOUSE_COURTS,
  DEFAULT_SCENARIO,
  SKINS,
  ScenarioSchema,
  defaultScenarioFor,
  loadScenarioFile,
  resolveScenario,
  type Scenario,
  type ScenarioPatch,
  type Skin,
} from './scenario.ts';
export {
  CLUBHOUSE_PATHS,
  clubhouseDateLabel,
  clubhouseMonthLabel,
  clubhouseMonthPath,
  clubhouseReservePath,
  clubhouseSessionsPath,
  clubhouseTimeLabel,
  courtSlug,
} from './clubhouse/paths.ts';
export { CLUBHOUSE_SESSION_COOKIE, CLUBHOUSE_TEXTS } from './clubhouse/routes.ts';
export { DEMO_MEMBERS, DEMO_PASSWORD, type LedgerEntry, type Member, type RequestLogEntry } from './venue.ts';

/** A running simulated members' site: Estelle Manor, or the clubhouse skin's Cherwell Racquet Club. */
export interface Sandbox {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  /** Demo credentials; the first is the usual one. */
  members: readonly Member[];
  /** The server's own clock (real time + scenario.clockOffsetMs), epoch ms. */
  clock: ServerClock;
  /** The current scenario (read-only snapshot; change it with setScenario). */
  readonly scenario: Scenario;
  /** Merges a partial scenario into the current one (nested objects merge, arrays replace). */
  setScenario(patch: ScenarioPatch): Scenario;
  /** Every booking accepted, with the server-clock instant it was accepted. */
  ledger(): LedgerEntry[];
  /** Every request processed, in order. */
  requests(): RequestLogEntry[];
  /** When court date `courtDate` (YYYY-MM-DD) opens, in server-clock ms. */
  releaseInstant(courtDate: string): number;
  /** The /spa/<id> of a month ('yyyy-MM'): random per sandbox, different for each month (Estelle skin). */
  monthId(month: string): number;
  /** Ends the sessions of one member (or everyone); returns how many. */
  revokeSessions(email?: string): number;
  stop(): Promise<void>;
}

export async function startSandbox(
  scenario: ScenarioPatch = {},
  options: { port?: number; host?: string } = {},
): Promise<Sandbox> {
  const server = new SandboxServer(scenario);
  const url = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    members: server.members,
    clock: server.clock,
    get scenario() {
      return server.scenario;
    },
    setScenario: (patch) => server.setScenario(patch),
    ledger: () => server.ledger(),
    requests: () => server.requests(),
    releaseInstant: (courtDate) => server.venue.releaseInstant(courtDate),
    monthId: (month) => server.monthId(month),
    revokeSessions: (email) => server.revokeSessions(email),
    stop: () => server.stop(),
  };
}

/**
 * A request the client sent this soon after an answer reached it was committed before the page could
 * read that answer: the in-page fire spins the last ~2 ms before a planned press without running the
 * page's tasks, and the log's real times are whole ms, taken on an event loop that may be busy.
 */
export const COMMITTED_BEFORE_ANSWER_MS = 5;

/** The first of `requests` sent after `answer` reached the client: the client's follow-up to it. */
export function followUpTo(
  requests: RequestLogEntry[],
  answer: RequestLogEntry,
): RequestLogEntry | undefined {
  const seen = answer.answeredRealMs! + COMMITTED_BEFORE_ANSWER_MS;
  return requests.find((r) => r !== answer && r.receivedRealMs! >= seen);
}
