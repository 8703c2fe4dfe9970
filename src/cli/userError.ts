/**
 * An error meant for the person at the terminal: printed as one line, exit code 2, no stack trace.
 *
 * @example
 * throw new UserError('caselink: --n must be a positive integer')
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UserError'
  }
}

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const
