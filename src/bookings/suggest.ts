/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate nearest to `word` (case-insensitive), when it is near enough to be a plausible typo:
 * one that starts with the word (`grace` → `graceMinutes`), or one at most a third of the word's length
 * away (at least 2 edits are always allowed).
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  if (w.length >= 3) {
    const extended = candidates.find((c) => c.toLowerCase().startsWith(w) || w.startsWith(c.toLowerCase()));
    if (extended) return extended;
  }
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = levenshtein(w, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(w.length / 3)) ? best.candidate : undefined;
}

/** `(did you mean "Status"?)`, or an empty string when nothing is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const suggestion = nearest(word, candidates);
  return suggestion ? ` (did you mean "${suggestion}"?)` : '';
}
