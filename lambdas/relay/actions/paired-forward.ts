import { NotPairedError } from '../errors';
import { acknowledgeFrame, parseFrame, transferFrame } from '../frames';
import type { RelayContext } from '../relay-context';
import { deliverToPeer } from './deliver';

/**
 * Forwards a frame to a peer the sender paired with, replacing `connectionid` with the sender's.
 * Costs one read (the sender's record) and one post: no write on the way of a chunk.
 */
async function forwardToPairedPeer(
  context: RelayContext,
  action: 'Transfer' | 'Acknowledge',
  message: { readonly connectionid: string },
): Promise<void> {
  const peerId = message.connectionid;
  const sender = await context.store.get(context.connectionId);
  if (!sender?.peers.has(peerId)) throw new NotPairedError(peerId);
  await deliverToPeer(context, peerId, { action, message: { ...message, connectionid: context.connectionId } });
}

/** `Transfer` (seed 002): forwards one chunk to the paired receiver. */
export async function relayTransfer(context: RelayContext): Promise<void> {
  const { message } = parseFrame(transferFrame, context.body);
  await forwardToPairedPeer(context, 'Transfer', message);
}

/** `Acknowledge` (seed 002): forwards the receiver's report of missing chunks to the paired sender. */
export async function relayAcknowledge(context: RelayContext): Promise<void> {
  const { message } = parseFrame(acknowledgeFrame, context.body);
  await forwardToPairedPeer(context, 'Acknowledge', message);
}
