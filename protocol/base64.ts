/** Base64 and base64url without Node's Buffer, so the client runs in browsers too. */

// Node's Buffer is several times faster; used when present.
import { nodeBuffer } from './node-buffer';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;
LOOKUP['-'.charCodeAt(0)] = 62;
LOOKUP['_'.charCodeAt(0)] = 63;

/**
 * The browsers' own base64 (`Uint8Array.fromBase64`, `Uint8Array.prototype.toBase64`: Chromium 140,
 * Firefox 133, Safari 18.2), some 20 times quicker than the loops below: on a page's direct path the
 * loops were a tenth of each side's time (bench/browser-direct.ts).
 */
const nativeFromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
const nativeToBase64 = (Uint8Array.prototype as { toBase64?: (this: Uint8Array) => string }).toBase64;
const nativeBase64 = !nodeBuffer && nativeFromBase64 && nativeToBase64 ? { from: nativeFromBase64, to: nativeToBase64 } : undefined;

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  if (nativeBase64) return nativeBase64.to.call(bytes);
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += `${ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!}==`;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += `${ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!}=`;
  }
  return out;
}

/** Base64url without padding (RFC 4648 section 5), for hashes, keys and ids in links. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `text` without its trailing "=" padding (a loop: a `/=+$/` regex crawls a 128 KB chunk). */
function withoutPadding(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * Decodes `text` when it is base64 exactly as Node writes it (standard alphabet, padded, no
 * other character): decoded once and compared with its own re-encoding, several times quicker
 * than a character regex over a 128 KB chunk (the browsers' own decoder skips spaces: the
 * comparison refuses them). Undefined otherwise, and always in a browser without its own base64.
 */
function decodeCanonicalBase64(text: string): Uint8Array | undefined {
  if (nodeBuffer) {
    const decoded = nodeBuffer.from(text, 'base64');
    return decoded.toString('base64') === text ? decoded : undefined;
  }
  if (!nativeBase64) return undefined;
  let decoded: Uint8Array;
  try {
    decoded = nativeBase64.from(text);
  } catch {
    return undefined;
  }
  return nativeBase64.to.call(decoded) === text ? decoded : undefined;
}

/**
 * Decodes base64 without checking it is written canonically, for bytes that are verified right
 * after (a chunk's SHA-256 and AES-GCM tag): Node's decoder skips characters outside the alphabet,
 * and the browsers' own one skips spaces, so a text with junk decodes to bytes that then fail their
 * check (or throws), and a check of the text itself (a decode and a re-encode) would only double the
 * work: in a page receiving from the CLI it was the largest item of the page's own code after the
 * file's hash. Elsewhere: fromBase64.
 */
export function fromBase64ThenVerify(text: string): Uint8Array {
  if (nodeBuffer) {
    const decoded = nodeBuffer.from(text, 'base64');
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  }
  if (nativeBase64) return nativeBase64.from(text);
  return fromBase64(text);
}

/** Decodes base64 or base64url (padding optional); throws on any other character. */
export function fromBase64(text: string): Uint8Array {
  const canonical = decodeCanonicalBase64(text);
  if (canonical) return new Uint8Array(canonical.buffer, canonical.byteOffset, canonical.byteLength);
  const clean = withoutPadding(text);
  if (clean.length % 4 === 1) throw new Error('invalid base64 length');
  if (nodeBuffer) {
    if (!/^[A-Za-z0-9+/_-]*$/.test(clean)) throw new Error('invalid base64 character');
    const decoded = nodeBuffer.from(clean, 'base64');
    return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  }
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const value = code < 128 ? LOOKUP[code]! : -1;
    if (value < 0) throw new Error('invalid base64 character');
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}
