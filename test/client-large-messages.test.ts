import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import {
  bytesSource,
  CHUNK_PLAINTEXT_BYTES,
  LARGE_CHUNK_PLAINTEXT_BYTES,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  receiveFiles,
  sendFiles,
  type WebSocketConstructor,
} from '../client';
import { toBase64, toBase64Url } from '../protocol/base64';
import { canFragmentMessages, fitsOneFrame } from '../client/transport/relay-connection';
import { chunkAad, deriveSessionKeys, randomBytes, Sealer, sha256 } from '../client/crypto/session-crypto';
import { transferFrame } from '../client/transport/wire-frames';
import type { LocalRelay } from '../local/local-relay';
import { collectingSink, NODE_WS } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';
import { connectClient } from './support/ws-client';


/** One WebSocket frame as it crossed the wire from a client to the relay. */
interface WireFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly length: number;
}

/**
 * A TCP proxy in front of the relay that reads the WebSocket frame headers of the client -> relay
 * direction (after the HTTP upgrade) and forwards every byte unchanged.
 */
async function startFrameProxy(target: number): Promise<{ port: number; frames: WireFrame[]; close: () => Promise<void> }> {
  const frames: WireFrame[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let skip = 0;
    client.on('data', (data: Buffer) => {
      upstream.write(data);
      buffer = Buffer.concat([buffer, data]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        buffer = buffer.subarray(end + 4);
      }
      for (;;) {
        if (skip > 0) {
          const dropped = Math.min(skip, buffer.length);
          buffer = buffer.subarray(dropped);
          skip -= dropped;
          if (skip > 0) return;
        }
        if (buffer.length < 2) return;
        const lengthCode = buffer[1]! & 0x7f;
        const masked = (buffer[1]! & 0x80) !== 0;
        const headerBase = lengthCode === 126 ? 4 : lengthCode === 127 ? 10 : 2;
        const header = headerBase + (masked ? 4 : 0);
        if (buffer.length < header) return;
        const length = lengthCode === 126 ? buffer.readUInt16BE(2) : lengthCode === 127 ? Number(buffer.readBigUInt64BE(2)) : lengthCode;
        frames.push({ fin: (buffer[0]! & 0x80) !== 0, opcode: buffer[0]! & 0x0f, length });
        buffer = buffer.subarray(header);
        skip = length;
      }
    });
    upstream.on('data', (data: Buffer) => client.write(data));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    frames,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A Transfer frame of a full chunk of `plaintextBytes`, with the longest connection id and fileid the relay accepts. */
async function largestTransferFrame(plaintextBytes: number): Promise<string> {
  const keys = await deriveSessionKeys(randomBytes(32));
  const fileid = 'f'.repeat(64);
  const sealed = await new Sealer(keys.senderKey).seal(nodeRandomBytes(plaintextBytes), chunkAad(fileid, 9_999_999_998, 9_999_999_999));
  return transferFrame({
    connectionid: 'c'.repeat(128),
    data: toBase64(sealed),
    chunkid: 9_999_999_998,
    chunktotal: 9_999_999_999,
    chunkhash: toBase64Url(await sha256(sealed)),
    fileid,
  });
}

describe('128 KB Transfer messages from a sender that fragments, 32 KB frames from a browser', () => {
  let relay: LocalRelay;
  const inbound: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => frame.direction === 'in' && inbound.push(frame.data) } });
  });
  afterAll(() => relay.close());

  it('sizes a large chunk so its Transfer message and the frame the relay forwards stay under 128 KB', async () => {
    // GIVEN the largest Transfer of each chunk size (128-character connection id, 64-character fileid, 10-digit numbers)
    const large = await largestTransferFrame(LARGE_CHUNK_PLAINTEXT_BYTES);
    const small = await largestTransferFrame(CHUNK_PLAINTEXT_BYTES);
    // THEN a large one is one message under 128 KB with margin (the relay only swaps the connection id, same length)
    expect(Buffer.byteLength(large)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES - 2048);
    expect(Buffer.byteLength(large)).toBeGreaterThan(3 * MAX_FRAME_BYTES);
    // AND a base one still fits one 32 KB frame
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });

  it('tells a message whose UTF-8 fits one 32 KB frame from one that needs more, whatever its characters', () => {
    expect(fitsOneFrame('a'.repeat(MAX_FRAME_BYTES))).toBe(true);
    expect(fitsOneFrame('a'.repeat(MAX_FRAME_BYTES + 1))).toBe(false);
    // 2 bytes each in UTF-8: half as many fit
    expect(fitsOneFrame('é'.repeat(MAX_FRAME_BYTES / 2))).toBe(true);
    expect(fitsOneFrame('é'.repeat(MAX_FRAME_BYTES / 2 + 1))).toBe(false);
    expect(fitsOneFrame(`${'a'.repeat(MAX_FRAME_BYTES - 1)}é`)).toBe(false);
    // a surrogate pair is 2 characters and 4 bytes; a lone surrogate is written as U+FFFD, 3 bytes
    expect(fitsOneFrame('😀'.repeat(MAX_FRAME_BYTES / 4))).toBe(true);
    expect(fitsOneFrame(`${'a'.repeat(MAX_FRAME_BYTES - 3)}😀`)).toBe(false);
    expect(fitsOneFrame(`${'a'.repeat(MAX_FRAME_BYTES - 3)}\ud800`)).toBe(true);
    expect(fitsOneFrame(`${'a'.repeat(MAX_FRAME_BYTES - 2)}\ud800`)).toBe(false);
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: 10_900 + Math.floor(Math.random() * 12_000) }, () => ['a', 'é', '€', '😀'][Math.floor(Math.random() * 4)]).join('');
      expect(fitsOneFrame(text)).toBe(Buffer.byteLength(text) <= MAX_FRAME_BYTES);
    }
  });

  it('tells a ws socket (fragments) from a browser-like one (no fragments)', () => {
    expect(canFragmentMessages(NODE_WS)).toBe(true);
    class BrowserLike {
      send(): void {}
      close(): void {}
    }
    expect(canFragmentMessages(BrowserLike as unknown as WebSocketConstructor)).toBe(false);
  });

  it('a Node sender sends each Transfer as one message of several frames of at most 32 KB, and the file arrives', async () => {
    // GIVEN a sender whose socket goes through a proxy that reads the frames on the wire
    const proxy = await startFrameProxy(relay.port);
    try {
      const data = nodeRandomBytes(1_000_000);
      inbound.length = 0;
      const parts: Buffer[] = [];
      let gotLink!: (link: string) => void;
      const link = new Promise<string>((resolve) => (gotLink = resolve));
      const sending = sendFiles({
        relayUrl: `ws://127.0.0.1:${proxy.port}`,
        WebSocket: NODE_WS,
        files: [{ name: 'big.bin', source: bytesSource(data) }],
        onEvent: (event) => event.type === 'link' && gotLink(event.link),
      });
      // The receiver talks to the relay directly (the link names the proxy: swap it for the relay's URL).
      const receiverLink = (await link).replace(encodeURIComponent(`ws://127.0.0.1:${proxy.port}`), encodeURIComponent(relay.url));
      const receiving = receiveFiles({
        link: receiverLink,
        WebSocket: NODE_WS,
        lingerMs: 100,
        openSink: async () => collectingSink(parts),
      });
      const [summary] = await Promise.all([sending, receiving]);
      // THEN the file arrived whole, cut in large chunks
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      expect(summary.chunkBytes).toBe(LARGE_CHUNK_PLAINTEXT_BYTES);
      // AND on the wire every data frame is at most 32 KB, and the large Transfers were fragmented
      const dataFrames = proxy.frames.filter((f) => f.opcode < 0x08);
      expect(dataFrames.every((f) => f.length <= MAX_FRAME_BYTES)).toBe(true);
      expect(dataFrames.filter((f) => f.opcode === 0x00).length).toBeGreaterThanOrEqual(3 * 10);
      expect(dataFrames.filter((f) => f.opcode === 0x01 && !f.fin).length).toBeGreaterThanOrEqual(10);
      // AND the relay took each large Transfer as one message over 32 KB and at most 128 KB
      const transfers = inbound.filter((text) => text.startsWith('{"action":"Transfer"'));
      const full = transfers.filter((text) => Buffer.byteLength(text) > MAX_FRAME_BYTES);
      expect(full.length).toBeGreaterThanOrEqual(10);
      expect(transfers.every((text) => Buffer.byteLength(text) <= MAX_MESSAGE_BYTES)).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('still closes a single 33 KB frame with 1009, and a fragmented message over 128 KB too', async () => {
    const single = await connectClient(relay.url);
    single.ws.send('x'.repeat(33 * 1024));
    expect((await single.nextClose()).code).toBe(1009);

    // Five 32 KB frames (each under the frame limit) make one 160 KB message: over the message limit.
    const fragmented = await connectClient(relay.url);
    const piece = Buffer.alloc(32 * 1024, 'y');
    for (let i = 0; i < 5; i++) fragmented.ws.send(piece, { binary: false, fin: i === 4, compress: false });
    expect((await fragmented.nextClose()).code).toBe(1009);

    // Four 32 KB frames of one valid 128 KB message are accepted (answered, not closed).
    const accepted = await connectClient(relay.url);
    const message = Buffer.from(JSON.stringify({ action: 'sendmessage', data: 'z'.repeat(MAX_MESSAGE_BYTES - 40) }));
    expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    for (let offset = 0; offset < message.length; offset += MAX_FRAME_BYTES) {
      accepted.ws.send(message.subarray(offset, offset + MAX_FRAME_BYTES), { binary: false, fin: offset + MAX_FRAME_BYTES >= message.length, compress: false });
    }
    const answer = await accepted.next();
    expect(typeof answer === 'string' ? answer.length : 0).toBe(MAX_MESSAGE_BYTES - 40);
    await accepted.close();
  });
});
