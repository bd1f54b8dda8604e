import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../client/transport/relay-url';
import { relayKeysMatch } from '../lambdas/relay/relay-key';

/** The header that carries the relay access key on an HTTP `@connections` request. */
export const CONNECTIONS_KEY_HEADER = 'x-banguins-relay-key';

/**
 * The body types a `@connections` request may carry: JSON, and the AWS SDK's own
 * (`PostToConnection` sends `application/octet-stream`). Neither is one a web page can send
 * cross-origin without a CORS preflight, which this API never answers.
 */
const ACCEPTED_BODY_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/octet-stream']);

/** What the door needs to know of one HTTP request. */
export interface DoorRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The peer's address (`request.socket.remoteAddress`). */
  readonly remoteAddress: string | undefined;
}

/** Why a request was refused: the HTTP status, API Gateway's error type, and one line saying what to do. */
export interface DoorRefusal {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
}

/**
 * Decides whether an HTTP `@connections` request may reach the API: undefined when it may, else
 * the refusal. A request from a web page (any `Origin` header) is refused, so is a body of a type
 * a page could post cross-origin (`text/plain`, forms); with a relay key, the request must carry
 * it in `X-Banguins-Relay-Key`; without one, only this machine (a loopback address) may call.
 * The handlers' in-process transport never comes through here.
 */
export function checkConnectionsRequest(request: DoorRequest, relayKey: string | undefined): DoorRefusal | undefined {
  if (request.headers.origin !== undefined) {
    return { status: 403, errorType: 'ForbiddenException', message: '@connections does not answer web pages (the request carries an Origin header)' };
  }
  const bodyType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if ((bodyType !== undefined || request.method === 'POST') && !ACCEPTED_BODY_TYPES.has(bodyType ?? '')) {
    return {
      status: 415,
      errorType: 'UnsupportedMediaTypeException',
      message: `@connections takes Content-Type application/json (or application/octet-stream), not ${bodyType ?? 'none'}`,
    };
  }
  if (relayKey !== undefined) {
    const presented = request.headers[CONNECTIONS_KEY_HEADER];
    if (typeof presented !== 'string' || !relayKeysMatch(presented, relayKey)) {
      return { status: 401, errorType: 'UnauthorizedException', message: `the relay access key is missing or wrong: send it in the ${CONNECTIONS_KEY_HEADER} header` };
    }
    return undefined;
  }
  const address = (request.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (!isLoopbackHost(address)) {
    return { status: 403, errorType: 'ForbiddenException', message: '@connections of a relay without an access key answers this machine only' };
  }
  return undefined;
}

/**
 * A `@connections` client signer for the handlers' HTTP transport: adds the relay key header
 * instead of a SigV4 signature, which the local API never checks.
 */
export function relayKeyHeaderSigner(relayKey: string): { sign: <T extends { headers: Record<string, string> }>(request: T) => Promise<T> } {
  return {
    sign: (request) => {
      request.headers[CONNECTIONS_KEY_HEADER] = relayKey;
      return Promise.resolve(request);
    },
  };
}
