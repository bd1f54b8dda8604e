import WebSocket from 'ws';

/** A received close: code and reason. */
export interface ClientClose {
  readonly code: number;
  readonly reason: string;
}

/** A test's WebSocket client with a queue of received messages. */
export interface TestClient {
  /** The underlying socket. */
  readonly ws: WebSocket;
  /** Sends an object as JSON text, or a string as it is. */
  send(message: object | string): void;
  /** The next received message: parsed JSON, or the raw text when it is not JSON. */
  next(timeoutMs?: number): Promise<unknown>;
  /** Resolves with the close code and reason once the socket closed. */
  nextClose(timeoutMs?: number): Promise<ClientClose>;
  /** Closes the socket and waits for the close. */
  close(): Promise<void>;
}

/** Waits for `promise`, failing with `what` after `timeoutMs`. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Opens a WebSocket to `url`; rejects with the HTTP status when the handshake is refused. */
export function connectClient(url: string, options: WebSocket.ClientOptions = {}, timeoutMs = 5000): Promise<TestClient> {
  const ws = new WebSocket(url, options);
  const received: string[] = [];
  const waiting: Array<(text: string) => void> = [];
  ws.on('message', (data: WebSocket.RawData) => {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const waiter = waiting.shift();
    if (waiter) waiter(text);
    else received.push(text);
  });
  const closed = new Promise<ClientClose>((resolve) => {
    ws.on('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString('utf8') }));
  });
  ws.on('error', () => undefined);

  const client: TestClient = {
    ws,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (wait = 5000) => {
      const queued = received.shift();
      if (queued !== undefined) return Promise.resolve(parse(queued));
      let waiter: ((text: string) => void) | undefined;
      const arrived = new Promise<string>((resolve) => {
        waiter = resolve;
        waiting.push(resolve);
      });
      return withTimeout(arrived, wait, `a message on ${url}`).then(parse, (error: unknown) => {
        // A message that arrives later must stay queued for the next call, not go to this abandoned waiter.
        const index = waiting.indexOf(waiter as (text: string) => void);
        if (index >= 0) waiting.splice(index, 1);
        throw error;
      });
    },
    nextClose: (wait = 5000) => withTimeout(closed, wait, `the close of ${url}`),
    close: async () => {
      if (ws.readyState !== WebSocket.CLOSED) ws.close();
      await withTimeout(closed, 5000, `the close of ${url}`);
    },
  };

  const opened = new Promise<TestClient>((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`handshake refused with HTTP ${response.statusCode}`), { statusCode: response.statusCode }));
      response.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
  return withTimeout(opened, timeoutMs, `the handshake with ${url}`);
}

/** Two connected clients, `b` paired with `a` by a Request that has reached `a`; with their ids. */
export async function pairedClients(url: string): Promise<{ a: TestClient; b: TestClient; aId: string; bId: string }> {
  const a = await connectClient(url);
  const b = await connectClient(url);
  const aId = await connectionIdOf(a);
  const bId = await connectionIdOf(b);
  b.send({ action: 'Request', message: { connectionid: aId } });
  await a.next();
  return { a, b, aId, bId };
}

/** Sends Connect (with `qrhash`, if given) and resolves with the connection id the relay answers. */
export async function connectionIdOf(client: TestClient, qrhash?: string): Promise<string> {
  client.send(qrhash === undefined ? { action: 'Connect' } : { action: 'Connect', message: { qrhash } });
  return ((await client.next()) as { message: { connectionid: string } }).message.connectionid;
}
