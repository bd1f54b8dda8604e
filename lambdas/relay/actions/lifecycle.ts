import type { RelayAction, RelayContext } from '../relay-context';
import { admitRelayKey, presentedRelayKey, type RelayKeySource } from '../relay-key';
import { CONNECTION_TTL_SECONDS } from '../table-schema';

/** `$connect`: stores the new connection with a TTL a little past API Gateway's 2 h limit. */
async function storeConnection(context: RelayContext): Promise<void> {
  await context.store.add({
    connectionId: context.connectionId,
    connectedAt: context.connectedAt,
    sourceIp: context.sourceIp,
    expiresAt: Math.floor(context.now() / 1000) + CONNECTION_TTL_SECONDS,
  });
}

/**
 * `$connect` on a relay that may require an access key: checks the handshake's `?key=` against
 * `keys` (HandshakeKeyRefusedError when missing or wrong, nothing stored), then stores the connection.
 */
export function admitAndStoreConnection(keys: RelayKeySource): RelayAction {
  return async (context) => {
    await admitRelayKey(presentedRelayKey(context.query), keys);
    await storeConnection(context);
  };
}

/** `$disconnect`: deletes the connection's record. */
export async function forgetConnection(context: RelayContext): Promise<void> {
  await context.store.remove(context.connectionId);
}
