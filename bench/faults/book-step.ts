/**
 * book.yml's Book step (`npm run book -- --out out/booking`) as the fault matrix runs it: its own
 * process, started in the runner's workspace (cwd) with the environment the runner gives the step, and
 * the same pipeline as src/cli/book.ts — runOnActions (inputs, the session cache file, the status read
 * from origin, the status commit and push, Discord, the job summary, the step outputs) around the real
 * engine, the engine's lines printed through printLine, the exit code from the report.
 *
 * Two things differ from src/cli/book.ts, both because a row is placed seconds (not hours) before the
 * venue's midnight:
 * - the clock: shifted exactly as the sandbox venue's clock is. Once loaded, the process says `ready`
 *   on fd 3 and reads `<shift ms> <start at, epoch ms>` from stdin: the matrix places the venue's clock
 *   when every run of a row has loaded (however long that took on a busy machine), and the runs start
 *   at that one instant, a set lead before the venue's midnight (BOOKER_NOW would carry each process's
 *   start-up delay into its clock);
 * - the engine's leads (FAST_LEADS): log in at once, re-check the session 3 s and measure the clock
 *   6 s before the release (two rounds of probes, about 3 s), 15 s per step.
 *   FAULT_ENGINE_LEADS (JSON) overrides some of them for a row (e.g. the product's own 20 s clock-sync
 *   lead where the venue is slow).
 * FAULT_RESULT_FILE receives the engine's result as JSON, for the matrix's table.
 */
import { once } from 'node:events';
import { writeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { shiftedClock } from '../../src/calendar/clock.ts';
import { describeError } from '../../src/errors.ts';
import { readEnvironment } from '../../src/env.ts';
import { runOnActions } from '../../src/github/actions-run.ts';
import { printError, printLine } from '../../src/github/workflow-commands.ts';
import { runBooking, type RunOptions, type RunResult } from '../../src/run.ts';

export const FAST_LEADS = {
  loginLeadMs: 60_000,
  clockSyncLeadMs: 6_000,
  sessionCheckLeadMs: 3_000,
  stepTimeoutMs: 15_000,
  clockSync: { probesPerRound: 4, rounds: 2 },
} satisfies Partial<RunOptions>;

/** Says `ready` on fd 3, then waits for the clock's shift and the instant to start (one line on stdin). */
async function placed(): Promise<{ shiftMs: number }> {
  writeSync(3, 'ready\n');
  const lines = createInterface({ input: process.stdin });
  const [line] = await once(lines, 'line');
  lines.close();
  const [shiftMs, startAt] = String(line).split(' ').map(Number);
  if (!Number.isFinite(shiftMs) || !Number.isFinite(startAt))
    throw new Error(`not "<shift> <start>": ${line}`);
  if (startAt! > Date.now()) await new Promise((r) => setTimeout(r, startAt! - Date.now()));
  return { shiftMs: shiftMs! };
}

async function main(): Promise<number> {
  const clock = shiftedClock((await placed()).shiftMs);

  const report = await runOnActions<RunResult>({
    clock,
    outDir: resolve('out', 'booking'),
    runBooking: (fromInputs) =>
      runBooking({
        ...fromInputs,
        ...FAST_LEADS,
        ...(JSON.parse(process.env.FAULT_ENGINE_LEADS || '{}') as Partial<typeof FAST_LEADS>),
        // Read after runOnActions has masked the secrets.
        env: readEnvironment(),
        clock,
        log: printLine,
        trace: process.env.BOOKER_TRACE === 'true',
      }),
  });
  const resultFile = process.env.FAULT_RESULT_FILE;
  if (resultFile) {
    await writeFile(resultFile, JSON.stringify({ exitCode: report.exitCode, result: report.result ?? null }));
  }
  const result = report.result;
  if (!result) return report.exitCode;
  printLine(`\n${result.outcome}: ${result.message}`);
  if (result.screenshots.length > 0) printLine(`Screenshots and step log: ${result.outDir}`);
  return report.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    printError(describeError(error));
    process.exitCode = 1;
  },
);
