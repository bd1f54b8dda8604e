import { PeerBusyError, PeerConnectionGoneError } from '../lambdas/relay/errors';
import type { PostToConnection } from '../lambdas/relay/ports';
import type { ConnectionsApi } from './management-api';

/** A post the local `@connections` logic refused with a status the relay has no error of its own for. */
class ConnectionsPostError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`@connections POST answered ${status}: ${body}`);
    this.name = 'ConnectionsPostError';
  }
}

/**
 * The local relay's default `@connections` poster: hands each post straight to the `@connections`
 * logic (`ConnectionsApi.answer`, the same function the HTTP endpoint and the SDK's in-process
 * transport call) with no SDK in between, and maps its answers as the SDK poster does (410 →
 * PeerConnectionGoneError, 429 → PeerBusyError; connections-api-poster.ts). The route handlers
 * are unchanged; only the port behind them differs. The SDK's middleware (serialisation,
 * endpoint, retry, error parsing) was a quarter of the relay's CPU per chunk; the SDK path stays
 * available and tested (`connectionsTransport: 'sdk'` and `'http'`).
 */
export function directConnectionsPoster(api: ConnectionsApi, stage: string): PostToConnection {
  return async (connectionId, payload) => {
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const answer = api.answer({
      method: 'POST',
      path: `/${stage}/@connections/${encodeURIComponent(connectionId)}`,
      body: body.length > api.payloadLimitBytes ? 'too-large' : body,
    });
    if (answer.status === 200) return;
    if (answer.status === 410) throw new PeerConnectionGoneError(connectionId);
    if (answer.status === 429) throw new PeerBusyError(connectionId);
    throw new ConnectionsPostError(answer.status, answer.body);
  };
}
