import type { APIGatewayEventWebsocketRequestContextV2 } from 'aws-lambda';
import type { WebSocketEvent } from '../lambdas/relay/websocket-event';
import { newApiGatewayId } from './api-gateway-id';

/** What API Gateway knows about a connection, copied into every event for it. */
export interface ConnectionContext {
  readonly connectionId: string;
  /** Epoch milliseconds of the handshake. */
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
}

/** Where the API lives: API Gateway's `stage`, `domainName` and `apiId`. */
export interface ApiContext {
  readonly stage: string;
  readonly domainName: string;
  readonly apiId: string;
}

/** The handshake request that a `$connect` event describes. */
export interface HandshakeRequest {
  /** Node's `rawHeaders`: names in their original case, then values. */
  readonly rawHeaders: readonly string[];
  /** The request's query string without `?` (may be empty). */
  readonly rawQueryString: string;
}

/** The request context API Gateway really sends, which has more than @types/aws-lambda declares. */
interface FullRequestContext extends Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> {
  messageId?: string;
  identity: { sourceIp: string; userAgent: string };
  disconnectStatusCode?: number;
  disconnectReason?: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime` format: `09/Apr/2025:12:34:56 +0000`. */
function formatRequestTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

function requestContext(
  routeKey: string,
  eventType: FullRequestContext['eventType'],
  connection: ConnectionContext,
  api: ApiContext,
  now: number,
): FullRequestContext {
  const requestId = newApiGatewayId();
  return {
    routeKey,
    eventType,
    extendedRequestId: requestId,
    requestTime: formatRequestTime(now),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
  };
}

function toEvent(fields: Record<string, unknown>): WebSocketEvent {
  // The real event carries fields @types/aws-lambda does not declare (identity, disconnect status).
  return fields as unknown as WebSocketEvent;
}

/** Splits a query string the way API Gateway does: last value wins in the single-value map. */
function queryParameters(rawQueryString: string): Record<string, unknown> {
  if (!rawQueryString) {
    return {};
  }
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

/** The `$connect` event: headers and query string of the handshake, no body. */
export function connectEvent(connection: ConnectionContext, api: ApiContext, request: HandshakeRequest, now = Date.now()): WebSocketEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return toEvent({
    headers,
    multiValueHeaders,
    ...queryParameters(request.rawQueryString),
    requestContext: requestContext('$connect', 'CONNECT', connection, api, now),
    isBase64Encoded: false,
  });
}

/** A `MESSAGE` event for one inbound message routed to `routeKey` (binary messages arrive base64-encoded). */
export function messageEvent(
  connection: ConnectionContext,
  api: ApiContext,
  routeKey: string,
  body: string,
  isBase64Encoded = false,
  now = Date.now(),
): WebSocketEvent {
  const context = requestContext(routeKey, 'MESSAGE', connection, api, now);
  context.messageId = newApiGatewayId();
  return toEvent({ requestContext: context, body, isBase64Encoded });
}

/** The `$disconnect` event, with the close code and reason API Gateway reports. */
export function disconnectEvent(
  connection: ConnectionContext,
  api: ApiContext,
  statusCode: number,
  reason: string,
  now = Date.now(),
): WebSocketEvent {
  const context = requestContext('$disconnect', 'DISCONNECT', connection, api, now);
  context.disconnectStatusCode = statusCode;
  context.disconnectReason = reason;
  return toEvent({
    headers: { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' },
    multiValueHeaders: { Host: [api.domainName], 'x-api-key': [''], 'X-Forwarded-For': [''], 'x-restapi': [''] },
    requestContext: context,
    isBase64Encoded: false,
  });
}
