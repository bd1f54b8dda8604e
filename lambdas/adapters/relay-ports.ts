import { ApiGatewayManagementApiClient, type ApiGatewayManagementApiClientConfig } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RelayConfig } from '../relay/config';
import { PairingCache } from '../relay/pairing-cache';
import type { ConnectionStore, PostToConnection } from '../relay/ports';
import { connectionsApiPoster } from './connections-api-poster';
import { DynamoDbConnectionStore } from './dynamodb-connection-store';

/**
 * What the handlers of one relay share, built once and reused across invocations: the SDK clients
 * behind the ports, and the pairings the relay knows. The local relay builds one for all its
 * routes; a Lambda function one per execution environment (createHandler's default).
 */
export interface RelayClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly store: ConnectionStore;
  /** The `@connections` client for a callback URL, built on first use. */
  connections(callbackUrl: string): ApiGatewayManagementApiClient;
  /** The poster for a callback URL, built on first use. */
  poster(callbackUrl: string): PostToConnection;
  /** The pairings this relay has read or written, so Transfer and Acknowledge skip the table. */
  readonly pairings: PairingCache;
}

/**
 * How the SDK clients reach their services when not as on AWS: the local relay hands the
 * `@connections` requests to its own `@connections` logic in process (same SDK client and
 * middleware, no HTTP hop), and gives DynamoDB a keep-alive agent sized for many connections
 * in one process and a signer that names the access key without computing SigV4 (DynamoDB
 * Local checks no signature). On AWS, none of it.
 */
export interface ClientTransports {
  /** The `requestHandler` of the DynamoDB client (for example `{ httpAgent }`). @default the SDK's (keep-alive, 50 sockets) */
  readonly dynamodbRequestHandler?: DynamoDBClientConfig['requestHandler'];
  /** The `signer` of the DynamoDB client (DynamoDB Local reads the access key, never the signature). @default SigV4 */
  readonly dynamodbSigner?: DynamoDBClientConfig['signer'];
  /** The `requestHandler` of every `@connections` client. @default the SDK's HTTP handler */
  readonly connectionsRequestHandler?: ApiGatewayManagementApiClientConfig['requestHandler'];
  /** The `signer` of every `@connections` client (a no-op for an in-process handler). @default SigV4 */
  readonly connectionsSigner?: ApiGatewayManagementApiClientConfig['signer'];
  /**
   * Posts to connections without an SDK client (the local relay's own `@connections` logic, in
   * process: local/direct-connections-poster.ts). @default the SDK client's poster for the callback URL
   */
  readonly connectionsPoster?: PostToConnection;
}

/**
 * One try per `@connections` post: a 429 from a slow receiver becomes PeerBusy at once, and the
 * sender's congestion control does the waiting, instead of the SDK's 3 retries (~1.15 s of a
 * function per chunk).
 */
export const POST_MAX_ATTEMPTS = 1;

/**
 * How long a `@connections` post may take, connecting included, before it gives up (a TimeoutError,
 * which the poster reports as PeerBusy). API Gateway answers a post in milliseconds; a post still
 * open after this is not worth a function's time.
 */
export const POST_REQUEST_TIMEOUT_MS = 2_000;

/** Builds the SDK clients from injected configuration (endpoint, region, credentials), never from fixed settings. */
export function createRelayClients(config: RelayConfig, transports: ClientTransports = {}): RelayClients {
  const common = {
    ...(config.region ? { region: config.region } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
  const dynamodb = new DynamoDBClient({
    ...common,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    ...(transports.dynamodbRequestHandler ? { requestHandler: transports.dynamodbRequestHandler } : {}),
    ...(transports.dynamodbSigner ? { signer: transports.dynamodbSigner } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const byUrl = new Map<string, { client: ApiGatewayManagementApiClient; poster: PostToConnection }>();
  const forUrl = (callbackUrl: string) => {
    let entry = byUrl.get(callbackUrl);
    if (!entry) {
      const client = new ApiGatewayManagementApiClient({
        ...common,
        endpoint: callbackUrl,
        // One command, posted for every chunk and ack: resolve its middleware stack once, not per
        // post (a third of the SDK's CPU per post). The DynamoDB document client refuses this option.
        cacheMiddleware: true,
        maxAttempts: POST_MAX_ATTEMPTS,
        requestHandler: transports.connectionsRequestHandler ?? {
          connectionTimeout: POST_REQUEST_TIMEOUT_MS,
          requestTimeout: POST_REQUEST_TIMEOUT_MS,
          throwOnRequestTimeout: true,
        },
        ...(transports.connectionsSigner ? { signer: transports.connectionsSigner } : {}),
      });
      entry = { client, poster: connectionsApiPoster(client) };
      byUrl.set(callbackUrl, entry);
    }
    return entry;
  };
  return {
    dynamodb,
    documents,
    store: new DynamoDbConnectionStore(documents, config.tableName),
    connections: (callbackUrl) => forUrl(callbackUrl).client,
    poster: (callbackUrl) => transports.connectionsPoster ?? forUrl(callbackUrl).poster,
    pairings: new PairingCache(),
  };
}
