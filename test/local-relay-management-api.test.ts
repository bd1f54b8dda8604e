import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { LocalRelay } from '../local/local-relay';
import { recordingHandlers, waitFor } from './support/recording-handlers';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, type TestClient } from './support/ws-client';

/** The local `@connections` API, driven by the real AWS SDK client exactly as the handlers use it. */
describe('local relay @connections API', () => {
  let relay: LocalRelay;
  let sdk: ApiGatewayManagementApiClient;
  const recorder = recordingHandlers({ whoami: null });

  beforeAll(async () => {
    relay = await startTestRelay({ handlers: recorder.build });
    sdk = new ApiGatewayManagementApiClient({
      endpoint: relay.callbackUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' },
    });
  });
  afterAll(async () => {
    sdk.destroy();
    await relay.close();
  });

  async function connectedClient(): Promise<{ client: TestClient; connectionId: string }> {
    const client = await connectClient(relay.url, { headers: { 'User-Agent': 'relay-test/1.0' } });
    client.send({ action: 'whoami' });
    await client.next();
    const event = recorder.events.filter((e) => e.requestContext.routeKey === 'whoami').pop();
    return { client, connectionId: event!.requestContext.connectionId };
  }

  test('PostToConnection delivers the data to the client as a text frame', async () => {
    // GIVEN an open connection
    const { client, connectionId } = await connectedClient();
    // WHEN a handler posts to it
    await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"action":"Connect","message":{"x":"é"}}' }));
    // THEN the client receives exactly that text
    expect(await client.next()).toEqual({ action: 'Connect', message: { x: 'é' } });
    await client.close();
  });

  test('GetConnection returns connectedAt, lastActiveAt and identity', async () => {
    const before = Date.now();
    const { client, connectionId } = await connectedClient();
    const answer = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(answer.ConnectedAt).toBeInstanceOf(Date);
    expect(answer.ConnectedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(answer.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(answer.ConnectedAt!.getTime());
    expect(answer.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'relay-test/1.0' });
    await client.close();
  });

  test('DeleteConnection closes the client and runs $disconnect; the id is then gone', async () => {
    const { client, connectionId } = await connectedClient();
    await sdk.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect((await client.nextClose()).code).toBe(1000);
    await waitFor(
      () => recorder.events.some((e) => e.requestContext.routeKey === '$disconnect' && e.requestContext.connectionId === connectionId),
      '$disconnect',
    );
    await expect(sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
  });

  test('an unknown connection id is a GoneException (410) for POST, GET and DELETE', async () => {
    const ConnectionId = 'L0SM9cOFvHcCIhw=';
    await expect(sdk.send(new PostToConnectionCommand({ ConnectionId, Data: 'x' }))).rejects.toBeInstanceOf(GoneException);
    await expect(sdk.send(new GetConnectionCommand({ ConnectionId }))).rejects.toBeInstanceOf(GoneException);
    await expect(sdk.send(new DeleteConnectionCommand({ ConnectionId }))).rejects.toMatchObject({ name: 'GoneException', $metadata: { httpStatusCode: 410 } });
  });

  test('a payload over 128 KB is a PayloadTooLargeException (413) and the connection stays open', async () => {
    const { client, connectionId } = await connectedClient();
    await expect(
      sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(128 * 1024 + 1) })),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
    await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(128 * 1024) }));
    expect(await client.next()).toHaveLength(128 * 1024);
    await client.close();
  });

  test('the API answers without the stage too, and refuses another stage', async () => {
    const { client, connectionId } = await connectedClient();
    const base = relay.callbackUrl.replace(/\/dev$/, '');
    const id = encodeURIComponent(connectionId);
    const withoutStage = await fetch(`${base}/@connections/${id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'plain text' });
    expect(withoutStage.status).toBe(200);
    expect(await client.next()).toBe('plain text');
    const otherStage = await fetch(`${base}/prod/@connections/${id}`);
    expect(otherStage.status).toBe(403);
    await client.close();
  });
});
