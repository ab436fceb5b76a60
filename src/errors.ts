/**
 * An error meant for a member to read: what went wrong, and what to do about it.
 * Code that catches one prints `message` (and `hint` when present) without a stack trace.
 */
export class BookerError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The message and the hint, as printed to a member. */
  describe(): string {
    return this.hint ? `${this.message}\n  → ${this.hint}` : this.message;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof BookerError) return error.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}
