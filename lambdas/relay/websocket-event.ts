import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';

/**
 * The Lambda event API Gateway sends for a WebSocket route. `$connect` events also carry the
 * handshake's headers and query string.
 */
export type WebSocketEvent = Omit<APIGatewayProxyWebsocketEventV2, 'requestContext'> & {
  readonly requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    /** The client's address as API Gateway saw it. */
    readonly identity?: { readonly sourceIp?: string; readonly userAgent?: string };
  };
  readonly headers?: Record<string, string | undefined>;
  readonly queryStringParameters?: Record<string, string | undefined> | null;
};

/** What a route handler answers; API Gateway refuses a `$connect` whose status is not 2xx. */
export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

/** A WebSocket route handler, as Lambda and the local relay call it. */
export type WebSocketHandler = (event: WebSocketEvent) => Promise<WebSocketResult>;
