import { PairingRefusedError, PeerGoneError, RelayError, type BanguinsError } from '../errors';
import { isRelayErrorCode, type RelayErrorCode } from '../../protocol/error-codes';
import type { RelayErrorMessage } from '../../protocol/frames';

/** How a session should react to a relay Error frame. */
export type RelayErrorReaction =
  /** The peer's connection is gone: wait for it to re-pair from a new id. */
  | 'peer-away'
  /** The relay forgot our pairing (e.g. a stranger re-paired): send Request again to re-pair. */
  | 'repair'
  /** A frame was lost in the relay; the acknowledgement protocol recovers it. */
  | 'ignore'
  /**
   * The relay failed to handle a control frame of ours (InternalError to Request: its table did not
   * answer, say) and asks us to try again: repeat it as after a Throttled frame.
   */
  | 'resend'
  /**
   * The relay refused a Transfer or Acknowledge because the peer's buffer is full (PeerBusy): a
   * congestion signal, like API Gateway's throttling frame; the frame is lost and recovered.
   */
  | 'congestion'
  /** Nothing to recover: the session fails with `error`. */
  | { readonly fatal: BanguinsError };

/** The codes about another connection: the refusal names it in `connectionid`. */
const ABOUT_PEER: ReadonlySet<RelayErrorCode> = new Set(['PeerGone', 'UnknownPeer', 'NotPaired', 'PeerBusy']);

/**
 * Maps a relay Error frame to a reaction and, when fatal, to a typed client error. An error about
 * another connection than `currentPeerId` (the peer's previous one, after it moved) is ignored; a
 * code this build does not know (a newer relay's) is fatal. Every known code has its own arm: a
 * code added to RELAY_ERROR_CODES does not compile until it is handled here.
 */
export function reactToRelayError(error: RelayErrorMessage, currentPeerId?: string): RelayErrorReaction {
  const code = error.code;
  if (!isRelayErrorCode(code)) return { fatal: relayError(error) };
  if (ABOUT_PEER.has(code) && error.connectionid !== undefined && currentPeerId && error.connectionid !== currentPeerId) {
    return 'ignore';
  }
  switch (code) {
    case 'PeerGone':
    case 'UnknownPeer':
      return 'peer-away';
    case 'NotPaired':
      return 'repair';
    case 'PeerBusy':
      return error.request === 'Transfer' || error.request === 'Acknowledge' || error.request === undefined ? 'congestion' : 'ignore';
    case 'InternalError':
      // Transfer and Acknowledge: the acknowledgement protocol recovers the frame. Connect: a
      // keepalive (RelayConnection repeats a first Connect itself); the next one registers again.
      if (error.request === 'Transfer' || error.request === 'Acknowledge' || error.request === 'Connect') return 'ignore';
      return error.request === 'Request' ? 'resend' : { fatal: relayError(error) };
    case 'QrHashMismatch':
      return { fatal: new PairingRefusedError(`the relay refused the pairing: the link does not match the sender (${error.reason})`) };
    case 'BadRequest':
    case 'UnknownAction':
      return { fatal: relayError(error) };
    default: {
      const unhandled: never = code;
      return unhandled;
    }
  }
}

/** The error a receiver raises when its very first Request finds no sender. */
export function staleLinkError(error: RelayErrorMessage): PeerGoneError {
  return new PeerGoneError(`the sender is not connected (${error.code}): the link is stale or the sender stopped`);
}

/** The relay's Error frame in its own words: "the relay answered CODE to REQUEST: REASON". */
export function describeRelayError(error: RelayErrorMessage): string {
  const what = error.request ? ` to ${error.request}` : '';
  return `the relay answered ${error.code}${what}: ${error.reason || 'no reason given'}`;
}

function relayError(error: RelayErrorMessage): RelayError {
  return new RelayError(error.code, describeRelayError(error));
}
