/**
 * An expected, user-facing failure (missing tool, busy port, unreachable
 * database, component that never got ready). The CLI prints only its message,
 * which is written to say what is wrong and what to do; any other error is a
 * bug and is printed with its stack.
 */
export class LocalInfraError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalInfraError';
  }
}
