import { BanguinsError, HashMismatchError, RelayUnreachableError } from '../../client';
import { printableText } from '../../client/printable-text';
import { CameraError } from './qr-scanner';
import { PageConfigError } from './config';

/** Which side the page is playing and how far it got, so an error reads right for the moment. */
export interface ErrorContext {
  readonly role: 'send' | 'receive';
  /** Whether the two devices had found each other. */
  readonly paired: boolean;
}

/**
 * One sentence a person can act on, for anything a transfer or the camera throws: relay
 * unreachable, link expired, peer left, hash mismatch… The library's own message follows in
 * brackets, for whoever reports the problem, through printableText (it may quote the peer's cancel
 * reason or the relay's Error frame).
 */
export function describeError(error: unknown, context: ErrorContext): string {
  const detail = printableText(error instanceof Error ? error.message : String(error));
  if (error instanceof CameraError || error instanceof PageConfigError) return detail;
  if (!(error instanceof BanguinsError)) return `Something went wrong (${detail}). Reload the page and try again.`;
  const other = context.role === 'send' ? 'receiver' : 'sender';
  switch (error.code) {
    case 'LinkInUse':
      return `This link is already in use by another device: only one device can receive from a link. Ask the sender for a new link (${detail}).`;
    case 'Unconfirmed':
      return `The receiver did not confirm that the files arrived: they may not have. Send them again (${detail}).`;
    case 'RelayUnreachable':
      return context.paired
        ? `The connection to the relay was lost and could not be restored. Check the network and try again (${detail}).`
        : unreachableOrRefused(error instanceof RelayUnreachableError && error.withRelayKey, context.role, detail);
    case 'RelayKeyRefused':
      return `The relay refused the connection: its access key is missing or wrong (${detail}).`;
    case 'PeerGone':
      return context.paired
        ? `The ${other} left and did not come back. Start again with a new link (${detail}).`
        : `This link has expired: the sender is no longer waiting. Ask for a new link (${detail}).`;
    case 'PairingRefused':
      return `This link was refused: it does not match the sender, or someone else is already receiving. Ask for a new link (${detail}).`;
    case 'BadLink':
      return `This link is incomplete or damaged. Copy the whole link, or scan the code again (${detail}).`;
    case 'HashMismatch':
      // A refused file: the message names it (as saved here, or the sender's own name) and says what to do.
      if (error instanceof HashMismatchError && error.file) return `${detail}.`;
      return `A file arrived damaged (its checksum does not match), so it was not saved. Try again (${detail}).`;
    case 'Timeout':
      return `The ${other} stopped answering. Try again (${detail}).`;
    case 'Cancelled':
      return `The transfer was cancelled (${detail}).`;
    default:
      return `The transfer failed (${detail}). Try again.`;
  }
}

/**
 * A browser cannot tell a relay that refused the handshake (401: no key, or a wrong one) from one
 * that is down, so the sentence names both and what to do for each side: the key first when the
 * page or link has one, "not running" first when it has none (most often a local relay not started).
 */
function unreachableOrRefused(withKey: boolean, role: ErrorContext['role'], detail: string): string {
  if (role === 'send') {
    return withKey
      ? `The relay refused this page's access key or cannot be reached: open the page again with the current address ending in #relaykey=…, or check that the relay is running (${detail}).`
      : `The relay is not running or cannot be reached: start it (npm start) or check its address; if it needs an access key, open the page with the address ending in #relaykey=… that npm start or the deploy notes print (${detail}).`;
  }
  return withKey
    ? `The relay refused the access key in this link or cannot be reached: ask the sender for a new link, or check that the relay is running (${detail}).`
    : `The relay is not running or cannot be reached: ask the sender to check it; if it needs an access key, this link carries none, so ask for a new link (${detail}).`;
}
