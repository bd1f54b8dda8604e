import { randomBytes as nodeRandomBytes } from 'node:crypto';
import {
  bytesSource,
  CHUNK_PLAINTEXT_BYTES,
  LARGE_CHUNK_PLAINTEXT_BYTES,
  receiveFiles,
  sendFiles,
  type ByteSink,
  type SendSummary,
} from '../client';
import type { TappedFrame } from '../local/relay-taps';
import type { LocalRelay } from '../local/local-relay';
import { NODE_WS } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';


/** Sends `data` from a sender to a receiver through `relay`; returns what arrived and the sender's summary. */
async function transfer(relay: LocalRelay, data: Uint8Array, chunkBytes?: number): Promise<{ received: Buffer; summary: SendSummary }> {
  const parts: Buffer[] = [];
  let received: Buffer | undefined;
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  const sending = sendFiles({
    relayUrl: relay.url,
    WebSocket: NODE_WS,
    files: [{ name: 'data.bin', source: bytesSource(data) }],
    chunkBytes,
    onEvent: (event) => event.type === 'link' && gotLink(event.link),
  });
  sending.catch(() => undefined);
  const receiving = receiveFiles({
    link: await link,
    WebSocket: NODE_WS,
    lingerMs: 200,
    openSink: async (): Promise<ByteSink> => ({
      write: async (bytes) => void parts.push(Buffer.from(bytes)),
      commit: async () => void (received = Buffer.concat(parts)),
      abort: async () => undefined,
    }),
  });
  const [summary] = await Promise.all([sending, receiving]);
  return { received: received!, summary };
}

describe('a transfer through a relay that throttles and drops Transfer frames', () => {
  let relay: LocalRelay;
  const taps: TappedFrame[] = [];

  beforeAll(async () => {
    // API Gateway's throttle on 5% of Transfer frames (dropped, answered with "Limit Exceeded"), plus 3% silent drops.
    relay = await startTestRelay({ faults: { drop: 0.03, duplicate: 0, reorder: 0, throttle: 0.05, seed: 7 }, taps: { frames: (frame) => taps.push(frame) } });
  });
  afterAll(() => relay.close());

  it.each([
    ['32 KB frames (browser-sized chunks)', CHUNK_PLAINTEXT_BYTES, 2_600_000],
    ['128 KB messages (fragmenting sender)', LARGE_CHUNK_PLAINTEXT_BYTES, 10_400_000],
  ])('completes byte for byte with %s, the sender counting the throttling frames as congestion', async (label, chunkBytes, size) => {
    // GIVEN a file of well over a hundred chunks
    const data = nodeRandomBytes(size);
    taps.length = 0;
    // WHEN it crosses the faulty relay
    const { received, summary } = await transfer(relay, data, chunkBytes);
    // THEN it arrives whole, in chunks of the size asked for
    expect(received.equals(data)).toBe(true);
    expect(summary.chunkBytes).toBe(chunkBytes);
    // AND the relay did throttle (deterministic with the seed: one decision per Transfer frame, in order)
    expect(summary.chunks).toBeGreaterThan(100);
    expect(taps.filter((t) => t.direction === 'in' && t.data.startsWith('{"action":"Transfer"')).length).toBe(summary.framesSent);
    // AND the sender saw each throttling frame it was sent as a congestion signal, not as an error
    expect(summary.congestion.signals).toBeGreaterThan(0);
    const amplification = summary.framesSent / summary.chunks;
    process.stdout.write(
      `throttle+drop faults, ${label}: ${summary.chunks} chunks, ${summary.framesSent} Transfer frames sent, ` +
        `amplification ${amplification.toFixed(3)}x, signals ${summary.congestion.signals}, losses ${summary.congestion.losses}, timeouts ${summary.congestion.timeouts}\n`,
    );
  });
});
