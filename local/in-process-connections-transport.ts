import type { ConnectionsApi } from './management-api';

/** The parts of the SDK's HttpRequest the transport reads. */
interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** The SDK's HttpResponse: status, headers and a body the deserialiser collects. */
interface SdkHttpResponse {
  readonly statusCode: number;
  readonly reason?: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** The SDK's HttpHandler contract (`requestHandler` of a client), as this transport implements it. */
export interface InProcessHttpHandler {
  readonly metadata: { readonly handlerProtocol: string };
  handle(request: SdkHttpRequest): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

/**
 * A `requestHandler` for `ApiGatewayManagementApiClient` that hands the SDK's HttpRequest straight
 * to the local `@connections` logic in this process, with no HTTP hop, and returns its answer as
 * the SDK's HttpResponse: the SDK client, its middleware (serialisation, retries, errors) and the
 * handlers stay exactly as on AWS.
 */
export function inProcessConnectionsTransport(api: ConnectionsApi): InProcessHttpHandler {
  return {
    metadata: { handlerProtocol: 'in-process' },
    handle: async (request) => {
      const body = bodyBytes(request.body);
      const answer = api.answer({
        method: request.method,
        path: request.path,
        body: body.length > api.payloadLimitBytes ? 'too-large' : body,
      });
      return { response: { statusCode: answer.status, headers: { ...answer.headers }, body: Buffer.from(answer.body, 'utf8') } };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
}

/**
 * A signer that leaves requests unsigned: only for the in-process transport, whose `@connections`
 * logic never checks signatures (API Gateway does, so the deployed stack keeps SigV4).
 */
export const UNSIGNED = { sign: <T>(request: T): Promise<T> => Promise.resolve(request) };

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError('the in-process @connections transport takes string or byte bodies only');
}
