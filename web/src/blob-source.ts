import type { ByteSource } from '../../client';

/** A ByteSource over a browser File or Blob: reads only the slice asked for, so a big file never sits in memory whole. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, Math.min(offset + length, blob.size)).arrayBuffer()),
  };
}
