import { runFuzz, type FuzzReport } from '../support/fuzz/fuzz-run';
import { startRelayProcess, type RelayProcess } from '../support/fuzz/relay-process';
import { testDynamoDbEndpoint } from './support/start-test-relay';
import { connectClient, connectionIdOf } from './support/ws-client';

// A smaller run of `npm run fuzz` (bench/fuzz.ts): the same generator and the same checks.
const FRAMES = 2000;
const SEED = 8;

describe('relay under generated frames (fuzz, fixed seed)', () => {
  let relay: RelayProcess;
  let report: FuzzReport;

  beforeAll(async () => {
    relay = await startRelayProcess(testDynamoDbEndpoint());
    report = await runFuzz({ url: relay.url, frames: FRAMES, seed: SEED });
  }, 300_000);

  afterAll(async () => {
    await relay?.stop();
  });

  it('sent every kind of frame', () => {
    expect(report.sent).toBe(FRAMES);
    for (const category of ['bad-json', 'binary', 'sendmessage', 'connect', 'request', 'transfer', 'acknowledge', 'unknownAction', 'long-action', 'near-frame-limit', 'near-message-limit']) {
      expect(report.byCategory[category] ?? 0).toBeGreaterThan(0);
    }
    expect((report.byCategory['over-frame-limit'] ?? 0) + (report.byCategory['over-message-limit'] ?? 0)).toBeGreaterThan(0);
  });

  it('neither crashed nor left a rejection unhandled', () => {
    expect(relay.crashed()).toBeUndefined();
    expect(relay.unhandled).toEqual([]);
  });

  it('gave every frame the answer docs/protocol.md promises: one right Error frame for each refused one', () => {
    expect(report.failures).toEqual([]);
    expect(report.noAnswer).toBe(0);
    expect(report.wrongAnswer).toBe(0);
    expect(report.refused).toBeGreaterThan(FRAMES / 2);
  });

  it('still serves a bystander pair afterwards', async () => {
    const sender = await connectClient(relay.url);
    const receiver = await connectClient(relay.url);
    try {
      const senderId = await connectionIdOf(sender, 'bystander');
      const receiverId = await connectionIdOf(receiver);

      receiver.send({ action: 'Request', message: { connectionid: senderId, qrhash: 'bystander', message: 'hi' } });
      expect(await sender.next()).toEqual({ action: 'Request', message: { connectionid: receiverId, qrhash: 'bystander', message: 'hi' } });
      sender.send({ action: 'Transfer', message: { connectionid: receiverId, data: 'aGk=', chunkid: 0, chunktotal: 1, chunkhash: 'x' } });
      expect(await receiver.next()).toEqual({ action: 'Transfer', message: { connectionid: senderId, data: 'aGk=', chunkid: 0, chunktotal: 1, chunkhash: 'x' } });
      receiver.send({ action: 'Acknowledge', message: { connectionid: senderId, success: true, missingchunkids: [] } });
      expect(await sender.next()).toEqual({ action: 'Acknowledge', message: { connectionid: receiverId, success: true, missingchunkids: [] } });
      sender.send({ action: 'sendmessage', data: 'still here' });
      expect(await sender.next()).toBe('still here');
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
    }
  });
});
