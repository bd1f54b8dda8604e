import { iceServersOf } from '../client/direct/ice-servers';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { isLoopbackHost, type LinkAddresses } from '../client/transport/relay-url';
import { CONTENT_SECURITY_POLICY } from '../web/content-security-policy';

/** Content types of the files the built page is made of. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file, beside index.html, that tells the page where the relay is (as on AWS). */
const WEB_CONFIG_PATH = '/config.json';

/**
 * Where the page's config.json points: a fixed ws:// URL, or a function of the request (so a phone
 * that opened `https://192.168.1.5:3001/` is told `wss://192.168.1.5:3001`, not localhost).
 */
export type RelayUrlSource = string | ((req: IncomingMessage) => string);

/** A Host header worth echoing: a plain host[:port]. */
const PLAIN_HOST = /^[A-Za-z0-9.\-[\]:]+$/;

/** The relay URL of the server the request reached, from its Host header: `ws://HOST`, or `wss://HOST` over TLS. */
function relayUrlFromHost(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'wss' : 'ws';
  // A Host header is echoed back to the same client only; still, answer only a plain host[:port].
  return PLAIN_HOST.test(host) ? `${scheme}://${host}` : `${scheme}://localhost`;
}

/**
 * The link addresses for a page other devices open at `publicUrl` (`https://192.168.1.5:3001/`):
 * that page, and the relay on the same host and port (`wss://192.168.1.5:3001`). Undefined when
 * there is none.
 */
export function linkAddresses(publicUrl: string | undefined): LinkAddresses | undefined {
  if (publicUrl === undefined) return undefined;
  const url = new URL(publicUrl);
  return { linkPageUrl: `${url.origin}/`, linkRelayUrl: `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}` };
}

/**
 * With TLS on, sends a page request that came over plain http from a non-loopback name to the same
 * address over https (308), where the browser allows WebCrypto and the camera. Returns whether it
 * answered. Loopback requests (the CLI, `@connections`) and WebSocket upgrades are left alone.
 */
export function httpsRedirect(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const host = req.headers.host ?? '';
  if (!PLAIN_HOST.test(host) || isLoopbackHost(host.replace(/:\d+$/, ''))) return false;
  const target = new URL(req.url ?? '/', `https://${host}`);
  res.writeHead(308, { location: target.toString(), 'content-length': 0, 'cache-control': 'no-cache' }).end();
  return true;
}

/** What the page server answers besides the files. */
export interface WebPageOptions {
  /** config.json's relayUrl. @default the Host the request named (relayUrlFromHost) */
  readonly relayUrl?: RelayUrlSource;
  /** STUN/TURN URLs config.json lists. @default none */
  readonly iceServerUrls?: readonly string[];
  /** config.json's link addresses (LAN mode). @default none: links name the address in use */
  readonly links?: LinkAddresses;
}

/**
 * An HTTP handler serving the built web page from `distDir` (GET and HEAD, with content types,
 * never outside `distDir`) and answering `/config.json` with `{"relayUrl": …}` (plus `"iceServers"`
 * and the link addresses when `options` has them). It returns false, untouched, for requests it
 * does not serve (other methods, unknown paths), so the caller can pass them on; plug it in last
 * in the local relay's `http.Server` request listener.
 */
export function createWebPageHandler(distDir: string, options: WebPageOptions = {}): (req: IncomingMessage, res: ServerResponse) => boolean {
  const relayUrl = options.relayUrl ?? relayUrlFromHost;
  const iceServerUrls = options.iceServerUrls ?? [];
  const extra = { ...(iceServerUrls.length > 0 ? { iceServers: iceServersOf(iceServerUrls) } : {}), ...(options.links ?? {}) };
  const root = path.resolve(distDir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://page.invalid').pathname);
    } catch {
      return false;
    }
    if (pathname.includes('\0')) return false;
    if (pathname === WEB_CONFIG_PATH) {
      const url = typeof relayUrl === 'function' ? relayUrl(req) : relayUrl;
      send(req, res, 'application/json; charset=utf-8', Buffer.from(JSON.stringify({ relayUrl: url, ...extra })));
      return true;
    }
    const relative = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
    const file = path.resolve(root, `.${relative}`);
    if (file !== root && !file.startsWith(root + path.sep)) return false;
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
    if (!type) return false;
    let body: Buffer;
    try {
      if (!fs.statSync(file).isFile()) return false;
      body = fs.readFileSync(file);
    } catch {
      return false;
    }
    send(req, res, type, body);
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, contentType: string, body: Buffer): void {
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': body.length,
    // The page is rebuilt in place while developing; never serve a stale bundle.
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': CONTENT_SECURITY_POLICY,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
