import type { InvocationScheduler, SchedulableQueue } from './invocation-scheduler';
import type { BacklogEntry, BacklogMember, RelayBacklog } from './relay-backlog';

/**
 * How many handler invocations of one connection run at once. API Gateway invokes Lambda for
 * each message without waiting for the previous one, so clients must already cope with frames
 * handled out of order; a bound keeps one fast sender from starving the others locally.
 */
const MAX_CONCURRENT_INVOCATIONS = 8;

/**
 * Backpressure: when this many invocations of one connection are running or waiting, the relay
 * stops reading its socket (TCP then pushes back on the client), as API Gateway's own limits
 * would throttle it; memory stays bounded whatever a client sends.
 */
export const QUEUE_HIGH_WATER = 16;

/** Reading resumes once fewer than this many invocations are running or waiting. */
const QUEUE_LOW_WATER = 8;

/**
 * Backpressure by size too: the socket also pauses when the messages of one connection's running
 * or waiting invocations add up to this many bytes (eight 128 KB messages), so memory is bounded
 * in bytes whatever the mix of small frames and large messages.
 */
export const QUEUE_HIGH_WATER_BYTES = 1024 * 1024;

/** ...and resumes only once they are below this many bytes (and below QUEUE_LOW_WATER). */
const QUEUE_LOW_WATER_BYTES = 512 * 1024;

/** Queue figures over every connection of a relay, for tests and `npm run load`. */
export class InvocationQueueStats {
  /** The most invocations one connection ever had running or waiting at once. */
  peakQueued = 0;
  /** How many times a socket was paused because its queue reached the high-water mark. */
  pauses = 0;
  /** Invocations accepted, and finished (whatever their outcome). */
  accepted = 0;
  finished = 0;

  /** Notes a queue length. */
  observe(queued: number): void {
    if (queued > this.peakQueued) this.peakQueued = queued;
  }
}

/** How one connection's invocations are bounded. */
export interface InvocationLimits {
  /** How many invocations run at once. @default 8 (MAX_CONCURRENT_INVOCATIONS) */
  readonly maxConcurrent?: number;
  /** Pause reading at this many running or waiting. @default 16 (QUEUE_HIGH_WATER) */
  readonly highWater?: number;
  /** Resume reading below this many. @default 8 (QUEUE_LOW_WATER) */
  readonly lowWater?: number;
  /** Pause reading at this many bytes of messages running or waiting. @default 1 MiB (QUEUE_HIGH_WATER_BYTES) */
  readonly highWaterBytes?: number;
  /** Resume reading below this many bytes. @default 512 KiB (QUEUE_LOW_WATER_BYTES) */
  readonly lowWaterBytes?: number;
}

/** Stops and starts reading one connection's socket: its LiveConnection. */
export interface SocketReading {
  /** Stops reading the socket (no-op when it is already paused). */
  pauseReading(): void;
  /** Reads the socket again (no-op when it is being read). */
  resumeReading(): void;
}

/** A message's invocation waiting for its turn: whether it is a small frame, its size, and its place in the relay-wide backlog (large messages). */
interface QueuedInvocation {
  readonly task: () => Promise<void>;
  /** `performance.now()` when its frame came in. */
  readonly receivedAt: number;
  readonly small: boolean;
  readonly bytes: number;
  readonly backlogEntry?: BacklogEntry;
}

/**
 * One connection's invocations, from the frame read to the handler's end: at most `maxConcurrent`
 * run at once, the rest wait in arrival order until the relay's scheduler gives the connection a
 * turn; its socket stops being read while its own marks or the relay-wide backlog are full.
 */
export class ConnectionQueue implements SchedulableQueue, BacklogMember {
  /** Invocations waiting for a free slot, in arrival order, with whether each is for a small frame. */
  private readonly waiting: QueuedInvocation[] = [];
  /** Invocations running now. */
  private readonly running = new Set<Promise<void>>();
  /** Called whenever the last running invocation finishes and none waits. */
  private readonly idle: Array<() => void> = [];
  private readonly maxConcurrent: number;
  private readonly highWater: number;
  private readonly lowWater: number;
  private readonly highWaterBytes: number;
  private readonly lowWaterBytes: number;
  /** Bytes of the messages of running and waiting invocations. */
  private queuedBytes = 0;
  /** Whether this connection paused its socket for backpressure. */
  private pausedForBackpressure = false;
  /** Whether the relay-wide backlog paused it. */
  private pausedForBacklog = false;

  constructor(
    private readonly reading: SocketReading,
    limits: InvocationLimits,
    private readonly stats: InvocationQueueStats,
    /** Starts the invocations in turns with the other connections'. */
    private readonly scheduler: InvocationScheduler,
    /** Counts this connection's large messages against the relay-wide marks. */
    private readonly backlog: RelayBacklog,
  ) {
    this.maxConcurrent = limits.maxConcurrent ?? MAX_CONCURRENT_INVOCATIONS;
    this.highWater = limits.highWater ?? QUEUE_HIGH_WATER;
    this.lowWater = limits.lowWater ?? QUEUE_LOW_WATER;
    this.highWaterBytes = limits.highWaterBytes ?? QUEUE_HIGH_WATER_BYTES;
    this.lowWaterBytes = limits.lowWaterBytes ?? QUEUE_LOW_WATER_BYTES;
  }

  /** Invocations of this connection running or waiting now. */
  get queued(): number {
    return this.running.size + this.waiting.length;
  }

  /**
   * Runs `task` once fewer than `maxConcurrent` of this connection's tasks are running; tasks
   * start in arrival order but may finish in any order, as Lambda invocations do. At the
   * high-water mark the socket stops being read until the queue falls below the low-water mark.
   * No task is ever dropped (frames already read when the socket pauses still queue). `small`:
   * the task is for a small control frame (an ack, Connect, Request; not a Transfer), which the
   * scheduler starts before other connections' chunks, and which the relay-wide backlog does not
   * count; `bytes`: the size of its message, counted against the byte marks until the task
   * finishes; `receivedAt`: when its frame came off the socket.
   */
  enqueue(task: () => Promise<void>, small: boolean, bytes: number, receivedAt: number): void {
    const backlogEntry = small ? undefined : this.backlog.add(this, bytes, receivedAt);
    this.waiting.push({ task, receivedAt, small, bytes, backlogEntry });
    this.queuedBytes += bytes;
    this.stats.accepted++;
    this.stats.observe(this.queued);
    if (!this.pausedForBackpressure && (this.queued >= this.highWater || this.queuedBytes >= this.highWaterBytes)) {
      this.pausedForBackpressure = true;
      this.stats.pauses++;
      this.updateReading();
    }
    this.startWaiting();
  }

  /** The relay-wide backlog is full: stop reading this socket. */
  pauseForBacklog(): void {
    this.pausedForBacklog = true;
    this.updateReading();
  }

  /** The relay-wide backlog has room again. */
  resumeForBacklog(): void {
    this.pausedForBacklog = false;
    this.updateReading();
  }

  /** The connection closed: it leaves the relay-wide backlog's line (its invocations still run to the end). */
  close(): void {
    this.backlog.forget(this);
  }

  /** The socket is read unless either its own queue or the relay-wide backlog is full. */
  private updateReading(): void {
    if (this.pausedForBackpressure || this.pausedForBacklog) this.reading.pauseReading();
    else this.reading.resumeReading();
  }

  /** Resolves when no task of this connection is running or waiting. */
  drained(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Starts the oldest waiting task if a slot is free, or with `throughBulk` every waiting task up to
   * and including the oldest chunk (the small frames ahead of it first, in arrival order); true when
   * another one could start now (the scheduler's turn).
   */
  startNext(throughBulk = false): boolean {
    while (this.running.size < this.maxConcurrent) {
      const next = this.waiting.shift();
      if (!next) break;
      this.run(next);
      if (!throughBulk || !next.small) break;
    }
    return this.canStart();
  }

  /** Whether any waiting invocation is for a chunk (the scheduler starts connections that hold none first). */
  get holdsBulk(): boolean {
    return this.waiting.some((invocation) => !invocation.small);
  }

  /** When the oldest waiting chunk came in (the scheduler starts late chunks first). */
  get bulkReceivedAt(): number {
    return this.waiting.find((invocation) => !invocation.small)?.receivedAt ?? performance.now();
  }

  private canStart(): boolean {
    return this.waiting.length > 0 && this.running.size < this.maxConcurrent;
  }

  private startWaiting(): void {
    if (this.canStart()) this.scheduler.markReady(this);
  }

  private run({ task, bytes, backlogEntry }: QueuedInvocation): void {
    if (backlogEntry) this.backlog.started(backlogEntry);
    // A failed task must not stop the ones after it; dispatch reports its own errors.
    const run: Promise<void> = task()
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(run);
        this.queuedBytes -= bytes;
        this.stats.finished++;
        this.startWaiting();
        if (this.pausedForBackpressure && this.queued < this.lowWater && this.queuedBytes < this.lowWaterBytes) {
          this.pausedForBackpressure = false;
          this.updateReading();
        }
        if (backlogEntry) this.backlog.remove(backlogEntry);
        if (this.running.size === 0 && this.waiting.length === 0) {
          for (const resolve of this.idle.splice(0)) resolve();
        }
      });
    this.running.add(run);
  }
}
