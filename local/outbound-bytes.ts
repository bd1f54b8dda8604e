import type { LiveConnection } from './live-connection';

/**
 * The bytes waiting in every client's outbound buffer, summed over the relay: the `@connections`
 * API's relay-wide cap reads it. Only connections that had bytes waiting after a send are
 * visited, so a relay of readers that keep up sums next to nothing.
 */
export class RelayOutboundBytes {
  private readonly backedUp = new Set<LiveConnection>();

  /** Notes a connection just sent to: counted while it has bytes waiting. */
  noteSent(connection: LiveConnection): void {
    if (connection.socket.bufferedAmount > 0) this.backedUp.add(connection);
  }

  /** Bytes waiting over every open connection now; drained and closed ones are dropped from the count. */
  total(): number {
    let sum = 0;
    for (const connection of this.backedUp) {
      const waiting = connection.isOpen ? connection.socket.bufferedAmount : 0;
      if (waiting === 0) this.backedUp.delete(connection);
      sum += waiting;
    }
    return sum;
  }
}
