import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createRelayClients } from '../lambdas/adapters/relay-ports';
import type { WebSocketHandler } from '../lambdas/relay/websocket-event';
import { ROUTES } from '../lambdas/routes';
import type { LocalRelay } from '../local/local-relay';
import { loadRouteHandlers } from '../local/route-handlers';
import { connectClient } from './support/ws-client';
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
 * The cost of relaying a chunk, counted on the real calls: one Lambda invocation, one DynamoDB
 * read, no DynamoDB write, one `@connections` post.
 */
describe('what a relayed Transfer costs', () => {
  let relay: LocalRelay;
  const invocations: string[] = [];
  const dynamodbCalls: string[] = [];
  const postCalls: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({
      handlers: (config) => {
        const clients = createRelayClients(config);
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

  test('one invocation, one DynamoDB read, no write, one post per chunk', async () => {
    const a = await connectClient(relay.url);
    const b = await connectClient(relay.url);
    const idOf = async (socket: typeof a) => {
      socket.send({ action: 'Connect' });
      return ((await socket.next()) as { message: { connectionid: string } }).message.connectionid;
    };
    const aId = await idOf(a);
    const bId = await idOf(b);
    b.send({ action: 'Request', message: { connectionid: aId } });
    await a.next();

    invocations.length = 0;
    dynamodbCalls.length = 0;
    postCalls.length = 0;
    const chunks = 5;
    for (let chunkid = 0; chunkid < chunks; chunkid++) {
      a.send({ action: 'Transfer', message: { connectionid: bId, data: 'ZGF0YQ==', chunkid, chunktotal: chunks, chunkhash: 'h' } });
    }
    for (let i = 0; i < chunks; i++) await b.next();

    expect(invocations).toEqual(Array(chunks).fill('Transfer'));
    expect(dynamodbCalls).toEqual(Array(chunks).fill('GetItemCommand'));
    expect(postCalls).toEqual(Array(chunks).fill('PostToConnectionCommand'));
    await Promise.all([a.close(), b.close()]);
  });
});
