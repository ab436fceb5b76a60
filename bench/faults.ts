/**
 * npm run bench:faults [-- --only id,id] [--skin estelle|clubhouse] [--jobs N] [--out DIR] [--keep]
 *
 * Runs every fault row (bench/faults/rows.ts) on each skin it exists on, the way GitHub Actions runs
 * the nightly booking (bench/faults/matrix.ts), and writes <out>/faults.md (default bench/). Exit code
 * 1 when any row does not hold. --only or --skin runs some rows and writes nothing; --keep leaves each
 * row's folder (origin, workspaces, cache, artifacts) in the temp directory.
 */
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../src/browser/launch.ts';
import { writeFormatted } from './lib/write.ts';
import { DEFAULT_JOBS, matrixCases, renderFaultReport, runCases } from './faults/report.ts';
import { SKINS, type Skin } from './faults/matrix.ts';
import { FAULT_ROWS } from './faults/rows.ts';
import { runWatchRow, WATCH_ROW, type WatchRowResult } from './faults/watch-row.ts';
import { startDiscordStandIn } from '../test/support/discord-standin.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      skin: { type: 'string' },
      jobs: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  const only = values.only?.split(',');
  if (only) {
    const ids = [...FAULT_ROWS.map((r) => r.id), WATCH_ROW.id];
    const unknown = only.filter((id) => !ids.includes(id));
    if (unknown.length > 0)
      throw new Error(`--only: no such rows ${unknown.join(', ')} (ids: ${ids.join(', ')})`);
  }
  if (values.skin !== undefined && !SKINS.includes(values.skin as Skin))
    throw new Error(`--skin "${values.skin}": expected ${SKINS.join(' or ')}`);
  const jobs = values.jobs === undefined ? DEFAULT_JOBS : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs "${values.jobs}": expected a whole number ≥ 1`);
  const cases = matrixCases(FAULT_ROWS, {
    ...(only ? { only } : {}),
    ...(values.skin ? { skin: values.skin as Skin } : {}),
  });
  const probe = await launchBrowser();
  const chromium = probe.version();
  await probe.close();
  const started = Date.now();
  const results = await runCases(cases, {
    jobs,
    keep: !!values.keep,
    onResult: (r) => {
      console.log(
        `${r.pass ? 'holds' : 'FAILS'}  [${r.skin}] ${r.row.scenario}: ${r.outcomes.join(' + ')}; exit ${r.exitCodes.join(', ')}; ${r.seconds} s`,
      );
      for (const f of r.failures) console.log(`       ✗ ${f}`);
    },
  });
  // The watch's row: watch.yml's steps, one skin after the other (each is three short runs).
  const watch: WatchRowResult[] = [];
  if (!only || only.includes(WATCH_ROW.id)) {
    const discord = await startDiscordStandIn();
    try {
      for (const skin of WATCH_ROW.skins.filter((s) => !values.skin || s === values.skin)) {
        const r = await runWatchRow(skin, discord);
        console.log(
          `${r.pass ? 'holds' : 'FAILS'}  [${r.skin}] ${r.row.scenario}: ${r.outcomes.join(' → ')}; exit ${r.exitCodes.join(', ')}; ${r.seconds} s`,
        );
        for (const f of r.failures) console.log(`       ✗ ${f}`);
        watch.push(r);
      }
    } finally {
      await discord.stop();
    }
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const md = renderFaultReport(
    results,
    {
      machine: `${cpus()[0]?.model.trim() ?? ''} × ${cpus().length}, Node ${process.version}, Chromium ${chromium}`,
      jobs,
      seconds,
    },
    watch,
  );
  const held = results.filter((r) => r.pass).length + watch.filter((r) => r.pass).length;
  const total = results.length + watch.length;
  const partial = !!only || !!values.skin;
  const out = resolve(values.out ?? HERE);
  if (!partial) await writeFormatted(join(out, 'faults.md'), md);
  console.log(
    `\n${held} of ${total} rows hold (${seconds} s, ${jobs} at a time).${partial ? '' : ` Wrote ${join(out, 'faults.md')}.`}`,
  );
  return held === total ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
