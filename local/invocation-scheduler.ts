/** Something with invocations to start: a LiveConnection. */
export interface SchedulableQueue {
  /** Starts its oldest waiting invocation if it may; true when it could start another one now. */
  startNext(): boolean;
}

/** How long the invocations started in one event-loop turn may run before the loop reads sockets again. */
export const SCHEDULER_SLICE_MS = 10;

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
 */
export class InvocationScheduler {
  /** Queues with an invocation to start, in turn order. */
  private readonly ready = new Set<SchedulableQueue>();
  /** The batch of starts queued for the coming check phase, and how many of them have not run. */
  private batch = 0;
  private queuedStarts = 0;
  private sliceBatch = -1;
  private sliceStartedAt = 0;

  constructor(private readonly sliceMs: number = SCHEDULER_SLICE_MS) {}

  /** Notes that `queue` has an invocation to start; it starts in a later callback of this turn or the next. */
  markReady(queue: SchedulableQueue): void {
    this.ready.add(queue);
    this.queueStarts();
  }

  private queueStarts(): void {
    if (this.queuedStarts > 0 || this.ready.size === 0) return;
    const batch = ++this.batch;
    this.queuedStarts = Math.min(this.ready.size, MAX_STARTS_PER_TURN);
    for (let i = 0; i < this.queuedStarts; i++) setImmediate(() => this.startOne(batch));
  }

  private startOne(batch: number): void {
    const now = performance.now();
    if (this.sliceBatch !== batch) {
      this.sliceBatch = batch;
      this.sliceStartedAt = now;
    }
    if (now - this.sliceStartedAt <= this.sliceMs) {
      const next = this.ready.values().next();
      if (!next.done) {
        const queue = next.value;
        this.ready.delete(queue);
        // Back at the end of the line when it has more: one start per connection per round.
        if (queue.startNext()) this.ready.add(queue);
      }
    }
    this.queuedStarts--;
    if (this.queuedStarts === 0) this.queueStarts();
  }
}
