import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { reportToParent, WireCounter } from './wire-counter';

/**
 * The baseline of the benchmark: a bare `ws` server that speaks the same frames as the relay
 * (Connect, Request pairs, Transfer and Acknowledge forwarded with the sender's id) with no
 * DynamoDB, no validation and no Lambda-style dispatch.
 */
export function startPlainForwarder(port: number, counter: WireCounter): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Map<string, WebSocket>();
  const server = new WebSocketServer({ port, host: '127.0.0.1' });
  const send = (socket: WebSocket | undefined, frame: unknown) => {
    if (!socket) return;
    const text = JSON.stringify(frame);
    counter.count('out', Buffer.byteLength(text));
    socket.send(text);
  };
  server.on('connection', (socket) => {
    const id = randomBytes(12).toString('base64');
    sockets.set(id, socket);
    socket.on('close', () => sockets.delete(id));
    socket.on('message', (data) => {
      const text = data.toString();
      counter.count('in', Buffer.byteLength(text));
      const frame = JSON.parse(text) as { action: string; message?: Record<string, unknown> };
      if (frame.action === 'Connect') return send(socket, { action: 'Connect', message: { connectionid: id } });
      const target = frame.message?.connectionid as string;
      if (!sockets.has(target)) {
        return send(socket, { action: 'Error', message: { code: 'UnknownPeer', reason: 'no such connection', request: frame.action } });
      }
      send(sockets.get(target), { action: frame.action, message: { ...frame.message, connectionid: id } });
    });
  });
  return new Promise((resolve) =>
    server.on('listening', () => {
      const address = server.address() as { port: number };
      resolve({ url: `ws://127.0.0.1:${address.port}`, close: () => new Promise((done) => server.close(() => done())) });
    }),
  );
}

if (require.main === module) {
  const counter = new WireCounter();
  void startPlainForwarder(0, counter).then(({ url, close }) => reportToParent(url, counter, close));
}
