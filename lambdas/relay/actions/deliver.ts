import { frameJsonBytes } from '../../../protocol/frame-json';
import { PeerConnectionGoneError } from '../errors';
import type { RelayContext } from '../relay-context';

/**
 * Posts a frame to a peer as the UTF-8 bytes of `frameJson`'s text (frameJsonBytes: a Transfer's
 * base64 `data` copied into them, not re-escaped, nor joined into a string first). When the peer is gone (410), deletes its records and throws PeerConnectionGoneError so the
 * sender is told.
 */
export async function deliverToPeer(
  context: RelayContext,
  peerId: string,
  action: string,
  message: object,
): Promise<void> {
  try {
    await context.post(peerId, frameJsonBytes(action, message));
  } catch (error) {
    if (error instanceof PeerConnectionGoneError) await context.store.remove(peerId);
    throw error;
  }
}
