import { sendMessageFrameSchema } from '../../../protocol/frames';
import { parseFrame } from '../frame-parsing';
import type { RelayContext } from '../relay-context';

/** `sendmessage` (seed 000): posts `data` back to the sender as it is; empty data posts nothing. */
export async function echoMessage(context: RelayContext): Promise<void> {
  const frame = parseFrame(sendMessageFrameSchema, context.body);
  if (frame.data.length > 0) await context.post(context.connectionId, frame.data);
}
