import { CHUNK_PLAINTEXT_BYTES, LARGE_CHUNK_PLAINTEXT_BYTES, MAX_WINDOW_CHUNKS } from '../client/streams/chunking';
import { frameJson } from '../protocol/frame-json';
import { MAX_CHUNKHASH_LENGTH, MAX_CONNECTION_ID_LENGTH, MAX_FILEID_LENGTH, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from '../protocol/limits';

/** A sealed chunk grows by a 12-byte nonce and a 16-byte tag (AES-GCM) before base64. */
const SEAL_OVERHEAD_BYTES = 12 + 16;

/** Base64 (with padding) of `bytes` bytes: what `data` holds. */
function base64Of(bytes: number): string {
  return 'A'.repeat(Math.ceil(bytes / 3) * 4);
}

/**
 * The largest Transfer frame a client can write for a chunk of `plaintextBytes`: every field at
 * the longest the relay accepts (ASCII, as API Gateway's connection ids are), chunk numbers at
 * their largest. The relay forwards it with `connectionid` replaced by the sender's, bounded alike.
 */
function largestTransferFrameBytes(plaintextBytes: number): number {
  return Buffer.byteLength(
    frameJson('Transfer', {
      connectionid: 'c'.repeat(MAX_CONNECTION_ID_LENGTH),
      data: base64Of(plaintextBytes + SEAL_OVERHEAD_BYTES),
      chunkid: Number.MAX_SAFE_INTEGER - 1,
      chunktotal: Number.MAX_SAFE_INTEGER,
      chunkhash: 'h'.repeat(MAX_CHUNKHASH_LENGTH),
      fileid: 'f'.repeat(MAX_FILEID_LENGTH),
    }),
  );
}

/** docs/protocol.md, "Where the size limits come from": the arithmetic, checked. */
describe('frame margins', () => {
  test('a browser chunk (one frame) with the longest ids the relay accepts still fits one 32 KB frame', () => {
    expect(base64Of(CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES)).toHaveLength(32_124);
    expect(largestTransferFrameBytes(CHUNK_PLAINTEXT_BYTES)).toBe(32_589);
    expect(largestTransferFrameBytes(CHUNK_PLAINTEXT_BYTES)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });

  test('a Node chunk (one message of 32 KB frames) with the longest ids still fits one 128 KB message and one @connections post', () => {
    expect(base64Of(LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES)).toHaveLength(128_380);
    expect(largestTransferFrameBytes(LARGE_CHUNK_PLAINTEXT_BYTES)).toBe(128_845);
    expect(largestTransferFrameBytes(LARGE_CHUNK_PLAINTEXT_BYTES)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  test('the largest Acknowledge a receiver writes (a window of missing ids at their longest) fits one 32 KB frame', () => {
    const ack = frameJson('Acknowledge', {
      connectionid: 'c'.repeat(MAX_CONNECTION_ID_LENGTH),
      success: false,
      missingchunkids: Array.from({ length: MAX_WINDOW_CHUNKS }, (_, index) => Number.MAX_SAFE_INTEGER - index),
      fileid: 'f'.repeat(MAX_FILEID_LENGTH),
      receivedthrough: Number.MAX_SAFE_INTEGER - MAX_WINDOW_CHUNKS - 1,
    });
    expect(Buffer.byteLength(ack)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
  });
});
