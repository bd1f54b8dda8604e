import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/** Where a frame is going. */
export type FrameDirection = 'to-relay' | 'to-client';

/** What the man in the middle does with one frame. */
export type FrameVerdict =
  /** Let it through as it is. */
  | 'pass'
  /** Throw it away. */
  | 'drop'
  /** Send these texts instead (none, one, or several), in the same direction. */
  | { readonly replaceWith: readonly string[] };

/** One client's socket through the proxy, and its socket to the real relay. */
export interface ProxiedConnection {
  /** The n-th connection the proxy accepted, from 0. */
  readonly index: number;
  /** The client's connection id at the relay, once the relay answered its Connect. */
  readonly connectionId?: string;
  /** Sends `text` to the client, as if the relay sent it. */
  toClient(text: string): void;
  /** Sends `text` to the relay, as if the client sent it. */
  toRelay(text: string): void;
  /** Closes both sockets. */
  close(): void;
}

/** Decides the fate of each frame; called for every text message in both directions. */
export type FrameRewriter = (text: string, direction: FrameDirection, connection: ProxiedConnection) => FrameVerdict;

/** A relay-in-the-middle: a WebSocket proxy in front of a real relay that can drop, forge and rewrite frames. */
export interface RelayInTheMiddle {
  /** The proxy's URL with the relay URL's path and query (`ws://127.0.0.1:PORT/dev?key=…`): give it to clients. */
  readonly url: string;
  /** Every connection accepted so far, in order. */
  readonly connections: readonly ProxiedConnection[];
  /** Replaces the rewriter (the default passes everything). */
  setRewriter(rewriter: FrameRewriter): void;
  /** Closes every proxied connection and the proxy itself. */
  close(): Promise<void>;
}

/** The relay closes a connection that sends a frame over 32 KB (API Gateway's limit): large messages go in pieces. */
const UPSTREAM_FRAME_BYTES = 32 * 1024;

/** Sends `text` as one message in frames of at most 32 KB, as the client's own `ws` does. */
function sendInFrames(ws: WebSocket, text: string): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= UPSTREAM_FRAME_BYTES) {
    ws.send(text);
    return;
  }
  for (let offset = 0; offset < bytes.length; offset += UPSTREAM_FRAME_BYTES) {
    const end = Math.min(bytes.length, offset + UPSTREAM_FRAME_BYTES);
    ws.send(bytes.subarray(offset, end), { binary: false, fin: end === bytes.length });
  }
}

function textOf(data: WebSocket.RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
}

function connectionIdIn(text: string): string | undefined {
  try {
    const frame = JSON.parse(text) as { action?: unknown; message?: { connectionid?: unknown } };
    if (frame.action === 'Connect' && typeof frame.message?.connectionid === 'string') return frame.message.connectionid;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Starts a relay-in-the-middle on a free loopback port in front of `relayUrl` (ws://host:port/stage).
 * Each client socket gets its own upstream socket to the relay, opened with the same path and query;
 * frames the client sends before the upstream is open wait for it. A client's close closes its
 * upstream and the other way round. Test-only: it stands for a relay (or a network) that lies.
 */
export async function startRelayInTheMiddle(relayUrl: string): Promise<RelayInTheMiddle> {
  const upstreamBase = new URL(relayUrl);
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const connections: ProxiedConnection[] = [];
  let rewriter: FrameRewriter = () => 'pass';

  server.on('connection', (client, request) => {
    const upstreamUrl = new URL(request.url ?? '/', upstreamBase);
    upstreamUrl.protocol = upstreamBase.protocol;
    upstreamUrl.host = upstreamBase.host;
    const upstream = new WebSocket(upstreamUrl.toString());
    const pending: string[] = [];
    let connectionId: string | undefined;
    const connection: ProxiedConnection = {
      index: connections.length,
      get connectionId() {
        return connectionId;
      },
      toClient: (text) => client.readyState === WebSocket.OPEN && client.send(text),
      toRelay: (text) => (upstream.readyState === WebSocket.OPEN ? sendInFrames(upstream, text) : void pending.push(text)),
      close: () => {
        client.terminate();
        upstream.terminate();
      },
    };
    connections.push(connection);
    const forward = (text: string, direction: FrameDirection) => {
      const verdict = rewriter(text, direction, connection);
      if (verdict === 'drop') return;
      const texts = verdict === 'pass' ? [text] : verdict.replaceWith;
      for (const out of texts) (direction === 'to-relay' ? connection.toRelay : connection.toClient)(out);
    };
    client.on('message', (data) => forward(textOf(data), 'to-relay'));
    upstream.on('message', (data) => {
      const text = textOf(data);
      connectionId ??= connectionIdIn(text);
      forward(text, 'to-client');
    });
    upstream.on('open', () => {
      for (const text of pending.splice(0)) sendInFrames(upstream, text);
    });
    upstream.on('unexpected-response', () => client.terminate());
    upstream.on('error', () => client.terminate());
    client.on('error', () => upstream.terminate());
    upstream.on('close', () => client.close());
    client.on('close', () => upstream.close());
  });

  const address = server.address() as AddressInfo;
  const url = new URL(relayUrl);
  url.host = `127.0.0.1:${address.port}`;
  return {
    url: url.toString().replace(/\/$/, upstreamBase.pathname.endsWith('/') ? '/' : ''),
    connections,
    setRewriter: (next) => (rewriter = next),
    close: async () => {
      for (const connection of connections) connection.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The parsed frame of a text, or undefined when it is not a JSON object. */
export function parseFrame(text: string): { action?: string; message?: Record<string, unknown> } & Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
