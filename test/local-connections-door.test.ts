import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Browser } from 'playwright-core';
import { checkConnectionsRequest, CONNECTIONS_KEY_HEADER } from '../local/connections-door';
import type { LocalRelay } from '../local/local-relay';
import { launchBrowser } from './support/browser';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, connectionIdOf, type TestClient } from './support/ws-client';

const KEY = 'door-test-key-0123456789';

/** A frame an attacker would forge: an Error that ends the victim's transfer. */
const FORGED = JSON.stringify({ action: 'Error', message: { code: 'PeerGone', reason: 'forged', request: 'Transfer' } });

/** The client's next frame after an echo it asks for now: the echo itself unless something was delivered before it. */
async function nextFrameAfterEcho(client: TestClient): Promise<unknown> {
  client.send({ action: 'sendmessage', data: 'echo' });
  return client.next();
}

describe('the local relay @connections door, with a relay key', () => {
  let relay: LocalRelay;
  let victim: TestClient;
  let victimId: string;
  let url: string;

  beforeAll(async () => {
    relay = await startTestRelay({ relayKey: KEY });
    victim = await connectClient(relay.url);
    victimId = await connectionIdOf(victim);
    url = `${relay.callbackUrl}/@connections/${encodeURIComponent(victimId)}`;
  });
  afterAll(async () => {
    await victim.close();
    await relay.close();
  });

  test('a POST without the key (the connection id from a link) delivers nothing: 401', async () => {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: FORGED });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await nextFrameAfterEcho(victim)).toBe('echo');
  });

  test('a POST with a wrong key, or the key in the query string, delivers nothing: 401', async () => {
    const wrong = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [CONNECTIONS_KEY_HEADER]: `${KEY}x` }, body: FORGED });
    expect(wrong.status).toBe(401);
    const inQuery = await fetch(`${url}?key=${KEY}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: FORGED });
    expect(inQuery.status).toBe(401);
    expect(await nextFrameAfterEcho(victim)).toBe('echo');
  });

  test('a GET without the key does not tell the client’s address: 401', async () => {
    const answer = await fetch(url);
    expect(answer.status).toBe(401);
    expect(await answer.text()).not.toMatch(/sourceIp|127\.0\.0\.1/);
  });

  test('a DELETE without the key leaves the client connected: 401', async () => {
    const answer = await fetch(url, { method: 'DELETE' });
    expect(answer.status).toBe(401);
    expect(await nextFrameAfterEcho(victim)).toBe('echo');
  });

  test('even with the key, a text/plain body (what a page may post cross-origin) is refused: 415', async () => {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', [CONNECTIONS_KEY_HEADER]: KEY }, body: FORGED });
    expect(answer.status).toBe(415);
    const form = await fetch(url, { method: 'POST', headers: { [CONNECTIONS_KEY_HEADER]: KEY }, body: new URLSearchParams({ a: FORGED }) });
    expect(form.status).toBe(415);
    expect(await nextFrameAfterEcho(victim)).toBe('echo');
  });

  test('even with the key, a request carrying an Origin header is refused: 403', async () => {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', [CONNECTIONS_KEY_HEADER]: KEY },
      body: FORGED,
    });
    expect(answer.status).toBe(403);
    expect(await nextFrameAfterEcho(victim)).toBe('echo');
  });

  test('with the key in its header, the AWS SDK posts and reads as before', async () => {
    const sdk = new ApiGatewayManagementApiClient({ endpoint: relay.callbackUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    sdk.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers[CONNECTIONS_KEY_HEADER] = KEY;
        return next(args);
      },
      { step: 'build' },
    );
    try {
      await sdk.send(new PostToConnectionCommand({ ConnectionId: victimId, Data: '{"hello":"from a tool"}' }));
      expect(await victim.next()).toEqual({ hello: 'from a tool' });
      const described = await sdk.send(new GetConnectionCommand({ ConnectionId: victimId }));
      expect(described.Identity?.SourceIp).toBe('127.0.0.1');
    } finally {
      sdk.destroy();
    }
  });
});

describe('the handlers over the HTTP @connections transport of a keyed relay', () => {
  test('they carry the key, so frames still reach clients', async () => {
    const relay = await startTestRelay({ relayKey: KEY, connectionsTransport: 'http' });
    try {
      const client = await connectClient(relay.url);
      expect(await nextFrameAfterEcho(client)).toBe('echo');
      await client.close();
    } finally {
      await relay.close();
    }
  });
});

describe('the local relay @connections door, open relay on loopback', () => {
  let relay: LocalRelay;
  let browser: Browser;
  let evilSite: Server;

  beforeAll(async () => {
    relay = await startTestRelay();
    browser = await launchBrowser();
    evilSite = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>a page</title>'));
    await new Promise<void>((resolve) => evilSite.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await browser.close();
    await new Promise((resolve) => evilSite.close(resolve));
    await relay.close();
  });

  test('a web page the user visits cannot post a forged frame to a client (CORS-simple text/plain POST)', async () => {
    const victim = await connectClient(relay.url);
    const victimId = await connectionIdOf(victim);
    const page = await browser.newPage();
    try {
      await page.goto(`http://localhost:${(evilSite.address() as AddressInfo).port}/`);
      const target = `${relay.callbackUrl}/@connections/${encodeURIComponent(victimId)}`;
      // The request reaches the relay (no-cors resolves once it answered); the page cannot read the answer.
      await page.evaluate(
        async ({ target, body }) => {
          await fetch(target, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body });
          await fetch(target, { method: 'POST', mode: 'no-cors', body: new Blob([body]) });
        },
        { target, body: FORGED },
      );
      expect(await nextFrameAfterEcho(victim)).toBe('echo');
    } finally {
      await page.close();
      await victim.close();
    }
  });

  test('curl-like callers on this machine still post without a key', async () => {
    const victim = await connectClient(relay.url);
    const victimId = await connectionIdOf(victim);
    const answer = await fetch(`${relay.callbackUrl}/@connections/${encodeURIComponent(victimId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"from":"curl"}',
    });
    expect(answer.status).toBe(200);
    expect(await victim.next()).toEqual({ from: 'curl' });
    await victim.close();
  });
});

describe('checkConnectionsRequest', () => {
  test('without a relay key, a caller from another machine is refused', () => {
    const request = { method: 'GET', headers: {}, remoteAddress: '::ffff:192.168.1.5' };
    expect(checkConnectionsRequest(request, undefined)).toMatchObject({ status: 403 });
    expect(checkConnectionsRequest({ ...request, remoteAddress: '::ffff:127.0.0.1' }, undefined)).toBeUndefined();
    expect(checkConnectionsRequest({ ...request, headers: { [CONNECTIONS_KEY_HEADER]: KEY } }, KEY)).toBeUndefined();
  });
});
