import { iceServersOf } from '../client/direct/ice-servers';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
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
 * that opened `http://192.168.1.5:8080/` is told `ws://192.168.1.5:8080`, not localhost).
 */
export type RelayUrlSource = string | ((req: IncomingMessage) => string);

/** The relay URL of the server the request reached, from its Host header: `ws://HOST`. */
function relayUrlFromHost(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  // A Host header is echoed back to the same client only; still, answer only a plain host[:port].
  return /^[A-Za-z0-9.\-[\]:]+$/.test(host) ? `ws://${host}` : 'ws://localhost';
}

/**
 * An HTTP handler serving the built web page from `distDir` (GET and HEAD, with content types,
 * never outside `distDir`) and answering `/config.json` with `{"relayUrl": …}` (and `"iceServers"` when `iceServerUrls` names some). It returns false,
 * untouched, for requests it does not serve (other methods, unknown paths), so the caller can
 * pass them on; plug it in first in the local relay's `http.Server` request listener.
 */
export function createWebPageHandler(
  distDir: string,
  relayUrl: RelayUrlSource = relayUrlFromHost,
  iceServerUrls: readonly string[] = [],
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const iceServers = iceServerUrls.length > 0 ? { iceServers: iceServersOf(iceServerUrls) } : {};
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
      send(req, res, 'application/json; charset=utf-8', Buffer.from(JSON.stringify({ relayUrl: url, ...iceServers })));
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
