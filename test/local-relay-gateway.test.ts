import WebSocket from 'ws';
import type { LocalRelay } from '../local/local-relay';
import { recordingHandlers, waitFor } from './support/recording-handlers';
import { startTestRelay } from './support/start-test-relay';
import { connectClient } from './support/ws-client';

/** The gateway behaves like API Gateway for what a client or a handler can see. */
describe('local relay gateway', () => {
  let relay: LocalRelay;
  const recorder = recordingHandlers(
    {
      ping: null,
      boom: () => {
        throw new Error('handler failed');
      },
    },
    (event) => (event.queryStringParameters?.deny ? { statusCode: 403, body: 'no' } : undefined),
  );
  const eventsOf = (connectionId: string) => recorder.events.filter((e) => e.requestContext.connectionId === connectionId);

  beforeAll(async () => {
    relay = await startTestRelay({ handlers: recorder.build });
  });
  afterAll(() => relay.close());

  test('$connect gets the handshake as API Gateway sends it', async () => {
    const client = await connectClient(`${relay.url}/?pair=abc&pair=def`, { headers: { 'User-Agent': 'gw-test' } });
    client.send({ action: 'ping' });
    await client.next();
    const connect = recorder.events.find((e) => e.requestContext.eventType === 'CONNECT' && e.headers?.['User-Agent'] === 'gw-test')!;
    const context = connect.requestContext as unknown as Record<string, unknown>;
    expect(context).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'dev',
      identity: { sourceIp: '127.0.0.1', userAgent: 'gw-test' },
    });
    expect(context.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(context.messageId).toBeUndefined();
    expect(context.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(typeof context.connectedAt).toBe('number');
    expect(connect.queryStringParameters).toEqual({ pair: 'def' });
    expect((connect as unknown as { multiValueQueryStringParameters: unknown }).multiValueQueryStringParameters).toEqual({ pair: ['abc', 'def'] });
    expect(connect.isBase64Encoded).toBe(false);
    await client.close();
  });

  test('a $connect handler answering 403 refuses the handshake with HTTP 403', async () => {
    await expect(connectClient(`${relay.url}/?deny=1`)).rejects.toMatchObject({ statusCode: 403 });
  });

  test('routes on $request.body.action, falling back to $default', async () => {
    const client = await connectClient(relay.url);
    client.send({ action: 'ping', n: 1 });
    expect(await client.next()).toEqual({ route: 'ping', body: '{"action":"ping","n":1}' });
    client.send({ action: 'unknown' });
    expect(await client.next()).toMatchObject({ route: '$default' });
    client.send('not json at all');
    expect(await client.next()).toEqual({ route: '$default', body: 'not json at all' });
    client.send({ action: '$connect' });
    expect(await client.next()).toMatchObject({ route: '$default' });
    client.send({ action: 7 });
    expect(await client.next()).toMatchObject({ route: '$default' });
    await client.close();
  });

  test('a MESSAGE event carries messageId, connectedAt and the frame as body', async () => {
    const client = await connectClient(relay.url);
    client.send({ action: 'ping', data: 'x' });
    await client.next();
    const message = recorder.events.filter((e) => e.requestContext.eventType === 'MESSAGE').pop()!;
    expect(message.body).toBe('{"action":"ping","data":"x"}');
    expect(message.requestContext.messageId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(message.requestContext.connectedAt).toBeLessThanOrEqual(message.requestContext.requestTimeEpoch);
    await client.close();
  });

  test('a handler that throws gives the client API Gateway\'s error frame and the connection stays open', async () => {
    const client = await connectClient(relay.url);
    client.send({ action: 'boom' });
    const error = (await client.next()) as Record<string, unknown>;
    expect(error.message).toBe('Internal server error');
    expect(typeof error.connectionId).toBe('string');
    expect(typeof error.requestId).toBe('string');
    client.send({ action: 'ping' });
    expect(await client.next()).toMatchObject({ route: 'ping' });
    await client.close();
  });

  test('$disconnect runs after a close with the client\'s close code', async () => {
    const client = await connectClient(relay.url);
    client.send({ action: 'ping' });
    await client.next();
    const connectionId = recorder.events.filter((e) => e.requestContext.routeKey === 'ping').pop()!.requestContext.connectionId;
    client.ws.close(4000, 'bye');
    await waitFor(() => eventsOf(connectionId).some((e) => e.requestContext.eventType === 'DISCONNECT'), '$disconnect');
    const disconnect = eventsOf(connectionId).find((e) => e.requestContext.eventType === 'DISCONNECT')!;
    expect(disconnect.requestContext).toMatchObject({ routeKey: '$disconnect', disconnectStatusCode: 4000, disconnectReason: 'bye' });
  });

  test('a 33 KB frame closes that connection with 1009 while other connections keep working', async () => {
    const big = await connectClient(relay.url);
    const other = await connectClient(relay.url);
    big.send({ action: 'ping', data: 'x'.repeat(33 * 1024) });
    expect((await big.nextClose()).code).toBe(1009);
    other.send({ action: 'ping' });
    expect(await other.next()).toMatchObject({ route: 'ping' });
    await other.close();
  });

  test('a binary frame closes that connection with 1003 and runs no route, as API Gateway refuses binary frames', async () => {
    const binary = await connectClient(relay.url);
    const other = await connectClient(relay.url);
    const before = recorder.events.filter((e) => e.requestContext.eventType === 'MESSAGE').length;
    binary.ws.send(Buffer.from(JSON.stringify({ action: 'ping' })), { binary: true });
    expect((await binary.nextClose()).code).toBe(1003);
    other.send({ action: 'ping' });
    expect(await other.next()).toMatchObject({ route: 'ping' });
    // Only the other connection's text frame reached a route.
    expect(recorder.events.filter((e) => e.requestContext.eventType === 'MESSAGE').length).toBe(before + 1);
    await other.close();
  });

  test('a 32 KB frame passes', async () => {
    const client = await connectClient(relay.url);
    const frame = JSON.stringify({ action: 'ping', data: '' });
    const exact = JSON.stringify({ action: 'ping', data: 'y'.repeat(32 * 1024 - frame.length) });
    expect(Buffer.byteLength(exact)).toBe(32 * 1024);
    client.send(exact);
    expect(await client.next()).toEqual({ route: 'ping', body: exact });
    await client.close();
  });

  test('a 96 KB message in three 32 KB frames passes; a 129 KB message in 32 KB frames closes with 1009', async () => {
    const client = await connectClient(relay.url);
    const sendFragmented = (text: string): void => {
      const bytes = Buffer.from(text);
      for (let offset = 0; offset < bytes.length; offset += 32 * 1024) {
        client.ws.send(bytes.subarray(offset, offset + 32 * 1024), { binary: false, fin: offset + 32 * 1024 >= bytes.length });
      }
    };
    const head = '{"action":"ping","data":"';
    const message = `${head + 'z'.repeat(96 * 1024 - head.length - 2)}"}`;
    sendFragmented(message);
    expect(await client.next()).toEqual({ route: 'ping', body: message });
    sendFragmented(`${head + 'z'.repeat(129 * 1024)}"}`);
    expect((await client.nextClose()).code).toBe(1009);
  });
});

describe('local relay timeouts', () => {
  test('an idle connection is closed with 1001 and activity keeps it open', async () => {
    const recorder = recordingHandlers({ ping: null });
    const relay = await startTestRelay({ handlers: recorder.build, timeouts: { idleTimeoutMs: 400 } });
    try {
      const client = await connectClient(relay.url);
      for (let i = 0; i < 4; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        client.send({ action: 'ping' });
        await client.next();
      }
      expect(client.ws.readyState).toBe(WebSocket.OPEN);
      expect((await client.nextClose(3000)).code).toBe(1001);
    } finally {
      await relay.close();
    }
  });

  test('a connection is closed with 1001 at the maximum duration even when active', async () => {
    const recorder = recordingHandlers({ ping: null });
    const relay = await startTestRelay({ handlers: recorder.build, timeouts: { maxConnectionMs: 500 } });
    try {
      const client = await connectClient(relay.url);
      const closed = client.nextClose(3000);
      const timer = setInterval(() => client.ws.readyState === WebSocket.OPEN && client.send({ action: 'ping' }), 100);
      try {
        expect((await closed).code).toBe(1001);
      } finally {
        clearInterval(timer);
      }
    } finally {
      await relay.close();
    }
  });
});
