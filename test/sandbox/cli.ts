/**
 * Runs the sandbox venue on its own until Ctrl-C.
 *
 *   npm run sandbox [-- --skin estelle|clubhouse --port N --clock-offset-ms N --scenario file.yml
 *                       --release-in-ms N --date YYYY-MM-DD]
 *
 * --skin             which members' site to show (default: the scenario's, else estelle).
 * --release-in-ms N  sets the clock offset so that the release of --date (default: the court date
 *                    released today, i.e. today + 14 days) is N ms away on the server clock.
 */
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { courtDateForTests, offsetForRelease } from './clock.ts';
import { CLUBHOUSE_PATHS } from './clubhouse/paths.ts';
import { startSandbox, type ScenarioPatch } from './index.ts';
import { loadScenarioFile, resolveScenario, SKINS, type Skin } from './scenario.ts';

const USAGE =
  'Usage: npm run sandbox [-- --skin estelle|clubhouse] [--port N] [--clock-offset-ms N] [--scenario file.yml] [--release-in-ms N] [--date YYYY-MM-DD]';

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${value}". ${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'clock-offset-ms': { type: 'string' },
      scenario: { type: 'string' },
      'release-in-ms': { type: 'string' },
      date: { type: 'string' },
      skin: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  let patch: ScenarioPatch = values.scenario ? await loadScenarioFile(values.scenario) : {};
  if (values.skin !== undefined) {
    if (!(SKINS as readonly string[]).includes(values.skin))
      throw new Error(`--skin must be one of ${SKINS.join(', ')}, got "${values.skin}". ${USAGE}`);
    patch = { ...patch, skin: values.skin as Skin };
  }
  const offset = number('clock-offset-ms', values['clock-offset-ms']);
  if (offset !== undefined) patch = { ...patch, clockOffsetMs: offset };
  const releaseIn = number('release-in-ms', values['release-in-ms']);
  const calendar = resolveScenario(patch);
  const date = values.date ?? courtDateForTests(calendar);
  if (values.date && !/^\d{4}-\d{2}-\d{2}$/.test(values.date))
    throw new Error(`--date must be YYYY-MM-DD. ${USAGE}`);
  if (releaseIn !== undefined)
    patch = { ...patch, clockOffsetMs: offsetForRelease(date, releaseIn, calendar) };

  const venue = await startSandbox(patch, {
    port: number('port', values.port) ?? 0,
    ...(values.host ? { host: values.host } : {}),
  });
  const zone = venue.scenario.timeZone;
  const fmt = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL yyyy HH:mm:ss.SSS ZZZZ');
  const clubhouse = venue.scenario.skin === 'clubhouse';
  console.log(
    `${clubhouse ? 'Cherwell Racquet Club (clubhouse skin)' : 'Estelle Manor'} sandbox running at ${venue.url}`,
  );
  console.log(`  sign in:      ${venue.url}${clubhouse ? CLUBHOUSE_PATHS.signIn : '/page/login'}`);
  for (const m of venue.members) console.log(`  member:       ${m.email} / ${m.password}`);
  console.log(`  server clock: ${fmt(venue.clock.now())} (offset ${venue.scenario.clockOffsetMs} ms)`);
  console.log(`  court date ${date} opens at ${fmt(venue.releaseInstant(date))} (server clock)`);
  console.log(`  ground truth: ${venue.url}/__sandbox/ledger  ${venue.url}/__sandbox/requests`);
  console.log('Press Ctrl-C to stop.');

  const stop = () => {
    void venue.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
