import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local';
import type { LocalRelay } from '../local/local-relay';
import { startRelayProcess } from './support/local-relay-process';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, connectionIdOf, type TestClient } from './support/ws-client';

/** Connection records in the relay's table, read straight from DynamoDB. */
async function storedConnections(relay: LocalRelay): Promise<number> {
  const client = new DynamoDBClient({ endpoint: relay.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const answer = await client.send(new ScanCommand({ TableName: relay.tableName, Select: 'COUNT', ConsistentRead: true }));
    return answer.Count ?? 0;
  } finally {
    client.destroy();
  }
}

/** A handshake request as raw text: `lines` are the header lines after the request line. */
function rawRequest(requestLine: string, lines: string[]): string {
  return `${requestLine}\r\nHost: 127.0.0.1\r\n${lines.map((line) => `${line}\r\n`).join('')}\r\n`;
}

const VALID_HEADERS = ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13'];

/** Sends `request` on a new TCP socket and resolves with the status line of the answer. */
function statusLineOf(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (text.includes('\r\n')) {
        resolve(text.split('\r\n')[0]!);
        socket.destroy();
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
  });
}

/** Opens a TCP socket, sends a valid handshake, and leaves `afterMs` later: half-closing (FIN) or resetting (RST). */
function leaveDuringHandshake(port: number, how: 'half-close' | 'reset', afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write(rawRequest('GET / HTTP/1.1', [...VALID_HEADERS, `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`]));
      const leave = (): void => void (how === 'half-close' ? socket.end() : socket.resetAndDestroy());
      if (afterMs === 0) leave();
      else setTimeout(leave, afterMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    // A half-closed socket still reads the answer; the relay closes it.
    socket.resume();
  });
}

/** Connects, retrying while the relay answers 429, until `deadlineMs` passes. */
async function connectWhenAdmitted(url: string, deadlineMs: number): Promise<TestClient> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await connectClient(url);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 429 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('local relay handshakes under abuse', () => {
  test('upgrades that cannot become a WebSocket are refused before $connect: no record is stored', async () => {
    const relay = await startTestRelay();
    try {
      const withoutKey = rawRequest('GET / HTTP/1.1', VALID_HEADERS);
      const posted = rawRequest('POST / HTTP/1.1', [...VALID_HEADERS, `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`]);
      const badVersion = rawRequest('GET / HTTP/1.1', ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`]);
      const answers = await Promise.all([
        ...Array.from({ length: 50 }, () => statusLineOf(relay.port, withoutKey)),
        ...Array.from({ length: 10 }, () => statusLineOf(relay.port, posted)),
        ...Array.from({ length: 10 }, () => statusLineOf(relay.port, badVersion)),
      ]);
      expect(answers.slice(0, 50).every((line) => line === 'HTTP/1.1 400 Bad Request')).toBe(true);
      expect(answers.slice(50, 60).every((line) => line === 'HTTP/1.1 405 Method Not Allowed')).toBe(true);
      expect(answers.slice(60).every((line) => line === 'HTTP/1.1 400 Bad Request')).toBe(true);
      expect(await storedConnections(relay)).toBe(0);
    } finally {
      await relay.close();
    }
  });

  test('clients that leave during the handshake (FIN or RST, 0 to 10 ms in) leave no record behind', async () => {
    const relay = await startTestRelay();
    try {
      const leavers: Array<Promise<void>> = [];
      for (let i = 0; i < 40; i++) leavers.push(leaveDuringHandshake(relay.port, i % 2 === 0 ? 'half-close' : 'reset', i % 11));
      await Promise.all(leavers);
      const survivor = await connectClient(relay.url);
      await connectionIdOf(survivor);
      await survivor.close();
    } finally {
      // close() waits for every $disconnect the relay owes.
      await relay.close();
    }
    expect(await storedConnections(relay)).toBe(0);
  });

  test('--max-connections: one handshake too many is refused with 429, and a place frees once a client leaves', async () => {
    const relay = await startTestRelay({ limits: { connections: 3 } });
    try {
      const clients = [await connectClient(relay.url), await connectClient(relay.url), await connectClient(relay.url)];
      await expect(connectClient(relay.url)).rejects.toMatchObject({ statusCode: 429 });
      // Refused and abandoned handshakes hold no place.
      await Promise.all(Array.from({ length: 5 }, () => statusLineOf(relay.port, rawRequest('GET / HTTP/1.1', VALID_HEADERS))));
      await expect(connectClient(relay.url)).rejects.toMatchObject({ statusCode: 429 });
      await clients[0]!.close();
      clients[0] = await connectWhenAdmitted(relay.url, 5000);
      expect(await connectionIdOf(clients[0])).toMatch(/=$/);
      await Promise.all(clients.map((client) => client.close()));
    } finally {
      await relay.close();
    }
  });
});

describe('npm start and its limits', () => {
  test('--max-connections 2: the third handshake is refused with 429', async () => {
    const relay = await startRelayProcess(['--max-connections', '2', '--max-outbound-mib', '8', '--quiet']);
    try {
      const clients = [await connectClient(relay.url), await connectClient(relay.url)];
      await expect(connectClient(relay.url)).rejects.toMatchObject({ statusCode: 429 });
      await Promise.all(clients.map((client) => client.close()));
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });
});

describe('local relay outbound bytes under abuse', () => {
  const RELAY_LIMIT = 1024 * 1024;
  const PAYLOAD = '"' + 'x'.repeat(100 * 1024) + '"';
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay({ limits: { relayOutboundBytes: RELAY_LIMIT } });
  });
  afterAll(() => relay.close());

  async function post(connectionId: string): Promise<Response> {
    return fetch(`${relay.callbackUrl}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: PAYLOAD,
    });
  }

  /** A client that stopped reading, and its id. */
  async function stalledReader(): Promise<{ client: TestClient; id: string }> {
    const client = await connectClient(relay.url);
    const id = await connectionIdOf(client);
    client.ws.pause();
    return { client, id };
  }

  /** Posts to `id` until the relay answers other than 200 (at most 500 posts: 50 MB); that answer. */
  async function postUntilRefused(id: string): Promise<Response | undefined> {
    for (let i = 0; i < 500; i++) {
      const answer = await post(id);
      if (answer.status !== 200) return answer;
    }
    return undefined;
  }

  test('stalled readers together cannot make the relay buffer more than the relay-wide cap: 429, and a reader that keeps up still gets its frames', async () => {
    const a = await stalledReader();
    const b = await stalledReader();
    const refusedA = await postUntilRefused(a.id);
    const refusedB = await postUntilRefused(b.id);
    expect(refusedA?.status).toBe(429);
    expect(refusedA?.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    expect(refusedB?.status).toBe(429);
    const buffered = (id: string): number => relay.connections.get(id)!.socket.bufferedAmount;
    // Each connection alone may hold 4 MiB; together they stop at the cap and one payload each.
    expect(buffered(a.id) + buffered(b.id)).toBeLessThanOrEqual(RELAY_LIMIT + 2 * PAYLOAD.length);

    const reader = await connectClient(relay.url);
    const readerId = await connectionIdOf(reader);
    expect((await post(readerId)).status).toBe(200);
    expect(await reader.next()).toHaveLength(PAYLOAD.length - 2);
    await reader.close();
    a.client.ws.terminate();
    b.client.ws.terminate();
  });
});
