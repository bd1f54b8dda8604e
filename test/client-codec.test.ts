import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import fc from 'fast-check';
import { fromBase64, toBase64, toBase64Url } from '../protocol/base64';
import { BadLinkError } from '../client/errors';
import { formatPairingLink, parsePairingLink, defaultPageUrl } from '../client/crypto/pairing-link';
import { CHUNK_PLAINTEXT_BYTES, chunkCountOf } from '../client/streams/chunking';
import { MAX_FRAME_BYTES } from '../protocol/limits';
import { chunkAad, deriveSessionKeys, openSealed, randomBytes, Sealer, sha256 } from '../client/crypto/session-crypto';
import { Sha256 } from '../client/crypto/sha256';
import { sealedTransferFrame, transferFrame } from '../client/transport/wire-frames';
import { openChunk } from '../client/streams/stream-receiver';
import { decodeManifest, encodeManifest } from '../client/streams/manifest';
import { frameJson, frameJsonBytes } from '../protocol/frame-json';

describe('base64', () => {
  it('round-trips any bytes, in both alphabets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromBase64(toBase64(bytes))).toEqual(bytes);
        expect(fromBase64(toBase64Url(bytes))).toEqual(bytes);
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects characters outside the alphabet', () => {
    expect(() => fromBase64('ab$d')).toThrow(/invalid base64/);
  });
});

describe('base64 decoding of long text (the canonical fast path and the strict one)', () => {
  const bytes = nodeRandomBytes(3000);
  const canonical = Buffer.from(bytes).toString('base64');

  it('decodes canonical, unpadded and base64url text of a chunk to the same bytes', () => {
    expect(Buffer.from(fromBase64(canonical))).toEqual(bytes);
    expect(Buffer.from(fromBase64(canonical.replace(/=+$/, '')))).toEqual(bytes);
    expect(Buffer.from(fromBase64(Buffer.from(bytes).toString('base64url')))).toEqual(bytes);
  });

  it('still rejects a character outside the alphabet anywhere in a long text', () => {
    for (const bad of ['$', '"', ' ', '\n', 'é']) {
      expect(() => fromBase64(`${canonical.slice(0, 1000)}${bad}${canonical.slice(1001)}`)).toThrow(/invalid base64/);
    }
  });
});

describe('frameJson', () => {
  const longBase64 = Buffer.from(nodeRandomBytes(6001)).toString('base64');
  const jsonValue = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer()));

  it('gives the same JSON value as JSON.stringify for any message, data or no data', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string(), jsonValue),
        fc.option(fc.oneof(fc.constant(longBase64), fc.string({ unit: 'binary', minLength: 1024, maxLength: 1100 }), fc.string())),
        (action, fields, data) => {
          const message = data === null ? fields : { ...fields, data };
          expect(JSON.parse(frameJson(action, message))).toEqual(JSON.parse(JSON.stringify({ action, message })));
          // The relay posts the same text as UTF-8 bytes, written part by part.
          expect(Buffer.from(frameJsonBytes(action, message)).toString('utf8')).toBe(frameJson(action, message));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('copies a long canonical base64 data in whole, last, after the other fields', () => {
    const text = frameJson('Transfer', { connectionid: 'B', data: longBase64, chunkid: 3, skipped: undefined });
    expect(text).toBe(`{"action":"Transfer","message":{"connectionid":"B","chunkid":3,"data":"${longBase64}"}}`);
    expect(frameJson('Transfer', { data: longBase64 })).toBe(`{"action":"Transfer","message":{"data":"${longBase64}"}}`);
    expect(Buffer.from(frameJsonBytes('Transfer', { connectionid: 'é', data: longBase64 })).toString('utf8')).toBe(`{"action":"Transfer","message":{"connectionid":"é","data":"${longBase64}"}}`);
  });

  it('copies any long data of base64 characters only (canonical or not: the receiver checks the bytes)', () => {
    const unpadded = longBase64.replace(/=+$/, 'A');
    expect(frameJson('Transfer', { data: unpadded })).toBe(`{"action":"Transfer","message":{"data":"${unpadded}"}}`);
  });

  it('leaves any other data to JSON.stringify: a character to escape, or short data', () => {
    for (const data of [`${longBase64}"`, `${longBase64.slice(0, 2000)}\\${longBase64.slice(2000)}`, `${longBase64.slice(0, 2000)}\n${longBase64.slice(2000)}`, `${longBase64}\u2028`, 'QUJD']) {
      const message = { connectionid: 'B', data, chunkid: 3 };
      expect(frameJson('Transfer', message)).toBe(JSON.stringify({ action: 'Transfer', message }));
    }
  });
});

describe('Sha256 (incremental, portable)', () => {
  it('matches Node for any input split into any pieces', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 8 }), (pieces) => {
        const hasher = new Sha256();
        for (const piece of pieces) hasher.update(piece);
        const expected = createHash('sha256').update(Buffer.concat(pieces)).digest();
        expect(Buffer.from(hasher.digest())).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Transfer frame size', () => {
  it('stays within 32 KB for a full chunk with the longest ids and numbers', async () => {
    // GIVEN the largest chunk sealed the way the sender seals it
    const keys = await deriveSessionKeys(randomBytes(32));
    const sealed = await new Sealer(keys.senderKey).seal(nodeRandomBytes(CHUNK_PLAINTEXT_BYTES), chunkAad('x', 0, 1));
    // WHEN it is framed with a 128-character connection id, a 64-character fileid and 10-digit numbers
    const frame = transferFrame({
      connectionid: 'c'.repeat(128),
      data: toBase64(sealed),
      chunkid: 4_294_967_294,
      chunktotal: 4_294_967_295,
      chunkhash: toBase64Url(await sha256(sealed)),
      fileid: 'f'.repeat(64),
    });
    // THEN the serialized frame is within API Gateway's frame limit
    expect(Buffer.byteLength(frame, 'utf8')).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(Buffer.byteLength(frame, 'utf8')).toBeGreaterThan(MAX_FRAME_BYTES - 1024);
  });

  it('writes a sealed chunk of ours as JSON.stringify would (its base64 spliced in unchecked), and the receiver opens it', async () => {
    const keys = await deriveSessionKeys(randomBytes(32));
    const sealed = await new Sealer(keys.senderKey).seal(nodeRandomBytes(CHUNK_PLAINTEXT_BYTES), chunkAad('f0', 3, 9));
    const message = { connectionid: 'B=', chunkid: 3, chunktotal: 9, chunkhash: toBase64Url(await sha256(sealed)), fileid: 'f0' };
    const frame = sealedTransferFrame({ ...message, sealed });
    expect(JSON.parse(frame)).toEqual({ action: 'Transfer', message: { ...message, data: toBase64(sealed) } });
    const parsed = JSON.parse(frame) as { message: { data: string } };
    expect(await openChunk(keys.senderKey, 'f0', 9, { ...message, data: parsed.message.data })).toHaveLength(CHUNK_PLAINTEXT_BYTES);
    // Base64 with junk inside decodes (leniently) to bytes that fail the chunk's hash: refused, not opened.
    const junk = `${parsed.message.data.slice(0, 100)}!*${parsed.message.data.slice(102)}`;
    expect(await openChunk(keys.senderKey, 'f0', 9, { ...message, data: junk })).toBeUndefined();
  });

  it('counts one chunk for an empty stream and splits exactly at the chunk size', () => {
    expect(chunkCountOf(0, CHUNK_PLAINTEXT_BYTES)).toBe(1);
    expect(chunkCountOf(CHUNK_PLAINTEXT_BYTES, CHUNK_PLAINTEXT_BYTES)).toBe(1);
    expect(chunkCountOf(CHUNK_PLAINTEXT_BYTES + 1, CHUNK_PLAINTEXT_BYTES)).toBe(2);
  });
});

describe('session crypto', () => {
  it('derives the same keys and qrhash on both sides, and a different qrhash for another secret', async () => {
    const secret = randomBytes(32);
    const [a, b, other] = await Promise.all([deriveSessionKeys(secret), deriveSessionKeys(secret), deriveSessionKeys(randomBytes(32))]);
    expect(a.qrhash).toBe(b.qrhash);
    expect(a.qrhash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(other.qrhash).not.toBe(a.qrhash);
    const sealed = await new Sealer(a.senderKey).seal(new Uint8Array([1, 2, 3]), chunkAad('f0', 0, 1));
    expect(await openSealed(b.senderKey, sealed, chunkAad('f0', 0, 1))).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses a tampered chunk, a moved chunk and the wrong direction key', async () => {
    const keys = await deriveSessionKeys(randomBytes(32));
    const sealed = await new Sealer(keys.senderKey).seal(new Uint8Array(100), chunkAad('f0', 3, 9));
    const tampered = sealed.slice();
    tampered[20] = tampered[20]! ^ 1;
    expect(await openSealed(keys.senderKey, tampered, chunkAad('f0', 3, 9))).toBeUndefined();
    expect(await openSealed(keys.senderKey, sealed, chunkAad('f0', 4, 9))).toBeUndefined();
    expect(await openSealed(keys.receiverKey, sealed, chunkAad('f0', 3, 9))).toBeUndefined();
  });

  it('never repeats a nonce, even when the same bytes are sealed again', async () => {
    const keys = await deriveSessionKeys(randomBytes(32));
    const sealer = new Sealer(keys.senderKey);
    const nonces = new Set<string>();
    for (let i = 0; i < 200; i++) nonces.add(toBase64((await sealer.seal(new Uint8Array(8), chunkAad('f0', 0, 1))).subarray(0, 12)));
    expect(nonces.size).toBe(200);
  });
});

describe('pairing link', () => {
  it('round-trips relay, id and secret through the URL fragment', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (id, secret) => {
        const text = formatPairingLink('https://d111.cloudfront.net/', { relayUrl: 'wss://x.example/dev', senderId: id, secret });
        expect(text.startsWith('https://d111.cloudfront.net/#')).toBe(true);
        expect(parsePairingLink(text)).toEqual({ relayUrl: 'wss://x.example/dev', senderId: id, secret });
      }),
      { numRuns: 100 },
    );
  });

  it('derives the page URL from the relay URL', () => {
    expect(defaultPageUrl('ws://127.0.0.1:3001')).toBe('http://127.0.0.1:3001/');
    expect(defaultPageUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/dev')).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/');
  });

  it.each([
    ['http://h/', /lacks relay, id or key/],
    ['http://h/#relay=ws%3A%2F%2Fh&id=a&key=abc', /key has 2 bytes/],
    [`http://h/#relay=http%3A%2F%2Fh&id=a&key=${'A'.repeat(43)}`, /not a ws/],
    [`http://h/#v=2&relay=ws%3A%2F%2Fh&id=a&key=${'A'.repeat(43)}`, /version 2/],
  ])('rejects %s with a BadLinkError', (text, message) => {
    expect(() => parsePairingLink(text)).toThrow(BadLinkError);
    expect(() => parsePairingLink(text)).toThrow(message);
  });
});

describe('manifest', () => {
  it('round-trips names, sizes, types and hashes, and refuses a wrong version', () => {
    const bytes = encodeManifest([{ name: 'a b.txt', size: 5, type: 'text/plain', sha256: new Uint8Array(32).fill(7) }], { chunkBytes: CHUNK_PLAINTEXT_BYTES });
    expect(decodeManifest(bytes).files).toEqual([
      { fileid: 'f0', name: 'a b.txt', size: 5, type: 'text/plain', sha256: toBase64Url(new Uint8Array(32).fill(7)) },
    ]);
    expect(() => decodeManifest(new TextEncoder().encode('{"v":2}'))).toThrow(/version 1/);
  });
});
