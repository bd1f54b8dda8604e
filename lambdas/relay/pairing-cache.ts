/** How long a known pairing is trusted without reading the table again. */
const PAIRING_CACHE_TTL_MS = 60_000;

/** How many pairings one relay remembers; the oldest go first. */
const PAIRING_CACHE_MAX_ENTRIES = 10_000;

/**
 * Pairings (sender -> peer) the relay has already read from the table, so Transfer and
 * Acknowledge do not read the sender's record on every chunk. Only positive results are kept:
 * API Gateway never reuses a connection id and a pairing is never revoked while the sender is
 * connected, so a known pairing stays true until the sender leaves (and then it sends nothing
 * more). A peer that left is still found out by the post (410, PeerGone), and its entry is
 * dropped then. Bounded and short-lived, so memory stays small whatever the traffic.
 *
 * One per relay, built with its SDK clients (createRelayClients) and handed to every action in its
 * RelayContext: on AWS one per Lambda execution environment (each route is a function of its own,
 * so the first Transfer and the first Acknowledge of a pair read the table once); in the local
 * relay one for every route (Request remembers the pairing it writes, so the pair's first chunk
 * does not wait on DynamoDB Local while other pairs' handshakes keep it busy), and two relays in
 * one process do not share it.
 */
export class PairingCache {
  /** `sender peer` -> epoch ms when the entry expires; Map order is insertion order, oldest first. */
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly maxEntries = PAIRING_CACHE_MAX_ENTRIES,
    private readonly ttlMs = PAIRING_CACHE_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many pairings are remembered now. */
  get size(): number {
    return this.expiries.size;
  }

  /** Whether `senderId` is known to be paired with `peerId` (and the entry has not expired). */
  has(senderId: string, peerId: string): boolean {
    const key = keyOf(senderId, peerId);
    const expiresAt = this.expiries.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.now()) {
      this.expiries.delete(key);
      return false;
    }
    return true;
  }

  /** Remembers both directions of a pairing the relay has just written (or found both ways in the table). */
  rememberBothWays(connectionId: string, peerId: string): void {
    this.remember(connectionId, peerId);
    this.remember(peerId, connectionId);
  }

  /** Remembers that the table says `senderId` is paired with `peerId`. */
  remember(senderId: string, peerId: string): void {
    const key = keyOf(senderId, peerId);
    this.expiries.delete(key);
    this.expiries.set(key, this.now() + this.ttlMs);
    while (this.expiries.size > this.maxEntries) {
      const oldest = this.expiries.keys().next().value;
      if (oldest === undefined) break;
      this.expiries.delete(oldest);
    }
  }

  /** Forgets a pairing (its peer is gone). */
  forget(senderId: string, peerId: string): void {
    this.expiries.delete(keyOf(senderId, peerId));
  }
}

/** Connection ids are base64 with no spaces, so a space keeps the pair unambiguous. */
function keyOf(senderId: string, peerId: string): string {
  return `${senderId} ${peerId}`;
}
