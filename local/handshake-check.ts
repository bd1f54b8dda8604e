import type { IncomingMessage } from 'node:http';

/** Why a WebSocket handshake request is not one: the HTTP status to answer and what was wrong. */
export interface HandshakeProblem {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A Sec-WebSocket-Key: 16 bytes in base64 (RFC 6455 4.2.1). */
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;

/**
 * Checks an upgrade request the way `ws` will (method, Upgrade, Sec-WebSocket-Key and -Version),
 * so the gateway refuses a request that can never become a WebSocket before `$connect` stores a
 * record for it, as API Gateway does. Undefined when the request is a valid handshake.
 */
export function handshakeProblem(request: IncomingMessage): HandshakeProblem | undefined {
  if (request.method !== 'GET') return { status: 405, reason: 'Invalid HTTP method' };
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return { status: 400, reason: 'Invalid Upgrade header' };
  const key = request.headers['sec-websocket-key'];
  if (key === undefined || !KEY_PATTERN.test(key)) return { status: 400, reason: 'Missing or invalid Sec-WebSocket-Key header' };
  const version = request.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    return { status: 400, reason: 'Missing or invalid Sec-WebSocket-Version header', headers: { 'Sec-WebSocket-Version': '13, 8' } };
  }
  return undefined;
}
