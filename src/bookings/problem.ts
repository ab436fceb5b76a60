/** One thing wrong (or worth a look) in a member-edited file, located on a line. */
export type Problem = {
  file: string;
  /** 1-based line; 0 when the problem concerns the file as a whole. */
  line: number;
  field?: string;
  message: string;
  severity: 'error' | 'warning';
};

/** `bookings/bookings.csv:4: Time1 "25pm" is not a time (...)`; warnings say so after the location. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

/** How many problems a command lists; the rest are counted (a file can hold 150,000 mistakes). */
export const MAX_PROBLEMS_LISTED = 100;

/** The first `max` problems (in file order) to list, and a line counting the rest, if any. */
export function firstProblems(
  problems: readonly Problem[],
  max = MAX_PROBLEMS_LISTED,
): { listed: Problem[]; more?: string } {
  if (problems.length <= max) return { listed: [...problems] };
  const rest = problems.length - max;
  const errors = problems.slice(max).filter((p) => p.severity === 'error').length;
  const n = (count: number, word: string) =>
    `${count.toLocaleString('en-GB')} ${word}${count === 1 ? '' : 's'}`;
  const kinds = [errors > 0 ? n(errors, 'error') : '', rest - errors > 0 ? n(rest - errors, 'warning') : '']
    .filter(Boolean)
    .join(', ');
  return {
    listed: problems.slice(0, max),
    more: `… and ${n(rest, 'more problem')} (${kinds}), not listed: fix the first ${max} above and run again`,
  };
}

export function errorsIn(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'error');
}

export function warningsIn(problems: readonly Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'warning');
}

/** Problems in file order, errors before warnings on the same line. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
}
