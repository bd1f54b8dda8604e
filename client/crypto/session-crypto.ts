import { toBase64Url } from '../../protocol/base64';
import { type AesGcmKey, type CryptoPort, NONCE_BYTES, subtle, TAG_BYTES, webCryptoPort } from './crypto-port';

/** Everything derived from a pairing link's secret; the secret itself never leaves the two devices. */
export interface SessionKeys {
  /** AES-256-GCM key for what the sender encrypts (chunks, manifest, its control messages). */
  readonly senderKey: AesGcmKey;
  /** AES-256-GCM key for what the receiver encrypts (its control messages). */
  readonly receiverKey: AesGcmKey;
  /** The pairing hash both sides register with the relay: base64url(SHA-256("banguins-qrhash-v1" || secret)). */
  readonly qrhash: string;
}

/** Bytes of the random secret in a link (256 bits). */
export const SECRET_BYTES = 32;
/** What sealing adds to a plaintext: the nonce and the tag. */
export const SEAL_OVERHEAD_BYTES = NONCE_BYTES + TAG_BYTES;

const encoder = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Fresh random bytes from the platform's CSPRNG. */
export function randomBytes(length: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(length));
}

/** SHA-256 of a whole buffer (WebCrypto). */
export const sha256 = webCryptoPort.sha256;

/**
 * Derives the two AES keys (HKDF-SHA-256, one per direction) and the qrhash from a link's secret;
 * `crypto` (WebCrypto by default) is the code the keys then seal and open with.
 */
export async function deriveSessionKeys(secret: Uint8Array, crypto: CryptoPort = webCryptoPort): Promise<SessionKeys> {
  const master = await subtle().importKey('raw', secret as BufferSource, 'HKDF', false, ['deriveBits']);
  // 256 bits of HKDF output are exactly the key WebCrypto's deriveKey would make for AES-GCM-256.
  const derive = async (info: string) =>
    crypto.importAesGcmKey(
      new Uint8Array(
        await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('banguins-v1') as BufferSource, info: encoder.encode(info) as BufferSource }, master, 256),
      ),
    );
  const [senderKey, receiverKey, qrhashBytes] = await Promise.all([
    derive('banguins-v1 sender->receiver'),
    derive('banguins-v1 receiver->sender'),
    sha256(concat(encoder.encode('banguins-qrhash-v1'), secret)),
  ]);
  return { senderKey, receiverKey, qrhash: toBase64Url(qrhashBytes) };
}

/**
 * Encrypts with AES-256-GCM under one key, never repeating a nonce: a nonce is a random 4-byte
 * prefix chosen per Sealer and an 8-byte counter bumped on every seal, so a resent chunk gets a
 * fresh nonce even if the bytes under it changed.
 */
export class Sealer {
  private readonly prefix = randomBytes(4);
  private counter = 0;

  constructor(readonly key: AesGcmKey) {}

  /** Returns nonce || ciphertext || tag, with `aad` authenticated but not sent. */
  seal(plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    const nonce = new Uint8Array(NONCE_BYTES);
    nonce.set(this.prefix, 0);
    const view = new DataView(nonce.buffer);
    const n = this.counter++;
    view.setUint32(4, Math.floor(n / 2 ** 32));
    view.setUint32(8, n >>> 0);
    return this.key.seal(nonce, plaintext, aad);
  }
}

/** Decrypts nonce || ciphertext || tag; returns undefined when the tag or the aad does not check. */
export function openSealed(key: AesGcmKey, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined> {
  // Each port's open refuses a buffer too short for a nonce and a tag.
  return key.open(sealed, aad);
}

/** The associated data binding a chunk to its stream and place, so the relay cannot move or mix chunks. */
export function chunkAad(fileid: string, chunkid: number, chunktotal: number): Uint8Array {
  return encoder.encode(`banguins-v1 chunk ${fileid} ${chunkid} ${chunktotal}`);
}

/** The associated data of control messages (carried in Request frames). */
export const CONTROL_AAD = encoder.encode('banguins-v1 control');

/** Constant-time-ish equality of two byte arrays (the values compared are not secret, but be tidy). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
