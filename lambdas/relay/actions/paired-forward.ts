import { NotPairedError, PeerConnectionGoneError } from '../errors';
import { acknowledgeFrameSchema, transferFrameSchema } from '../../../protocol/frames';
import { parseFrame } from '../frame-parsing';
import type { RelayContext } from '../relay-context';
import { deliverToPeer } from './deliver';

/**
 * Forwards a frame to a peer the sender paired with, replacing `connectionid` with the sender's.
 * The first frame to a peer costs one read (the sender's record) and one post; later ones one
 * post only, while the pairing is cached (in one relay, the Request that paired them cached it).
 * No write on the way of a chunk. A refusal (NotPaired) is never cached, so it is read again on
 * the next frame.
 */
async function forwardToPairedPeer(
  context: RelayContext,
  action: 'Transfer' | 'Acknowledge',
  message: { readonly connectionid: string },
): Promise<void> {
  const peerId = message.connectionid;
  const senderId = context.connectionId;
  if (!context.pairings.has(senderId, peerId)) {
    const sender = await context.store.get(senderId);
    if (!sender?.peers.has(peerId)) throw new NotPairedError(peerId);
    context.pairings.remember(senderId, peerId);
  }
  try {
    await deliverToPeer(context, peerId, action, { ...message, connectionid: senderId });
  } catch (error) {
    if (error instanceof PeerConnectionGoneError) context.pairings.forget(senderId, peerId);
    throw error;
  }
}

/** `Transfer` (seed 002): forwards one chunk to the paired receiver. */
export async function relayTransfer(context: RelayContext): Promise<void> {
  const { message } = parseFrame(transferFrameSchema, context.body);
  await forwardToPairedPeer(context, 'Transfer', message);
}

/** `Acknowledge` (seed 002): forwards the receiver's report of missing chunks to the paired sender. */
export async function relayAcknowledge(context: RelayContext): Promise<void> {
  const { message } = parseFrame(acknowledgeFrameSchema, context.body);
  await forwardToPairedPeer(context, 'Acknowledge', message);
}
