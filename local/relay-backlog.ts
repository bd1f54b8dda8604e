/** Something whose socket the backlog can stop and start reading: a connection's ConnectionQueue (connection-queue.ts). */
export interface BacklogMember {
  /** Stops reading the socket for the backlog's sake. */
  pauseForBacklog(): void;
  /** Reads the socket again (it may stay paused for its own queue's sake). */
  resumeForBacklog(): void;
}

/**
 * The relay-wide byte mark: when the large messages (chunks) read off every socket and not yet
 * handled add up to this many bytes (four 128 KB chunks), the relay stops reading the connections
 * that send them. Every chunk read waits out whatever stops the relay next (a collection, a turn
 * of another process on the core), so what is read ahead is what such a pause delays; the rest
 * waits in TCP, where the senders' congestion control sees it. (`npm run load`, 50 and 100
 * transfers in turns: 1 MiB gave a p99 of 41-78 ms, 512 KiB 32-76 ms and a lower p50 at the same
 * MB/s, 256 KiB 43-73 ms.)
 */
export const BACKLOG_HIGH_WATER_BYTES = 512 * 1024;

/** Paused connections are read again, oldest pause first, while the backlog is below this many bytes. */
const BACKLOG_LOW_WATER_BYTES = 256 * 1024;

/**
 * The relay-wide time mark: when the oldest chunk read and not yet started has waited this long,
 * the relay stops reading the connections that send them. Bytes alone cannot bound a chunk's wait:
 * eight chunks are a few milliseconds of work when the relay is idle, and a quarter of a second
 * while 200 handshakes share its turns. (`npm run load`, 100 transfers: 20 ms gave a p99 of 65-81
 * ms, 5 ms 42-52 ms in most runs; `npm run bench`, one transfer, within its noise.)
 */
const BACKLOG_HIGH_WAIT_MS = 5;

/** ...and reads them again only while the oldest one waiting has waited less than this (or none waits). */
const BACKLOG_LOW_WAIT_MS = 2;

/** What a resumed connection is assumed to bring until its first message comes in: one full message. */
const RESUMED_MESSAGE_BYTES = 128 * 1024;

/** A resumed connection that brought nothing within this long counts as empty, and the next one is resumed. */
const RESUME_PROBE_MS = 5;

/** The backlog's marks; every field defaults to the constant of the same name. */
export interface BacklogMarks {
  /** @default BACKLOG_HIGH_WATER_BYTES */
  readonly highBytes?: number;
  /** @default BACKLOG_LOW_WATER_BYTES */
  readonly lowBytes?: number;
  /** @default BACKLOG_HIGH_WAIT_MS */
  readonly highWaitMs?: number;
  /** @default BACKLOG_LOW_WAIT_MS */
  readonly lowWaitMs?: number;
}

/** Backlog figures, for tests and `npm run load`. */
export interface BacklogStats {
  /** Times the backlog was full and stopped reading the connections that send large messages. */
  readonly pauses: number;
  /** The most bytes of large messages waiting or running at once. */
  readonly peakBytes: number;
}

/** One large message in the backlog, from `add` to `remove`. */
export interface BacklogEntry {
  readonly bytes: number;
  /** `performance.now()` when its message came off the socket. */
  readonly addedAt: number;
}

/**
 * Relay-wide backpressure for the local gateway. Each connection's own queue is bounded
 * (connection-queue.ts), but a hundred senders with a full queue each still make a chunk wait
 * seconds for its turn, and hold hundreds of megabytes. The backlog counts every chunk (a
 * Transfer of any size, or any large frame: invocation-queue.ts decides) between the socket and the end of
 * its handler. When they reach the byte mark, or the oldest
 * one not yet started has waited past the time mark, every connection that sends large messages
 * and is being read is paused. Paused connections are resumed in the order they were paused (so
 * every sender gets its turn) while the backlog is below both low marks, counting each resumed
 * connection as one message until it sends it. Chunks then wait in TCP, where the sender's
 * congestion control sees the wait, rather than in the relay. Small control frames (acks,
 * Connect, Request) are never counted, so pairing and acknowledgements keep flowing.
 */
export class RelayBacklog {
  private bytes = 0;
  private peakBytes = 0;
  private pauses = 0;
  private readonly highBytes: number;
  private readonly lowBytes: number;
  private readonly highWaitMs: number;
  private readonly lowWaitMs: number;
  /** Entries added and not yet started, oldest first. */
  private readonly waiting = new Set<BacklogEntry>();
  /** Connections that sent a large message and are being read, in the order they joined. */
  private readonly reading = new Set<BacklogMember>();
  /** Connections paused by the backlog, oldest first. */
  private readonly paused = new Set<BacklogMember>();
  /** Resumed connections whose first message has not come in yet, with the timer that gives up on them. */
  private readonly probing = new Map<BacklogMember, NodeJS.Timeout>();

  constructor(marks: BacklogMarks = {}) {
    this.highBytes = marks.highBytes ?? BACKLOG_HIGH_WATER_BYTES;
    this.lowBytes = marks.lowBytes ?? BACKLOG_LOW_WATER_BYTES;
    this.highWaitMs = marks.highWaitMs ?? BACKLOG_HIGH_WAIT_MS;
    this.lowWaitMs = marks.lowWaitMs ?? BACKLOG_LOW_WAIT_MS;
    if (!(this.lowBytes > 0 && this.lowBytes <= this.highBytes)) throw new RangeError('the backlog needs 0 < low-water <= high-water bytes');
    if (!(this.lowWaitMs > 0 && this.lowWaitMs <= this.highWaitMs)) throw new RangeError('the backlog needs 0 < low wait <= high wait');
  }

  /** The figures so far. */
  get stats(): BacklogStats {
    return { pauses: this.pauses, peakBytes: this.peakBytes };
  }

  /**
   * `member` handed in a large message of `bytes`, which came off its socket at `receivedAt`: count
   * it, and stop reading every sender when the backlog is full.
   */
  add(member: BacklogMember, bytes: number, receivedAt = performance.now()): BacklogEntry {
    const entry: BacklogEntry = { bytes, addedAt: receivedAt };
    this.stopProbing(member);
    if (!this.paused.has(member)) this.reading.add(member);
    this.bytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    this.waiting.add(entry);
    if (this.bytes >= this.highBytes || this.oldestWaitMs() >= this.highWaitMs) this.pauseReaders(member);
    return entry;
  }

  /** The entry's handler started: it no longer waits (the time marks look at waiting entries only). */
  started(entry: BacklogEntry): void {
    if (this.waiting.delete(entry)) this.resumeWhileRoom();
  }

  /** The entry's handler finished: resume paused connections while there is room. */
  remove(entry: BacklogEntry): void {
    this.waiting.delete(entry);
    this.bytes -= entry.bytes;
    this.resumeWhileRoom();
  }

  /** `member` closed: it neither waits nor brings anything any more. */
  forget(member: BacklogMember): void {
    this.paused.delete(member);
    this.reading.delete(member);
    this.stopProbing(member);
    this.resumeWhileRoom();
  }

  private oldestWaitMs(): number {
    const oldest = this.waiting.values().next();
    return oldest.done ? 0 : performance.now() - oldest.value.addedAt;
  }

  /** Pauses every connection being read, `last` (the one that just had its turn) at the back of the line. */
  private pauseReaders(last: BacklogMember): void {
    this.pauses++;
    this.reading.delete(last);
    for (const member of [...this.reading, last]) {
      this.paused.add(member);
      member.pauseForBacklog();
    }
    this.reading.clear();
  }

  private hasRoom(): boolean {
    return this.bytes + this.probing.size * RESUMED_MESSAGE_BYTES < this.lowBytes && this.oldestWaitMs() < this.lowWaitMs;
  }

  private resumeWhileRoom(): void {
    for (const member of this.paused) {
      if (!this.hasRoom()) return;
      this.paused.delete(member);
      // Until it hands in a message (add), it counts as one; if it brings nothing soon, it is empty.
      const timer = setTimeout(() => {
        this.probing.delete(member);
        this.reading.add(member);
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
