import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject } from 'node:crypto';
import type { AesGcmKey, CryptoPort } from '../client';
import { NONCE_BYTES, TAG_BYTES } from '../client/crypto/crypto-port';

/** An AES-256-GCM key used through node:crypto: synchronous, on the caller's buffers, one output buffer per seal. */
function nodeAesGcmKey(key: KeyObject): AesGcmKey {
  return {
    crypto: nodeCryptoPort,
    seal: async (nonce, plaintext, aad) => {
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const out = Buffer.allocUnsafe(NONCE_BYTES + plaintext.length + TAG_BYTES);
      out.set(nonce, 0);
      out.set(cipher.update(plaintext), NONCE_BYTES);
      cipher.final();
      out.set(cipher.getAuthTag(), NONCE_BYTES + plaintext.length);
      return out;
    },
    open: async (sealed, aad) => {
      if (sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
      const tagAt = sealed.length - TAG_BYTES;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.subarray(tagAt));
        const plaintext = decipher.update(sealed.subarray(NONCE_BYTES, tagAt));
        decipher.final();
        return plaintext;
      } catch {
        return undefined;
      }
    },
  };
}

/** node:crypto behind the client's CryptoPort: the same AES-256-GCM and SHA-256 as WebCrypto, without a job and copies per call. */
export const nodeCryptoPort: CryptoPort = {
  importAesGcmKey: async (raw) => nodeAesGcmKey(createSecretKey(raw)),
  sha256: async (bytes) => createHash('sha256').update(bytes).digest(),
};
