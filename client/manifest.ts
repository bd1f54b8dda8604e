import { fromBase64, toBase64Url } from './base64';
import { ProtocolError } from './errors';
import { CHUNK_PLAINTEXT_BYTES, chunkCountOf, fileIdOf, MAX_CHUNK_PLAINTEXT_BYTES, MAX_WINDOW_CHUNKS, MIN_CHUNK_PLAINTEXT_BYTES } from './protocol-constants';

/** One file as the manifest announces it. */
export interface ManifestFile {
  /** The stream id of the file's Transfer frames: f0, f1, ... */
  readonly fileid: string;
  /** The sender's file name (the receiver sanitises it before use). */
  readonly name: string;
  readonly size: number;
  /** A MIME type. */
  readonly type: string;
  /** base64url SHA-256 of the whole plaintext file. */
  readonly sha256: string;
}

/** The encrypted first stream of a session (fileid "manifest"): what follows, in order. */
export interface Manifest {
  readonly v: 1;
  /**
   * Plaintext bytes per chunk of the files (the manifest stream itself always uses
   * CHUNK_PLAINTEXT_BYTES): the sender's choice, CHUNK_PLAINTEXT_BYTES for a browser,
   * LARGE_CHUNK_PLAINTEXT_BYTES for a sender that fragments messages.
   */
  readonly chunkSize: number;
  /** The sender's largest window in chunks, so the receiver paces its acknowledgements (optional). */
  readonly window?: number;
  readonly files: readonly ManifestFile[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How the sender cuts and sends the files, announced in the manifest. */
export interface ManifestSendParameters {
  /** @default CHUNK_PLAINTEXT_BYTES */
  readonly chunkSize?: number;
  /** The sender's largest window. @default not announced */
  readonly window?: number;
}

/** Builds the manifest bytes for files in send order. */
export function encodeManifest(
  files: readonly { name: string; size: number; type?: string; sha256: Uint8Array }[],
  parameters: ManifestSendParameters = {},
): Uint8Array {
  const manifest: Manifest = {
    v: 1,
    chunkSize: parameters.chunkSize ?? CHUNK_PLAINTEXT_BYTES,
    ...(parameters.window === undefined ? {} : { window: parameters.window }),
    files: files.map((f, i) => ({
      fileid: fileIdOf(i),
      name: f.name,
      size: f.size,
      type: f.type || 'application/octet-stream',
      sha256: toBase64Url(f.sha256),
    })),
  };
  return encoder.encode(JSON.stringify(manifest));
}

/** Parses and checks manifest bytes; throws ProtocolError naming what is wrong. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new ProtocolError('the manifest is not JSON');
  }
  const m = value as Partial<Manifest> | null;
  if (m?.v !== 1) throw new ProtocolError('the manifest is not of version 1: update banguins');
  const chunkSize = m.chunkSize;
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_PLAINTEXT_BYTES || chunkSize > MAX_CHUNK_PLAINTEXT_BYTES) {
    throw new ProtocolError(`the manifest's chunk size ${String(chunkSize)} is not a whole number from ${MIN_CHUNK_PLAINTEXT_BYTES} to ${MAX_CHUNK_PLAINTEXT_BYTES}`);
  }
  const window = typeof m.window === 'number' && Number.isInteger(m.window) && m.window >= 1 ? Math.min(m.window, MAX_WINDOW_CHUNKS) : undefined;
  if (!Array.isArray(m.files)) throw new ProtocolError('the manifest has no file list');
  const files = m.files.map((f: Partial<ManifestFile>, i) => {
    if (f.fileid !== fileIdOf(i)) throw new ProtocolError(`manifest file ${i} has fileid ${f.fileid}`);
    if (typeof f.name !== 'string' || typeof f.type !== 'string' || typeof f.sha256 !== 'string') {
      throw new ProtocolError(`manifest file ${i} lacks a name, type or sha256`);
    }
    if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) {
      throw new ProtocolError(`manifest file ${i} has a bad size`);
    }
    if (fromBase64(f.sha256).length !== 32) throw new ProtocolError(`manifest file ${i} has a bad sha256`);
    return { fileid: f.fileid, name: f.name, size: f.size, type: f.type, sha256: f.sha256 };
  });
  return { v: 1, chunkSize, ...(window === undefined ? {} : { window }), files };
}

/** The chunk count of a manifest file cut in `chunkSize` pieces. */
export function manifestFileChunks(file: ManifestFile, chunkSize: number = CHUNK_PLAINTEXT_BYTES): number {
  return chunkCountOf(file.size, chunkSize);
}
