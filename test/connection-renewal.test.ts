import { randomBytes } from 'node:crypto';
import type { SessionEvent } from '../client';
import type { ByteSource } from '../client/ports';
import type { RelayConnection } from '../client/transport/relay-connection';
import type { LocalRelay } from '../local/local-relay';
import { sendOneFile } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

/** The relay closes a connection this long after it opened (API Gateway: 2 hours), shortened for the test. */
const MAX_CONNECTION_MS = 6000;
/**
 * The clients replace their sockets well before that (by default 1 h 50 min). Not much shorter: a
 * renewal every second on both sides of a loaded machine churns faster than a pairing settles.
 */
const RENEW_AFTER_MS = 3000;

/** A file read one chunk at a time, 35 ms each (the sender reads ahead in parallel otherwise): about 2.7 MB/s, so the transfer outlives the relay's connection limit. */
function slowSource(bytes: Uint8Array): ByteSource {
  let previous: Promise<unknown> = Promise.resolve();
  return {
    size: bytes.length,
    read: (offset, length) => {
      const read = previous.then(async () => {
        await new Promise((resolve) => setTimeout(resolve, 35));
        return bytes.subarray(offset, Math.min(offset + length, bytes.length));
      });
      previous = read;
      return read;
    },
  };
}

/**
 * API Gateway closes every connection at 2 hours. A transfer that crosses the mark must not stall or
 * resend (issue 21, item 2): each side replaces its socket ahead of the limit, make before break.
 */
describe('connections renewed ahead of the relay\'s connection limit', () => {
  let relay: LocalRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ timeouts: { maxConnectionMs: MAX_CONNECTION_MS } });
  });
  afterAll(() => relay.close());

  it('a transfer that outlives the limit goes on without an interruption or a resend', async () => {
    const content = randomBytes(20 * 1024 * 1024);
    const events: string[] = [];
    const senderIds = new Set<string>();
    const receiverIds = new Set<string>();
    let framesSent = 0;
    let chunks = 0;
    let senderConnection: RelayConnection | undefined;
    let receiverConnection: RelayConnection | undefined;
    const watchIds = setInterval(() => {
      if (senderConnection?.id) senderIds.add(senderConnection.id);
      if (receiverConnection?.id) receiverIds.add(receiverConnection.id);
    }, 50);
    const startedAt = Date.now();
    const received = await sendOneFile(relay.url, content, {
      sender: {
        files: [{ name: 'long.bin', source: slowSource(content) }],
        renewConnectionAfterMs: RENEW_AFTER_MS,
        onConnection: (connection: RelayConnection) => (senderConnection = connection),
        onEvent: (event: SessionEvent) => {
          if (event.type === 'interrupted' || event.type === 'resumed') events.push(`sender ${event.type}`);
          if (event.type === 'done') [framesSent, chunks] = [event.framesSent ?? 0, event.chunks ?? 0];
        },
      },
      receiver: {
        renewConnectionAfterMs: RENEW_AFTER_MS,
        onConnection: (connection: RelayConnection) => (receiverConnection = connection),
        onEvent: (event: SessionEvent) => event.type === 'interrupted' && events.push(`receiver ${event.type}`),
      },
    });
    clearInterval(watchIds);
    expect(received.equals(content)).toBe(true);
    // The transfer outlived the relay's limit, and both sides moved to new connections on the way.
    expect(Date.now() - startedAt).toBeGreaterThan(MAX_CONNECTION_MS);
    expect(senderIds.size).toBeGreaterThanOrEqual(2);
    expect(receiverIds.size).toBeGreaterThanOrEqual(2);
    // No socket was dropped under a side, and (nearly) nothing went twice: a few resends happen under load
    // (a late ack), a dropped socket costs a window's worth.
    expect(events).toEqual([]);
    expect(framesSent / chunks).toBeLessThan(1.1);
  }, 90_000);
});
