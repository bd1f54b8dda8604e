import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRelayClients } from '../lambdas/adapters/relay-ports';
import { PairingCache } from '../lambdas/relay/pairing-cache';
import type { ConnectionStore } from '../lambdas/relay/ports';
import type { WebSocketHandler } from '../lambdas/relay/websocket-event';
import { ROUTES } from '../lambdas/routes';
import type { LocalRelay } from '../local/local-relay';
import { loadRouteHandlers } from '../local/route-handlers';
import { connectClient, connectionIdOf, pairedClients, type TestClient } from './support/ws-client';
import { startTestRelay } from './support/start-test-relay';

type Counted = ApiGatewayManagementApiClient | DynamoDBClient;

/** Records the name of every SDK command a client sends (real calls, to DynamoDB Local and the relay). */
function countCommands(client: Counted, calls: string[]): void {
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next, context) => async (args) => {
      calls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
}

/**
 * The cost of relaying a chunk, counted on the real calls: one Lambda invocation and one
 * `@connections` post per chunk, no DynamoDB write; one DynamoDB read for the first chunk to a peer
 * (the pairing is cached after it), or none when the Request that paired them ran in this process.
 */
describe('what a relayed Transfer costs', () => {
  let relay: LocalRelay;
  const invocations: string[] = [];
  const dynamodbCalls: string[] = [];
  const postCalls: string[] = [];
  let tableStore: ConnectionStore;

  beforeAll(async () => {
    relay = await startTestRelay({
      // The posts are counted on the SDK client, as on AWS (the local relay's default posts without it).
      connectionsTransport: 'sdk',
      handlers: (config, transports) => {
        const clients = createRelayClients(config, transports);
        tableStore = clients.store;
        countCommands(clients.dynamodb, dynamodbCalls);
        countCommands(clients.connections(config.callbackUrl ?? ''), postCalls);
        const loaded = loadRouteHandlers(config, ROUTES, clients);
        return new Map(
          [...loaded].map(([routeKey, handler]): [string, WebSocketHandler] => [
            routeKey,
            (event) => {
              invocations.push(routeKey);
              return handler(event);
            },
          ]),
        );
      },
    });
  });
  afterAll(async () => {
    await relay.close();
  });

  const resetCounts = () => {
    invocations.length = 0;
    dynamodbCalls.length = 0;
    postCalls.length = 0;
  };

  const transfer = (client: TestClient, peerId: string, chunkid: number, chunktotal: number) =>
    client.send({ action: 'Transfer', message: { connectionid: peerId, data: 'ZGF0YQ==', chunkid, chunktotal, chunkhash: 'h' } });
  const acknowledge = (client: TestClient, peerId: string) =>
    client.send({ action: 'Acknowledge', message: { connectionid: peerId, success: true, missingchunkids: [] } });

  test('paired by a Request in this process: one invocation and one post per chunk, no DynamoDB call at all', async () => {
    const { a, b, aId, bId } = await pairedClients(relay.url);

    resetCounts();
    const chunks = 5;
    for (let chunkid = 0; chunkid < chunks; chunkid++) transfer(a, bId, chunkid, chunks);
    for (let i = 0; i < chunks; i++) await b.next();
    acknowledge(b, aId);
    await a.next();

    expect(invocations).toEqual([...Array(chunks).fill('Transfer'), 'Acknowledge']);
    // The Request's handler remembered the pairing it wrote, both ways, for the routes in this process.
    expect(dynamodbCalls).toEqual([]);
    expect(postCalls).toEqual(Array(chunks + 1).fill('PostToConnectionCommand'));
    await Promise.all([a.close(), b.close()]);
  });

  test('paired elsewhere (as by a Request in another Lambda): one DynamoDB read for the first chunk only, no write', async () => {
    const a = await connectClient(relay.url);
    const b = await connectClient(relay.url);
    const [aId, bId] = await Promise.all([connectionIdOf(a), connectionIdOf(b)]);
    // The pairing is written to the table directly, as a Request handled by another function would.
    await tableStore.pair(bId, aId);

    resetCounts();
    // The first chunk, alone, so the pairing is read once before the others arrive.
    transfer(a, bId, 0, 5);
    await b.next();
    expect(dynamodbCalls).toEqual(['GetItemCommand']);
    const chunks = 5;
    for (let chunkid = 1; chunkid < chunks; chunkid++) transfer(a, bId, chunkid, chunks);
    for (let i = 1; i < chunks; i++) await b.next();

    expect(invocations).toEqual(Array(chunks).fill('Transfer'));
    expect(dynamodbCalls).toEqual(['GetItemCommand']);
    expect(postCalls).toEqual(Array(chunks).fill('PostToConnectionCommand'));

    // The other way (Acknowledge) is a pairing of its own: one read, then none.
    resetCounts();
    for (let i = 0; i < 3; i++) {
      acknowledge(b, aId);
      await a.next();
    }
    expect(dynamodbCalls).toEqual(['GetItemCommand']);
    await Promise.all([a.close(), b.close()]);
  });

  test('a Request between connections already paired reads the target and writes nothing', async () => {
    const { a, b, aId } = await pairedClients(relay.url);
    resetCounts();
    // GIVEN b and a paired by b's first Request; WHEN b sends a second one (a control message, as clients do)
    b.send({ action: 'Request', message: { connectionid: aId, message: 'hello again' } });
    expect(await a.next()).toMatchObject({ action: 'Request', message: { message: 'hello again' } });
    // THEN it costs one read (the target, which lists b as a peer already) and the post; no pairing transaction
    expect(dynamodbCalls).toEqual(['GetItemCommand']);
    expect(postCalls).toEqual(['PostToConnectionCommand']);
    // AND a first Request between two new connections still pairs them
    const c = await connectClient(relay.url);
    const cId = await connectionIdOf(c);
    resetCounts();
    b.send({ action: 'Request', message: { connectionid: cId } });
    await c.next();
    expect(dynamodbCalls).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('a refusal is never cached: an unpaired sender is read and refused on every frame', async () => {
    const { a, b, bId } = await pairedClients(relay.url);
    const stranger = await connectClient(relay.url);
    await connectionIdOf(stranger);

    resetCounts();
    for (let chunkid = 0; chunkid < 3; chunkid++) {
      stranger.send({ action: 'Transfer', message: { connectionid: bId, data: 'ZGF0YQ==', chunkid, chunktotal: 3, chunkhash: 'h' } });
      expect(await stranger.next()).toMatchObject({ action: 'Error', message: { code: 'NotPaired', request: 'Transfer', connectionid: bId } });
    }
    expect(dynamodbCalls).toEqual(Array(3).fill('GetItemCommand'));
    // Only the Error frames went out: nothing reached b.
    expect(postCalls).toEqual(Array(3).fill('PostToConnectionCommand'));
    await Promise.all([a.close(), b.close(), stranger.close()]);
  });

  test('a peer that left still gets PeerGone to the sender, and the next frame reads the table again', async () => {
    const { a, b, bId } = await pairedClients(relay.url);
    a.send({ action: 'Transfer', message: { connectionid: bId, data: 'ZGF0YQ==', chunkid: 0, chunktotal: 3, chunkhash: 'h' } });
    await b.next();
    await b.close();

    resetCounts();
    for (let chunkid = 1; chunkid < 3; chunkid++) {
      a.send({ action: 'Transfer', message: { connectionid: bId, data: 'ZGF0YQ==', chunkid, chunktotal: 3, chunkhash: 'h' } });
      expect(await a.next()).toMatchObject({ action: 'Error', message: { code: 'PeerGone', request: 'Transfer', connectionid: bId } });
    }
    // The first PeerGone dropped the cached pairing, so the second chunk read a's record again.
    expect(dynamodbCalls.filter((name) => name === 'GetItemCommand')).toHaveLength(1);
    await a.close();
  });
});

/** The pairing cache itself: bounded, short-lived, forgets on request. */
describe('PairingCache', () => {
  test('remembers a pairing one way only, until its TTL, and forgets on request', () => {
    let now = 1000;
    const cache = new PairingCache(10, 100, () => now);
    cache.remember('A', 'B');
    expect(cache.has('A', 'B')).toBe(true);
    expect(cache.has('B', 'A')).toBe(false);
    now += 99;
    expect(cache.has('A', 'B')).toBe(true);
    now += 1;
    expect(cache.has('A', 'B')).toBe(false);
    cache.remember('A', 'B');
    cache.forget('A', 'B');
    expect(cache.has('A', 'B')).toBe(false);
  });

  test('is one per relay: two sets of relay clients (two relays in one process) do not share their pairings', () => {
    const config = { tableName: 'unused', region: 'us-east-1' };
    const [first, second] = [createRelayClients(config), createRelayClients(config)];
    first.pairings.remember('A', 'B');
    expect(second.pairings.has('A', 'B')).toBe(false);
    first.dynamodb.destroy();
    second.dynamodb.destroy();
  });

  test('holds at most maxEntries, dropping the oldest first', () => {
    const cache = new PairingCache(3, 60_000);
    for (const peer of ['B', 'C', 'D', 'E']) cache.remember('A', peer);
    expect(cache.size).toBe(3);
    expect(cache.has('A', 'B')).toBe(false);
    expect(['C', 'D', 'E'].every((peer) => cache.has('A', peer))).toBe(true);
  });
});
