import { createServer, request, type Server } from 'node:http';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { localLinkAddresses } from '../cli/local-link-addresses';
import { relayWebSocket } from '../cli/relay-web-socket';
import { loadOrCreateRelayCertificate, type RelayCertificate } from '../local/tls-certificate';
import { startWebPageFixture, type WebPageFixture } from './support/web-page-fixture';

/** GET over plain http to the relay's port with this Host header: status and Location. */
function plainGet(port: number, host: string, pathname = '/'): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: pathname, headers: { host } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, location: res.headers.location });
    })
      .on('error', reject)
      .end();
  });
}

describe('the local relay with TLS on (npm start --lan): one port, plain and TLS', () => {
  let folder: string;
  let certificate: RelayCertificate;
  let fixture: WebPageFixture;

  beforeAll(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-tls-'));
    certificate = await loadOrCreateRelayCertificate({ cert: path.join(folder, 'cert.pem'), key: path.join(folder, 'key.pem') }, ['localhost', '127.0.0.1']);
    fixture = await startWebPageFixture({ tls: certificate, publicUrl: (port) => `https://192.0.2.10:${port}/` });
  });
  afterAll(async () => {
    await fixture?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('redirects a page request over plain http from a LAN name to https, and nothing on loopback', async () => {
    const { port } = fixture.relay;
    expect(await plainGet(port, `192.0.2.10:${port}`, '/index.html?x=1')).toEqual({ status: 308, location: `https://192.0.2.10:${port}/index.html?x=1` });
    expect(await plainGet(port, `127.0.0.1:${port}`)).toEqual({ status: 200, location: undefined });
    expect(await plainGet(port, `localhost:${port}`, '/config.json')).toEqual({ status: 200, location: undefined });
    // A Host header that is not a plain host[:port] is never echoed into a Location.
    expect((await plainGet(port, 'evil.test/@x')).location).toBeUndefined();
  });

  it('serves wss:// with its certificate and ws:// on the same port; config.json names the LAN addresses for links', async () => {
    const { port } = fixture.relay;
    const TrustingWebSocket = relayWebSocket(path.join(folder, 'cert.pem'));
    for (const url of [`wss://localhost:${port}/`, `ws://127.0.0.1:${port}/`]) {
      const socket = new TrustingWebSocket(url) as unknown as WebSocket;
      await new Promise<void>((resolve, reject) => {
        socket.on('open', () => resolve());
        socket.on('error', reject);
      });
      socket.close();
    }
    // Plain `ws` does not trust the self-signed certificate: the trust is the CLI's own, for this relay.
    const untrusting = new WebSocket(`wss://localhost:${port}/`);
    await expect(new Promise((resolve, reject) => untrusting.on('open', resolve).on('error', reject))).rejects.toThrow(/self-signed certificate/);

    expect(await localLinkAddresses(`ws://127.0.0.1:${port}/?key=abcdefgh`)).toEqual({
      pageUrl: `https://192.0.2.10:${port}/`,
      relayUrl: `wss://192.0.2.10:${port}/?key=abcdefgh`,
    });
  });
});

describe('localLinkAddresses: what the CLI takes from a local relay\'s config.json', () => {
  let server: Server;
  let answer: unknown;
  let port: number;
  beforeAll(async () => {
    server = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['no link addresses', { relayUrl: 'ws://127.0.0.1' }],
    ['a javascript: page', { linkPageUrl: 'javascript:alert(1)', linkRelayUrl: 'wss://192.168.1.5:3001' }],
    ['an https relay', { linkPageUrl: 'https://192.168.1.5:3001/', linkRelayUrl: 'https://192.168.1.5:3001' }],
    ['numbers', { linkPageUrl: 1, linkRelayUrl: 2 }],
    ['not an object', 'hello'],
  ])('ignores %s', async (_, body) => {
    answer = body;
    expect(await localLinkAddresses(`ws://127.0.0.1:${port}`)).toBeUndefined();
  });

  it('asks only a ws:// relay on this machine', async () => {
    answer = { linkPageUrl: 'https://192.168.1.5:3001/', linkRelayUrl: 'wss://192.168.1.5:3001' };
    expect(await localLinkAddresses(`ws://127.0.0.1:${port}`)).toEqual({ pageUrl: 'https://192.168.1.5:3001/', relayUrl: 'wss://192.168.1.5:3001' });
    expect(await localLinkAddresses('wss://abc.execute-api.eu-west-1.amazonaws.com/dev')).toBeUndefined();
    expect(await localLinkAddresses('ws://192.0.2.1:3001')).toBeUndefined();
  });
});
