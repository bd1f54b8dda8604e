import { createHash, randomBytes } from 'node:crypto';
import { receiveFiles, type IncomingFile } from '../client';
import { decodeManifest } from '../client/streams/manifest';
import { CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import type { LocalRelay } from '../local/local-relay';
import { MaliciousSender } from './support/malicious-sender';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { startTestRelay } from './support/start-test-relay';

const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A manifest of one file of `size` bytes, as the genuine sender writes it. */
function manifestOf(content: Uint8Array): Uint8Array {
  return encode({ v: 1, chunkSize: CHUNK_PLAINTEXT_BYTES, files: [{ fileid: 'f0', name: 'a.bin', size: content.length, type: 'application/octet-stream', sha256: Buffer.from(sha(content)).toString('base64url') }] });
}

describe('frames that do not verify change nothing at the receiver', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(() => relay.close());

  it('a forged manifest chunk (bad tag, chunktotal 100) before the genuine one does not set the manifest\'s size: the genuine manifest is accepted', async () => {
    const { sender, link } = await MaliciousSender.start(relay.url);
    const stop = new AbortController();
    let accepted!: (files: readonly IncomingFile[]) => void;
    const seen = new Promise<readonly IncomingFile[]>((resolve) => (accepted = resolve));
    const receiving = receiveFiles({
      link,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      signal: stop.signal,
      openSink: async () => collectingSink([]),
      accept: async (files) => accepted(files),
    });
    receiving.catch(() => undefined);
    try {
      await sender.pair();
      await sender.sendChunk({ fileid: 'manifest', chunkid: 0, chunktotal: 100, plaintext: new Uint8Array(CHUNK_PLAINTEXT_BYTES), tamper: 'bad-tag' });
      await sender.sendStream('manifest', manifestOf(randomBytes(1000)));
      const files = await Promise.race([seen, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the genuine manifest was never accepted')), 10_000))]);
      expect(files.map((f) => f.name)).toEqual(['a.bin']);
    } finally {
      stop.abort();
      sender.close();
    }
  });

  it('a sender that sends only chunks with bad tags does not keep the receiver alive: the idle timeout still ends it', async () => {
    const { sender, link } = await MaliciousSender.start(relay.url);
    const content = randomBytes(4 * CHUNK_PLAINTEXT_BYTES);
    let spamming = true;
    const receiving = receiveFiles({ link, WebSocket: NODE_WS, tuning: QUICK_TUNING, idleTimeoutMs: 1500, openSink: async () => collectingSink([]) });
    const outcome = receiving.then(
      () => ({ code: 'finished', spamming }),
      (error: { code?: string }) => ({ code: error.code, spamming }),
    );
    try {
      await sender.pair();
      await sender.sendManifest([], { v: 1, chunkSize: CHUNK_PLAINTEXT_BYTES, files: [{ fileid: 'f0', name: 'a.bin', size: content.length, type: 'x/y', sha256: Buffer.from(sha(content)).toString('base64url') }] });
      // One damaged chunk every 200 ms for 8 s: each arrives, none verifies.
      const spam = (async () => {
        for (let i = 0; i < 40 && spamming; i++) {
          await sender.sendChunk({ fileid: 'f0', chunkid: 0, chunktotal: 4, plaintext: content.subarray(0, CHUNK_PLAINTEXT_BYTES), tamper: 'bad-tag' });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        spamming = false;
      })();
      const result = await outcome;
      spamming = false;
      await spam;
      expect(result).toEqual({ code: 'Timeout', spamming: true });
    } finally {
      sender.close();
    }
  }, 30_000);

  it.each([
    ['a null file entry', { v: 1, chunkSize: 96256, files: [null] }, /^manifest file 0 is not an object$/],
    ['no file list', { v: 1, chunkSize: 96256 }, /^the manifest has no file list$/],
    ['no file list and no chunk size', { v: 1 }, /^the manifest has no file list$/],
    ['a file entry that is a string', { v: 1, chunkSize: 96256, files: ['f0'] }, /^manifest file 0 is not an object$/],
    ['a name that is a number', { v: 1, chunkSize: 96256, files: [{ fileid: 'f0', name: 7, type: 'x', size: 1, sha256: 'A'.repeat(43) }] }, /^manifest file 0 has no name$/],
    ['an array', [1, 2], /^the manifest is not a JSON object$/],
    ['null', null, /^the manifest is not a JSON object$/],
  ])('a malformed manifest (%s) is refused with one line naming what is wrong', (_, manifest, message) => {
    expect(() => decodeManifest(encode(manifest))).toThrow(message);
  });

  it('a manifest with a null file entry ends the receive with that line, told to the sender too', async () => {
    const { sender, link } = await MaliciousSender.start(relay.url);
    const receiving = receiveFiles({ link, WebSocket: NODE_WS, tuning: QUICK_TUNING, openSink: async () => collectingSink([]) });
    receiving.catch(() => undefined);
    try {
      await sender.pair();
      await sender.sendManifest([], { v: 1, chunkSize: 96256, files: [null] });
      await expect(receiving).rejects.toMatchObject({ code: 'ProtocolError', message: 'manifest file 0 is not an object' });
      expect(await sender.awaitSuccessOrCancel('manifest')).toBe('manifest file 0 is not an object');
    } finally {
      sender.close();
    }
  });
});
