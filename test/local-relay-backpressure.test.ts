import type { LocalRelay } from '../local/local-relay';
import WebSocket from 'ws';
import { QUEUE_HIGH_WATER, QUEUE_HIGH_WATER_BYTES } from '../local/connection-queue';
import { MAX_MESSAGE_BYTES } from '../protocol/limits';
import { recordingHandlers, waitFor } from './support/recording-handlers';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, pairedClients } from './support/ws-client';

/** The largest socket read Node hands to `ws` at once; frames already read when the socket pauses still queue. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * A relay whose `slow` route takes 5 ms per frame and records each frame's `n`, for one describe
 * block (started in beforeAll, closed in afterAll). These tests are about one connection's own
 * marks: the relay-wide backlog's marks are set where one connection never reaches them
 * (local-relay-backlog.test.ts tests those).
 */
function slowRelay(): { readonly relay: () => LocalRelay; readonly handled: number[] } {
  let relay: LocalRelay | undefined;
  const handled: number[] = [];
  const recorder = recordingHandlers({
    slow: async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      handled.push((JSON.parse(event.body ?? '{}') as { n: number }).n);
      return { statusCode: 200 };
    },
  });
  beforeAll(async () => {
    relay = await startTestRelay({ handlers: recorder.build, limits: { backlog: { highBytes: 64 * 1024 * 1024, lowBytes: 32 * 1024 * 1024, highWaitMs: 60_000, lowWaitMs: 60_000 } } });
  });
  afterAll(() => relay?.close());
  return { relay: () => relay!, handled };
}

/** A client that floods a connection faster than its handlers finish cannot grow the relay's queue. */
describe('local relay backpressure', () => {
  const slow = slowRelay();
  const handled = slow.handled;

  test('the socket pauses at the high-water mark, the queue stays bounded, and every frame is handled', async () => {
    const relay = slow.relay();
    const client = await connectClient(relay.url);
    const frames = 600;
    const padding = 'x'.repeat(16 * 1024);
    for (let n = 0; n < frames; n++) client.send({ action: 'slow', n, padding });

    await waitFor(() => handled.length === frames, `all ${frames} frames handled`, 30_000);
    // Every frame handled exactly once: none dropped, none twice.
    expect([...handled].sort((x, y) => x - y)).toEqual(Array.from({ length: frames }, (_, n) => n));
    // Without backpressure the queue would hold nearly all 600 frames.
    const framesPerRead = Math.ceil(READ_CHUNK_BYTES / padding.length) + 1;
    expect(relay.queueStats.pauses).toBeGreaterThan(0);
    expect(relay.queueStats.peakQueued).toBeGreaterThanOrEqual(QUEUE_HIGH_WATER);
    expect(relay.queueStats.peakQueued).toBeLessThanOrEqual(QUEUE_HIGH_WATER + framesPerRead);
    expect(relay.queueStats.finished).toBe(relay.queueStats.accepted);
    await client.close();
  });

});

/** Large messages: the byte mark pauses the socket before the frame-count mark would. */
describe('local relay backpressure by bytes', () => {
  const slow = slowRelay();
  const handled = slow.handled;

  test('messages of four 30 KB frames queue at most about 1 MiB, fewer than the 16-message mark', async () => {
    const relay = slow.relay();
    const socket = new WebSocket(relay.url);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const messages = 60;
    const frameBytes = 30 * 1024;
    const perMessage = 4 * frameBytes;
    // GIVEN a client that floods ~120 KB messages (each four frames, under the 128 KB message limit)
    for (let n = 0; n < messages; n++) {
      const text = JSON.stringify({ action: 'slow', n, padding: 'y'.repeat(perMessage - 64) });
      for (let at = 0; at < text.length; at += frameBytes) socket.send(text.slice(at, at + frameBytes), { fin: at + frameBytes >= text.length });
    }
    await waitFor(() => handled.length === messages, `all ${messages} messages handled`, 30_000);
    // THEN every message was handled once, and at most 1 MiB of them (plus one socket read) queued
    expect([...handled].sort((x, y) => x - y)).toEqual(Array.from({ length: messages }, (_, n) => n));
    const bound = Math.ceil(QUEUE_HIGH_WATER_BYTES / perMessage) + Math.ceil(READ_CHUNK_BYTES / perMessage) + 1;
    expect(bound).toBeLessThan(QUEUE_HIGH_WATER);
    expect(relay.queueStats.pauses).toBeGreaterThan(0);
    expect(relay.queueStats.peakQueued).toBeLessThanOrEqual(bound);
    expect(relay.queueStats.finished).toBe(relay.queueStats.accepted);
    socket.close();
  });
});

/** A receiver that stops reading: the relay caps what it buffers for it and answers the sender PeerBusy. */
describe.each(['direct', 'sdk'] as const)('local relay slow reader (@connections posts: %s)', (connectionsTransport) => {
  const OUTBOUND_LIMIT = 256 * 1024;
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay({ limits: { outboundBytes: OUTBOUND_LIMIT }, connectionsTransport });
  });
  afterAll(() => relay.close());


  test('posts to a paused reader answer PeerBusy, its buffer stays under the cap, and frames flow again once it reads', async () => {
    const { a: sender, b: receiver, bId: receiverId } = await pairedClients(relay.url);

    // The receiver stops reading its socket: TCP fills, then the relay's outbound buffer.
    const receiverSocket = (receiver.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    receiverSocket.pause();
    const busy: Array<{ code: string; request: string; connectionid: string }> = [];
    sender.ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString('utf8')) as { action: string; message: { code: string; request: string; connectionid: string } };
      if (frame.action === 'Error') busy.push(frame.message);
    });
    const buffered = () => relay.connections.get(receiverId)?.socket.bufferedAmount ?? 0;
    let peakBuffered = 0;
    const data = 'A'.repeat(24 * 1024);
    let sent = 0;
    const send = () => {
      sender.send({ action: 'Transfer', message: { connectionid: receiverId, data, chunkid: sent, chunktotal: 100_000, chunkhash: 'h' } });
      sent++;
    };
    while (busy.length === 0 && sent < 4000) {
      send();
      peakBuffered = Math.max(peakBuffered, buffered());
      if (sender.ws.bufferedAmount > 1024 * 1024) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    await waitFor(() => busy.length > 0, 'a PeerBusy Error frame', 30_000);
    peakBuffered = Math.max(peakBuffered, buffered());
    expect(busy[0]).toEqual({ code: 'PeerBusy', reason: expect.stringMatching(/not keeping up/), request: 'Transfer', connectionid: receiverId });
    expect(busy.every((message) => message.code === 'PeerBusy')).toBe(true);
    // One post over the cap at most: the check and the send are one step.
    expect(peakBuffered).toBeLessThanOrEqual(OUTBOUND_LIMIT + MAX_MESSAGE_BYTES);

    // The receiver reads again: every chunk either reached it or was answered PeerBusy, and new chunks flow.
    let delivered = 0;
    receiver.ws.on('message', () => delivered++);
    receiverSocket.resume();
    await waitFor(() => delivered + busy.length >= sent, 'every chunk delivered or refused', 30_000);
    const refusedBefore = busy.length;
    const deliveredBefore = delivered;
    for (let i = 0; i < 5; i++) send();
    await waitFor(() => delivered === deliveredBefore + 5, 'new chunks after the receiver resumed', 10_000);
    expect(busy.length).toBe(refusedBefore);
    expect(delivered + busy.length).toBe(sent);
    await Promise.all([sender.close(), receiver.close()]);
  });
});
