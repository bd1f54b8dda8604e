import type { LocalRelay } from '../local/local-relay';
import { connectClient, type TestClient } from './support/ws-client';
import { startTestRelay } from './support/start-test-relay';

/**
 * Bad input end to end: every refused frame gets exactly one documented Error frame, nothing is
 * forwarded, and the relay goes on serving every other connection.
 */
describe('refused frames', () => {
  let relay: LocalRelay;
  let bystander: TestClient;
  const open: TestClient[] = [];

  beforeAll(async () => {
    relay = await startTestRelay();
    bystander = await connectClient(relay.url);
  });
  afterEach(async () => {
    // The relay still serves a connection that did nothing wrong.
    bystander.send({ action: 'sendmessage', data: 'still here' });
    expect(await bystander.next()).toBe('still here');
    await Promise.all(open.splice(0).map((client) => client.close().catch(() => undefined)));
  });
  afterAll(async () => {
    await bystander.close();
    await relay.close();
  });

  async function connected(qrhash?: string): Promise<{ socket: TestClient; id: string }> {
    const socket = await connectClient(relay.url);
    open.push(socket);
    socket.send({ action: 'Connect', ...(qrhash ? { message: { qrhash } } : {}) });
    const answer = (await socket.next()) as { message: { connectionid: string } };
    return { socket, id: answer.message.connectionid };
  }

  /** Asserts that the next frame is this Error, and that no second frame follows it. */
  async function expectOneError(
    socket: TestClient,
    code: string,
    request: string | undefined,
    reason: RegExp,
    connectionid?: string,
  ) {
    const frame = (await socket.next()) as { action: string; message: Record<string, unknown> };
    expect(frame).toEqual({
      action: 'Error',
      message: {
        code,
        reason: expect.stringMatching(reason),
        ...(request === undefined ? {} : { request }),
        ...(connectionid === undefined ? {} : { connectionid }),
      },
    });
    await expectNothingMore(socket);
  }

  /** Proves nothing else is queued for a socket: the next frame it gets is the echo of a probe. */
  async function expectNothingMore(socket: TestClient) {
    socket.send({ action: 'sendmessage', data: 'probe' });
    expect(await socket.next()).toBe('probe');
  }

  test('a frame that is not JSON gets BadRequest', async () => {
    const { socket } = await connected();
    socket.send('hello, is this JSON?');
    await expectOneError(socket, 'BadRequest', undefined, /not JSON/);
  });

  test('JSON that is not an object gets BadRequest', async () => {
    const { socket } = await connected();
    socket.send('[1,2,3]');
    await expectOneError(socket, 'BadRequest', undefined, /not a JSON object/);
  });

  test('an unknown action gets UnknownAction naming it', async () => {
    const { socket } = await connected();
    socket.send({ action: 'Teleport', message: {} });
    await expectOneError(socket, 'UnknownAction', 'Teleport', /unknown action "Teleport"/);
  });

  test('a frame with no action gets UnknownAction', async () => {
    const { socket } = await connected();
    socket.send({ message: { connectionid: 'x' } });
    await expectOneError(socket, 'UnknownAction', undefined, /no "action"/);
  });

  test.each([
    ['a missing field', { connectionid: 'PEER', data: 'ZA==', chunktotal: 1, chunkhash: 'h' }, /^message\.chunkid: /],
    ['a wrong-typed field', { connectionid: 'PEER', data: 42, chunkid: 0, chunktotal: 1, chunkhash: 'h' }, /^message\.data: /],
    ['chunkid not below chunktotal', { connectionid: 'PEER', data: 'ZA==', chunkid: 3, chunktotal: 3, chunkhash: 'h' }, /^message\.chunkid: chunkid must be less than chunktotal/],
    ['a fractional chunkid', { connectionid: 'PEER', data: 'ZA==', chunkid: 0.5, chunktotal: 3, chunkhash: 'h' }, /^message\.chunkid: /],
    ['chunktotal zero', { connectionid: 'PEER', data: 'ZA==', chunkid: 0, chunktotal: 0, chunkhash: 'h' }, /^message\.chunktotal: /],
  ])('Transfer with %s gets BadRequest naming the field', async (_name, message, reason) => {
    const a = await connected();
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id } });
    await a.socket.next();
    a.socket.send({ action: 'Transfer', message: { ...message, connectionid: b.id } });
    await expectOneError(a.socket, 'BadRequest', 'Transfer', reason);
    await expectNothingMore(b.socket);
  });

  test('Acknowledge with a string for success or non-integers in missingchunkids gets BadRequest', async () => {
    const { socket } = await connected();
    socket.send({ action: 'Acknowledge', message: { connectionid: 'x', success: 'yes', missingchunkids: [] } });
    await expectOneError(socket, 'BadRequest', 'Acknowledge', /^message\.success: /);
    socket.send({ action: 'Acknowledge', message: { connectionid: 'x', success: false, missingchunkids: [1, -2] } });
    await expectOneError(socket, 'BadRequest', 'Acknowledge', /^message\.missingchunkids\.1: /);
  });

  test('a Request message over its limit gets BadRequest', async () => {
    const a = await connected();
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id, message: 'x'.repeat(16_385) } });
    await expectOneError(b.socket, 'BadRequest', 'Request', /^message\.message: /);
    await expectNothingMore(a.socket);
  });

  test('Transfer to a connection the sender never paired with gets NotPaired and reaches nobody', async () => {
    const a = await connected();
    const b = await connected();
    a.socket.send({ action: 'Transfer', message: { connectionid: b.id, data: 'ZA==', chunkid: 0, chunktotal: 1, chunkhash: 'h' } });
    await expectOneError(a.socket, 'NotPaired', 'Transfer', new RegExp(`${escapeRegExp(b.id)} is not paired`), b.id);
    await expectNothingMore(b.socket);
  });

  test('Acknowledge to an unpaired connection gets NotPaired', async () => {
    const a = await connected();
    const b = await connected();
    b.socket.send({ action: 'Acknowledge', message: { connectionid: a.id, success: true, missingchunkids: [] } });
    await expectOneError(b.socket, 'NotPaired', 'Acknowledge', /is not paired/, a.id);
    await expectNothingMore(a.socket);
  });

  test('a Request with the wrong qrhash gets QrHashMismatch and the target gets nothing; no pairing follows', async () => {
    const a = await connected('right-hash');
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id, qrhash: 'wrong-hash', message: '' } });
    await expectOneError(b.socket, 'QrHashMismatch', 'Request', /does not match/, a.id);
    await expectNothingMore(a.socket);

    b.socket.send({ action: 'Acknowledge', message: { connectionid: a.id, success: true, missingchunkids: [] } });
    await expectOneError(b.socket, 'NotPaired', 'Acknowledge', /is not paired/, a.id);
  });

  test('a Request without a qrhash to a connection that registered one gets QrHashMismatch', async () => {
    const a = await connected('right-hash');
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id } });
    await expectOneError(b.socket, 'QrHashMismatch', 'Request', /does not match/, a.id);
  });

  test('a Request to an unknown connection id gets UnknownPeer', async () => {
    const { socket } = await connected();
    socket.send({ action: 'Request', message: { connectionid: 'NoSuchConn=', qrhash: '', message: '' } });
    await expectOneError(socket, 'UnknownPeer', 'Request', /no connection NoSuchConn= is open/, 'NoSuchConn=');
  });

  test('a Request to oneself gets BadRequest', async () => {
    const a = await connected();
    a.socket.send({ action: 'Request', message: { connectionid: a.id } });
    await expectOneError(a.socket, 'BadRequest', 'Request', /cannot pair with itself/);
  });

  test('Transfer to a paired peer that left gets PeerGone, and the peer record is deleted', async () => {
    const a = await connected();
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id } });
    await a.socket.next();
    await b.socket.close();
    await waitFor(async () => {
      a.socket.send({ action: 'Transfer', message: { connectionid: b.id, data: 'ZA==', chunkid: 0, chunktotal: 1, chunkhash: 'h' } });
      const frame = (await a.socket.next()) as { message: { code: string } };
      return frame.message.code === 'PeerGone' ? frame : undefined;
    }).then((frame) => expect(frame).toEqual({
      action: 'Error',
      message: { code: 'PeerGone', reason: expect.stringContaining(`${b.id} has left`), request: 'Transfer', connectionid: b.id },
    }));
    // Its record went with it: a new Request now finds no such connection.
    const c = await connected();
    c.socket.send({ action: 'Request', message: { connectionid: b.id } });
    await expectOneError(c.socket, 'UnknownPeer', 'Request', /no connection/, b.id);
  });

  test('a frame over 32 KB closes only that connection, with 1009', async () => {
    const a = await connected();
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id } });
    await a.socket.next();
    a.socket.send({
      action: 'Transfer',
      message: { connectionid: b.id, data: 'A'.repeat(33 * 1024), chunkid: 0, chunktotal: 1, chunkhash: 'h' },
    });
    expect((await a.socket.nextClose()).code).toBe(1009);
    await expectNothingMore(b.socket);
  });
});

/** The relay maps a post to a gone connection to PeerGone whichever way it posts (no SDK locally, the SDK on AWS). */
describe.each(['direct', 'sdk', 'http'] as const)('PeerGone with @connections posts over %s', (connectionsTransport) => {
  let relay: LocalRelay;
  beforeAll(async () => {
    relay = await startTestRelay({ connectionsTransport });
  });
  afterAll(() => relay.close());

  test('Transfer to a paired peer that left gets PeerGone naming it', async () => {
    const a = await connectClient(relay.url);
    const b = await connectClient(relay.url);
    const idOf = async (socket: TestClient) => {
      socket.send({ action: 'Connect' });
      return ((await socket.next()) as { message: { connectionid: string } }).message.connectionid;
    };
    const [aId, bId] = [await idOf(a), await idOf(b)];
    b.send({ action: 'Request', message: { connectionid: aId } });
    await a.next();
    await b.close();
    const frame = await waitFor(async () => {
      a.send({ action: 'Transfer', message: { connectionid: bId, data: 'ZA==', chunkid: 0, chunktotal: 1, chunkhash: 'h' } });
      const answer = (await a.next()) as { message: { code: string } };
      return answer.message.code === 'PeerGone' ? answer : undefined;
    });
    expect(frame).toEqual({ action: 'Error', message: { code: 'PeerGone', reason: expect.stringContaining(`${bId} has left`), request: 'Transfer', connectionid: bId } });
    await a.close();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Retries `attempt` until it returns a value: `$disconnect` runs after the close, not before it. */
async function waitFor<T>(attempt: () => Promise<T | undefined>, tries = 20): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await attempt();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no result after ${tries} tries`);
}
