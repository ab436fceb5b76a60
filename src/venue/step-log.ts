import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../calendar/clock.ts';

export type StepEntry = {
  /** Wall time by the run's clock, ISO 8601 UTC. */
  at: string;
  /** Milliseconds since the run started (by the run's clock). */
  ms: number;
  step: string;
  /** Free-form details: a selector, a slot, an offset, a latency. */
  data?: Record<string, unknown>;
};

/**
 * The run's step log: one JSON object per line in steps.jsonl, and the same as readable text in
 * steps.log ("+  1234 ms  armed  {...}"). Written synchronously so a crash loses nothing.
 */
export class StepLog {
  readonly jsonPath: string;
  readonly textPath: string;
  readonly entries: StepEntry[] = [];
  private readonly startMs: number;

  constructor(
    readonly outDir: string,
    private readonly clock: Clock,
    private readonly echo?: (line: string) => void,
  ) {
    mkdirSync(outDir, { recursive: true });
    this.jsonPath = join(outDir, 'steps.jsonl');
    this.textPath = join(outDir, 'steps.log');
    this.startMs = clock.now();
  }

  /** Logs a step now, or at `atMs` (run clock) when it happened elsewhere (in the page) and is logged later. */
  step(step: string, data?: Record<string, unknown>, atMs?: number): StepEntry {
    const now = atMs ?? this.clock.now();
    const entry: StepEntry = {
      at: new Date(now).toISOString(),
      ms: Math.round(now - this.startMs),
      step,
      ...(data ? { data } : {}),
    };
    this.entries.push(entry);
    appendFileSync(this.jsonPath, `${JSON.stringify(entry)}\n`);
    const line = `${entry.at} +${String(entry.ms).padStart(7)} ms  ${step}${data ? `  ${JSON.stringify(data)}` : ''}`;
    appendFileSync(this.textPath, `${line}\n`);
    this.echo?.(line);
    return entry;
  }

  /** Milliseconds since the named step (the last one of that name), or undefined. */
  find(step: string): StepEntry | undefined {
    return [...this.entries].reverse().find((entry) => entry.step === step);
  }
}
