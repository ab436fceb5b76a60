/**
 * `npm run lane`: book.yml's first job. Decides, from the raw values the workflow passes (DRY_RUN,
 * DISPATCH_INPUTS, CLIENT_PAYLOAD: the same function the booking step uses, src/dry-run.ts), whether
 * this run is a real booking or a rehearsal, and writes the job output `lane` (booking | rehearsal).
 * The Book job's concurrency group is `<lane>-<repository>`: GitHub evaluates a job's group before
 * the job starts, from contexts that include `needs` but not the job's own steps, so the decision is
 * made here, one job earlier. A value it cannot read stops the run here, before any login.
 */
import * as core from '@actions/core';
import { decideDryRun, laneFor } from '../dry-run.ts';
import { jsonObject, type InputProblem } from '../github/inputs.ts';

export function laneFromEnv(env: NodeJS.ProcessEnv): { lane: string; problems: string[]; because: string[] } {
  const unreadable: InputProblem[] = [];
  const decision = decideDryRun({
    variable: env.DRY_RUN,
    input: jsonObject('DISPATCH_INPUTS', env.DISPATCH_INPUTS, unreadable).dry_run,
    payload: jsonObject('CLIENT_PAYLOAD', env.CLIENT_PAYLOAD, unreadable).dry_run,
  });
  const problems = [...unreadable.map((p) => p.message), ...decision.problems];
  return { lane: problems.length > 0 ? 'rehearsal' : laneFor(decision), problems, because: decision.because };
}

if (process.argv[1]?.endsWith('lane.ts')) main();

function main(): void {
  const { lane, problems, because } = laneFromEnv(process.env);
  for (const problem of problems) core.error(problem);
  if (problems.length > 0) {
    core.error('Nothing was booked and no login was made: fix the value above and run again.');
    process.exitCode = 1;
  } else {
    if (process.env.GITHUB_OUTPUT) core.setOutput('lane', lane);
    console.log(
      lane === 'booking'
        ? 'Lane: booking (a real booking; rehearsals queue separately).'
        : `Lane: rehearsal (a dry run, asked by ${because.join(', ')}): it never holds the booking's group.`,
    );
  }
}
