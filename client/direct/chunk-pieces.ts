import { fromBase64, toBase64Url } from '../../protocol/base64';
import { MAX_FILEID_LENGTH } from '../../protocol/limits';
import { MAX_CHUNK_PLAINTEXT_BYTES } from '../streams/chunking';
import { SEAL_OVERHEAD_BYTES } from '../crypto/session-crypto';

/**
 * The binary form of a Transfer over the direct path (docs/protocol-client.md section 6): the same
 * sealed chunk and chunk hash as a relay Transfer, in one or more binary data channel messages
 * ("pieces") of at most DIRECT_PIECE_BYTES, each with a small header, instead of one base64 JSON
 * text frame. A piece is:
 *
 * | bytes | field |
 * | --- | --- |
 * | 1 | kind: 0x01 (a piece of a sealed chunk) |
 * | 1 | fileid length n (1 to 64) |
 * | n | fileid (ASCII letters, digits, ".", "_", "-") |
 * | 4 | chunkid (unsigned, big-endian) |
 * | 4 | chunktotal (unsigned, big-endian, above chunkid) |
 * | 4 | the sealed chunk's length (at most MAX_SEALED_CHUNK_BYTES) |
 * | 4 | this piece's offset in the sealed chunk |
 * | 32 | chunkhash: SHA-256 of the sealed chunk |
 * | rest | the sealed bytes from offset (at least one, unless the chunk is empty) |
 *
 * Pieces of one chunk go back to back, offsets in order, on the ordered reliable channel. Everything
 * is untrusted: a piece that breaks any rule is dropped with any partial chunk; a whole chunk is then
 * checked like a relay Transfer (schema, chunk hash, AES-GCM tag).
 */

/** The first byte of a piece. */
const PIECE_KIND = 0x01;

/** Bytes of the piece header besides the fileid. */
const FIXED_HEADER_BYTES = 1 + 1 + 4 * 4 + 32;

/**
 * The largest data channel message the direct path sends: 64 KiB, what every WebRTC peer takes (the
 * SDP's max-message-size defaults to it when absent), so a 96 KB chunk goes as two pieces. Messages of
 * 48 KB, 94 KB and 188 KB moved alike between two @roamhq/wrtc processes (about 50 MB/s).
 */
export const DIRECT_PIECE_BYTES = 64 * 1024;

/** The longest sealed chunk a piece may announce: the largest chunk plus its nonce and tag. */
const MAX_SEALED_CHUNK_BYTES = MAX_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES;

const UINT32_LIMIT = 2 ** 32;
const FILEID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** One sealed chunk as it travels: where it belongs, its hash (base64url of SHA-256), and the sealed bytes. */
export interface SealedChunk {
  readonly fileid: string;
  readonly chunkid: number;
  readonly chunktotal: number;
  /** base64url of the sealed bytes' SHA-256, as in a Transfer frame. */
  readonly chunkhash: string;
  readonly sealed: Uint8Array;
}

/**
 * The pieces that carry `chunk` over the data channel, or undefined when it has no binary form (a
 * fileid or a number out of the header's range, a hash that is not a SHA-256): it then goes as a text frame.
 */
export function encodeChunkPieces(chunk: SealedChunk): Uint8Array[] | undefined {
  const { fileid, chunkid, chunktotal, sealed } = chunk;
  if (fileid.length < 1 || fileid.length > MAX_FILEID_LENGTH || !FILEID_PATTERN.test(fileid)) return undefined;
  if (!(chunkid >= 0 && chunkid < chunktotal && chunktotal < UINT32_LIMIT) || sealed.length > MAX_SEALED_CHUNK_BYTES) return undefined;
  let hash: Uint8Array;
  try {
    hash = fromBase64(chunk.chunkhash);
  } catch {
    return undefined;
  }
  if (hash.length !== 32) return undefined;
  const headerBytes = FIXED_HEADER_BYTES + fileid.length;
  const room = DIRECT_PIECE_BYTES - headerBytes;
  const count = Math.max(1, Math.ceil(sealed.length / room));
  // Equal pieces (a 96 KB chunk: two of 48 KB) rather than a full one and a scrap.
  const pieceBytes = Math.ceil(sealed.length / count);
  const pieces: Uint8Array[] = [];
  for (let offset = 0, index = 0; index < count; index++, offset += pieceBytes) {
    const body = sealed.subarray(offset, Math.min(offset + pieceBytes, sealed.length));
    const piece = new Uint8Array(headerBytes + body.length);
    const view = new DataView(piece.buffer);
    piece[0] = PIECE_KIND;
    piece[1] = fileid.length;
    for (let i = 0; i < fileid.length; i++) piece[2 + i] = fileid.charCodeAt(i);
    let at = 2 + fileid.length;
    view.setUint32(at, chunkid);
    view.setUint32(at + 4, chunktotal);
    view.setUint32(at + 8, sealed.length);
    view.setUint32(at + 12, offset);
    at += 16;
    piece.set(hash, at);
    piece.set(body, at + 32);
    pieces.push(piece);
  }
  return pieces;
}

/** A piece's header and body, read from an untrusted message. */
interface Piece {
  readonly fileid: string;
  readonly chunkid: number;
  readonly chunktotal: number;
  readonly sealedLength: number;
  readonly offset: number;
  readonly hash: Uint8Array;
  readonly body: Uint8Array;
}

/** Reads one piece; undefined when the message is not a well-formed piece. */
function readPiece(message: Uint8Array): Piece | undefined {
  if (message.length < FIXED_HEADER_BYTES + 1 || message[0] !== PIECE_KIND) return undefined;
  const idLength = message[1]!;
  if (idLength < 1 || idLength > MAX_FILEID_LENGTH || message.length < FIXED_HEADER_BYTES + idLength) return undefined;
  const fileid = String.fromCharCode(...message.subarray(2, 2 + idLength));
  if (!FILEID_PATTERN.test(fileid)) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const at = 2 + idLength;
  const chunkid = view.getUint32(at);
  const chunktotal = view.getUint32(at + 4);
  const sealedLength = view.getUint32(at + 8);
  const offset = view.getUint32(at + 12);
  const hash = message.subarray(at + 16, at + 48);
  const body = message.subarray(at + 48);
  if (chunkid >= chunktotal || sealedLength > MAX_SEALED_CHUNK_BYTES || offset + body.length > sealedLength) return undefined;
  // Only an empty chunk has an empty piece.
  if (body.length === 0 && sealedLength !== 0) return undefined;
  return { fileid, chunkid, chunktotal, sealedLength, offset, hash, body };
}

/** Whether `piece` continues the chunk `partial` holds, at the byte after what it holds. */
function continues(partial: Partial, piece: Piece): boolean {
  const { first } = partial;
  if (piece.fileid !== first.fileid || piece.chunkid !== first.chunkid || piece.chunktotal !== first.chunktotal) return false;
  if (piece.sealedLength !== first.sealedLength || piece.offset !== partial.filled) return false;
  for (let i = 0; i < 32; i++) if (piece.hash[i] !== first.hash[i]) return false;
  return true;
}

interface Partial {
  readonly first: Piece;
  readonly sealed: Uint8Array;
  filled: number;
}

/**
 * Puts a data channel's pieces back together into sealed chunks. It holds at most one chunk in the
 * making (bounded by MAX_SEALED_CHUNK_BYTES); a piece that does not continue it, or is malformed,
 * drops it. One per channel: a new channel starts with none.
 */
export class ChunkPieceAssembler {
  private partial?: Partial;
  /** Messages dropped: malformed, unknown, or out of sequence. */
  dropped = 0;

  /** Takes one binary message; returns the sealed chunk it completes, if any. */
  take(message: Uint8Array): SealedChunk | undefined {
    const piece = readPiece(message);
    if (!piece) return this.drop();
    let partial = this.partial;
    if (piece.offset === 0) {
      if (partial) this.dropped++;
      partial = { first: piece, sealed: new Uint8Array(piece.sealedLength), filled: 0 };
    } else if (!partial || !continues(partial, piece)) {
      return this.drop();
    }
    partial.sealed.set(piece.body, partial.filled);
    partial.filled += piece.body.length;
    if (partial.filled < piece.sealedLength) {
      this.partial = partial;
      return undefined;
    }
    this.partial = undefined;
    const { fileid, chunkid, chunktotal, hash } = partial.first;
    return { fileid, chunkid, chunktotal, chunkhash: toBase64Url(hash), sealed: partial.sealed };
  }

  private drop(): undefined {
    this.dropped++;
    this.partial = undefined;
    return undefined;
  }
}
