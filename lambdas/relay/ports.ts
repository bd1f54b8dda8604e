/** A connection as the relay stores it (never any chunk data). */
export interface ConnectionRecord {
  readonly connectionId: string;
  /** When API Gateway accepted the connection, epoch milliseconds. */
  readonly connectedAt: number;
  readonly sourceIp?: string;
  /** The pairing hash the connection registered with Connect, if any. */
  readonly qrhash?: string;
  /** Connections this one paired with through Request (in either direction). */
  readonly peers: ReadonlySet<string>;
  /** When the record expires (TTL), epoch seconds. */
  readonly expiresAt: number;
}

/** What `$connect` stores about a new connection. */
export type NewConnection = Omit<ConnectionRecord, 'peers' | 'qrhash'>;

/** A connection found by its registered qrhash. */
export type QrHashHolder = Pick<ConnectionRecord, 'connectionId' | 'connectedAt'>;

/** The relay's storage port: the DynamoDB table on AWS and locally (DynamoDB Local). */
export interface ConnectionStore {
  /** Stores a new connection. */
  add(connection: NewConnection): Promise<void>;
  /** Reads one connection, or undefined when there is none. */
  get(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Sets the pairing hash of an existing connection; throws UnknownPeerError when it is gone. */
  registerQrHash(connectionId: string, qrhash: string): Promise<void>;
  /**
   * The connections that registered `qrhash` with Connect, newest (by connectedAt) first, at most
   * `limit` of them; read from the qrhash index, so a connection that just registered may be missing
   * for a moment.
   */
  findByQrHash(qrhash: string, limit: number): Promise<readonly QrHashHolder[]>;
  /** Pairs two existing connections both ways, atomically; throws UnknownPeerError when either is gone. */
  pair(connectionId: string, peerId: string): Promise<void>;
  /**
   * Deletes a connection; no-op when it is gone. Its id stays in its peers' lists, so a frame
   * sent to it later meets 410 and the sender learns PeerGone rather than NotPaired.
   */
  remove(connectionId: string): Promise<void>;
}

/**
 * Sends one text frame (a string, or its UTF-8 bytes) to a connection through `@connections`;
 * throws PeerConnectionGoneError when API Gateway answers 410 Gone.
 */
export type PostToConnection = (connectionId: string, payload: string | Uint8Array) => Promise<void>;
