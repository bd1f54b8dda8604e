import { randomBytes } from 'node:crypto';
import {
  bytesSource,
  createSha256,
  receiveFiles,
  sendFiles,
  type ByteSink,
  type ReceivedManifest,
  type RelayConnection,
} from '../client';
import { toBase64, toBase64Url } from '../protocol/base64';
import { chunkAad, deriveSessionKeys, Sealer, sha256 } from '../client/crypto/session-crypto';
import { Sha256 } from '../client/crypto/sha256';
import { StreamReceiver } from '../client/streams/stream-receiver';
import { resolveTuning } from '../client/tuning';
import type { AcknowledgeMessage } from '../protocol/frames';
import type { LocalRelay } from '../local/local-relay';
import { NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';


function memorySink(done: (bytes: Buffer) => void): ByteSink {
  const parts: Buffer[] = [];
  return {
    write: async (bytes) => void parts.push(Buffer.from(bytes)),
    commit: async () => done(Buffer.concat(parts)),
    abort: async () => undefined,
  };
}

describe('a receiver that replaces a dead one under the same session (receiveFiles resume)', () => {
  let relay: LocalRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => relay?.close());

  it('confirms the file the dead receiver saved to a sender still on it, then receives only the next one', async () => {
    // GIVEN a sender of two files and a first receiver that dies right after saving the first file,
    // before it could tell the sender (its success ack goes only once the next file's sink is open)
    const originals = [randomBytes(200_000), randomBytes(300_000)];
    let gotLink!: (link: string) => void;
    const linkPromise = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({
      relayUrl: relay.url,
      WebSocket: NODE_WS,
      files: originals.map((bytes, i) => ({ name: `file-${i}.bin`, source: bytesSource(bytes) })),
      tuning: QUICK_TUNING,
      onEvent: (event) => (event.type === 'link' ? gotLink(event.link) : undefined),
    });
    const link = await linkPromise;
    const session = 'resumed-session-1';
    let saved: ReceivedManifest | undefined;
    let firstConnection!: RelayConnection;
    let dead!: () => void;
    const died = new Promise<void>((resolve) => (dead = resolve));
    let releaseStuckSink!: (error: Error) => void;
    const firstFiles: Buffer[] = [];
    const first = receiveFiles({
      link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      session,
      onConnection: (connection) => (firstConnection = connection),
      onManifest: async (received) => void (saved = received),
      openSink: async (file) => {
        if (file.index === 0) return memorySink((bytes) => firstFiles.push(bytes));
        // "Killed" here: the socket closes without a word and the process never goes on.
        firstConnection.close();
        dead();
        return new Promise<ByteSink>((_, reject) => (releaseStuckSink = reject));
      },
    });
    first.catch(() => undefined);
    await died;
    expect(firstFiles).toHaveLength(1);
    expect(saved).toBeDefined();

    // WHEN a second receiver takes up the same session at file 1, with nothing of it on disk
    const received: Buffer[] = [];
    const opened: number[] = [];
    const second = await receiveFiles({
      link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      session,
      resume: { manifest: saved!.manifest, manifestChunks: saved!.manifestChunks, nextFile: 1, chunksOnDisk: 0, hasher: createSha256() },
      openSink: async (file) => {
        opened.push(file.index);
        return memorySink((bytes) => received.push(bytes));
      },
    });
    const sent = await sending;
    releaseStuckSink(new Error('the first receiver is gone'));

    // THEN the sender, still waiting on file 0, took the success for it and sent file 1 to the new receiver
    expect(opened).toEqual([1]);
    expect(received).toHaveLength(1);
    expect(received[0]!.equals(originals[1]!)).toBe(true);
    expect(firstFiles[0]!.equals(originals[0]!)).toBe(true);
    expect(second.files.map((f) => f.name)).toEqual(['file-0.bin', 'file-1.bin']);
    expect(sent.files).toBe(2);
  });
});

describe('a StreamReceiver that starts after the chunks already on disk', () => {
  const tuning = resolveTuning({ quietMs: 5000, maxQuietMs: 5000, ackEveryChunks: 1 });
  const CHUNK = 1000;
  const input = randomBytes(3 * CHUNK + 10);
  const whole = new Sha256();
  whole.update(input);
  const expectedSha256 = whole.digest();

  it('reports the chunks on disk, takes only the rest, and checks the whole file hash', async () => {
    const keys = await deriveSessionKeys(randomBytes(32));
    const sealer = new Sealer(keys.senderKey);
    const seeded = new Sha256();
    seeded.update(input.subarray(0, 2 * CHUNK));
    const written: Uint8Array[] = [];
    const acks: Omit<AcknowledgeMessage, 'connectionid'>[] = [];
    const receiver = new StreamReceiver({
      fileid: 'f0', chunktotal: 4, chunkBytes: CHUNK, expectedSize: input.length, expectedSha256, key: keys.senderKey,
      write: async (bytes) => void written.push(bytes), sendAck: (ack) => acks.push(ack), hasher: seeded, tuning, startChunk: 2,
    });
    receiver.sendStatus();
    expect(acks[0]).toMatchObject({ success: false, receivedthrough: 1, missingchunkids: [2, 3] });
    for (const id of [0, 2, 3]) {
      const sealed = await sealer.seal(input.subarray(id * CHUNK, (id + 1) * CHUNK), chunkAad('f0', id, 4));
      receiver.handleTransfer({ connectionid: 's', data: toBase64(sealed), chunkid: id, chunktotal: 4, chunkhash: toBase64Url(await sha256(sealed)), fileid: 'f0' });
    }
    await receiver.finished;
    receiver.stop();
    expect(Buffer.concat(written).equals(input.subarray(2 * CHUNK))).toBe(true);
    expect(receiver.duplicateChunks).toBe(1);
  });

  it('is finished at once when every chunk is on disk, and fails when the seeded hash is wrong', async () => {
    const keys = await deriveSessionKeys(randomBytes(32));
    const options = { fileid: 'f0', chunktotal: 4, chunkBytes: CHUNK, expectedSize: input.length, expectedSha256, key: keys.senderKey, write: async () => undefined, sendAck: () => undefined, tuning, startChunk: 4 };
    const full = new Sha256();
    full.update(input);
    await expect(new StreamReceiver({ ...options, hasher: full }).finished).resolves.toBeUndefined();
    const wrong = new Sha256();
    wrong.update(input.subarray(1));
    await expect(new StreamReceiver({ ...options, hasher: wrong }).finished).rejects.toThrow(/SHA-256 differs/);
  });
});
