import type { PairingCache } from './pairing-cache';
import type { ConnectionStore, PostToConnection } from './ports';

/** What a relay action knows of one invocation: who sent what, the two ports, and the pairings its relay knows. */
export interface RelayContext {
  /** The sender's connection id (API Gateway's requestContext.connectionId). */
  readonly connectionId: string;
  /** The frame's text, for message routes. */
  readonly body?: string;
  /** The handshake's query-string parameters, for `$connect` (the relay access key travels there). */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** The client's address, for `$connect`. */
  readonly sourceIp?: string;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  readonly connectedAt: number;
  readonly store: ConnectionStore;
  readonly post: PostToConnection;
  /** The pairings this relay has already read or written (one per relay, or per Lambda execution environment). */
  readonly pairings: PairingCache;
  /** The clock, epoch milliseconds. */
  readonly now: () => number;
}

/** A relay action: validates, authorises and routes one frame. A thrown RelayRefusal becomes an Error frame. */
export type RelayAction = (context: RelayContext) => Promise<void>;
