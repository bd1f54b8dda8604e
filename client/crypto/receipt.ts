import { toBase64Url } from '../../protocol/base64';
import { sha256 } from './session-crypto';

const PREFIX = new TextEncoder().encode('banguins-v1 receipt');

/**
 * The digest a receipt carries for the first `sha256s.length` files: SHA-256 of a fixed prefix and
 * the files' SHA-256s in manifest order. The receiver computes it from the hashes of the bytes it
 * wrote, the sender from the hashes of the files it read; equal digests mean every one of those
 * files arrived as sent.
 */
export async function receiptDigest(sha256s: readonly Uint8Array[]): Promise<string> {
  const input = new Uint8Array(PREFIX.length + 32 * sha256s.length);
  input.set(PREFIX, 0);
  sha256s.forEach((digest, i) => input.set(digest, PREFIX.length + 32 * i));
  return toBase64Url(await sha256(input));
}
