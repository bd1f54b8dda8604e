/** Stable codes of every error the client library raises; a CLI or page can switch on them. */
export type ClientErrorCode =
  | 'RelayUnreachable'
  | 'RelayKeyRefused'
  | 'PairingRefused'
  | 'PeerGone'
  | 'HashMismatch'
  | 'Timeout'
  | 'BadLink'
  | 'ProtocolError'
  | 'Cancelled'
  | 'LinkInUse'
  | 'Unconfirmed'
  | 'RelayError';

/** Base class of the client's errors: a stable `code` and a one-line message meant for a person. */
export class BanguinsError extends Error {
  /** The stable code of this error. */
  readonly code: ClientErrorCode;

  constructor(code: ClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = `${code}Error`;
    this.code = code;
  }
}

/** The relay could not be reached, or the connection could not be re-established in time. */
export class RelayUnreachableError extends BanguinsError {
  /** Whether the relay URL carried an access key (`?key=`): a browser cannot tell a refused key from a dead relay. */
  readonly withRelayKey: boolean;

  constructor(message: string, options?: { cause?: unknown; withRelayKey?: boolean }) {
    super('RelayUnreachable', message, options);
    this.withRelayKey = options?.withRelayKey ?? false;
  }
}

/**
 * The relay answered the handshake with 401: its access key is missing from the relay URL or wrong.
 * Not retried: a new attempt with the same URL meets the same answer.
 */
export class RelayKeyRefusedError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('RelayKeyRefused', message, options);
  }
}

/** The relay or the peer refused the pairing (wrong link, QR hash mismatch, peer busy). */
export class PairingRefusedError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PairingRefused', message, options);
  }
}

/** The peer's connection closed and it did not come back in time. */
export class PeerGoneError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PeerGone', message, options);
  }
}

/** Which file an error is about: its index in the manifest, and its name as this side shows it. */
export interface FileRef {
  readonly index: number;
  readonly name: string;
}

/**
 * A whole file's SHA-256 or size differs from the one announced in the manifest (the receiver
 * refused it, saved nothing and told the sender, which fails with this too), or the receiver's
 * receipt does not match the files sent. `file` names the file when one is known.
 */
export class HashMismatchError extends BanguinsError {
  /** The damaged file, when the error is about one. */
  readonly file?: FileRef;

  constructor(message: string, options?: { cause?: unknown; file?: FileRef }) {
    super('HashMismatch', message, options);
    if (options?.file) this.file = options.file;
  }
}

/** Nothing happened for longer than the configured limit. */
export class TimeoutError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Timeout', message, options);
  }
}

/** The pairing link is malformed or incomplete. */
export class BadLinkError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BadLink', message, options);
  }
}

/** The peer or relay sent something this client does not understand. */
export class ProtocolError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ProtocolError', message, options);
  }
}

/** The transfer was cancelled, locally or by the peer. */
export class CancelledError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Cancelled', message, options);
  }
}

/** The link's sender is already sending to another receiver: someone else opened the link first. */
export class LinkInUseError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LinkInUse', message, options);
  }
}

/**
 * The receiver never confirmed, in a receipt sealed with the session's key, that it wrote the files:
 * they may not have arrived (a relay can forge the plaintext acknowledgements, never a receipt).
 */
export class UnconfirmedError extends BanguinsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unconfirmed', message, options);
  }
}

/** The relay answered with an Error frame that the client cannot recover from; `relayCode` is its code. */
export class RelayError extends BanguinsError {
  /** The relay's own error code, e.g. `BadRequest` or `InternalError`. */
  readonly relayCode: string;

  constructor(relayCode: string, message: string) {
    super('RelayError', message);
    this.relayCode = relayCode;
  }
}

/** Turns anything thrown into a BanguinsError, keeping the original as `cause`. */
export function toBanguinsError(error: unknown): BanguinsError {
  if (error instanceof BanguinsError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BanguinsError('ProtocolError', message, { cause: error });
}
