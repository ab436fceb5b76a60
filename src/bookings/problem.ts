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
