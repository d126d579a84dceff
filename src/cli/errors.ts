/** An error that ends a command with exit code 2 and a one-line reason (the contract's "could not do its job"). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly code = "usage",
  ) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 2;
