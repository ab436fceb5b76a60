/**
 * The volley: on a single-page site whose "show availability" press sends its own request even while
 * the last one is still loading (the profile's `dayView.apply.overlapping`), the first shot is not one
 * press but a few, spread across the send margin. The last goes when a lone press would (late enough that
 * the clock's uncertainty and the latency jitter cannot make it early); the first at the estimate's own
 * instant; so the slots are shown by whichever press first reaches the venue after its midnight, not by
 * the one sent late enough for the worst case. Availability requests only: nothing is booked twice, and a
 * press answered "not open yet" costs nothing. Pure.
 */

export type Volley = {
  /** Presses in the first shot (2 or more). */
  presses: number;
  /** From the first press to the last, ms (the send margin). */
  spanMs: number;
  /**
   * Once a press is answered without slots, how long the page waits for the other presses' answers before
   * it takes the shot as failed (a site that ignored a press never answers it).
   */
  graceMs: number;
};

/** At most this many presses, and always one fewer than `retry.maxPerSecond`: a retry can follow at once. */
export const VOLLEY_MAX_PRESSES = 3;

export type VolleyInput = {
  /** The profile says presses overlap (dayView.apply.overlapping). */
  overlapping: boolean;
  /** The in-page strategy (the presses are the page's own, in one evaluate). */
  inPage: boolean;
  /** config.retry.maxPerSecond: the presses count against it. */
  maxPerSecond: number;
  /** The clock estimate's send margin and fastest round trip; absent: no precise clock, no volley. */
  clock?: { marginMs: number; minRttMs: number };
};

export function volleyFor(input: VolleyInput): Volley | undefined {
  if (!input.overlapping || !input.inPage || !input.clock) return undefined;
  const presses = Math.min(VOLLEY_MAX_PRESSES, Math.floor(input.maxPerSecond) - 1);
  if (presses < 2) return undefined;
  const spanMs = Math.round(Math.max(0, input.clock.marginMs));
  if (spanMs < presses) return undefined; // presses less than a millisecond apart are one press
  // The last press's answer can come a span and a slow round trip after the first's.
  const graceMs = spanMs + 2 * Math.round(input.clock.minRttMs) + 100;
  return { presses, spanMs, graceMs };
}

/** Offsets (ms after the first press) of each press: evenly across the span. */
export function pressOffsetsMs(volley: Volley): number[] {
  return Array.from({ length: volley.presses }, (_, i) => (i * volley.spanMs) / (volley.presses - 1));
}
