import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { toBase64Url } from '../protocol/base64';
import { ChunkPieceAssembler, DIRECT_PIECE_BYTES, encodeChunkPieces, type SealedChunk } from '../client/direct/chunk-pieces';
import { LARGE_CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import { SEAL_OVERHEAD_BYTES } from '../client/crypto/session-crypto';

/**
 * The direct path's binary form of a sealed chunk (client/direct/chunk-pieces.ts): pieces put back
 * together give the same chunk; anything malformed, unknown, oversized or out of sequence is dropped
 * without yielding a chunk, and drops the chunk in the making.
 */
function sealedChunk(bytes: number, fields: Partial<SealedChunk> = {}): SealedChunk {
  const sealed = new Uint8Array(randomBytes(bytes));
  return { fileid: 'f0', chunkid: 3, chunktotal: 10, chunkhash: toBase64Url(createHash('sha256').update(sealed).digest()), sealed, ...fields };
}

/** Every piece of `chunk` (it must have a binary form). */
function piecesOf(chunk: SealedChunk): Uint8Array[] {
  const pieces = encodeChunkPieces(chunk);
  if (!pieces) throw new Error('no binary form');
  return pieces;
}

/** The header's fields, at their offsets for a fileid of `idLength` characters. */
function headerAt(idLength: number) {
  const at = 2 + idLength;
  return { chunkid: at, chunktotal: at + 4, sealedLength: at + 8, offset: at + 12, hash: at + 16, body: at + 48 };
}

describe('direct path chunk pieces', () => {
  it('carries a large sealed chunk in pieces of at most 64 KiB that put together give the same chunk', () => {
    const chunk = sealedChunk(LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES);
    const pieces = piecesOf(chunk);
    expect(pieces).toHaveLength(2);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(DIRECT_PIECE_BYTES);
    const assembler = new ChunkPieceAssembler();
    expect(assembler.take(pieces[0]!)).toBeUndefined();
    const whole = assembler.take(pieces[1]!);
    expect(whole).toEqual({ ...chunk, sealed: chunk.sealed });
    expect(Buffer.from(whole!.sealed).equals(Buffer.from(chunk.sealed))).toBe(true);
    expect(assembler.dropped).toBe(0);
  });

  it('carries a small chunk in one piece, and chunk after chunk with one assembler', () => {
    const assembler = new ChunkPieceAssembler();
    for (let chunkid = 0; chunkid < 3; chunkid++) {
      const chunk = sealedChunk(100 + chunkid, { chunkid, fileid: 'manifest' });
      const pieces = piecesOf(chunk);
      expect(pieces).toHaveLength(1);
      expect(assembler.take(pieces[0]!)).toEqual(chunk);
    }
  });

  it('has no binary form for what its header cannot say: the chunk then goes as a text frame', () => {
    expect(encodeChunkPieces(sealedChunk(100, { chunkhash: 'not a sha-256' }))).toBeUndefined();
    expect(encodeChunkPieces(sealedChunk(100, { fileid: 'é' }))).toBeUndefined();
    expect(encodeChunkPieces(sealedChunk(100, { fileid: 'x'.repeat(65) }))).toBeUndefined();
    expect(encodeChunkPieces(sealedChunk(100, { chunkid: 2 ** 32, chunktotal: 2 ** 32 + 1 }))).toBeUndefined();
    expect(encodeChunkPieces(sealedChunk(LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES + 1))).toBeUndefined();
  });

  it('drops malformed, unknown and oversized messages without a chunk', () => {
    const good = piecesOf(sealedChunk(1000))[0]!;
    const fields = headerAt(2);
    const variants: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['header only, truncated', good.subarray(0, 20)],
      ['header without body', good.subarray(0, fields.body)],
      ['unknown kind', withByte(good, 0, 0x02)],
      ['text-like kind', withByte(good, 0, 0x7b)],
      ['fileid length 0', withByte(good, 1, 0)],
      ['fileid length beyond the message', withByte(good, 1, 200)],
      ['fileid with a character outside the alphabet', withByte(good, 2, 0x2f)],
      ['chunkid not below chunktotal', withUint32(good, fields.chunkid, 10)],
      ['chunktotal 0', withUint32(good, fields.chunktotal, 0)],
      ['sealed length beyond the largest chunk', withUint32(good, fields.sealedLength, LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES + 1)],
      ['sealed length 4 GiB', withUint32(good, fields.sealedLength, 2 ** 32 - 1)],
      ['body beyond the sealed length', withUint32(good, fields.sealedLength, 999)],
      ['offset beyond the sealed length', withUint32(good, fields.offset, 2 ** 32 - 1)],
    ];
    for (const [, message] of variants) {
      const assembler = new ChunkPieceAssembler();
      expect(assembler.take(message)).toBeUndefined();
      expect(assembler.dropped).toBe(1);
    }
  });

  it('drops pieces out of sequence, and the chunk in the making with them', () => {
    const [first, second] = piecesOf(sealedChunk(LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES));
    const [otherFirst, otherSecond] = piecesOf(sealedChunk(LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES, { chunkid: 4 }));
    const fields = headerAt(2);

    // A continuation with no first piece.
    const orphan = new ChunkPieceAssembler();
    expect(orphan.take(second!)).toBeUndefined();
    expect(orphan.dropped).toBe(1);

    // A continuation of another chunk: both dropped, and the real continuation no longer completes anything.
    const mixed = new ChunkPieceAssembler();
    expect(mixed.take(first!)).toBeUndefined();
    expect(mixed.take(otherSecond!)).toBeUndefined();
    expect(mixed.take(second!)).toBeUndefined();
    expect(mixed.dropped).toBe(2);

    // A continuation whose hash, length or offset differs from its first piece's.
    for (const changed of [withByte(second!, fields.hash, second![fields.hash]! ^ 1), withUint32(second!, fields.sealedLength, 96_000), withUint32(second!, fields.offset, 1)]) {
      const assembler = new ChunkPieceAssembler();
      assembler.take(first!);
      expect(assembler.take(changed)).toBeUndefined();
      expect(assembler.dropped).toBe(1);
    }

    // A new first piece replaces an unfinished chunk (the old one counts as dropped), and completes on its own.
    const restarted = new ChunkPieceAssembler();
    restarted.take(first!);
    expect(restarted.take(otherFirst!)).toBeUndefined();
    expect(restarted.take(otherSecond!)?.chunkid).toBe(4);
    expect(restarted.dropped).toBe(1);
  });

  it('never throws on arbitrary bytes, and anything it yields is within bounds', () => {
    const prefix = piecesOf(sealedChunk(200))[0]!.subarray(0, 12);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((tail) => concat(prefix, tail))), { maxLength: 20 }), (messages) => {
        const assembler = new ChunkPieceAssembler();
        for (const message of messages) {
          const chunk = assembler.take(message);
          if (chunk) {
            expect(chunk.chunkid).toBeLessThan(chunk.chunktotal);
            expect(chunk.sealed.length).toBeLessThanOrEqual(LARGE_CHUNK_PLAINTEXT_BYTES + SEAL_OVERHEAD_BYTES);
            expect(chunk.fileid).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
          }
        }
      }),
    );
  });
});

function withByte(message: Uint8Array, at: number, value: number): Uint8Array {
  const copy = message.slice();
  copy[at] = value;
  return copy;
}

function withUint32(message: Uint8Array, at: number, value: number): Uint8Array {
  const copy = message.slice();
  new DataView(copy.buffer).setUint32(at, value);
  return copy;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
