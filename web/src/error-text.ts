import { BanguinsError } from '../../client';
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
 * brackets, for whoever reports the problem.
 */
export function describeError(error: unknown, context: ErrorContext): string {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof CameraError || error instanceof PageConfigError) return detail;
  if (!(error instanceof BanguinsError)) return `Something went wrong (${detail}). Reload the page and try again.`;
  const other = context.role === 'send' ? 'receiver' : 'sender';
  switch (error.code) {
    case 'RelayUnreachable':
      return context.paired
        ? `The connection to the relay was lost and could not be restored. Check the network and try again (${detail}).`
        : `Cannot reach the relay. Check the network, or that the relay is running, and try again (${detail}).`;
    case 'PeerGone':
      return context.paired
        ? `The ${other} left and did not come back. Start again with a new link (${detail}).`
        : `This link has expired: the sender is no longer waiting. Ask for a new link (${detail}).`;
    case 'PairingRefused':
      return `This link was refused: it does not match the sender, or someone else is already receiving. Ask for a new link (${detail}).`;
    case 'BadLink':
      return `This link is incomplete or damaged. Copy the whole link, or scan the code again (${detail}).`;
    case 'HashMismatch':
      return `A file arrived damaged (its checksum does not match), so it was not saved. Try again (${detail}).`;
    case 'Timeout':
      return `The ${other} stopped answering. Try again (${detail}).`;
    case 'Cancelled':
      return `The transfer was cancelled (${detail}).`;
    default:
      return `The transfer failed (${detail}). Try again.`;
  }
}
