import { randomBytes } from 'node:crypto';
import type { LocalRelay } from '../local/local-relay';
import { connectClient, type TestClient } from './support/ws-client';
import { startTestRelay } from './support/start-test-relay';

/**
 * The wire contract of BRIEF.md, end to end: real sockets, the local relay, the route handlers
 * the stack deploys, and DynamoDB Local. Every assertion is on the exact JSON a side receives.
 */
describe('wire contract (seed 000 and seed 002 frames, verbatim)', () => {
  let relay: LocalRelay;
  const open: TestClient[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await relay.close();
  });

  async function client(): Promise<TestClient> {
    const opened = await connectClient(relay.url);
    open.push(opened);
    return opened;
  }

  /** Connects a client and learns its id through the seed's Connect frame. */
  async function connected(qrhash?: string): Promise<{ socket: TestClient; id: string }> {
    const socket = await client();
    socket.send(qrhash === undefined ? { action: 'Connect' } : { action: 'Connect', message: { qrhash } });
    const answer = (await socket.next()) as { action: string; message: { connectionid: string } };
    expect(answer).toEqual({ action: 'Connect', message: { connectionid: expect.any(String) } });
    return { socket, id: answer.message.connectionid };
  }

  /** Pairs B with A the seed's way; returns what A received. */
  async function pair(a: { socket: TestClient; id: string }, b: { socket: TestClient; id: string }, qrhash = '') {
    b.socket.send({ action: 'Request', message: { connectionid: a.id, qrhash, message: '' } });
    return a.socket.next();
  }

  test('seed 000: sendmessage posts data back to the sender', async () => {
    const socket = await client();
    socket.send('{"action":"sendmessage", "data":"hello world"}');
    expect(await socket.next()).toBe('hello world');
  });

  test('seed 002: Connect answers the sender with its own connection id', async () => {
    const a = await connected();
    const b = await connected();
    expect(a.id).not.toBe(b.id);
  });

  test('seed 002: Request, Transfer of several chunks and Acknowledge cross with the sender id swapped in', async () => {
    const a = await connected('hash-from-qr');
    const b = await connected();

    b.socket.send({ action: 'Request', message: { connectionid: a.id, qrhash: 'hash-from-qr', message: '' } });
    expect(await a.socket.next()).toEqual({
      action: 'Request',
      message: { connectionid: b.id, qrhash: 'hash-from-qr', message: '' },
    });

    const chunks = ['Y2h1bmsgMA==', 'Y2h1bmsgMQ==', 'Y2h1bmsgMg=='];
    for (const [chunkid, data] of chunks.entries()) {
      a.socket.send({
        action: 'Transfer',
        message: { connectionid: b.id, data, chunkid, chunktotal: 3, chunkhash: `hash-${chunkid}` },
      });
    }
    const received = [await b.socket.next(), await b.socket.next(), await b.socket.next()];
    expect(received).toEqual(
      expect.arrayContaining(
        chunks.map((data, chunkid) => ({
          action: 'Transfer',
          message: { connectionid: a.id, data, chunkid, chunktotal: 3, chunkhash: `hash-${chunkid}` },
        })),
      ),
    );

    b.socket.send({ action: 'Acknowledge', message: { connectionid: a.id, success: false, missingchunkids: [2, 4, 8] } });
    expect(await a.socket.next()).toEqual({
      action: 'Acknowledge',
      message: { connectionid: b.id, success: false, missingchunkids: [2, 4, 8] },
    });
  });

  test('a forwarded frame carries only the documented fields: unknown ones are dropped', async () => {
    const a = await connected();
    const b = await connected();
    await pair(a, b);
    a.socket.send({
      action: 'Transfer',
      secret: 'top-level noise',
      message: { connectionid: b.id, data: 'ZA==', chunkid: 0, chunktotal: 1, chunkhash: 'h', fileid: 'f0', owner: 'x' },
    });
    expect(await b.socket.next()).toEqual({
      action: 'Transfer',
      message: { connectionid: a.id, data: 'ZA==', chunkid: 0, chunktotal: 1, chunkhash: 'h', fileid: 'f0' },
    });
  });

  test("a chunk's data arrives exactly: long base64 (copied in whole) and any text JSON must escape", async () => {
    const a = await connected();
    const b = await connected();
    await pair(a, b);
    const chunk = (chunkid: number, data: string) => ({
      connectionid: b.id,
      data,
      chunkid,
      chunktotal: 4,
      chunkhash: `hash-${chunkid}`,
      fileid: 'f0',
    });
    const datas = [
      randomBytes(15 * 1024).toString('base64'),
      `${'QUJD'.repeat(1024)}"\\\u0000\u001f\u2028 é 😀`,
      `${randomBytes(15 * 1024).toString('base64url')}`,
      // Wider than a byte, each with a base64 character as its low byte (Ł is U+0141, "A" is 0x41), in base64's length.
      `${'QUJD'.repeat(1024)}ŁšａA`,
    ];
    for (const [chunkid, data] of datas.entries()) a.socket.send({ action: 'Transfer', unknown: 1, message: { ...chunk(chunkid, data), x: 2 } });
    const received = await Promise.all(datas.map(() => b.socket.next()));
    expect(received).toEqual(
      expect.arrayContaining(datas.map((data, chunkid) => ({ action: 'Transfer', message: { ...chunk(chunkid, data), connectionid: a.id } }))),
    );
  });

  test('Transfer and Acknowledge also pass from the receiver to the sender once paired', async () => {
    const a = await connected();
    const b = await connected();
    await pair(a, b);
    a.socket.send({ action: 'Acknowledge', message: { connectionid: b.id, success: true, missingchunkids: [], receivedthrough: 4 } });
    expect(await b.socket.next()).toEqual({
      action: 'Acknowledge',
      message: { connectionid: a.id, success: true, missingchunkids: [], receivedthrough: 4 },
    });
  });
});
