/** An error of the CLI itself (files, options), with a stable code and a one-line message. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
