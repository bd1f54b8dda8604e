import { type ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { PeerBusyError, PeerConnectionGoneError } from '../relay/errors';
import type { PostToConnection } from '../relay/ports';

/**
 * A PostToConnection over API Gateway's `@connections` API (or the local relay's copy of it):
 * 410 GoneException is PeerConnectionGoneError, 429 LimitExceededException (throttled, after the SDK's own
 * retries) is PeerBusyError.
 */
export function connectionsApiPoster(client: ApiGatewayManagementApiClient): PostToConnection {
  return async (connectionId, payload) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: payload }));
    } catch (error) {
      if (error instanceof Error && error.name === 'GoneException') throw new PeerConnectionGoneError(connectionId, { cause: error });
      if (error instanceof Error && error.name === 'LimitExceededException') throw new PeerBusyError(connectionId, { cause: error });
      throw error;
    }
  };
}
