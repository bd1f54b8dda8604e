import { ConnectionQueue, InvocationQueueStats, type InvocationLimits, type SocketReading } from './connection-queue';
import { InvocationScheduler } from './invocation-scheduler';
import { RelayBacklog, type BacklogMarks, type BacklogStats } from './relay-backlog';

/** Frames up to this long (acks, Connect, Request) start before larger ones of other connections. */
const SMALL_FRAME_CHARS = 4096;

/** The route whose frames are chunks whatever their size: a file's chunks, the manifest's small ones included. */
const CHUNK_ROUTE = 'Transfer';

/** How the relay's invocations wait. */
export interface InvocationQueueLimits {
  /** Each connection's concurrency and backpressure marks. @default the marks of connection-queue.ts (8 running; pause at 16 or 1 MiB, resume under 8 and 512 KiB) */
  readonly perConnection?: InvocationLimits;
  /** The relay-wide backlog's byte and time marks. @default the marks of relay-backlog.ts (pause at 512 KiB or 5 ms, resume under 256 KiB and 2 ms) */
  readonly backlog?: BacklogMarks;
}

/** A message read off a socket, waiting for its handler. */
export interface WaitingMessage {
  /** The route selected as it came in; none when no route matched. */
  readonly routeKey: string | undefined;
  /** Its length in characters (its text, or the base64 of a binary frame): its weight against the byte marks. */
  readonly chars: number;
  /** `performance.now()` when it came off the socket. */
  readonly receivedAt: number;
  /** Runs its handler; a rejection is ignored (the caller reports its own errors). */
  readonly invoke: () => Promise<void>;
}

/** One connection's place in the queue, from its open to its close. */
export interface ConnectionLine {
  /** Queues a message; it starts when its connection's turn comes. */
  enqueue(message: WaitingMessage): void;
  /** Resolves once none of the connection's messages is waiting or running. */
  drained(): Promise<void>;
  /** The connection closed: it leaves the relay-wide line (messages already read still run). */
  close(): void;
}

/**
 * How a message waits in the local relay between its socket and its handler, in one place:
 *
 * - Each connection runs at most 8 handlers at once, and at 16 running or waiting, or 1 MiB of
 *   their messages, its socket stops being read until fewer than 8 and under 512 KiB remain
 *   (connection-queue.ts): TCP pushes back on a fast client.
 * - Chunks (any Transfer, and any message over 4 KB) read and not yet handled are bounded over all
 *   connections (relay-backlog.ts): at 512 KiB, or once the oldest one not yet started has waited
 *   5 ms, every connection that sends chunks stops being read, and they are read again oldest
 *   pause first while the backlog is under 256 KiB and 2 ms. Small frames are never counted.
 * - Handlers start through one scheduler (invocation-scheduler.ts): connections take turns, those
 *   holding only small frames (an ack, Connect, Request) first, but a chunk after every 8 small
 *   ones and first once it has waited 1 ms; at most 10 ms of starts per event-loop turn.
 *
 * The gateway opens a line per connection, handing it the connection's socket reading to pause
 * and resume, and queues every message on it.
 */
export class InvocationQueue {
  /** Queue figures over every connection (backpressure tests, `npm run load`). */
  readonly stats = new InvocationQueueStats();
  private readonly scheduler = new InvocationScheduler();
  private readonly backlog: RelayBacklog;
  private readonly perConnection: InvocationLimits;

  constructor(limits: InvocationQueueLimits = {}) {
    this.backlog = new RelayBacklog(limits.backlog);
    this.perConnection = limits.perConnection ?? {};
  }

  /** The relay-wide backlog's figures so far (pauses, peak bytes). */
  get backlogStats(): BacklogStats {
    return this.backlog.stats;
  }

  /** Opens the line of a new connection, whose socket `reading` pauses and resumes. */
  open(reading: SocketReading): ConnectionLine {
    const queue = new ConnectionQueue(reading, this.perConnection, this.stats, this.scheduler, this.backlog);
    return {
      enqueue: ({ routeKey, chars, receivedAt, invoke }) => queue.enqueue(invoke, !isChunk(routeKey, chars), chars, receivedAt),
      drained: () => queue.drained(),
      close: () => queue.close(),
    };
  }
}

/** Whether a message waits as a chunk (the backlog counts it; small frames of other connections go first). */
function isChunk(routeKey: string | undefined, chars: number): boolean {
  return routeKey === CHUNK_ROUTE || chars > SMALL_FRAME_CHARS;
}
