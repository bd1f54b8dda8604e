/** Something whose socket the backlog can stop and start reading: a LiveConnection. */
export interface BacklogMember {
  /** Stops reading the socket for the backlog's sake. */
  pauseForBacklog(): void;
  /** Reads the socket again (it may stay paused for its own queue's sake). */
  resumeForBacklog(): void;
}

/**
 * The relay-wide byte mark: when the large messages (chunks) read off every socket and not yet
 * handled add up to this many bytes, a connection that hands in another one stops being read.
 * A mebibyte is eight 128 KB messages, a few tens of milliseconds of handler work: a chunk waits
 * about that long inside the relay whatever the number of senders, and the rest wait in TCP.
 */
export const BACKLOG_HIGH_WATER_BYTES = 1024 * 1024;

/** Paused connections are read again, oldest pause first, while the backlog is below this many bytes. */
export const BACKLOG_LOW_WATER_BYTES = 512 * 1024;

/** What a resumed connection is assumed to bring until its first message comes in: one full message. */
const RESUMED_MESSAGE_BYTES = 128 * 1024;

/** A resumed connection that brought nothing within this long counts as empty, and the next one is resumed. */
const RESUME_PROBE_MS = 5;

/** Backlog figures, for tests and `npm run load`. */
export interface BacklogStats {
  /** Times a connection was paused because the relay-wide backlog was full. */
  readonly pauses: number;
  /** The most bytes of large messages waiting or running at once. */
  readonly peakBytes: number;
}

/**
 * Relay-wide backpressure for the local gateway. Each connection's own queue is bounded
 * (live-connection.ts), but a hundred senders with a full queue each still make a chunk wait
 * seconds for its turn, and hold hundreds of megabytes. The backlog counts the bytes of every
 * large message between the socket and the end of its handler; above the high-water mark the
 * connection that adds one is paused, and paused connections are resumed in the order they were
 * paused (so every sender gets its turn) while the backlog is below the low-water mark, counting
 * each resumed connection as one message until it sends it. Small frames (acks, Connect, Request)
 * are never counted or paused, so pairing and acknowledgements keep flowing.
 */
export class RelayBacklog {
  private bytes = 0;
  private peakBytes = 0;
  private pauses = 0;
  /** Connections paused by the backlog, oldest first. */
  private readonly paused = new Set<BacklogMember>();
  /** Resumed connections whose first message has not come in yet, with the timer that gives up on them. */
  private readonly probing = new Map<BacklogMember, NodeJS.Timeout>();

  constructor(
    private readonly highWaterBytes = BACKLOG_HIGH_WATER_BYTES,
    private readonly lowWaterBytes = BACKLOG_LOW_WATER_BYTES,
  ) {
    if (!(lowWaterBytes > 0 && lowWaterBytes <= highWaterBytes)) throw new RangeError('the backlog needs 0 < low-water <= high-water bytes');
  }

  /** The figures so far. */
  get stats(): BacklogStats {
    return { pauses: this.pauses, peakBytes: this.peakBytes };
  }

  /** `member` handed in a large message of `bytes`: count it, and pause `member` when the backlog is full. */
  add(member: BacklogMember, bytes: number): void {
    this.stopProbing(member);
    this.bytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    if (this.bytes >= this.highWaterBytes && !this.paused.has(member)) {
      this.paused.add(member);
      this.pauses++;
      member.pauseForBacklog();
    }
  }

  /** A large message of `bytes` was handled: resume paused connections while there is room. */
  remove(bytes: number): void {
    this.bytes -= bytes;
    this.resumeWhileRoom();
  }

  /** `member` closed: it neither waits nor brings anything any more. */
  forget(member: BacklogMember): void {
    this.paused.delete(member);
    this.stopProbing(member);
    this.resumeWhileRoom();
  }

  private resumeWhileRoom(): void {
    for (const member of this.paused) {
      if (this.bytes + this.probing.size * RESUMED_MESSAGE_BYTES >= this.lowWaterBytes) return;
      this.paused.delete(member);
      // Until it hands in a message (add), it counts as one; if it brings nothing soon, it is empty.
      const timer = setTimeout(() => {
        this.probing.delete(member);
        this.resumeWhileRoom();
      }, RESUME_PROBE_MS);
      timer.unref();
      this.probing.set(member, timer);
      member.resumeForBacklog();
    }
  }

  private stopProbing(member: BacklogMember): void {
    const timer = this.probing.get(member);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.probing.delete(member);
  }
}
