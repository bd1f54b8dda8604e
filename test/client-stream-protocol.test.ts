import { randomBytes as nodeRandomBytes } from 'node:crypto';
import fc from 'fast-check';
import { toBase64 } from '../protocol/base64';
import { CHUNK_PLAINTEXT_BYTES, chunkCountOf } from '../client/streams/chunking';
import { deriveSessionKeys, randomBytes, Sealer, sha256, type SessionKeys } from '../client/crypto/session-crypto';
import { Sha256 } from '../client/crypto/sha256';
import { StreamReceiver } from '../client/streams/stream-receiver';
import { CongestionControl } from '../client/congestion/congestion-control';
import { StreamSender } from '../client/streams/stream-sender';
import { resolveTuning } from '../client/tuning';
import type { TransferMessage } from '../protocol/frames';

/** Slow timers: on a lossless link nothing may be resent, however slow the machine is. */
const PATIENT = resolveTuning({ quietMs: 2000, maxQuietMs: 2000, minRtoMs: 2000, initialRtoMs: 5000, windowChunks: 8, ackEveryChunks: 2 });
const FAST = resolveTuning({
  quietMs: 5, maxQuietMs: 20, minRtoMs: 5, initialRtoMs: 30, windowChunks: 8, ackEveryChunks: 2, ackDelayMs: 2, reorderToleranceChunks: 2,
});

/** What the in-memory link does to a Transfer frame on its way to the receiver. */
type LinkFault = (message: TransferMessage, attempt: number) => 'deliver' | 'drop' | 'duplicate' | 'tamper';

/**
 * Runs one stream through an in-memory link between a StreamSender and a StreamReceiver (no relay):
 * the link applies `fault` to each frame and delivers it on a later tick (so frames overtake acks).
 */
async function transferThroughLink(keys: SessionKeys, input: Uint8Array, fault: LinkFault, tuning = FAST): Promise<{ output: Uint8Array; frames: number; rejected: number }> {
  const written: Uint8Array[] = [];
  const attempts = new Map<number, number>();
  const chunktotal = chunkCountOf(input.length, CHUNK_PLAINTEXT_BYTES);
  const hasher = new Sha256();
  hasher.update(input);
  const receiver = new StreamReceiver({
    chunkBytes: CHUNK_PLAINTEXT_BYTES,
    fileid: 'f0',
    chunktotal,
    expectedSize: input.length,
    expectedSha256: hasher.digest(),
    key: keys.senderKey,
    write: async (bytes) => void written.push(bytes),
    sendAck: (ack) => setImmediate(() => sender.handleAck({ connectionid: 'receiver', ...ack })),
    hasher: new Sha256(),
    tuning,
  });
  const sender: StreamSender = new StreamSender({
    fileid: 'f0',
    chunktotal,
    readChunk: async (id) => input.subarray(id * CHUNK_PLAINTEXT_BYTES, (id + 1) * CHUNK_PLAINTEXT_BYTES),
    sealer: new Sealer(keys.senderKey),
    port: {
      ready: () => true,
      sendTransfer: ({ sealed, ...m }) => {
        const message = { connectionid: 'sender', ...m, data: toBase64(sealed) };
        const attempt = attempts.get(m.chunkid) ?? 0;
        attempts.set(m.chunkid, attempt + 1);
        const decision = fault(message, attempt);
        if (decision === 'drop') return true;
        const deliver = decision === 'tamper' ? { ...message, data: tamper(message.data) } : message;
        setImmediate(() => receiver.handleTransfer(deliver));
        if (decision === 'duplicate') setTimeout(() => receiver.handleTransfer(deliver), 1);
        return true;
      },
    },
    tuning,
    congestion: new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES),
  });
  const finished = receiver.finished.then(() => receiver.sendSuccess());
  await Promise.all([sender.run(), finished]);
  receiver.stop();
  return { output: Buffer.concat(written), frames: sender.framesSent, rejected: receiver.rejectedChunks };
}

function tamper(data: string): string {
  const bytes = Buffer.from(data, 'base64');
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x01;
  return toBase64(bytes);
}

describe('StreamSender and StreamReceiver over an in-memory link', () => {
  let keys: SessionKeys;
  beforeAll(async () => {
    keys = await deriveSessionKeys(randomBytes(32));
  });

  it('chunking then reassembly gives the input back, for any size', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 * CHUNK_PLAINTEXT_BYTES + 7 }), async (size) => {
        const input = new Uint8Array(nodeRandomBytes(size));
        const { output, frames } = await transferThroughLink(keys, input, () => 'deliver', PATIENT);
        expect(Buffer.from(output).equals(Buffer.from(input))).toBe(true);
        expect(frames).toBe(chunkCountOf(size, CHUNK_PLAINTEXT_BYTES));
      }),
      { numRuns: 40 },
    );
  });

  it('recovers any lost subset of chunks through Acknowledge, resending only what was lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 24 }).chain((chunks) =>
          fc.tuple(fc.constant(chunks), fc.subarray([...Array(chunks).keys()]), fc.integer({ min: 0, max: CHUNK_PLAINTEXT_BYTES - 1 })),
        ),
        async ([chunks, lost, tail]) => {
          // GIVEN a stream whose chunks in `lost` vanish on their first send
          const size = (chunks - 1) * CHUNK_PLAINTEXT_BYTES + tail + 1;
          const input = new Uint8Array(nodeRandomBytes(size));
          const lostSet = new Set(lost);
          // WHEN it crosses the link
          const { output, frames } = await transferThroughLink(keys, input, (m, attempt) => (attempt === 0 && lostSet.has(m.chunkid) ? 'drop' : 'deliver'));
          // THEN the receiver has every byte, and the sender resent a bounded number of frames
          expect(Buffer.from(output).equals(Buffer.from(input))).toBe(true);
          expect(frames).toBeGreaterThanOrEqual(chunks + lost.length);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('survives random loss, duplication and tampering together', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 200_000 }), async (seed, size) => {
        let state = seed;
        const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
        const input = new Uint8Array(nodeRandomBytes(size));
        const { output } = await transferThroughLink(keys, input, () => {
          const r = random();
          return r < 0.2 ? 'drop' : r < 0.3 ? 'duplicate' : r < 0.4 ? 'tamper' : 'deliver';
        });
        expect(Buffer.from(output).equals(Buffer.from(input))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('detects a tampered chunk and asks for it again', async () => {
    const input = new Uint8Array(nodeRandomBytes(3 * CHUNK_PLAINTEXT_BYTES));
    const { output, rejected, frames } = await transferThroughLink(keys, input, (m, attempt) => (m.chunkid === 1 && attempt === 0 ? 'tamper' : 'deliver'));
    expect(rejected).toBe(1);
    expect(frames).toBeGreaterThanOrEqual(4);
    expect(frames).toBeLessThanOrEqual(6);
    expect(Buffer.from(output).equals(Buffer.from(input))).toBe(true);
  });

  it('rejects a chunk whose chunkhash does not match its data', async () => {
    const receiverKeys = keys;
    const sealer = new Sealer(receiverKeys.senderKey);
    const acks: unknown[] = [];
    const receiver = new StreamReceiver({
      chunkBytes: CHUNK_PLAINTEXT_BYTES,
      fileid: 'f0', chunktotal: 1, key: receiverKeys.senderKey, write: async () => undefined,
      sendAck: (ack) => acks.push(ack), hasher: new Sha256(), tuning: FAST,
    });
    const sealed = await sealer.seal(new Uint8Array(10), new TextEncoder().encode('banguins-v1 chunk f0 0 1'));
    receiver.handleTransfer({ connectionid: 's', data: toBase64(sealed), chunkid: 0, chunktotal: 1, chunkhash: Buffer.from(await sha256(new Uint8Array(1))).toString('base64url'), fileid: 'f0' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    receiver.stop();
    expect(receiver.rejectedChunks).toBe(1);
    expect(receiver.isComplete).toBe(false);
    expect(acks).toContainEqual({ success: false, missingchunkids: [0], fileid: 'f0', receivedthrough: -1 });
  });
});

describe('StreamReceiver: quiet reports', () => {
  test('the first report of a quiet period is not sent when the last ack said the same; the next one still goes', async () => {
    const keys = await deriveSessionKeys(randomBytes(32));
    const acks: Array<{ missingchunkids: readonly number[]; receivedthrough?: number }> = [];
    const receiver = new StreamReceiver({
      chunkBytes: CHUNK_PLAINTEXT_BYTES,
      fileid: 'f0', chunktotal: 3, key: keys.senderKey, write: async () => undefined,
      sendAck: (ack) => acks.push(ack), hasher: new Sha256(),
      tuning: resolveTuning({ quietMs: 40, maxQuietMs: 80, ackDelayMs: 5, ackEveryChunks: 8 }),
    });
    // GIVEN chunk 0 of 3 arrives, and then nothing (the sender's next chunk waits in a busy relay)
    const sealed = await new Sealer(keys.senderKey).seal(new Uint8Array(CHUNK_PLAINTEXT_BYTES), new TextEncoder().encode('banguins-v1 chunk f0 0 3'));
    const chunkhash = Buffer.from(await sha256(sealed)).toString('base64url');
    receiver.handleTransfer({ connectionid: 's', data: toBase64(sealed), chunkid: 0, chunktotal: 3, chunkhash, fileid: 'f0' });
    const statusSent = () => acks.some((ack) => ack.missingchunkids.length === 2);
    const deadline = Date.now() + 5000;
    while (!statusSent() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    receiver.stop();
    // THEN the delayed ack says "through 0, nothing missing"; the quiet report 40 ms later would say
    // the same and is skipped; the status report of the whole window (80 ms on) still goes
    expect(acks.map((ack) => `${ack.receivedthrough}:${ack.missingchunkids.join(',')}`)).toEqual(['0:', '0:1,2']);
  });
});

describe('StreamSender: what counts as evidence of a loss', () => {
  // A long retransmission timeout and a short loss age: a resend within the test comes from a report.
  const tuning = resolveTuning({ windowChunks: 4, initialWindowChunks: 4, minRtoMs: 60_000, initialRtoMs: 60_000, pacingPerSecond: Infinity });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A sender of 8 chunks whose first window (chunks 0-3) went out, with a measured round trip of ~5 ms. */
  async function senderWithFourInFlight(keys: SessionKeys) {
    const sent: number[] = [];
    const congestion = new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES);
    for (let i = 0; i < 8; i++) congestion.onRoundTrip(5);
    const sender = new StreamSender({
      fileid: 'f0',
      chunktotal: 8,
      readChunk: async () => new Uint8Array(16),
      sealer: new Sealer(keys.senderKey),
      port: { ready: () => true, sendTransfer: (m) => sent.push(m.chunkid) > 0 },
      tuning,
      congestion,
    });
    const running = sender.run().catch(() => undefined);
    for (let i = 0; i < 100 && sent.length < 4; i++) await sleep(5);
    expect(sent).toEqual([0, 1, 2, 3]);
    await sleep(40); // older than the loss age (~10 ms), far younger than the timeout
    return { sender, sent, running };
  }

  let keys: SessionKeys;
  beforeAll(async () => {
    keys = await deriveSessionKeys(randomBytes(32));
  });

  test('a report that lists every chunk in flight (nothing after them received: maybe queued) resends nothing before the timeout, not even a tail loss probe on this clean path', async () => {
    const { sender, sent, running } = await senderWithFourInFlight(keys);
    sender.handleAck({ connectionid: 'r', fileid: 'f0', success: false, receivedthrough: -1, missingchunkids: [0, 1, 2, 3, 4, 5, 6, 7] });
    await sleep(60);
    expect(sent).toEqual([0, 1, 2, 3]);
    expect(sender.framesSent).toBe(4);
    sender.abort(new Error('done'));
    await running;
  });

  test('a report that shows a later chunk received resends the gap at once', async () => {
    const { sender, sent, running } = await senderWithFourInFlight(keys);
    // Chunks 1-3 arrived (not listed), 0 did not: 0 is lost, the rest of the window is not.
    sender.handleAck({ connectionid: 'r', fileid: 'f0', success: false, receivedthrough: -1, missingchunkids: [0] });
    for (let i = 0; i < 40 && sent.length < 5; i++) await sleep(5);
    expect(sent).toEqual([0, 1, 2, 3, 0]);
    expect(sender.framesSent).toBe(5);
    sender.abort(new Error('done'));
    await running;
  });

  test('a receiver that already holds chunks never sent in this session (it resumes): the new chunks start after them, each sealed once', async () => {
    const sealedChunks: number[] = [];
    const sent: number[] = [];
    const sealer = new Sealer(keys.senderKey);
    const sender = new StreamSender({
      fileid: 'f0',
      chunktotal: 8,
      readChunk: async (id) => (sealedChunks.push(id), new Uint8Array(16)),
      sealer,
      port: { ready: () => true, sendTransfer: (m) => sent.push(m.chunkid) > 0 },
      tuning,
      congestion: new CongestionControl(tuning, CHUNK_PLAINTEXT_BYTES),
    });
    // Its status before anything went: chunks 0-4 are held from an earlier session.
    sender.handleAck({ connectionid: 'r', fileid: 'f0', success: false, receivedthrough: 4, missingchunkids: [] });
    const running = sender.run().catch(() => undefined);
    for (let i = 0; i < 40 && sent.length < 3; i++) await sleep(5);
    expect(sent).toEqual([5, 6, 7]);
    // Chunk 0 (acknowledged) was not read and sealed over and over.
    expect(sealedChunks.filter((id) => id < 5).length).toBeLessThanOrEqual(4);
    sender.abort(new Error('done'));
    await running;
  });
});
