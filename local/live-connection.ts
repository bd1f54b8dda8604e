import { isUtf8 } from 'node:buffer';
import { WebSocket } from 'ws';
import type { ConnectionContext } from './lambda-event';
import type { ConnectionTimers } from './connection-timers';

/**
 * How many handler invocations of one connection run at once. API Gateway invokes Lambda for
 * each message without waiting for the previous one, so clients must already cope with frames
 * handled out of order; a bound keeps one fast sender from starving the others locally.
 */
export const MAX_CONCURRENT_INVOCATIONS = 8;

/** One open client connection, as the gateway and the `@connections` API see it. */
export class LiveConnection {
  /** Epoch milliseconds of the last message in or out. */
  lastActiveAt: number;
  /** Invocations waiting for a free slot, in arrival order. */
  private readonly waiting: Array<() => Promise<void>> = [];
  /** Invocations running now. */
  private readonly running = new Set<Promise<void>>();
  /** Called whenever the last running invocation finishes and none waits. */
  private readonly idle: Array<() => void> = [];

  constructor(
    readonly context: ConnectionContext,
    readonly socket: WebSocket,
    readonly timers: ConnectionTimers,
    /** How many of this connection's invocations may run at once (API Gateway: no fixed limit). */
    private readonly maxConcurrentInvocations = MAX_CONCURRENT_INVOCATIONS,
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
    this.socket.send(payload, { binary: !isUtf8(payload) });
    this.markActive();
  }

  /**
   * Runs `task` once fewer than `maxConcurrentInvocations` of this connection's tasks are running;
   * tasks start in arrival order but may finish in any order, as Lambda invocations do.
   */
  enqueue(task: () => Promise<void>): void {
    this.waiting.push(task);
    this.startWaiting();
  }

  /** Resolves when no task of this connection is running or waiting. */
  drained(): Promise<void> {
    if (this.running.size === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private startWaiting(): void {
    while (this.running.size < this.maxConcurrentInvocations) {
      const task = this.waiting.shift();
      if (!task) break;
      // A failed task must not stop the ones after it; dispatch reports its own errors.
      const run: Promise<void> = task()
        .catch(() => undefined)
        .finally(() => {
          this.running.delete(run);
          this.startWaiting();
          if (this.running.size === 0 && this.waiting.length === 0) {
            for (const resolve of this.idle.splice(0)) resolve();
          }
        });
      this.running.add(run);
    }
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
