import { BadRequestError, QrHashMismatchError, UnknownPeerError } from '../errors';
import { parseFrame, requestFrame } from '../frames';
import type { RelayContext } from '../relay-context';
import { deliverToPeer } from './deliver';

/**
 * `Request` (seed 002): checks the qrhash against the one the target registered, pairs the two
 * connections, and forwards the frame to the target with the sender's id.
 */
export async function relayRequest(context: RelayContext): Promise<void> {
  const { message } = parseFrame(requestFrame, context.body);
  const targetId = message.connectionid;
  if (targetId === context.connectionId) {
    throw new BadRequestError('message.connectionid: a connection cannot pair with itself');
  }
  const target = await context.store.get(targetId);
  if (!target) throw new UnknownPeerError(targetId);
  if (target.qrhash !== undefined && target.qrhash !== message.qrhash) throw new QrHashMismatchError(targetId);

  // Pair before forwarding, so the target may answer with Transfer as soon as the frame lands.
  await context.store.pair(context.connectionId, targetId);
  await deliverToPeer(context, targetId, {
    action: 'Request',
    message: { ...message, connectionid: context.connectionId },
  });
}
