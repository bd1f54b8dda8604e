import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { nodeCryptoPort } from '../cli/node-crypto';
import { webCryptoPort } from '../client/crypto/crypto-port';
import { chunkAad, deriveSessionKeys, openSealed, randomBytes, Sealer } from '../client/crypto/session-crypto';

const encoder = new TextEncoder();

/** The keys as every earlier version derived them: WebCrypto's deriveKey straight to AES-GCM. */
async function deriveKeyTheOldWay(secret: Uint8Array, info: string): Promise<CryptoKey> {
  const master = await crypto.subtle.importKey('raw', secret as BufferSource, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('banguins-v1'), info: encoder.encode(info) },
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

describe('node:crypto behind the CryptoPort (the CLI) and WebCrypto (the page)', () => {
  it('seal what the other opens, in both directions, under keys derived from one secret', async () => {
    const secret = randomBytes(32);
    const [node, web] = await Promise.all([deriveSessionKeys(secret, nodeCryptoPort), deriveSessionKeys(secret, webCryptoPort)]);
    expect(node.qrhash).toBe(web.qrhash);
    const plaintext = nodeRandomBytes(98_304);
    const aad = chunkAad('f0', 7, 9);
    expect(Buffer.from((await openSealed(web.senderKey, await new Sealer(node.senderKey).seal(plaintext, aad), aad))!)).toEqual(plaintext);
    expect(Buffer.from((await openSealed(node.senderKey, await new Sealer(web.senderKey).seal(plaintext, aad), aad))!)).toEqual(plaintext);
    expect(Buffer.from((await openSealed(web.receiverKey, await new Sealer(node.receiverKey).seal(plaintext, aad), aad))!)).toEqual(plaintext);
  });

  it('makes exactly the bytes an earlier version (deriveKey, WebCrypto encrypt) makes and opens', async () => {
    const secret = randomBytes(32);
    const node = await deriveSessionKeys(secret, nodeCryptoPort);
    const old = await deriveKeyTheOldWay(secret, 'banguins-v1 sender->receiver');
    const nonce = randomBytes(12);
    const plaintext = nodeRandomBytes(1000);
    const aad = chunkAad('f1', 0, 1);
    const sealed = await node.senderKey.seal(nonce, plaintext, aad);
    const oldCiphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce as BufferSource, additionalData: aad as BufferSource }, old, plaintext));
    expect(Buffer.from(sealed)).toEqual(Buffer.concat([nonce, oldCiphertext]));
    expect(Buffer.from((await node.senderKey.open(sealed, aad))!)).toEqual(plaintext);
  });

  it('refuses a flipped bit anywhere, a moved chunk, the other direction key and a short input', async () => {
    const keys = await deriveSessionKeys(randomBytes(32), nodeCryptoPort);
    const aad = chunkAad('f0', 3, 9);
    const sealed = await new Sealer(keys.senderKey).seal(new Uint8Array(100), aad);
    for (const at of [0, 11, 12, 60, sealed.length - 16, sealed.length - 1]) {
      const tampered = Uint8Array.from(sealed);
      tampered[at] = tampered[at]! ^ 1;
      expect(await openSealed(keys.senderKey, tampered, aad)).toBeUndefined();
    }
    expect(await openSealed(keys.senderKey, sealed, chunkAad('f0', 4, 9))).toBeUndefined();
    expect(await openSealed(keys.receiverKey, sealed, aad)).toBeUndefined();
    expect(await keys.senderKey.open(sealed.subarray(0, 27), aad)).toBeUndefined();
  });

  it('hashes as SHA-256 does', async () => {
    const bytes = nodeRandomBytes(70_000);
    const expected = createHash('sha256').update(bytes).digest();
    expect(Buffer.from(await nodeCryptoPort.sha256(bytes))).toEqual(expected);
    expect(Buffer.from(await webCryptoPort.sha256(bytes))).toEqual(expected);
  });
});
