import type { RelayErrorCode } from '../../protocol/error-codes';

/**
 * Base class of every refusal the relay reports to a client as an Error frame (the client's own
 * errors are client/errors.ts's BanguinsError family: its RelayError is an Error frame received).
 */
export class RelayRefusal extends Error {
  /** The stable code a client can switch on. */
  readonly code: RelayErrorCode;
  /** The other connection the refusal is about (the peer that is gone, not paired, unknown…), if any. */
  readonly peerId?: string;

  constructor(code: RelayErrorCode, reason: string, options?: { cause?: unknown; peerId?: string }) {
    super(reason, options);
    this.name = 'RelayRefusal';
    this.code = code;
    this.peerId = options?.peerId;
  }
}

/** The frame is not JSON or a field is missing, of the wrong type or too large. */
export class BadRequestError extends RelayRefusal {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('BadRequest', reason, options);
    this.name = 'BadRequestError';
  }
}

/** The frame names no action, or one the relay does not know. */
export class UnknownActionError extends RelayRefusal {
  constructor(action: string | undefined) {
    super(
      'UnknownAction',
      action === undefined
        ? 'the frame has no "action"; use Connect, Request, Transfer, Acknowledge or sendmessage'
        : `unknown action "${action}"; use Connect, Request, Transfer, Acknowledge or sendmessage`,
    );
    this.name = 'UnknownActionError';
  }
}

/** Transfer or Acknowledge to a connection the sender has not paired with through Request. */
export class NotPairedError extends RelayRefusal {
  constructor(peerId: string) {
    super('NotPaired', `connection ${peerId} is not paired with you; send Request with its qrhash first`, { peerId });
    this.name = 'NotPairedError';
  }
}

/** Request whose qrhash differs from the one the target registered with Connect. */
export class QrHashMismatchError extends RelayRefusal {
  constructor(peerId: string) {
    super('QrHashMismatch', `the qrhash does not match the one connection ${peerId} registered; scan its QR code again`, {
      peerId,
    });
    this.name = 'QrHashMismatchError';
  }
}

/** The named connection does not exist (never did, or already left). */
export class UnknownPeerError extends RelayRefusal {
  constructor(peerId: string, options?: { cause?: unknown }) {
    super('UnknownPeer', `no connection ${peerId} is open on this relay`, { ...options, peerId });
    this.name = 'UnknownPeerError';
  }
}

/** The peer's connection closed: API Gateway answered 410 Gone when the relay posted to it. */
export class PeerConnectionGoneError extends RelayRefusal {
  /** The connection that is gone. */
  declare readonly peerId: string;

  constructor(peerId: string, options?: { cause?: unknown }) {
    super('PeerGone', `connection ${peerId} has left; the frame was not delivered`, { ...options, peerId });
    this.name = 'PeerConnectionGoneError';
  }
}

/**
 * The peer is not reading fast enough: the `@connections` post was throttled (API Gateway's 429
 * LimitExceededException; the local relay answers it when the peer's outbound buffer is full).
 * The frame was not delivered; send it again later.
 */
export class PeerBusyError extends RelayRefusal {
  /** The connection that is busy. */
  declare readonly peerId: string;

  constructor(peerId: string, options?: { cause?: unknown }) {
    super('PeerBusy', `connection ${peerId} is not keeping up; the frame was not delivered, send it again later`, { ...options, peerId });
    this.name = 'PeerBusyError';
  }
}
