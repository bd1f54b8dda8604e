import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { inProcessConnectionsTransport, UNSIGNED } from '../local/in-process-connections-transport';
import type { LocalRelay } from '../local/local-relay';
import { createConnectionsApi } from '../local/management-api';
import { recordingHandlers } from './support/recording-handlers';
import { startTestRelay } from './support/start-test-relay';
import { connectClient } from './support/ws-client';

/** The SDK's `@connections` client over the in-process transport answers as it does over HTTP. */
describe('in-process @connections transport', () => {
  let relay: LocalRelay;
  let sdk: ApiGatewayManagementApiClient;
  const posted: string[] = [];
  const recorder = recordingHandlers({ whoami: null });

  beforeAll(async () => {
    relay = await startTestRelay({ handlers: recorder.build });
    const api = createConnectionsApi({ connections: relay.connections, onPosted: (id) => posted.push(id) });
    sdk = new ApiGatewayManagementApiClient({
      endpoint: relay.callbackUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dummy', secretAccessKey: 'dummy' },
      requestHandler: inProcessConnectionsTransport(api),
      signer: UNSIGNED,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    sdk.destroy();
    await relay.close();
  });

  test('POST delivers, GET describes, an unknown id is GoneException and a big payload PayloadTooLargeException', async () => {
    const client = await connectClient(relay.url);
    client.send({ action: 'whoami' });
    await client.next();
    const connectionId = recorder.events.filter((e) => e.requestContext.routeKey === 'whoami').pop()!.requestContext.connectionId;

    await sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: '{"hello":"é"}' }));
    expect(await client.next()).toEqual({ hello: 'é' });
    expect(posted).toEqual([connectionId]);
    const described = await sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    expect(described.Identity?.SourceIp).toBe('127.0.0.1');
    await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: 'nobodyAAAAAAAA=', Data: 'x' }))).rejects.toBeInstanceOf(GoneException);
    await expect(
      sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: 'x'.repeat(128 * 1024 + 1) })),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
    await client.close();
  });
});
