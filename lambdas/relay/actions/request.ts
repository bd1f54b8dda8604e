import { BadRequestError, PeerConnectionGoneError, QrHashMismatchError, UnknownPeerError } from '../errors';
import { requestFrameSchema, type RequestMessage } from '../../../protocol/frames';
import { parseFrame } from '../frame-parsing';
import type { RelayContext } from '../relay-context';
import { deliverToPeer } from './deliver';

/** How many connections of one qrhash a rejoin tries, newest first (a stale record or two may linger on AWS). */
const MAX_REJOIN_CANDIDATES = 5;

/** The message the relay forwards: the seed's fields, `rejoin` dropped. */
type ForwardedRequest = Omit<RequestMessage, 'rejoin'>;

/**
 * `Request` (seed 002): checks the qrhash against the one the target registered, pairs the two
 * connections, and forwards the frame to the target with the sender's id. With `rejoin: true`, a
 * target that is unknown or gone is replaced by the newest other connection that registered the
 * sender's own qrhash (see rejoinByQrHash).
 */
export async function relayRequest(context: RelayContext): Promise<void> {
  const { message } = parseFrame(requestFrameSchema, context.body);
  const { rejoin, ...forwarded } = message;
  const targetId = message.connectionid;
  if (targetId === context.connectionId) {
    throw new BadRequestError('message.connectionid: a connection cannot pair with itself');
  }
  const target = await context.store.get(targetId);
  if (target) {
    if (target.qrhash !== undefined && target.qrhash !== message.qrhash) throw new QrHashMismatchError(targetId);
    try {
      // Pairing adds each to the other's peers in one transaction, and peers are never removed:
      // the target already listing the sender means both sides are paired, and nothing is written.
      await pairAndForward(context, targetId, forwarded, target.peers.has(context.connectionId));
      return;
    } catch (error) {
      if (!rejoin || !isAbout(error, targetId)) throw error;
    }
  } else if (!rejoin) {
    throw new UnknownPeerError(targetId);
  }
  await rejoinByQrHash(context, forwarded, targetId);
}

/**
 * Delivers a Request to the newest other connection that registered the sender's qrhash, after the
 * named target turned out unknown or gone. Only a sender that registered that qrhash itself may
 * look it up, so the qrhash stays a capability; when no other connection holds it (the peer is not
 * back yet), the sender gets UnknownPeer about the target it named, as without `rejoin`.
 */
async function rejoinByQrHash(context: RelayContext, forwarded: ForwardedRequest, deadTargetId: string): Promise<void> {
  const qrhash = forwarded.qrhash;
  if (!qrhash) throw new BadRequestError('message.rejoin: needs message.qrhash, the one you registered with Connect');
  const sender = await context.store.get(context.connectionId);
  if (sender?.qrhash !== qrhash) {
    throw new BadRequestError('message.rejoin: only a connection that registered this qrhash with Connect may rejoin by it');
  }
  const holders = await context.store.findByQrHash(qrhash, MAX_REJOIN_CANDIDATES + 2);
  const candidates = holders
    .filter((holder) => holder.connectionId !== context.connectionId && holder.connectionId !== deadTargetId)
    .slice(0, MAX_REJOIN_CANDIDATES);
  for (const candidate of candidates) {
    try {
      await pairAndForward(context, candidate.connectionId, forwarded);
      return;
    } catch (error) {
      // A stale record (its $disconnect not yet run): it was removed; try the next newest.
      if (!isAbout(error, candidate.connectionId)) throw error;
    }
  }
  throw new UnknownPeerError(deadTargetId);
}

/** Pairs the sender with `peerId` (unless they are paired already) and forwards the Request to it with the sender's id. */
async function pairAndForward(context: RelayContext, peerId: string, forwarded: ForwardedRequest, alreadyPaired = false): Promise<void> {
  // Pair before forwarding, so the target may answer with Transfer as soon as the frame lands.
  if (!alreadyPaired) await context.store.pair(context.connectionId, peerId);
  context.pairings.rememberBothWays(context.connectionId, peerId);
  await deliverToPeer(context, peerId, 'Request', { ...forwarded, connectionid: context.connectionId });
}

/** Whether an error says that connection `peerId` is unknown or gone. */
function isAbout(error: unknown, peerId: string): boolean {
  return (error instanceof PeerConnectionGoneError || error instanceof UnknownPeerError) && error.peerId === peerId;
}
