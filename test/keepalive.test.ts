import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { RelayConnection } from '../client/transport/relay-connection';
import { NODE_WS } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

/** A keepalive interval short enough to watch several in a test (by default 240 s). */
const KEEPALIVE_MS = 300;

/**
 * Keepalives (issue 21 item 3): a Connect goes only from a socket that sent nothing for a whole
 * keepalive interval, so a connection in a transfer sends none and an idle one keeps the relay's
 * idle timeout away.
 */
describe('keepalive Connects', () => {
  let relay: LocalRelay;
  const inbound: TappedFrame[] = [];
  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => void (frame.direction === 'in' && inbound.push(frame)) } });
  });
  afterAll(() => relay.close());

  async function openConnection(): Promise<{ connection: RelayConnection; connects: () => number }> {
    const connection = new RelayConnection({ url: relay.url, WebSocket: NODE_WS, qrhash: 'keepalive-test-qrhash', onFrame: () => undefined, onFatal: () => undefined, keepaliveMs: KEEPALIVE_MS });
    const id = await connection.open();
    const connects = () => inbound.filter((frame) => frame.connectionId === id && frame.data.startsWith('{"action":"Connect"')).length;
    return { connection, connects };
  }

  it('an idle connection sends a Connect about every interval', async () => {
    const { connection, connects } = await openConnection();
    const registered = connects();
    await new Promise((resolve) => setTimeout(resolve, 6 * KEEPALIVE_MS));
    connection.close();
    // Six intervals: the first keepalive at a random point of the first, then one whenever a whole interval was quiet.
    expect(connects() - registered).toBeGreaterThanOrEqual(2);
    expect(connects() - registered).toBeLessThanOrEqual(7);
  });

  it('a connection that keeps sending sends no keepalive', async () => {
    const { connection, connects } = await openConnection();
    const registered = connects();
    const busy = setInterval(() => connection.send(JSON.stringify({ action: 'sendmessage', data: 'busy' })), KEEPALIVE_MS / 6);
    await new Promise((resolve) => setTimeout(resolve, 6 * KEEPALIVE_MS));
    clearInterval(busy);
    connection.close();
    expect(connects() - registered).toBe(0);
  });
});
