import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkConnectionsRequest } from './connections-door';
import { CLOSE_NORMAL, MESSAGE_LIMIT_BYTES } from './limits';
import type { ConnectionRegistry } from './live-connection';
import { RelayOutboundBytes } from './outbound-bytes';

/**
 * How many bytes may wait in a connection's outbound buffer before a POST to it is refused with
 * 429 LimitExceededException: a client that stops reading cannot make the relay buffer without bound.
 */
const OUTBOUND_BUFFER_LIMIT_BYTES = 4 * 1024 * 1024;

/**
 * How many bytes may wait in the outbound buffers of all connections together before a POST to a
 * connection that has any waiting is refused with 429: many clients that stop reading cannot make
 * the relay buffer 4 MiB each. A POST to a connection with nothing waiting still goes (a reader
 * that keeps up is not stalled by the others).
 */
export const RELAY_OUTBOUND_LIMIT_BYTES = 32 * 1024 * 1024;

/** Options of the `@connections` API. */
export interface ManagementApiOptions {
  /** The open connections. */
  readonly connections: ConnectionRegistry;
  /** The stage accepted in `/{stage}/@connections/{id}`. @default 'dev' */
  readonly stage?: string;
  /** @default MESSAGE_LIMIT_BYTES */
  readonly payloadLimitBytes?: number;
  /** @default OUTBOUND_BUFFER_LIMIT_BYTES */
  readonly outboundBufferLimitBytes?: number;
  /** @default RELAY_OUTBOUND_LIMIT_BYTES */
  readonly relayOutboundLimitBytes?: number;
  /** Sees every posted payload (the frame tap). */
  readonly onPosted?: (connectionId: string, payload: Buffer) => void;
}

/** One `@connections` request, however it arrived (HTTP or in process). */
export interface ConnectionsRequest {
  readonly method: string;
  /** The URL path, `/{stage}/@connections/{id}` (the stage may be absent). */
  readonly path: string;
  /** The body, or 'too-large' when it was over the payload limit. */
  readonly body: Buffer | 'too-large';
}

/** The answer to a ConnectionsRequest, as API Gateway would send it. */
export interface ConnectionsResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** API Gateway's `@connections` logic, shared by the HTTP endpoint and the in-process transport. */
export interface ConnectionsApi {
  /** Whether a URL path is a `@connections` path (anything else is not this API's). */
  matches(path: string): boolean;
  /** The largest body a POST may carry. */
  readonly payloadLimitBytes: number;
  /** Answers one request on a `@connections` path. */
  answer(request: ConnectionsRequest): ConnectionsResponse;
}

/** An HTTP request handler that answers `@connections` requests and returns false for any other path. */
export type ManagementApi = (request: IncomingMessage, response: ServerResponse) => boolean;

const PATH = /^(?:\/([^/]+))?\/@connections\/([^/]+)$/;

/**
 * API Gateway's `@connections` management API, so `@aws-sdk/client-apigatewaymanagementapi`
 * works against the local relay unchanged: POST sends the body to the client (200), GET describes
 * the connection (200), DELETE closes it (204); an unknown id is 410 GoneException, a payload
 * over 128 KB is 413 PayloadTooLargeException, and a POST to a connection whose outbound buffer
 * holds more than `outboundBufferLimitBytes` (it stopped reading), or that holds any while all
 * connections together hold more than `relayOutboundLimitBytes`, is 429 LimitExceededException,
 * API Gateway's throttling answer. Signatures are not checked.
 */
export function createConnectionsApi(options: ManagementApiOptions): ConnectionsApi {
  const stage = options.stage ?? 'dev';
  const limit = options.payloadLimitBytes ?? MESSAGE_LIMIT_BYTES;
  const outboundLimit = options.outboundBufferLimitBytes ?? OUTBOUND_BUFFER_LIMIT_BYTES;
  const relayOutboundLimit = options.relayOutboundLimitBytes ?? RELAY_OUTBOUND_LIMIT_BYTES;
  const outbound = new RelayOutboundBytes();

  const answer = ({ method, path, body }: ConnectionsRequest): ConnectionsResponse => {
    const match = PATH.exec(path);
    if (!match) return error(404, 'NotFoundException', 'Not found');
    if (match[1] !== undefined && match[1] !== stage) return error(403, 'ForbiddenException', 'Forbidden');
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(match[2] ?? '');
    } catch {
      return error(400, 'BadRequestException', 'Invalid connection id');
    }
    const connection = options.connections.get(connectionId);
    if (!connection?.isOpen) return error(410, 'GoneException', `Connection ${connectionId} is gone`);
    switch (method) {
      case 'POST':
        if (body === 'too-large') {
          return error(413, 'PayloadTooLargeException', `Request entity too large: the limit is ${limit} bytes`);
        }
        if (connection.socket.bufferedAmount > outboundLimit) {
          return error(429, 'LimitExceededException', `Connection ${connectionId} has ${connection.socket.bufferedAmount} bytes waiting to be read; try again later`);
        }
        if (connection.socket.bufferedAmount > 0 && outbound.total() > relayOutboundLimit) {
          return error(429, 'LimitExceededException', `Clients of this relay have over ${relayOutboundLimit} bytes waiting to be read; try again later`);
        }
        options.onPosted?.(connectionId, body);
        connection.send(body);
        outbound.noteSent(connection);
        return { status: 200, headers: { 'content-length': '0' }, body: '' };
      case 'GET':
        return json(200, {
          connectedAt: new Date(connection.context.connectedAt).toISOString(),
          identity: { sourceIp: connection.context.sourceIp, userAgent: connection.context.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
      case 'DELETE':
        connection.socket.close(CLOSE_NORMAL);
        return { status: 204, headers: {}, body: '' };
      default:
        return error(405, 'MethodNotAllowedException', `${method} is not supported on @connections`);
    }
  };
  return { matches: (path) => PATH.test(path), payloadLimitBytes: limit, answer };
}

/**
 * The `@connections` API over HTTP (wscat users, curl, other processes), behind its door
 * (connections-door.ts): no web page, JSON bodies only, and `relayKey` in a header when one is set.
 */
export function createManagementApi(api: ConnectionsApi, relayKey?: string): ManagementApi {
  return (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (!api.matches(path)) return false;
    const refusal = checkConnectionsRequest({ method: request.method ?? 'GET', headers: request.headers, remoteAddress: request.socket.remoteAddress }, relayKey);
    if (refusal) {
      // The body is never read: the connection closes after the answer.
      const answer = error(refusal.status, refusal.errorType, refusal.message);
      response.writeHead(answer.status, { ...answer.headers, connection: 'close' }).end(answer.body);
      return true;
    }
    readBody(request, api.payloadLimitBytes).then(
      (body) => {
        const answer = api.answer({ method: request.method ?? 'GET', path, body });
        response.writeHead(answer.status, answer.headers).end(answer.body);
      },
      () => {
        const answer = error(400, 'BadRequestException', 'Could not read the request body');
        response.writeHead(answer.status, answer.headers).end(answer.body);
      },
    );
    return true;
  };
}

/** Reads a request body up to `limit` bytes; beyond it the rest is drained and 'too-large' returned. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): ConnectionsResponse {
  const text = JSON.stringify(body);
  return { status, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }, body: text };
}

/** An error the SDK recognises: the type goes in `x-amzn-ErrorType`, the text in `message`. */
function error(status: number, errorType: string, message: string): ConnectionsResponse {
  return json(status, { message }, { 'x-amzn-errortype': errorType });
}
