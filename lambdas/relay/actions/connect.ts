import { connectFrameSchema } from '../../../protocol/frames';
import { parseFrame } from '../frame-parsing';
import type { RelayContext } from '../relay-context';

/** `Connect` (seed 002): registers the optional qrhash, then tells the sender its own connection id. */
export async function answerConnect(context: RelayContext): Promise<void> {
  const frame = parseFrame(connectFrameSchema, context.body);
  const qrhash = frame.message?.qrhash;
  if (qrhash) await context.store.registerQrHash(context.connectionId, qrhash);
  await context.post(
    context.connectionId,
    JSON.stringify({ action: 'Connect', message: { connectionid: context.connectionId } }),
  );
}
