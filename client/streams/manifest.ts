import { fromBase64, toBase64Url } from '../../protocol/base64';
import { ProtocolError } from '../errors';
import { chunkCountOf, fileIdOf, MAX_CHUNK_PLAINTEXT_BYTES, MAX_WINDOW_CHUNKS, MIN_CHUNK_PLAINTEXT_BYTES } from './chunking';

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
  /** Plaintext bytes per file chunk (the manifest's `chunkSize` on the wire). */
  readonly chunkBytes: number;
  /** The sender's largest window. @default not announced */
  readonly window?: number;
}

/** Builds the manifest bytes for files in send order. */
export function encodeManifest(
  files: readonly { name: string; size: number; type?: string; sha256: Uint8Array }[],
  parameters: ManifestSendParameters,
): Uint8Array {
  const manifest: Manifest = {
    v: 1,
    chunkSize: parameters.chunkBytes,
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

/** Parses and checks manifest bytes; throws ProtocolError naming the first thing wrong. */
export function decodeManifest(bytes: Uint8Array): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new ProtocolError('the manifest is not JSON');
  }
  if (!isObject(value)) throw new ProtocolError('the manifest is not a JSON object');
  if (value.v !== 1) throw new ProtocolError('the manifest is not of version 1: update banguins');
  if (!Array.isArray(value.files)) throw new ProtocolError('the manifest has no file list');
  const chunkSize = value.chunkSize;
  if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_PLAINTEXT_BYTES || chunkSize > MAX_CHUNK_PLAINTEXT_BYTES) {
    throw new ProtocolError(`the manifest's chunk size is not a whole number from ${MIN_CHUNK_PLAINTEXT_BYTES} to ${MAX_CHUNK_PLAINTEXT_BYTES}`);
  }
  const window = typeof value.window === 'number' && Number.isInteger(value.window) && value.window >= 1 ? Math.min(value.window, MAX_WINDOW_CHUNKS) : undefined;
  const files = value.files.map((entry: unknown, i) => decodeManifestFile(entry, i));
  return { v: 1, chunkSize, ...(window === undefined ? {} : { window }), files };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One entry of the manifest's file list, checked; the messages name the entry and never quote it. */
function decodeManifestFile(entry: unknown, i: number): ManifestFile {
  if (!isObject(entry)) throw new ProtocolError(`manifest file ${i} is not an object`);
  if (entry.fileid !== fileIdOf(i)) throw new ProtocolError(`manifest file ${i} does not have fileid ${fileIdOf(i)}`);
  const { name, type, sha256, size } = entry;
  if (typeof name !== 'string') throw new ProtocolError(`manifest file ${i} has no name`);
  if (typeof type !== 'string') throw new ProtocolError(`manifest file ${i} has no type`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ProtocolError(`manifest file ${i} has a bad size`);
  let digest: Uint8Array | undefined;
  try {
    digest = typeof sha256 === 'string' ? fromBase64(sha256) : undefined;
  } catch {
    digest = undefined;
  }
  if (typeof sha256 !== 'string' || digest?.length !== 32) throw new ProtocolError(`manifest file ${i} has a bad sha256`);
  return { fileid: fileIdOf(i), name, size, type, sha256 };
}

/** The chunk count of a manifest file cut in `chunkBytes` pieces (the manifest's `chunkSize`). */
export function manifestFileChunks(file: ManifestFile, chunkBytes: number): number {
  return chunkCountOf(file.size, chunkBytes);
}
