import { WebSocket } from 'ws';
import type { ConnectionContext } from './lambda-event';
import type { ConnectionTimers } from './connection-timers';

/** One open client connection, as the gateway and the `@connections` API see it. */
export class LiveConnection {
  /** Epoch milliseconds of the last message in or out. */
  lastActiveAt: number;
  /** The connection's handler invocations, run one after another. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly context: ConnectionContext,
    readonly socket: WebSocket,
    readonly timers: ConnectionTimers,
  ) {
    this.lastActiveAt = context.connectedAt;
  }

  /** The connection id. */
  get id(): string {
    return this.context.connectionId;
  }

  /** Whether data can still be sent to the client. */
  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Records activity: restarts the idle timeout. */
  markActive(): void {
    this.lastActiveAt = Date.now();
    this.timers.touch();
  }

  /** Sends a payload as API Gateway does: a text frame when it is UTF-8, else a binary frame. */
  send(payload: Buffer): void {
    const text = new TextDecoder('utf-8', { fatal: true });
    let decoded: string | undefined;
    try {
      decoded = text.decode(payload);
    } catch {
      decoded = undefined;
    }
    this.socket.send(decoded ?? payload, { binary: decoded === undefined });
    this.markActive();
  }

  /** Runs `task` after every earlier task of this connection finished. */
  enqueue(task: () => Promise<void>): Promise<void> {
    // A failed task must not stop the ones after it; dispatch reports its own errors.
    this.queue = this.queue.then(task).catch(() => undefined);
    return this.queue;
  }

  /** Resolves when every queued task finished. */
  drained(): Promise<void> {
    return this.queue;
  }
}

/** The open connections by id. */
export class ConnectionRegistry {
  private readonly byId = new Map<string, LiveConnection>();

  /** Adds an open connection. */
  add(connection: LiveConnection): void {
    this.byId.set(connection.id, connection);
  }

  /** Removes a connection (closed). */
  remove(connectionId: string): void {
    this.byId.delete(connectionId);
  }

  /** The open connection with this id, if any. */
  get(connectionId: string): LiveConnection | undefined {
    return this.byId.get(connectionId);
  }

  /** All open connections. */
  all(): LiveConnection[] {
    return [...this.byId.values()];
  }
}
