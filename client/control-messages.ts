import { fromBase64, toBase64Url } from './base64';
import { CONTROL_AAD, openSealed, type Sealer } from './session-crypto';

/**
 * Control messages travel encrypted in a Request frame's `message` field (base64url of nonce ||
 * ciphertext || tag). Only a holder of the link's secret can write or read them.
 */
export type ControlMessage =
  /** "I am the peer of this session": sent when pairing and after every reconnection; `reply` marks the answer to one. */
  | { readonly t: 'hello'; readonly role: 'sender' | 'receiver'; readonly session: string; readonly reply: boolean }
  /** The transfer stops; `reason` is one line for a person. */
  | { readonly t: 'cancel'; readonly reason: string }
  /** The sender saw the last success ack; the receiver may leave. */
  | { readonly t: 'bye' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encrypts a control message for a Request frame's `message`. */
export async function sealControl(sealer: Sealer, message: ControlMessage): Promise<string> {
  return toBase64Url(await sealer.seal(encoder.encode(JSON.stringify(message)), CONTROL_AAD));
}

/** Decrypts and checks a control message; undefined for anything not sealed with `key` or malformed. */
export async function openControl(key: CryptoKey, text: string | undefined): Promise<ControlMessage | undefined> {
  if (!text) return undefined;
  let sealed: Uint8Array;
  try {
    sealed = fromBase64(text);
  } catch {
    return undefined;
  }
  const plaintext = await openSealed(key, sealed, CONTROL_AAD);
  if (!plaintext) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(plaintext));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.t === 'hello' && (m.role === 'sender' || m.role === 'receiver') && typeof m.session === 'string') {
    return { t: 'hello', role: m.role, session: m.session, reply: m.reply === true };
  }
  if (m.t === 'cancel') return { t: 'cancel', reason: typeof m.reason === 'string' ? m.reason.slice(0, 300) : 'cancelled' };
  if (m.t === 'bye') return { t: 'bye' };
  return undefined;
}
