import { createRelayClients } from '../lambdas/adapters/relay-ports';
import type { ConnectionStore } from '../lambdas/relay/ports';
import { ROUTES } from '../lambdas/routes';
import { RelayUnreachableError, type ReceiveOptions } from '../client';
import { RelayConnection } from '../client/transport/relay-connection';
import type { LocalRelay } from '../local/local-relay';
import { loadRouteHandlers } from '../local/route-handlers';
import { NODE_WS, sendOneFile } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

type StoreCall = keyof ConnectionStore;

/**
 * The relay's real store (DynamoDbConnectionStore on DynamoDB Local), except that each call of a
 * method named in `plan` takes the next entry of its list: `true` throws, as when DynamoDB does not
 * answer, `false` (or an empty list) runs for real. DynamoDB Local cannot be made to fail on cue
 * between two frames of one client (stopping it refuses the handshake's `$connect` first), so this
 * one port is wrapped; everything else runs for real.
 */
function storeFailingOnPlan(store: ConnectionStore, plan: Partial<Record<StoreCall, boolean[]>>, failed: StoreCall[]): ConnectionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const call = property as StoreCall;
      return async (...args: unknown[]) => {
        if (plan[call]?.shift()) {
          failed.push(call);
          throw new Error(`DynamoDB did not answer ${call} (injected by the test)`);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * The relay answers InternalError ("the relay failed to handle this frame; try again") when its
 * table fails. A client asks again: a first Connect or Request is repeated, not fatal.
 */
describe('InternalError to a Connect or a Request: the client asks again', () => {
  let relay: LocalRelay;
  const plan: Partial<Record<StoreCall, boolean[]>> = {};
  const failed: StoreCall[] = [];
  const internalErrorsSent: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({
      handlers: (config, transports) => {
        const clients = createRelayClients(config, transports);
        return loadRouteHandlers(config, ROUTES, { ...clients, store: storeFailingOnPlan(clients.store, plan, failed) });
      },
      taps: {
        frames: (frame) => {
          if (frame.direction !== 'out') return;
          const text = frame.data;
          if (text.includes('"code":"InternalError"')) internalErrorsSent.push((JSON.parse(text) as { message: { request: string } }).message.request);
        },
      },
    });
  });
  afterAll(async () => {
    await relay.close();
  });
  beforeEach(() => {
    for (const call of Object.keys(plan) as StoreCall[]) delete plan[call];
    failed.length = 0;
    internalErrorsSent.length = 0;
  });

  const transfer = (content: Buffer, receiver: Partial<ReceiveOptions> = {}) => sendOneFile(relay.url, content, { sender: { pairTimeoutMs: 10_000 }, receiver });

  test("a transfer completes when the sender's first Connect and the receiver's first Request each fail once", async () => {
    // GIVEN a table that fails the next qrhash registration (the sender's Connect) and the next pairing (the receiver's first Request)
    plan.registerQrHash = [true];
    plan.pair = [true];
    // WHEN a sender and a receiver run
    const content = Buffer.from('bytes that cross after two refusals');
    const received = await transfer(content);
    // THEN the relay did refuse both, and the file arrived whole all the same
    expect(failed).toEqual(['registerQrHash', 'pair']);
    expect(internalErrorsSent).toEqual(['Connect', 'Request']);
    expect(received.equals(content)).toBe(true);
  });

  test("a transfer completes when the sender's hello (its first Request) fails once", async () => {
    // GIVEN a table whose second read fails: the first is the receiver's pairing Request reading the
    // sender, the second the sender's hello reply reading the receiver
    plan.get = [false, true];
    const content = Buffer.from('bytes that cross after the sender said hello twice');
    const received = await transfer(content);
    expect(failed).toEqual(['get']);
    expect(internalErrorsSent).toEqual(['Request']);
    expect(received.equals(content)).toBe(true);
  });

  test("a receiver whose first Request is refused every time times out, saying what the relay answered", async () => {
    plan.pair = Array(1_000).fill(true);
    await expect(transfer(Buffer.from('never'), { pairTimeoutMs: 2_000 })).rejects.toThrow(
      /^the sender did not answer within 2 s \(the relay answered InternalError to Request: the relay failed to handle this frame; try again\)$/,
    );
    // It asked again (every 250 ms) before giving up.
    expect(failed.length).toBeGreaterThan(2);
  });

  test('a Connect refused every time fails once its attempt times out, saying what the relay answered', async () => {
    plan.registerQrHash = Array(1_000).fill(true);
    const connection = new RelayConnection({ url: relay.url, WebSocket: NODE_WS, qrhash: 'q'.repeat(43), onFrame: () => undefined, onFatal: () => undefined, connectTimeoutMs: 1500 });
    const opening = connection.open();
    await expect(opening).rejects.toBeInstanceOf(RelayUnreachableError);
    await expect(opening).rejects.toThrow(/no answer to Connect \(the relay answered InternalError to Connect: the relay failed to handle this frame; try again\)$/);
    // It asked more than once (every 250 ms) before giving up.
    expect(failed.length).toBeGreaterThan(2);
    connection.close();
  });

  test('a Connect refused for a reason that will not change (BadRequest) fails at once with the relay\'s words', async () => {
    const connection = new RelayConnection({ url: relay.url, WebSocket: NODE_WS, qrhash: 'q'.repeat(200), onFrame: () => undefined, onFatal: () => undefined, connectTimeoutMs: 10_000 });
    const startedAt = Date.now();
    await expect(connection.open()).rejects.toThrow(/the relay answered BadRequest to Connect: message\.qrhash/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    connection.close();
  });
});
