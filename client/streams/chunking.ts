/**
 * The client protocol's sizes, shared by sender and receiver; changing one is a protocol change.
 * The wire's own limits (frame and message sizes, field bounds) are protocol/limits.ts's.
 */

/**
 * Plaintext bytes per chunk. Sealed, a chunk grows by a 12-byte nonce and a 16-byte tag and then by
 * base64's 4/3: 24064 + 28 -> 32124 characters, which leaves ~640 bytes for the JSON around it
 * (a 128-character connection id and a 64-character fileid included).
 */
export const CHUNK_PLAINTEXT_BYTES = 24_064;

/**
 * Plaintext bytes per chunk of a sender that can fragment a message into 32 KB frames (Node `ws`):
 * four base chunks. 96256 + 28 sealed -> 128380 base64 characters; with the JSON around it (a
 * 128-character connection id, a 64-character fileid, 10-digit numbers) the message is ~129 KB,
 * 2 KB under the 128 KB message limit, and so is the frame the relay forwards.
 */
export const LARGE_CHUNK_PLAINTEXT_BYTES = 4 * CHUNK_PLAINTEXT_BYTES;

/** The smallest chunk size a receiver accepts in a manifest. */
export const MIN_CHUNK_PLAINTEXT_BYTES = 1024;

/**
 * The largest chunk size a receiver accepts in a manifest (bounds its memory: window x chunk size):
 * the large chunk, by design.
 * @alias
 */
export const MAX_CHUNK_PLAINTEXT_BYTES = LARGE_CHUNK_PLAINTEXT_BYTES;

/**
 * The default largest congestion window: chunks a sender may have in flight beyond the receiver's
 * contiguous prefix (64 x 96 KB fills a 100 ms round trip at the default pacing).
 */
export const WINDOW_CHUNKS = 64;

/** The largest window a receiver accepts (a bound on its memory). */
export const MAX_WINDOW_CHUNKS = 256;

/** The fileid of the manifest stream (the encrypted list of files). */
export const MANIFEST_FILEID = 'manifest';

/** The largest manifest a receiver accepts, in bytes. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The fileid of the n-th file of a session. */
export function fileIdOf(index: number): string {
  return `f${index}`;
}

/** The number of chunks of a stream of `size` bytes cut in `chunkBytes` pieces: an empty stream still has one (empty) chunk. */
export function chunkCountOf(size: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(size / chunkBytes));
}
