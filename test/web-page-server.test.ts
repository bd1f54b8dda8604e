import * as fs from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createWebPageHandler } from '../local/web-page-server';
import { CONTENT_SECURITY_POLICY } from '../web/content-security-policy';

interface Reply {
  readonly status: number;
  readonly type: string | undefined;
  readonly body: string;
}

/** Sends a raw request (path untouched, so "../" reaches the server as written). */
function fetchRaw(port: number, method: string, rawPath: string, host?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method, path: rawPath, headers: host ? { host } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createWebPageHandler', () => {
  let root: string;
  let dist: string;
  let server: Server;
  let hostServer: Server;
  let port: number;
  let hostPort: number;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-web-'));
    dist = path.join(root, 'dist');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><p>page</p>');
    fs.writeFileSync(path.join(dist, 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'styles.css'), 'p{}');
    fs.writeFileSync(path.join(dist, 'assets', 'logo.svg'), '<svg/>');
    fs.writeFileSync(path.join(root, 'secret.txt'), 'outside');

    const fallThrough = (handler: ReturnType<typeof createWebPageHandler>): Server =>
      createServer((req, res) => {
        if (!handler(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not mine');
      });
    server = fallThrough(createWebPageHandler(dist, { relayUrl: 'ws://relay.test:9999', iceServerUrls: ['stun:stun.test:3478'] }));
    hostServer = fallThrough(createWebPageHandler(dist));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    hostPort = (hostServer.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => hostServer.close(resolve));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / with an HTML content type', async () => {
    const reply = await fetchRaw(port, 'GET', '/');
    expect(reply).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><p>page</p>' });
  });

  it.each([
    ['/app.js', 'text/javascript; charset=utf-8', 'console.log(1)'],
    ['/styles.css', 'text/css; charset=utf-8', 'p{}'],
    ['/assets/logo.svg', 'image/svg+xml', '<svg/>'],
    ['/index.html?x=1#frag', 'text/html; charset=utf-8', '<!doctype html><p>page</p>'],
  ])('serves %s as %s', async (file, type, body) => {
    expect(await fetchRaw(port, 'GET', file)).toEqual({ status: 200, type, body });
  });

  it('serves the page with its Content-Security-Policy', async () => {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(res.headers);
      })
        .on('error', reject)
        .end();
    });
    expect(headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await fetchRaw(port, 'HEAD', '/app.js');
    expect(reply).toEqual({ status: 200, type: 'text/javascript; charset=utf-8', body: '' });
  });

  it('answers config.json with the relay URL and the ICE servers it was given (npm start --ice-server)', async () => {
    const reply = await fetchRaw(port, 'GET', '/config.json');
    expect(reply.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(reply.body)).toEqual({ relayUrl: 'ws://relay.test:9999', iceServers: [{ urls: 'stun:stun.test:3478' }] });
  });

  it('answers config.json with the host the request reached when given no relay URL', async () => {
    const reply = await fetchRaw(hostPort, 'GET', '/config.json', '192.168.1.5:3001');
    expect(JSON.parse(reply.body)).toEqual({ relayUrl: 'ws://192.168.1.5:3001' });
  });

  it('does not echo a Host header that is not a plain host', async () => {
    const reply = await fetchRaw(hostPort, 'GET', '/config.json', 'evil"host/x');
    expect(JSON.parse(reply.body)).toEqual({ relayUrl: 'ws://localhost' });
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00.html'])(
    'never serves a file outside the folder: %s',
    async (rawPath) => {
      const reply = await fetchRaw(port, 'GET', rawPath);
      expect(reply.status).toBe(404);
      expect(reply.body).toBe('not mine');
    },
  );

  it.each([
    ['GET', '/missing.js'],
    ['GET', '/assets/'],
    ['GET', '/dev/@connections/abc'],
    ['POST', '/index.html'],
    ['DELETE', '/app.js'],
  ])('leaves %s %s to the next handler', async (method, rawPath) => {
    const reply = await fetchRaw(port, method, rawPath);
    expect(reply).toEqual({ status: 404, type: 'text/plain', body: 'not mine' });
  });
});
