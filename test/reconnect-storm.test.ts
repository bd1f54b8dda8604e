import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { RelayConnection } from '../client/transport/relay-connection';
import { NODE_WS } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

/**
 * Issue 21 item 3 on the local relay, with the throttles and the clock scaled down (the arithmetic
 * beside the real one: docs/cost-and-throughput.md, "The same, scaled down"). The session routes
 * are 5/s with a burst of 10 instead of 100/s and 200; 20 connections stand for 10,000 and 2,000.
 */
const THROTTLE = { rateLimit: 5, burstLimit: 10 };
const CONNECTIONS = 20;
/** The keepalive interval (240 s on AWS): 20 connections send 20 / 5 s = 4 Connects/s, 80% of the route's 5/s. */
const KEEPALIVE_MS = 5000;
/** The reconnect window (120 s) and the wait ceiling after a 429 handshake (30 s), a tenth each. */
const RECONNECT_WINDOW_MS = 12_000;
const THROTTLED_CEILING_MS = 3000;
/** Connections opened 4 a second once the first 10 are in, under the 5/s of `$connect` and `Connect`. */
const OPEN_GAP_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keepalives and a reconnect storm against scaled-down throttles', () => {
  let relay: LocalRelay;
  const lines: string[] = [];
  const inbound: TappedFrame[] = [];
  const connections: RelayConnection[] = [];
  const reconnected = new Set<number>();
  const fatal: Error[] = [];
  let allBack!: () => void;
  const everyoneBack = new Promise<void>((resolve) => (allBack = resolve));

  beforeAll(async () => {
    relay = await startTestRelay({
      routeThrottles: { $connect: THROTTLE, Connect: THROTTLE },
      log: { line: (text) => void lines.push(text) },
      taps: { frames: (frame) => void (frame.direction === 'in' && inbound.push(frame)) },
    });
  });
  afterAll(async () => {
    for (const connection of connections) connection.close();
    await relay.close();
  });

  const throttled = (route: string) => lines.filter((line) => line === `throttled ${route}` || line.startsWith(`throttled ${route} `)).length;
  const connectFrames = () => inbound.filter((frame) => frame.data.startsWith('{"action":"Connect"')).length;

  it(`${CONNECTIONS} open connections keep alive under the Connect throttle`, async () => {
    const opening: Promise<string>[] = [];
    for (let i = 0; i < CONNECTIONS; i++) {
      // The first ten take the buckets' burst; each later one waits for the tokens its handshake and Connect need.
      if (i === THROTTLE.burstLimit) await Promise.all(opening);
      if (i >= THROTTLE.burstLimit) await sleep(OPEN_GAP_MS);
      const connection = new RelayConnection({
        url: relay.url,
        WebSocket: NODE_WS,
        qrhash: `storm-qrhash-${i}`,
        onFrame: () => undefined,
        onReconnected: () => {
          reconnected.add(i);
          if (reconnected.size === CONNECTIONS) allBack();
        },
        onFatal: (error) => {
          fatal.push(error);
          allBack();
        },
        keepaliveMs: KEEPALIVE_MS,
        reconnectWindowMs: RECONNECT_WINDOW_MS,
        throttledReconnectCeilingMs: THROTTLED_CEILING_MS,
      });
      connections.push(connection);
      opening.push(connection.open());
    }
    await Promise.all(opening);
    const registrations = connectFrames();
    // Every connection's first keepalive comes one to one and a half intervals after it registered.
    await sleep(1.5 * KEEPALIVE_MS + 500);
    const keepalives = connectFrames() - registrations;
    expect(keepalives).toBeGreaterThanOrEqual(CONNECTIONS);
    expect(throttled('Connect')).toBe(0);
    expect(throttled('$connect')).toBe(0);
  });

  it(`all ${CONNECTIONS} come back within the reconnect window after the relay drops them at once`, async () => {
    for (const live of relay.connections.all()) live.socket.terminate();
    await everyoneBack;
    expect(fatal).toEqual([]);
    expect(reconnected.size).toBe(CONNECTIONS);
    // The storm was larger than the $connect burst: some handshakes got 429 and waited their jittered backoff.
    expect(throttled('$connect')).toBeGreaterThan(0);
    expect(relay.connections.all()).toHaveLength(CONNECTIONS);
  });
});
