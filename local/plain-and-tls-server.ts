import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server, type Socket } from 'node:net';

/** A TLS connection's first byte: a handshake record (content type 22). No HTTP request starts with it. */
const TLS_HANDSHAKE_RECORD = 0x16;

/** A PEM certificate and its private key. */
export interface TlsCredentials {
  readonly cert: string;
  readonly key: string;
}

/** The local relay's HTTP servers and the one socket they listen on. */
export interface RelayServers {
  /** Plain, then TLS when there is one: each gets the same request and upgrade listeners. */
  readonly http: readonly HttpServer[];
  /** What listens on the port. */
  readonly listener: Server;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/**
 * The relay's HTTP server, or with `tls` an HTTP and an HTTPS server behind one listening socket:
 * each connection goes to the HTTPS one when its first byte opens a TLS handshake, else to the
 * plain one. The same address then serves the CLI on loopback (ws://) and a phone's browser on the
 * LAN (https://, a secure context, and wss://).
 */
export function createRelayServers(tls?: TlsCredentials): RelayServers {
  const plain = createHttpServer();
  if (!tls) return { http: [plain], listener: plain, close: () => closeHttp(plain) };
  const secure = createHttpsServer({ cert: tls.cert, key: tls.key });
  const listener = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) return void socket.destroy(); // closed before its first byte
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE_RECORD ? secure : plain).emit('connection', socket);
    });
  });
  return {
    http: [plain, secure],
    listener,
    close: async () => {
      await Promise.all([new Promise<void>((resolve) => listener.close(() => resolve())), closeHttp(plain), closeHttp(secure)]);
    },
  };
}

function closeHttp(server: HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      server.closeAllConnections();
      return resolve();
    }
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
