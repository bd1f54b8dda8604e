/**
 * The port through which the client seals, opens and hashes bulk data: WebCrypto by default (any
 * platform); the CLI injects node:crypto, which works synchronously on the caller's buffers instead
 * of queueing a job and copying every input and output.
 */

/** Bytes of an AES-GCM nonce. */
export const NONCE_BYTES = 12;
/** Bytes of an AES-GCM tag. */
export const TAG_BYTES = 16;

/** One AES-256-GCM key, with the platform code that uses it. */
export interface AesGcmKey {
  /** Returns nonce || ciphertext || tag, with `aad` authenticated but not included. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array>;
  /** Opens nonce || ciphertext || tag; undefined when it is too short or the tag or `aad` does not check. */
  open(sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | undefined>;
  /** The port that made the key: chunks sealed under it are hashed by the same platform code. */
  readonly crypto: CryptoPort;
}

/** AES-256-GCM keys and SHA-256 of whole buffers, from one platform library. */
export interface CryptoPort {
  /** Makes a key from 32 raw bytes. */
  importAesGcmKey(raw: Uint8Array): Promise<AesGcmKey>;
  /** SHA-256 of one buffer. */
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
}

/** The platform's WebCrypto, or a clear error outside a secure context. */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto (crypto.subtle) is not available: use a secure context (https or localhost)');
  return s;
}

/** The portable CryptoPort: WebCrypto (browsers, and Node when nothing is injected). */
export const webCryptoPort: CryptoPort = {
  async importAesGcmKey(raw) {
    const key = await subtle().importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
    return {
      crypto: webCryptoPort,
      async seal(nonce, plaintext, aad) {
        const ciphertext = await subtle().encrypt({ name: 'AES-GCM', iv: nonce as BufferSource, additionalData: aad as BufferSource }, key, plaintext as BufferSource);
        const out = new Uint8Array(NONCE_BYTES + ciphertext.byteLength);
        out.set(nonce, 0);
        out.set(new Uint8Array(ciphertext), NONCE_BYTES);
        return out;
      },
      async open(sealed, aad) {
        if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
        try {
          const plaintext = await subtle().decrypt(
            { name: 'AES-GCM', iv: sealed.subarray(0, NONCE_BYTES) as BufferSource, additionalData: aad as BufferSource },
            key,
            sealed.subarray(NONCE_BYTES) as BufferSource,
          );
          return new Uint8Array(plaintext);
        } catch {
          return undefined;
        }
      },
    };
  },
  async sha256(bytes) {
    return new Uint8Array(await subtle().digest('SHA-256', bytes as BufferSource));
  },
};
