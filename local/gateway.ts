import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { WebSocketHandler, WebSocketResult } from '../lambdas/relay/websocket-event';
import { newApiGatewayId } from './api-gateway-id';
import { ConnectionTimers } from './connection-timers';
import { throttledFrame, type FaultInjector, type InboundFrame } from './fault-injection';
import { enforceFrameLimit } from './frame-limit';
import { handshakeProblem } from './handshake-check';
import { connectEvent, disconnectEvent, messageEvent, type ApiContext, type ConnectionContext } from './lambda-event';
import { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from '../protocol/limits';
import { CLOSE_GOING_AWAY, CLOSE_UNSUPPORTED_DATA, MAX_CONNECTIONS, connectionTimeouts, type ConnectionTimeouts } from './limits';
import { InvocationQueue, type ConnectionLine } from './invocation-queue';
import { ConnectionRegistry, LiveConnection } from './live-connection';
import { silentLog, type RelayLog } from './relay-log';
import { tappedFrame, type RelayTaps } from './relay-taps';
import { RouteLog } from './route-log';
import { selectRoute } from './route-selection';
import { THROTTLED_HANDSHAKE_BODY, THROTTLED_HANDSHAKE_STATUS, type RouteThrottler } from './route-throttles';

/** Route key -> handler, as API Gateway's integrations would call them. */
export type RouteHandlers = ReadonlyMap<string, WebSocketHandler>;

/** Options of a WebSocketGateway. */
export interface GatewayOptions {
  /** The routes and their handlers. */
  readonly handlers: RouteHandlers;
  /** Where the gateway registers open connections (shared with the `@connections` API). @default a new registry */
  readonly connections?: ConnectionRegistry;
  /** API Gateway's stage name, copied into events. @default 'dev' */
  readonly stage?: string;
  /** API id copied into events. @default 'localrelay' */
  readonly apiId?: string;
  /** @default API Gateway's 10 minutes idle and 2 hours maximum */
  readonly timeouts?: Partial<ConnectionTimeouts>;
  /** @default MAX_FRAME_BYTES */
  readonly frameLimitBytes?: number;
  /** @default MAX_MESSAGE_BYTES */
  readonly messageLimitBytes?: number;
  /** Drops, duplicates or reorders inbound Transfer frames. @default none */
  readonly faults?: FaultInjector;
  /** Sees inbound frames and invocation timings. @default none */
  readonly taps?: RelayTaps;
  /** @default silentLog */
  readonly log?: RelayLog;
  /** Where every message waits for its handler (invocation-queue.ts). @default new InvocationQueue() with its default limits */
  readonly invocations?: InvocationQueue;
  /** Connections open or in their handshake at once; one more is refused with 429. @default MAX_CONNECTIONS */
  readonly maxConnections?: number;
  /** Per-route token buckets, as API Gateway's stage throttles (route-throttles.ts). @default none: nothing is throttled */
  readonly throttles?: RouteThrottler;
}

const CLOSE_WAIT_MS = 1000;

/**
 * The WebSocket half of API Gateway: runs `$connect` during the HTTP upgrade, selects a route for
 * every message on `$request.body.action`, runs `$disconnect` after a close, and applies API
 * Gateway's frame and message limits and its idle and maximum-duration timeouts.
 */
export class WebSocketGateway {
  /** The open connections (shared with the `@connections` API). */
  readonly connections: ConnectionRegistry;
  /** Where every message waits between its socket and its handler. */
  private readonly invocations: InvocationQueue;
  private readonly wss: WebSocketServer;
  private readonly routeKeys: ReadonlySet<string>;
  private readonly timeouts: ConnectionTimeouts;
  private readonly log: RelayLog;
  /** The `route` lines: per-chunk routes summed per connection. */
  private readonly routeLog: RouteLog;
  private readonly pending = new Set<Promise<void>>();
  /** Connections holding a place: from a valid handshake until it is refused or their `$disconnect` ran. */
  private held = 0;
  private readonly maxConnections: number;
  private closing = false;

  constructor(private readonly options: GatewayOptions) {
    this.connections = options.connections ?? new ConnectionRegistry();
    this.invocations = options.invocations ?? new InvocationQueue();
    this.routeKeys = new Set(options.handlers.keys());
    this.timeouts = connectionTimeouts(options.timeouts);
    this.log = options.log ?? silentLog;
    this.routeLog = new RouteLog(this.log);
    this.maxConnections = options.maxConnections ?? MAX_CONNECTIONS;
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.messageLimitBytes ?? MAX_MESSAGE_BYTES,
    });
  }

  /** Handles WebSocket upgrades of `server`. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.track(this.upgrade(request, socket, head));
    });
  }

  /** Closes every connection with 1001 and waits for their `$disconnect` handlers. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.connections.all().map((connection) => closeSocket(connection.socket, CLOSE_GOING_AWAY, 'Going away')));
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
    }
    this.routeLog.flush();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    if (this.closing) {
      refuse(socket, 503, '');
      return;
    }
    // Nothing runs for a request that can never become a WebSocket: no $connect, so no record.
    const problem = handshakeProblem(request);
    if (problem) {
      refuse(socket, problem.status, problem.reason, 'text/plain', problem.headers);
      return;
    }
    if (this.options.throttles && !this.options.throttles.admits('$connect')) {
      this.log.line('throttled $connect');
      refuse(socket, THROTTLED_HANDSHAKE_STATUS, THROTTLED_HANDSHAKE_BODY);
      return;
    }
    if (this.held >= this.maxConnections) {
      this.log.line(`refused   too many connections (${this.held})`);
      refuse(socket, 429, '{"message": "Too many connections; try again later"}');
      return;
    }
    this.held++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.held--;
    };
    const context: ConnectionContext = {
      connectionId: newApiGatewayId(),
      connectedAt: Date.now(),
      sourceIp: (request.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      userAgent: request.headers['user-agent'] ?? '',
    };
    const api = this.apiContext(request);
    const connect = this.options.handlers.get('$connect');
    if (connect) {
      const query = request.url?.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      const event = connectEvent(context, api, { rawHeaders: request.rawHeaders, rawQueryString: query });
      const result = await this.invoke('$connect', context.connectionId, connect, event);
      const status = result === 'error' ? 500 : result.statusCode;
      if (status < 200 || status > 299) {
        release();
        refuse(socket, status, result === 'error' ? '{"message": "Internal server error"}' : result.body ?? '');
        return;
      }
    }
    // $connect admitted it: whatever happens from here, exactly one $disconnect runs for it.
    let handedOver = false;
    const abandon = (): void => {
      if (handedOver) return;
      handedOver = true;
      // The client left before the WebSocket opened (while $connect ran, or a half-closed socket ws drops).
      this.track(this.disconnect(context, api, 1006, '').finally(release));
    };
    if (socket.destroyed) {
      abandon();
      return;
    }
    socket.once('close', abandon);
    try {
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        if (handedOver) {
          ws.terminate();
          return;
        }
        handedOver = true;
        socket.off('close', abandon);
        this.opened(ws, context, api, release);
      });
    } catch {
      socket.destroy();
      abandon();
    }
  }

  private opened(ws: WebSocket, context: ConnectionContext, api: ApiContext, release: () => void): void {
    enforceFrameLimit(ws, this.options.frameLimitBytes ?? MAX_FRAME_BYTES);
    const timers = new ConnectionTimers(this.timeouts, (reason) => {
      this.log.line(`timeout   ${context.connectionId} ${reason}`);
      ws.close(CLOSE_GOING_AWAY, 'Going away');
    });
    const connection = new LiveConnection(context, ws, timers);
    const line = this.invocations.open(connection);
    this.connections.add(connection);
    this.log.line(`open      ${context.connectionId} from ${context.sourceIp}`);
    ws.on('error', () => undefined);
    ws.on('message', (data: RawData, isBinary: boolean) => this.received(connection, line, api, data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => {
      timers.stop();
      line.close();
      this.connections.remove(context.connectionId);
      this.options.faults?.forget(context.connectionId);
      const seconds = ((Date.now() - context.connectedAt) / 1000).toFixed(1);
      this.routeLog.flush(context.connectionId);
      this.log.line(`close     ${context.connectionId} code=${code} after ${seconds}s`);
      this.track(
        line
          .drained()
          .then(() => this.disconnect(context, api, code, reason.toString('utf8')))
          .finally(release),
      );
    });
  }

  private received(connection: LiveConnection, line: ConnectionLine, api: ApiContext, data: RawData, isBinary: boolean): void {
    connection.markActive();
    const receivedAt = performance.now();
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) {
      // API Gateway's WebSocket APIs take text frames only: a binary frame closes the connection
      // with 1003 before any route runs (its developer guide, "Binary media types for WebSocket APIs").
      this.options.taps?.frames?.(tappedFrame('in', connection.id, buffer, buffer.toString('base64')));
      this.log.line(`binary    ${connection.id} closed with ${CLOSE_UNSUPPORTED_DATA}`);
      connection.socket.close(CLOSE_UNSUPPORTED_DATA, 'Binary frames are not supported');
      return;
    }
    const frame: InboundFrame = { data: buffer.toString('utf8') };
    this.options.taps?.frames?.(tappedFrame('in', connection.id, buffer, frame.data));
    const deliver = (delivered: InboundFrame): void => {
      // The route is selected as the frame comes in, as API Gateway does: the queue starts control
      // frames (acks, Connect, Request) before chunks (Transfer, and anything large).
      const routeKey = selectRoute(delivered.data, this.routeKeys);
      if (routeKey !== undefined && this.options.throttles && !this.options.throttles.admits(routeKey)) {
        // API Gateway's stage throttle: the message is dropped before its route runs, and the client is told.
        this.log.line(`throttled ${routeKey} ${connection.id}`);
        if (connection.isOpen) connection.socket.send(throttledFrame(connection.id));
        return;
      }
      line.enqueue({ routeKey, chars: delivered.data.length, receivedAt, invoke: () => this.dispatch(connection, api, delivered, routeKey, receivedAt) });
    };
    if (this.options.faults) {
      this.options.faults.handle(connection.id, frame, deliver, (text) => connection.isOpen && connection.socket.send(text));
    } else {
      deliver(frame);
    }
  }

  private async dispatch(connection: LiveConnection, api: ApiContext, frame: InboundFrame, routeKey: string | undefined, receivedAt: number): Promise<void> {
    const handler = routeKey === undefined ? undefined : this.options.handlers.get(routeKey);
    if (routeKey === undefined || !handler) {
      this.sendError(connection, 'Forbidden', newApiGatewayId());
      return;
    }
    const event = messageEvent(connection.context, api, routeKey, frame.data);
    const startedAt = performance.now();
    const result = await this.invoke(routeKey, connection.id, handler, event);
    this.options.taps?.invocations?.({ routeKey, connectionId: connection.id, receivedAt, startedAt, finishedAt: performance.now(), failed: result === 'error' });
    if (result === 'error') {
      this.sendError(connection, 'Internal server error', event.requestContext.requestId);
    }
  }

  private async disconnect(context: ConnectionContext, api: ApiContext, code: number, reason: string): Promise<void> {
    const handler = this.options.handlers.get('$disconnect');
    if (handler) {
      await this.invoke('$disconnect', context.connectionId, handler, disconnectEvent(context, api, code, reason));
    }
  }

  /** Calls a handler, logs route, connection, status and time; 'error' when it threw. */
  private async invoke(
    routeKey: string,
    connectionId: string,
    handler: WebSocketHandler,
    event: Parameters<WebSocketHandler>[0],
  ): Promise<WebSocketResult | 'error'> {
    const started = Date.now();
    try {
      const result = await handler(event);
      this.routeLog.record(routeKey, connectionId, Date.now() - started, { status: result?.statusCode });
      return result ?? { statusCode: 200 };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.routeLog.record(routeKey, connectionId, Date.now() - started, { error: message.split('\n')[0] });
      return 'error';
    }
  }

  /** API Gateway's error frame for a failed or unroutable message. */
  private sendError(connection: LiveConnection, message: string, requestId: string): void {
    if (connection.isOpen) {
      connection.socket.send(JSON.stringify({ message, connectionId: connection.id, requestId }));
    }
  }

  private apiContext(request: IncomingMessage): ApiContext {
    return {
      stage: this.options.stage ?? 'dev',
      domainName: request.headers.host ?? 'localhost',
      apiId: this.options.apiId ?? 'localrelay',
    };
  }

  private track(task: Promise<void>): void {
    const tracked = task.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** Answers a WebSocket upgrade with a plain HTTP status, as API Gateway does when `$connect` refuses. */
function refuse(socket: Duplex, status: number, body: string, contentType = 'application/json', headers: Readonly<Record<string, string>> = {}): void {
  if (socket.destroyed) return;
  const text = STATUS_CODES[status] ?? 'Error';
  const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: ${contentType}\r\n${extra}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Closes a socket and waits for its close event, terminating it if the client never answers. */
function closeSocket(ws: WebSocket, code: number, reason: string): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) {
      resolve();
      return;
    }
    const timer = setTimeout(() => ws.terminate(), CLOSE_WAIT_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(code, reason);
  });
}
