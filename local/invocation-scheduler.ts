/** Something with invocations to start: a connection's ConnectionQueue (connection-queue.ts). */
export interface SchedulableQueue {
  /**
   * Starts its oldest waiting invocation if it may, or with `throughBulk` those up to and including
   * its oldest chunk; true when it could start another one now.
   */
  startNext(throughBulk?: boolean): boolean;
  /** Whether any of its waiting invocations is bulk (a chunk: Transfer, or any large frame), not only small frames (an ack, Connect, Request). */
  readonly holdsBulk: boolean;
  /** `performance.now()` when its oldest waiting bulk frame came in (when it holds one). */
  readonly bulkReceivedAt: number;
}

/** How long the invocations started in one event-loop turn may run before the loop reads sockets again. */
export const SCHEDULER_SLICE_MS = 10;

/**
 * While chunks wait, at most this many small frames start in a row before one chunk does: small
 * frames still go first, but a burst of handshakes (200 Connects and Requests, each waiting on
 * DynamoDB) cannot hold every chunk back for a second.
 */
export const SMALL_STARTS_IN_A_ROW = 8;

/**
 * A chunk that has waited this long starts before any small frame: the relay-wide backlog stops
 * reading chunks once one has waited 5 ms (relay-backlog.ts), so the chunks already read drain
 * first, and a burst of handshakes, which keeps the small line full for seconds, takes the turns
 * left. In effect chunks go first once the turn they came in is over.
 */
export const CHUNK_WAIT_MS = 1;

/** At most this many invocation starts are queued for one turn. */
const MAX_STARTS_PER_TURN = 64;

/**
 * Starts the invocations of every connection in turns, one per connection at a time (round
 * robin), and at most SCHEDULER_SLICE_MS of them per event-loop turn before the loop polls its
 * sockets again. Without it, every frame read in one turn ran its whole handler at once (the
 * in-process `@connections` post completes in microtasks): under load one turn took seconds,
 * and the routes that wait for DynamoDB (`$connect`, Connect, Request), which need a turn for
 * every answer, took seconds too (`npm run load`: "no answer to Connect"). Each start is its own
 * `setImmediate` callback, so Node runs its microtasks, the whole in-process chain of a chunk,
 * before the next start checks the clock.
 *
 * Connections with only small frames waiting go first (shortest job first, across connections
 * only: each connection's own invocations still start in arrival order), with a connection that
 * holds a chunk after every SMALL_STARTS_IN_A_ROW of them, and those first once their oldest chunk
 * has waited CHUNK_WAIT_MS. An Acknowledge or a Connect waits for a slice, not for a round of every
 * sender's chunks, so the senders' round trips and new handshakes do not grow with the relay's
 * backlog, and a burst of handshakes cannot hold the chunks already read for more than a few slices.
 * A connection is in the chunk line as soon as it holds a chunk, even behind its own small frames:
 * a sender's manifest right behind its pairing Request waits like a chunk, not like a handshake.
 */
export class InvocationScheduler {
  /** Queues that hold only small frames, then those that hold a chunk, each in turn order. */
  private readonly small = new Set<SchedulableQueue>();
  private readonly bulk = new Set<SchedulableQueue>();
  /** The batch of starts queued for the coming check phase, and how many of them have not run. */
  private batch = 0;
  private queuedStarts = 0;
  private sliceBatch = -1;
  private sliceStartedAt = 0;
  /** Small frames started since the last chunk. */
  private smallInARow = 0;

  constructor(
    private readonly sliceMs: number = SCHEDULER_SLICE_MS,
    private readonly chunkWaitMs: number = CHUNK_WAIT_MS,
  ) {}

  /** Notes that `queue` has an invocation to start; it starts in a later callback of this turn or the next. */
  markReady(queue: SchedulableQueue): void {
    if (this.bulk.has(queue)) return;
    if (this.small.has(queue)) {
      // A chunk came in behind its small frames: it moves to the chunk line (to its end).
      if (!queue.holdsBulk) return;
      this.small.delete(queue);
    }
    this.lineOf(queue).add(queue);
    this.queueStarts();
  }

  private lineOf(queue: SchedulableQueue): Set<SchedulableQueue> {
    return queue.holdsBulk ? this.bulk : this.small;
  }

  private get readyCount(): number {
    return this.small.size + this.bulk.size;
  }

  private queueStarts(): void {
    if (this.queuedStarts > 0 || this.readyCount === 0) return;
    const batch = ++this.batch;
    this.queuedStarts = Math.min(this.readyCount, MAX_STARTS_PER_TURN);
    for (let i = 0; i < this.queuedStarts; i++) setImmediate(() => this.startOne(batch));
  }

  /** Whether the connection at the head of the chunk line has held its oldest chunk for CHUNK_WAIT_MS. */
  private chunkIsLate(now: number): boolean {
    const head = this.bulk.values().next();
    return !head.done && now - head.value.bulkReceivedAt >= this.chunkWaitMs;
  }

  private startOne(batch: number): void {
    const now = performance.now();
    if (this.sliceBatch !== batch) {
      this.sliceBatch = batch;
      this.sliceStartedAt = now;
    }
    if (now - this.sliceStartedAt <= this.sliceMs) {
      // Small frames first, but a chunk waiting gets a start after every SMALL_STARTS_IN_A_ROW of
      // them, and every start once it has waited CHUNK_WAIT_MS.
      const takeSmall = this.small.size > 0 && (this.bulk.size === 0 || (this.smallInARow < SMALL_STARTS_IN_A_ROW && !this.chunkIsLate(now)));
      const line = takeSmall ? this.small : this.bulk;
      this.smallInARow = takeSmall ? this.smallInARow + 1 : 0;
      const next = line.values().next();
      if (!next.done) {
        const queue = next.value;
        line.delete(queue);
        // A turn in the chunk line starts the chunk, with the connection's small frames ahead of it
        // (a sender's Request, then its manifest), so the chunk does not wait another round for them.
        // Back at the end of a line when it has more: one turn per connection per round.
        if (queue.startNext(!takeSmall)) this.lineOf(queue).add(queue);
      }
    }
    this.queuedStarts--;
    if (this.queuedStarts === 0) this.queueStarts();
  }
}
