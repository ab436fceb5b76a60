import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFormatted } from './lib/write.ts';
import { goals, renderMarkdown, reportJson, runSchedule } from './schedule/report.ts';

/**
 * npm run bench:schedule [-- --json] [--nights N] [--seed N] [--out FILE]
 *
 * Simulates many nights of each design (today's evening lines, spread lines, spread lines with the relay, an
 * external scheduler) under the normal and the degraded delay regime, and prints the share of nights attempted
 * at release and the Actions minutes a month. Writes bench/schedule.md (quoted in the README) unless --json,
 * which prints only `{"designs":[…]}`. Seeded: the same arguments give the same figures.
 */
const { values } = parseArgs({
  options: {
    json: { type: 'boolean' },
    nights: { type: 'string', default: '1461' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
  strict: true,
});
const nights = Number(values.nights);
const seed = Number(values.seed);
if (!Number.isInteger(nights) || nights < 30 || !Number.isInteger(seed)) {
  console.error('--nights must be a whole number of at least 30, --seed a whole number');
  process.exit(2);
}

const started = Date.now();
const report = runSchedule({ seed, nights, progress: (line) => console.error(`  simulating ${line}`) });
if (values.json) {
  console.log(reportJson(report));
} else {
  const markdown = renderMarkdown(report);
  const out = values.out ?? join('bench', 'schedule.md');
  await writeFormatted(out, markdown);
  console.log(markdown);
  console.log(`Wrote ${out} in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}
process.exitCode = goals(report).every((g) => g.pass) ? 0 : 1;
