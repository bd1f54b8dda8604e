/** Wire and protocol limits shared by sender and receiver; changing one is a protocol change. */

/** API Gateway closes a connection that sends a frame over 32 KB (1009). */
export const MAX_FRAME_BYTES = 32 * 1024;

/**
 * Plaintext bytes per chunk. Sealed, a chunk grows by a 12-byte nonce and a 16-byte tag and then by
 * base64's 4/3: 24064 + 28 -> 32124 characters, which leaves ~640 bytes for the JSON around it
 * (a 128-character connection id and a 64-character fileid included).
 */
export const CHUNK_PLAINTEXT_BYTES = 24_064;

/** Chunks a sender may have in flight beyond the receiver's contiguous prefix; the receiver buffers at most this many. */
export const WINDOW_CHUNKS = 32;

/** The largest window a receiver accepts (a bound on its memory). */
export const MAX_WINDOW_CHUNKS = 256;

/** The relay accepts at most this many ids in one Acknowledge. */
export const MAX_MISSING_IDS = 4096;

/** The relay accepts a Request `message` of at most this many characters. */
export const MAX_REQUEST_MESSAGE_CHARS = 16_384;

/** The fileid of the manifest stream (the encrypted list of files). */
export const MANIFEST_FILEID = 'manifest';

/** The largest manifest a receiver accepts, in bytes. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The fileid of the n-th file of a session. */
export function fileIdOf(index: number): string {
  return `f${index}`;
}

/** The number of chunks of a stream of `size` bytes: an empty stream still has one (empty) chunk. */
export function chunkCountOf(size: number): number {
  return Math.max(1, Math.ceil(size / CHUNK_PLAINTEXT_BYTES));
}
