import { isUtf8 } from 'node:buffer';
import { WebSocket } from 'ws';
import type { ConnectionContext } from './lambda-event';
import type { ConnectionTimers } from './connection-timers';
import type { SocketReading } from './connection-queue';

/** One open client connection, as the gateway and the `@connections` API see it: its socket, its frames out, its timers. */
export class LiveConnection implements SocketReading {
  /** Epoch milliseconds of the last message in or out. */
  lastActiveAt: number;

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
    this.socket.send(payload, { binary: !isUtf8(payload) });
    this.markActive();
  }

  /** Stops reading the socket: TCP then pushes back on the client (the invocation queue's backpressure). */
  pauseReading(): void {
    if (!this.socket.isPaused) this.socket.pause();
  }

  /** Reads the socket again. */
  resumeReading(): void {
    if (this.socket.isPaused) this.socket.resume();
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
