import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { RelayKeyRefusedError, RelayUnreachableError, type WebSocketConstructor } from '../client';
import { formatPairingLink, parsePairingLink } from '../client/crypto/pairing-link';
import { redactRelayKey, relayKeyOf, relayUrlWithKey } from '../client/transport/relay-url';
import { RelayConnection } from '../client/transport/relay-connection';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';

const KEY = 'client-test-relay-key-0123456789';

describe('pairing link from a keyed relay', () => {
  const secret = new Uint8Array(32).fill(7);

  test('the relay URL with its key lives in the fragment, never in the page URL or its query', () => {
    const relayUrl = relayUrlWithKey('wss://abc.execute-api.eu-west-1.amazonaws.com/dev', KEY);
    const link = formatPairingLink('https://d1.cloudfront.net/', { relayUrl, senderId: 'Sender=', secret });
    const url = new URL(link);
    expect(url.search).toBe('');
    expect(`${url.origin}${url.pathname}`).toBe('https://d1.cloudfront.net/');
    expect(link.split('#')[0]).not.toContain(KEY);
    expect(url.hash).toContain(encodeURIComponent(`?key=${KEY}`));
    // The receiver (CLI or phone) joins with the very same URL.
    expect(parsePairingLink(link)).toEqual({ relayUrl, senderId: 'Sender=', secret });
    expect(relayKeyOf(parsePairingLink(link).relayUrl)).toBe(KEY);
  });

  test('a link whose relay key is empty or damaged is refused as BadLink, without echoing it', () => {
    for (const relay of ['ws://h:1/?key=', 'ws://h:1/?key=bad%20key%3Cx%3E']) {
      const link = `https://p/#v=1&relay=${encodeURIComponent(relay)}&id=x&key=${'A'.repeat(43)}`;
      expect(() => parsePairingLink(link)).toThrow(/relay access key is empty or damaged/);
    }
    expect(() => parsePairingLink(`https://p/#v=1&relay=${encodeURIComponent(`http://h/?key=${KEY}`)}&id=x&key=${'A'.repeat(43)}`)).toThrow(
      /is not a ws:\/\/ or wss:\/\/ URL/,
    );
    expect(redactRelayKey(`ws://h:1/?key=${KEY}&x=1`)).toBe('ws://h:1/?key=(hidden)&x=1');
  });
});

describe('RelayConnection and a relay that refuses the key', () => {
  let relay: LocalRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ relayKey: KEY });
  });
  afterAll(async () => {
    await relay.close();
  });

  const connection = (url: string, onFatal: (error: Error) => void = () => undefined) =>
    new RelayConnection({ url, WebSocket: WebSocket as unknown as WebSocketConstructor, qrhash: 'q'.repeat(43), onFrame: () => undefined, onFatal });

  test('keeps the relay URL as given: with the key it registers', async () => {
    const open = connection(relay.url);
    await expect(open.open()).resolves.toEqual(expect.any(String));
    open.close();
  });

  test('a 401 handshake is a RelayKeyRefusedError whose message hides the key', async () => {
    const error = await connection(`${relay.url.split('?')[0]!}/?key=wrong-key-0123456789`).open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayKeyRefusedError);
    expect(error).toMatchObject({ code: 'RelayKeyRefused', message: expect.stringMatching(/^the relay refused the connection: its access key is missing or wrong/) });
    expect((error as Error).message).not.toContain('wrong-key-0123456789');
  });

  test('a dead relay stays RelayUnreachable, and says whether its URL carried a key', async () => {
    const error = await connection(relayUrlWithKey('ws://127.0.0.1:1', KEY)).open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayUnreachableError);
    expect(error).toMatchObject({ withRelayKey: true });
    expect((error as Error).message).not.toContain(KEY);
  });
});

test('after a drop, a reconnection refused with 401 is not retried: onFatal gets RelayKeyRefusedError at once', async () => {
  // A real ws server that admits the first handshake and answers 401 to every later one (a key rotated meanwhile).
  let handshakes = 0;
  const server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    verifyClient: (_info, done) => {
      handshakes += 1;
      if (handshakes === 1) done(true);
      else done(false, 401, 'Unauthorized');
    },
  });
  await once(server, 'listening');
  server.on('connection', (socket) => {
    socket.on('message', () => socket.send(JSON.stringify({ action: 'Connect', message: { connectionid: 'First=' } })));
  });
  try {
    const { port } = server.address() as AddressInfo;
    let fatal!: (error: Error) => void;
    const fatalError = new Promise<Error>((resolve) => (fatal = resolve));
    const relayConnection = new RelayConnection({
      url: `ws://127.0.0.1:${port}/?key=${KEY}`,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      qrhash: 'q'.repeat(43),
      onFrame: () => undefined,
      onFatal: fatal,
      reconnectWindowMs: 60_000,
    });
    expect(await relayConnection.open()).toBe('First=');
    for (const client of server.clients) client.terminate();
    const error = await fatalError;
    expect(error).toBeInstanceOf(RelayKeyRefusedError);
    // One refused attempt, then no more: a retry loop would keep knocking for the whole minute.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(handshakes).toBe(2);
    relayConnection.close();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
