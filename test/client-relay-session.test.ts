import { randomBytes as nodeRandomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  bytesSource,
  CHUNK_PLAINTEXT_BYTES,
  formatPairingLink,
  parsePairingLink,
  receiveFiles,
  sendFiles,
  type ByteSink,
  type OutgoingFile,
  type ReceiveOptions,
  type RelayConnection,
  type SendOptions,
  type SessionEvent,
} from '../client';
import type { LocalRelay } from '../local/local-relay';
import { NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';


/** Collects a received file in memory. */
function memorySinks(): { files: Map<string, Buffer>; openSink: ReceiveOptions['openSink'] } {
  const files = new Map<string, Buffer>();
  return {
    files,
    openSink: async (file): Promise<ByteSink> => {
      const parts: Buffer[] = [];
      return {
        write: async (bytes) => void parts.push(Buffer.from(bytes)),
        commit: async () => void files.set(file.name, Buffer.concat(parts)),
        abort: async () => undefined,
      };
    },
  };
}

/** Runs a sender and a receiver against the relay; `breakSocket` may kill one side's socket mid-transfer. */
async function transfer(
  relay: LocalRelay,
  files: OutgoingFile[],
  hooks: { sender?: Partial<SendOptions>; receiver?: Partial<ReceiveOptions>; onReceiverEvent?: (e: SessionEvent) => void } = {},
): Promise<Map<string, Buffer>> {
  const sinks = memorySinks();
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  const sending = sendFiles({
    relayUrl: relay.url,
    WebSocket: NODE_WS,
    files,
    tuning: QUICK_TUNING,
    ...hooks.sender,
    onEvent: (event) => {
      if (event.type === 'link') gotLink(event.link);
      hooks.sender?.onEvent?.(event);
    },
  });
  sending.catch(() => undefined);
  const receiving = receiveFiles({
    link: await link,
    WebSocket: NODE_WS,
    openSink: sinks.openSink,
    tuning: QUICK_TUNING,
    lingerMs: 200,
    ...hooks.receiver,
    onEvent: (event) => hooks.onReceiverEvent?.(event),
  });
  await Promise.all([sending, receiving]);
  return sinks.files;
}

function killOnce(after: (e: SessionEvent) => boolean): { onConnection: (c: RelayConnection) => void; onEvent: (e: SessionEvent) => void; killed: () => boolean } {
  let connection: RelayConnection | undefined;
  let done = false;
  return {
    onConnection: (c) => (connection = c),
    onEvent: (event) => {
      if (!done && after(event)) {
        done = true;
        (connection!.currentSocket as unknown as WebSocket).terminate();
      }
    },
    killed: () => done,
  };
}

describe('client sessions through the local relay', () => {
  let relay: LocalRelay;
  const frames: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => frames.push(frame.data) } });
  });
  afterAll(() => relay.close());

  it('delivers several files byte for byte while the relay sees no plaintext', async () => {
    // GIVEN files whose content and names are easy to spot
    const marker = 'BANGUINS-PLAINTEXT-MARKER-';
    const text = Buffer.from(marker.repeat(5000));
    const binary = nodeRandomBytes(CHUNK_PLAINTEXT_BYTES + 1);
    frames.length = 0;
    // WHEN they are sent
    const received = await transfer(relay, [
      { name: 'secret-name.txt', type: 'text/plain', source: bytesSource(text) },
      { name: 'empty', source: bytesSource(new Uint8Array(0)) },
      { name: 'binary.bin', source: bytesSource(binary) },
    ]);
    // THEN they arrive whole, and no frame the relay saw carries the content or the names
    expect(received.get('secret-name.txt')!.equals(text)).toBe(true);
    expect(received.get('empty')!.length).toBe(0);
    expect(received.get('binary.bin')!.equals(binary)).toBe(true);
    expect(frames.filter((f) => f.includes('"Transfer"')).length).toBeGreaterThan(5);
    for (const frame of frames) {
      expect(frame).not.toContain(marker);
      expect(frame).not.toContain('secret-name');
      expect(frame).not.toContain(Buffer.from(marker.repeat(3)).toString('base64').slice(4, 40));
    }
  });

  it.each(['sender', 'receiver'] as const)('resumes when the %s socket is killed mid-transfer', async (side) => {
    const data = nodeRandomBytes(2_000_000);
    const kill = killOnce((e) => e.type === 'progress' && e.bytes > 500_000);
    const events: string[] = [];
    const received = await transfer(relay, [{ name: 'big.bin', source: bytesSource(data) }], {
      sender: side === 'sender' ? { onConnection: kill.onConnection, onEvent: kill.onEvent } : {},
      receiver: side === 'receiver' ? { onConnection: kill.onConnection } : {},
      onReceiverEvent: (e) => {
        events.push(e.type);
        if (side === 'receiver') kill.onEvent(e);
      },
    });
    expect(kill.killed()).toBe(true);
    expect(events).toContain('resumed');
    expect(received.get('big.bin')!.equals(data)).toBe(true);
  });

  it('refuses a link whose key does not match the sender (PairingRefused)', async () => {
    let gotLink!: (link: string) => void;
    const linkPromise = new Promise<string>((resolve) => (gotLink = resolve));
    const controller = new AbortController();
    const sending = sendFiles({ relayUrl: relay.url, WebSocket: NODE_WS, files: [{ name: 'x', source: bytesSource(new Uint8Array(3)) }], signal: controller.signal, onEvent: (e) => e.type === 'link' && gotLink(e.link) });
    sending.catch(() => undefined);
    const real = parsePairingLink(await linkPromise);
    const forged = formatPairingLink('http://h/', { ...real, secret: new Uint8Array(32).fill(1) });
    await expect(receiveFiles({ link: forged, WebSocket: NODE_WS, openSink: memorySinks().openSink })).rejects.toMatchObject({ code: 'PairingRefused' });
    controller.abort();
    await expect(sending).rejects.toMatchObject({ code: 'Cancelled' });
  });

  it('reports a stale link as PeerGone and an unreachable relay as RelayUnreachable', async () => {
    const stale = formatPairingLink('http://h/', { relayUrl: relay.url, senderId: 'AAAAAAAAAAAAAAA=', secret: new Uint8Array(32) });
    await expect(receiveFiles({ link: stale, WebSocket: NODE_WS, openSink: memorySinks().openSink })).rejects.toMatchObject({ code: 'PeerGone' });
    await expect(
      sendFiles({ relayUrl: 'ws://127.0.0.1:1', WebSocket: NODE_WS, files: [{ name: 'x', source: bytesSource(new Uint8Array(1)) }] }),
    ).rejects.toMatchObject({ code: 'RelayUnreachable' });
  });
});
