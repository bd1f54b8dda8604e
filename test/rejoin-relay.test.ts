import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRelayClients, type RelayClients } from '../lambdas/adapters/relay-ports';
import { CONNECTION_ID_ATTRIBUTE, QRHASH_INDEX_NAME } from '../lambdas/relay/table-schema';
import { ensureConnectionsTable } from '../local/connections-table';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local';
import type { LocalRelay } from '../local/local-relay';
import { connectClient, type TestClient } from './support/ws-client';
import { startTestRelay, testDynamoDbEndpoint } from './support/start-test-relay';

/**
 * The Request `rejoin` extension end to end: real sockets, the local relay, the Request handler the
 * stack deploys, and the qrhash index on DynamoDB Local.
 */
describe('Request with rejoin: finding the peer by qrhash after both sides moved', () => {
  let relay: LocalRelay;
  let clients: RelayClients;
  const open: TestClient[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
    clients = createRelayClients(relay.config);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close().catch(() => undefined)));
  });
  afterAll(async () => {
    clients.dynamodb.destroy();
    await relay.close();
  });

  /** A socket that sent Connect (with `qrhash` when given), and its connection id. */
  async function connected(qrhash?: string): Promise<{ socket: TestClient; id: string }> {
    const socket = await connectClient(relay.url);
    open.push(socket);
    socket.send(qrhash === undefined ? { action: 'Connect' } : { action: 'Connect', message: { qrhash } });
    const answer = (await socket.next()) as { message: { connectionid: string } };
    return { socket, id: answer.message.connectionid };
  }

  /** A connection id that no socket has (a side's id from before it reconnected). */
  const deadId = () => `dead-${randomUUID().slice(0, 8)}`;

  /** Expects no frame on `socket` for a short while (used only to show nothing was forwarded). */
  async function expectNothing(socket: TestClient): Promise<void> {
    await expect(socket.next(300)).rejects.toThrow(/timed out/);
  }

  test('GIVEN both sides reconnected, WHEN one sends rejoin to the other one\'s dead id, THEN the other gets it from the new id and they are paired', async () => {
    const qrhash = `h-${randomUUID()}`;
    const a = await connected(qrhash);
    const b = await connected(qrhash);
    const dead = deadId();

    b.socket.send({ action: 'Request', message: { connectionid: dead, qrhash, message: 'hello', rejoin: true } });

    // THEN A receives the seed's Request frame with B's new id (rejoin is not forwarded)
    expect(await a.socket.next()).toEqual({ action: 'Request', message: { connectionid: b.id, qrhash, message: 'hello' } });
    // AND the two are paired both ways: Transfer and Acknowledge pass
    a.socket.send({ action: 'Transfer', message: { connectionid: b.id, data: 'AAAA', chunkid: 0, chunktotal: 1, chunkhash: 'x' } });
    expect(await b.socket.next()).toEqual({
      action: 'Transfer',
      message: { connectionid: a.id, data: 'AAAA', chunkid: 0, chunktotal: 1, chunkhash: 'x' },
    });
    b.socket.send({ action: 'Acknowledge', message: { connectionid: a.id, success: true, missingchunkids: [] } });
    expect(await a.socket.next()).toEqual({ action: 'Acknowledge', message: { connectionid: b.id, success: true, missingchunkids: [] } });
  });

  test('GIVEN several other connections registered the qrhash, THEN the newest by connectedAt gets the rejoin', async () => {
    const qrhash = `h-${randomUUID()}`;
    const older = await connected(qrhash);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a later connectedAt
    const newer = await connected(qrhash);
    const b = await connected(qrhash);

    b.socket.send({ action: 'Request', message: { connectionid: deadId(), qrhash, message: 'm', rejoin: true } });

    expect(await newer.socket.next()).toEqual({ action: 'Request', message: { connectionid: b.id, qrhash, message: 'm' } });
    await expectNothing(older.socket);
  });

  test('GIVEN the named target is alive, THEN rejoin changes nothing: the target gets the Request', async () => {
    const qrhash = `h-${randomUUID()}`;
    const target = await connected(qrhash);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const newer = await connected(qrhash);
    const b = await connected(qrhash);

    b.socket.send({ action: 'Request', message: { connectionid: target.id, qrhash, message: 'm', rejoin: true } });

    expect(await target.socket.next()).toEqual({ action: 'Request', message: { connectionid: b.id, qrhash, message: 'm' } });
    await expectNothing(newer.socket);
  });

  test('GIVEN no other connection registered the qrhash, THEN the sender gets UnknownPeer about the id it named, never its own Request', async () => {
    const qrhash = `h-${randomUUID()}`;
    const alone = await connected(qrhash);
    const dead = deadId();

    alone.socket.send({ action: 'Request', message: { connectionid: dead, qrhash, message: 'm', rejoin: true } });

    expect(await alone.socket.next()).toEqual({
      action: 'Error',
      message: { code: 'UnknownPeer', reason: expect.stringContaining(dead), request: 'Request', connectionid: dead },
    });
    await expectNothing(alone.socket);
  });

  test.each([
    ['registered no qrhash', undefined],
    ['registered another qrhash', 'another-hash'],
  ])('GIVEN a sender that %s, THEN rejoin by a qrhash is refused with BadRequest and the holder gets nothing', async (_, ownHash) => {
    const qrhash = `h-${randomUUID()}`;
    const holder = await connected(qrhash);
    const stranger = await connected(ownHash);

    stranger.socket.send({ action: 'Request', message: { connectionid: deadId(), qrhash, message: 'm', rejoin: true } });

    expect(await stranger.socket.next()).toEqual({
      action: 'Error',
      message: { code: 'BadRequest', reason: expect.stringContaining('only a connection that registered this qrhash'), request: 'Request' },
    });
    await expectNothing(holder.socket);
  });

  test('GIVEN a rejoin without qrhash, THEN BadRequest names the field', async () => {
    const a = await connected(`h-${randomUUID()}`);
    a.socket.send({ action: 'Request', message: { connectionid: deadId(), rejoin: true } });
    expect(await a.socket.next()).toEqual({
      action: 'Error',
      message: { code: 'BadRequest', reason: expect.stringMatching(/^message\.rejoin: needs message\.qrhash/), request: 'Request' },
    });
  });

  test('GIVEN rejoin is not a boolean, THEN BadRequest names message.rejoin', async () => {
    const a = await connected(`h-${randomUUID()}`);
    a.socket.send({ action: 'Request', message: { connectionid: deadId(), qrhash: 'x', rejoin: 'yes' } });
    expect(await a.socket.next()).toMatchObject({ action: 'Error', message: { code: 'BadRequest', reason: expect.stringMatching(/^message\.rejoin/) } });
  });

  test('GIVEN no rejoin, THEN a Request to a dead id is UnknownPeer as before, even when another holder of the qrhash is there', async () => {
    const qrhash = `h-${randomUUID()}`;
    const holder = await connected(qrhash);
    const b = await connected(qrhash);
    const dead = deadId();

    b.socket.send({ action: 'Request', message: { connectionid: dead, qrhash, message: 'm' } });

    expect(await b.socket.next()).toMatchObject({ action: 'Error', message: { code: 'UnknownPeer', connectionid: dead } });
    await expectNothing(holder.socket);
  });

  test('GIVEN stale records (a socket gone, its $disconnect not yet run) as target and as newest holder, THEN rejoin removes them and reaches the live one', async () => {
    const qrhash = `h-${randomUUID()}`;
    const live = await connected(qrhash);
    // Records of connections whose sockets are gone, written as $connect and Connect would, newer than `live`.
    const staleTarget = deadId();
    const staleHolder = deadId();
    for (const [index, id] of [staleTarget, staleHolder].entries()) {
      await clients.store.add({ connectionId: id, connectedAt: Date.now() + 1000 + index, expiresAt: Math.floor(Date.now() / 1000) + 600 });
      await clients.store.registerQrHash(id, qrhash);
    }
    const b = await connected(qrhash);

    b.socket.send({ action: 'Request', message: { connectionid: staleTarget, qrhash, message: 'm', rejoin: true } });

    expect(await live.socket.next()).toEqual({ action: 'Request', message: { connectionid: b.id, qrhash, message: 'm' } });
    expect(await clients.store.get(staleTarget)).toBeUndefined();
    expect(await clients.store.get(staleHolder)).toBeUndefined();
    expect((await clients.store.get(b.id))?.peers.has(live.id)).toBe(true);
  });
});

describe('ConnectionStore.findByQrHash on the qrhash index', () => {
  let relay: LocalRelay;
  let clients: RelayClients;

  beforeAll(async () => {
    relay = await startTestRelay();
    clients = createRelayClients(relay.config);
  });
  afterAll(async () => {
    clients.dynamodb.destroy();
    await relay.close();
  });

  test('THEN it lists the holders of one qrhash, newest first, at most `limit`, and no one else', async () => {
    const qrhash = `h-${randomUUID()}`;
    const expiresAt = Math.floor(Date.now() / 1000) + 600;
    for (const [id, connectedAt] of [['c1', 1000], ['c3', 3000], ['c2', 2000]] as const) {
      await clients.store.add({ connectionId: `${qrhash}-${id}`, connectedAt, expiresAt });
      await clients.store.registerQrHash(`${qrhash}-${id}`, qrhash);
    }
    await clients.store.add({ connectionId: `${qrhash}-other`, connectedAt: 4000, expiresAt });
    await clients.store.registerQrHash(`${qrhash}-other`, `${qrhash}-different`);
    await clients.store.add({ connectionId: `${qrhash}-none`, connectedAt: 5000, expiresAt });

    expect(await clients.store.findByQrHash(qrhash, 10)).toEqual([
      { connectionId: `${qrhash}-c3`, connectedAt: 3000 },
      { connectionId: `${qrhash}-c2`, connectedAt: 2000 },
      { connectionId: `${qrhash}-c1`, connectedAt: 1000 },
    ]);
    expect(await clients.store.findByQrHash(qrhash, 2)).toHaveLength(2);
    expect(await clients.store.findByQrHash(`${qrhash}-nobody`, 10)).toEqual([]);
  });
});

describe('ensureConnectionsTable', () => {
  const client = new DynamoDBClient({ endpoint: testDynamoDbEndpoint(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  afterAll(() => client.destroy());

  test('GIVEN a table an older relay created without the qrhash index (a kept --db-path), THEN the index is added', async () => {
    const tableName = `banguins-old-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: CONNECTION_ID_ATTRIBUTE, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: CONNECTION_ID_ATTRIBUTE, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    try {
      expect(await ensureConnectionsTable(client, tableName)).toBe('existed');
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual([QRHASH_INDEX_NAME]);
      // AND a second start leaves it as it is
      expect(await ensureConnectionsTable(client, tableName)).toBe('existed');
    } finally {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    }
  });
});
