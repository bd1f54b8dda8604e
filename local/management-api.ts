import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLOSE_NORMAL, MESSAGE_LIMIT_BYTES } from './limits';
import type { ConnectionRegistry } from './live-connection';

/** Options of the `@connections` API. */
export interface ManagementApiOptions {
  /** The open connections. */
  readonly connections: ConnectionRegistry;
  /** The stage accepted in `/{stage}/@connections/{id}`. @default 'dev' */
  readonly stage?: string;
  /** @default MESSAGE_LIMIT_BYTES */
  readonly payloadLimitBytes?: number;
  /** Sees every posted payload (the frame tap). */
  readonly onPosted?: (connectionId: string, payload: Buffer) => void;
}

/** An HTTP request handler that answers `@connections` requests and returns false for any other path. */
export type ManagementApi = (request: IncomingMessage, response: ServerResponse) => boolean;

const PATH = /^(?:\/([^/]+))?\/@connections\/([^/]+)$/;

/**
 * API Gateway's `@connections` management API, so `@aws-sdk/client-apigatewaymanagementapi`
 * works against the local relay unchanged: POST sends the body to the client (200), GET describes
 * the connection (200), DELETE closes it (204); an unknown id is 410 GoneException and a payload
 * over 128 KB is 413 PayloadTooLargeException. Signatures are not checked.
 */
export function createManagementApi(options: ManagementApiOptions): ManagementApi {
  const stage = options.stage ?? 'dev';
  const limit = options.payloadLimitBytes ?? MESSAGE_LIMIT_BYTES;
  return (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = PATH.exec(path);
    if (!match) {
      return false;
    }
    if (match[1] !== undefined && match[1] !== stage) {
      sendError(response, 403, 'ForbiddenException', 'Forbidden');
      return true;
    }
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(match[2] ?? '');
    } catch {
      sendError(response, 400, 'BadRequestException', 'Invalid connection id');
      return true;
    }
    readBody(request, limit).then(
      (payload) => answer(request.method ?? 'GET', connectionId, payload, response),
      () => sendError(response, 400, 'BadRequestException', 'Could not read the request body'),
    );
    return true;
  };

  function answer(method: string, connectionId: string, payload: Buffer | 'too-large', response: ServerResponse): void {
    const connection = options.connections.get(connectionId);
    if (!connection?.isOpen) {
      sendError(response, 410, 'GoneException', `Connection ${connectionId} is gone`);
      return;
    }
    switch (method) {
      case 'POST':
        if (payload === 'too-large') {
          sendError(response, 413, 'PayloadTooLargeException', `Request entity too large: the limit is ${limit} bytes`);
          return;
        }
        options.onPosted?.(connectionId, payload);
        connection.send(payload);
        response.writeHead(200, { 'content-length': 0 }).end();
        return;
      case 'GET':
        sendJson(response, 200, {
          connectedAt: new Date(connection.context.connectedAt).toISOString(),
          identity: { sourceIp: connection.context.sourceIp, userAgent: connection.context.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
        return;
      case 'DELETE':
        connection.socket.close(CLOSE_NORMAL);
        response.writeHead(204).end();
        return;
      default:
        sendError(response, 405, 'MethodNotAllowedException', `${method} is not supported on @connections`);
    }
  }
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

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    .end(text);
}

/** An error the SDK recognises: the type goes in `x-amzn-ErrorType`, the text in `message`. */
function sendError(response: ServerResponse, status: number, errorType: string, message: string): void {
  sendJson(response, status, { message }, { 'x-amzn-errortype': errorType });
}
