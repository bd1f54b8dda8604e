import type { ByteSource } from '../../client';

/**
 * Bytes read from the Blob at a time. Each `slice().arrayBuffer()` costs a round trip to the
 * browser's blob store: per 24 KB chunk, that was a third of a sending page's time on the direct
 * path (bench/browser-direct.ts), so chunks are served from blocks this big.
 */
const BLOCK_BYTES = 4 * 1024 * 1024;
/** Blocks kept: the one before (resends), the current one and the one read ahead. */
const BLOCKS_KEPT = 3;

/**
 * A ByteSource over a browser File or Blob: reads it in 4 MiB blocks, the next one ahead, keeping
 * at most three (so a big file never sits in memory whole), and serves each read from them.
 */
export function blobSource(blob: Blob): ByteSource {
  const blocks = new Map<number, Promise<Uint8Array>>();
  const lastBlock = Math.max(0, Math.ceil(blob.size / BLOCK_BYTES) - 1);
  const block = (index: number): Promise<Uint8Array> => {
    let bytes = blocks.get(index);
    if (!bytes) {
      const start = index * BLOCK_BYTES;
      bytes = blob
        .slice(start, Math.min(start + BLOCK_BYTES, blob.size))
        .arrayBuffer()
        .then((buffer) => new Uint8Array(buffer));
      // A failed read is not kept: the next read of that block tries again.
      bytes.catch(() => blocks.get(index) === bytes && blocks.delete(index));
      blocks.set(index, bytes);
      for (const oldest of blocks.keys()) {
        if (blocks.size <= BLOCKS_KEPT) break;
        if (oldest !== index) blocks.delete(oldest);
      }
    }
    return bytes;
  };
  return {
    size: blob.size,
    read: async (offset, length) => {
      const end = Math.min(offset + length, blob.size);
      if (end <= offset) return new Uint8Array(0);
      const first = Math.floor(offset / BLOCK_BYTES);
      const last = Math.floor((end - 1) / BLOCK_BYTES);
      const reading = Promise.all(Array.from({ length: last - first + 1 }, (_, i) => block(first + i)));
      if (last < lastBlock) void block(last + 1).catch(() => undefined);
      const parts = await reading;
      if (parts.length === 1) return parts[0]!.subarray(offset - first * BLOCK_BYTES, end - first * BLOCK_BYTES);
      const out = new Uint8Array(end - offset);
      let at = 0;
      for (const [i, part] of parts.entries()) {
        const blockStart = (first + i) * BLOCK_BYTES;
        const piece = part.subarray(Math.max(offset, blockStart) - blockStart, Math.min(end, blockStart + part.length) - blockStart);
        out.set(piece, at);
        at += piece.length;
      }
      return out;
    },
  };
}
