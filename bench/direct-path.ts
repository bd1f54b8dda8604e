/**
 * `NODE_PATH=... npx tsx bench/direct-path.ts [MB]`: MB/s of one file (default 50 MB) sent client
 * library to client library in this process through a local relay (its own DynamoDB Local), once
 * over the direct WebRTC path (@roamhq/wrtc, loopback host candidates) and once with the relay only.
 * Prints figures; not a test.
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { bytesSource, receiveFiles, sendFiles, type WebSocketConstructor } from '../client';
import { loadNodeWebRtc, type WebRtcImplementation } from '../client/direct/node-webrtc';
import { startLocalRelay } from '../local/local-relay';

const NODE_WS = WebSocket as unknown as WebSocketConstructor;

/** Sends `content` once and returns the seconds from pairing to the receiver's last byte, and whether the direct path opened. */
async function run(relayUrl: string, content: Uint8Array, webrtc: WebRtcImplementation | undefined): Promise<{ seconds: number; path: string }> {
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  let pairedAt = 0;
  let path = 'relay';
  const sending = sendFiles({
    relayUrl,
    WebSocket: NODE_WS,
    files: [{ name: 'bench.bin', source: bytesSource(content) }],
    webrtc,
    onEvent: (event) => {
      if (event.type === 'link') gotLink(event.link);
      if (event.type === 'paired') pairedAt = Date.now();
      if (event.type === 'path' && event.path === 'direct') path = 'direct';
    },
  });
  let size = 0;
  await receiveFiles({
    link: await link,
    WebSocket: NODE_WS,
    webrtc,
    lingerMs: 200,
    openSink: async () => ({ write: async (bytes) => void (size += bytes.length), commit: async () => undefined, abort: async () => undefined }),
  });
  const seconds = (Date.now() - pairedAt) / 1000;
  await sending;
  if (size !== content.length) throw new Error(`received ${size} bytes of ${content.length}`);
  return { seconds, path };
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 50);
  const webrtc = await loadNodeWebRtc();
  if (!webrtc) throw new Error('@roamhq/wrtc did not load (set NODE_PATH or install the optional dependency)');
  const relay = await startLocalRelay({ port: 0, handlerLogLevel: 'SILENT' });
  try {
    const content = randomBytes(megabytes * 1_000_000);
    for (const [label, impl] of [['direct', webrtc], ['relay only', undefined]] as const) {
      const { seconds, path } = await run(relay.url, content, impl);
      console.log(`${label.padEnd(10)} ${megabytes} MB in ${seconds.toFixed(2)} s: ${(megabytes / seconds).toFixed(1)} MB/s (chunks went ${path === 'direct' ? 'direct' : 'through the relay'}; pairing to last byte, direct set-up included)`);
    }
  } finally {
    await relay.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
