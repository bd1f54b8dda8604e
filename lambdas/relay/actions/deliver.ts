import { PeerGoneError } from '../errors';
import type { RelayContext } from '../relay-context';

/**
 * Posts a frame to a peer. When the peer is gone (410), deletes its records and throws
 * PeerGoneError so the sender is told.
 */
export async function deliverToPeer(context: RelayContext, peerId: string, frame: object): Promise<void> {
  try {
    await context.post(peerId, JSON.stringify(frame));
  } catch (error) {
    if (error instanceof PeerGoneError) await context.store.remove(peerId);
    throw error;
  }
}
