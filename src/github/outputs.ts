import * as core from '@actions/core';
import type { OutcomeReport } from '../notify/message.ts';

/** The step outputs of the booking step (`steps.book.outputs.<name>`). */
export const OUTPUT = {
  outcome: 'outcome',
  bookedTime: 'booked_time',
  court: 'court',
  reference: 'reference',
  /** The court date the run acted on (YYYY-MM-DD); names the artifact. */
  courtDate: 'court_date',
} as const;

export type OutputName = (typeof OUTPUT)[keyof typeof OUTPUT];

export function outputValues(result: OutcomeReport): Record<OutputName, string> {
  return {
    [OUTPUT.outcome]: result.outcome,
    [OUTPUT.bookedTime]: result.bookedTime ?? '',
    [OUTPUT.court]: result.court ?? '',
    [OUTPUT.reference]: result.reference ?? '',
    [OUTPUT.courtDate]: result.row?.date ?? '',
  };
}

/**
 * Sets the step outputs (written to the GITHUB_OUTPUT file by @actions/core). Outside Actions
 * (no GITHUB_OUTPUT) nothing is written, so local runs print no workflow commands.
 */
export function writeOutputs(
  result: OutcomeReport,
  env: NodeJS.ProcessEnv = process.env,
): Record<OutputName, string> {
  const values = outputValues(result);
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_OUTPUT) {
    for (const [name, value] of Object.entries(values)) core.setOutput(name, value);
  }
  return values;
}
