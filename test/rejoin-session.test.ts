import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  bytesSource,
  receiveFiles,
  sendFiles,
  type ByteSink,
  type RelayConnection,
  type SessionEvent,
} from '../client';
import type { LocalRelay } from '../local/local-relay';
import { NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';


/**
 * Both sides lose their sockets at the same moment: each reconnects under a new id and only knows
 * the other's dead one. The rejoin Request (qrhash lookup at the relay) brings them together again.
 */
describe('client sessions when both sockets drop at once', () => {
  let relay: LocalRelay;
  const frames: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => frames.push(frame.data) } });
  });
  afterAll(() => relay.close());

  it('GIVEN a transfer under way, WHEN both sockets are killed in the same tick, THEN both reconnect, find each other by qrhash and the bytes arrive whole', async () => {
    // Well beyond the 1 MB kill mark plus a congestion window of 96 KB chunks, so the kill lands mid-transfer.
    const data = randomBytes(8_000_000);
    const committed = new Map<string, Buffer>();
    const connections: { sender?: RelayConnection; receiver?: RelayConnection } = {};
    const senderEvents: string[] = [];
    const receiverEvents: string[] = [];
    let killedAt = -1;
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));

    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: [{ name: 'big.bin', source: bytesSource(data) }],
      tuning: QUICK_TUNING,
      onConnection: (c) => (connections.sender = c),
      onEvent: (event) => {
        senderEvents.push(event.type);
        if (event.type === 'link') gotLink(event.link);
      },
    });
    sending.catch(() => undefined);
    const receiving = receiveFiles({
      link: await link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      lingerMs: 200,
      onConnection: (c) => (connections.receiver = c),
      openSink: async (file): Promise<ByteSink> => {
        const parts: Buffer[] = [];
        return {
          write: async (bytes) => void parts.push(Buffer.from(bytes)),
          commit: async () => void committed.set(file.name, Buffer.concat(parts)),
          abort: async () => undefined,
        };
      },
      onEvent: (event: SessionEvent) => {
        receiverEvents.push(event.type);
        if (killedAt < 0 && event.type === 'progress' && event.bytes > 1_000_000) {
          killedAt = event.bytes;
          frames.length = 0;
          // WHEN both sockets die in the same tick: neither side can tell the other its new id
          (connections.sender!.currentSocket as unknown as WebSocket).terminate();
          (connections.receiver!.currentSocket as unknown as WebSocket).terminate();
        }
      },
    });

    await Promise.all([sending, receiving]);

    // THEN the file arrived byte for byte, after the kill happened mid-transfer
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(data.length);
    expect(committed.get('big.bin')!.equals(data)).toBe(true);
    expect(senderEvents).toContain('resumed');
    expect(receiverEvents).toContain('resumed');
    // AND the sides found each other through the rejoin Request
    expect(frames.some((frame) => frame.includes('"action":"Request"') && frame.includes('"rejoin":true'))).toBe(true);
  }, 60_000);
});
