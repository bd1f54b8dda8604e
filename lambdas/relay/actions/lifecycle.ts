import type { RelayContext } from '../relay-context';
import { CONNECTION_TTL_SECONDS } from '../table-schema';

/** `$connect`: stores the new connection with a TTL a little past API Gateway's 2 h limit. */
export async function storeConnection(context: RelayContext): Promise<void> {
  await context.store.add({
    connectionId: context.connectionId,
    connectedAt: context.connectedAt,
    sourceIp: context.sourceIp,
    expiresAt: Math.floor(context.now() / 1000) + CONNECTION_TTL_SECONDS,
  });
}

/** `$disconnect`: deletes the connection's record. */
export async function forgetConnection(context: RelayContext): Promise<void> {
  await context.store.remove(context.connectionId);
}
