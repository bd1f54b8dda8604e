import WebSocket from 'ws';
import { bytesSource, receiveFiles, sendFiles, type ByteSink, type ReceiveOptions, type SendOptions, type WebSocketConstructor } from '../client';
import type { ProtocolTuning } from '../client/tuning';

/** The `ws` WebSocket as the client library's WebSocket constructor (Node tests). */
export const NODE_WS = WebSocket as unknown as WebSocketConstructor;

/** A shorter quiet period, so tests that break a transfer see the receiver's report sooner. */
export const QUICK_TUNING: Partial<ProtocolTuning> = { quietMs: 100 };

/** A sink that pushes every piece written into `parts` (in memory; commit and abort do nothing). */
export function collectingSink(parts: Buffer[]): ByteSink {
  return {
    write: async (bytes) => void parts.push(Buffer.from(bytes)),
    commit: async () => undefined,
    abort: async () => undefined,
  };
}

/**
 * Sends `content` as one file from a sender to a receiver through the relay at `relayUrl`, both in
 * this process with QUICK_TUNING (the sender's `onEvent`, if given, sees every event too), and resolves with the bytes the receiver wrote. When the receiver
 * fails, the sender is stopped too (it would wait out its own pairing timeout) and the receiver's
 * error is thrown.
 */
export async function sendOneFile(
  relayUrl: string,
  content: Uint8Array,
  options: { readonly sender?: Partial<SendOptions>; readonly receiver?: Partial<ReceiveOptions> } = {},
): Promise<Buffer> {
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  const stopSender = new AbortController();
  const sending = sendFiles({
    relayUrl,
    WebSocket: NODE_WS,
    files: [{ name: 'file.bin', source: bytesSource(content) }],
    tuning: QUICK_TUNING,
    signal: stopSender.signal,
    ...options.sender,
    onEvent: (event) => {
      if (event.type === 'link') gotLink(event.link);
      options.sender?.onEvent?.(event);
    },
  });
  sending.catch(() => undefined);
  const parts: Buffer[] = [];
  try {
    await receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      lingerMs: 200,
      openSink: async () => collectingSink(parts),
      ...options.receiver,
    });
  } catch (error) {
    stopSender.abort();
    throw error;
  }
  await sending;
  return Buffer.concat(parts);
}
