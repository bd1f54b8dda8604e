import { type ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { PeerBusyError, PeerConnectionGoneError } from '../relay/errors';
import type { PostToConnection } from '../relay/ports';

/**
 * A PostToConnection over API Gateway's `@connections` API (or the local relay's copy of it):
 * 410 GoneException is PeerConnectionGoneError; 429 LimitExceededException (the receiver is not keeping up;
 * the client makes one attempt, see relay-ports.ts) and a post that timed out are PeerBusyError, so the
 * sender slows down and sends the chunk again (the receiver drops a chunk it already has).
 */
export function connectionsApiPoster(client: ApiGatewayManagementApiClient): PostToConnection {
  return async (connectionId, payload) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: payload }));
    } catch (error) {
      if (error instanceof Error && error.name === 'GoneException') throw new PeerConnectionGoneError(connectionId, { cause: error });
      if (error instanceof Error && (error.name === 'LimitExceededException' || error.name === 'TimeoutError')) {
        throw new PeerBusyError(connectionId, { cause: error });
      }
      throw error;
    }
  };
}
