/** Stable codes for everything the local relay refuses or fails at. */
export type LocalRelayErrorCode =
  | 'InvalidOption'
  | 'JavaNotFound'
  | 'DynamoDbLocalMissing'
  | 'DynamoDbLocalFailed'
  | 'DynamoDbUnreachable'
  | 'PortInUse'
  | 'RelayKeyFileFailed'
  | 'CertificateFileFailed';

/** An error the local relay explains to its user in one line; `code` is stable. */
export class LocalRelayError extends Error {
  /** A stable code for scripts and tests. */
  readonly code: LocalRelayErrorCode;

  constructor(code: LocalRelayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LocalRelayError';
    this.code = code;
  }
}
