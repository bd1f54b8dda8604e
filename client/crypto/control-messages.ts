import { fromBase64, toBase64Url } from '../../protocol/base64';
import { CONTROL_AAD, openSealed, type Sealer } from './session-crypto';
import type { AesGcmKey } from './crypto-port';

/**
 * Control messages travel encrypted in a Request frame's `message` field (base64url of nonce ||
 * ciphertext || tag). Only a holder of the link's secret can write or read them.
 */
export type ControlMessage =
  /**
   * "I am the peer of this session": sent when pairing and after every reconnection; `reply` marks
   * the answer to one. `session` (the side's random session id) travels only to a connection
   * already proven to be the peer, or to the link's sender; `proof` (client/crypto/peer-proof.ts) binds a
   * hello to the connection it comes from, so a hello seen by someone else proves nothing there.
   */
  | {
      readonly t: 'hello';
      readonly role: 'sender' | 'receiver';
      readonly reply: boolean;
      readonly session?: string;
      readonly proof?: string;
      /** This side can open a direct WebRTC path: only then does the sender offer one (a page without it would wait out the offer). */
      readonly direct?: boolean;
    }
  /**
   * The transfer stops; `reason` is one line for a person; `code` says why when a program must know.
   * With `code: 'damaged'`, `file` is the index (in the manifest) of the file the receiver refused
   * because its bytes did not match the SHA-256 or size announced: the sender names it by its own name.
   */
  | { readonly t: 'cancel'; readonly reason: string; readonly code?: CancelCode; readonly file?: number }
  /** The sender saw the last success ack and every file's receipt; the receiver may leave. */
  | { readonly t: 'bye' }
  /**
   * The receiver wrote the first `files` files whole: `digest` is receiptDigest() of their SHA-256s
   * as it computed them from the bytes it wrote. Cumulative: a later receipt covers a lost one.
   */
  | { readonly t: 'receipt'; readonly files: number; readonly digest: string }
  /** WebRTC signalling for a direct path (docs/protocol-client.md section 6): sealed, so the relay cannot put itself in the middle. */
  | RtcSignal;

/**
 * One WebRTC signalling step for the direct path: the sender's offer, the receiver's answer, or one
 * ICE candidate of either side. `attempt` numbers the sender's offers in a session, so steps of an
 * earlier attempt are told apart and ignored. The SDP carries the DTLS fingerprint: sealed, a relay
 * can neither read the addresses nor swap the fingerprint for its own.
 */
export type RtcSignal =
  | { readonly t: 'rtc'; readonly kind: 'offer' | 'answer'; readonly attempt: number; readonly sdp: string }
  | {
      readonly t: 'rtc';
      readonly kind: 'candidate';
      readonly attempt: number;
      readonly candidate: string;
      readonly sdpMid?: string;
      readonly sdpMLineIndex?: number;
    };

/** Why a peer cancelled, for the cases a program tells apart. */
export type CancelCode =
  /** The sender is already sending to another receiver (the link is in use by another device). */
  | 'in-use'
  /** The receiver refused a file that arrived damaged (its SHA-256 or size is not the one announced); `file` says which. */
  | 'damaged';

/** The longest session id, proof or digest a control message may carry. */
const MAX_TOKEN_CHARS = 64;
/** The longest cancel reason kept. */
const MAX_REASON_CHARS = 300;
/** The most files a receipt may name (the most a manifest may hold, with room). */
const MAX_RECEIPT_FILES = 1_000_000;
/**
 * The longest SDP an offer or answer may carry: a data-channel-only SDP is 400 to 1,500 characters,
 * and a maximal rtc message still seals within a Request's 16,384 characters (MAX_REQUEST_MESSAGE_LENGTH).
 */
export const MAX_RTC_SDP_CHARS = 8_000;
/** The longest ICE candidate line (RFC 8839 lines are under 200 characters; room for extensions). */
export const MAX_RTC_CANDIDATE_CHARS = 1_000;
/** The longest media stream id a candidate may name. */
const MAX_RTC_MID_CHARS = 32;
/** The highest m-line index and attempt number accepted. */
const MAX_RTC_INDEX = 1_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encrypts a control message for a Request frame's `message`. */
export async function sealControl(sealer: Sealer, message: ControlMessage): Promise<string> {
  return toBase64Url(await sealer.seal(encoder.encode(JSON.stringify(message)), CONTROL_AAD));
}

/** Decrypts and checks a control message; undefined for anything not sealed with `key` or malformed. */
export async function openControl(key: AesGcmKey, text: string | undefined): Promise<ControlMessage | undefined> {
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
  if (m.t === 'hello' && (m.role === 'sender' || m.role === 'receiver')) {
    const session = token(m.session);
    const proof = token(m.proof);
    if (session === undefined && proof === undefined) return undefined;
    return {
      t: 'hello',
      role: m.role,
      reply: m.reply === true,
      ...(session === undefined ? {} : { session }),
      ...(proof === undefined ? {} : { proof }),
      ...(m.direct === true ? { direct: true } : {}),
    };
  }
  if (m.t === 'cancel') return cancelMessage(m);
  if (m.t === 'bye') return { t: 'bye' };
  if (m.t === 'receipt') {
    const digest = token(m.digest);
    if (typeof m.files !== 'number' || !Number.isInteger(m.files) || m.files < 0 || m.files > MAX_RECEIPT_FILES || digest === undefined) return undefined;
    return { t: 'receipt', files: m.files, digest };
  }
  if (m.t === 'rtc') return rtcSignal(m);
  return undefined;
}

/** Checks a cancel's fields: the reason cut to MAX_REASON_CHARS; a `damaged` code only with a file index (else a plain cancel). */
function cancelMessage(m: Record<string, unknown>): ControlMessage {
  const reason = typeof m.reason === 'string' ? m.reason.slice(0, MAX_REASON_CHARS) : 'cancelled';
  if (m.code === 'in-use') return { t: 'cancel', reason, code: 'in-use' };
  const file = m.file;
  if (m.code === 'damaged' && typeof file === 'number' && Number.isInteger(file) && file >= 0 && file < MAX_RECEIPT_FILES) return { t: 'cancel', reason, code: 'damaged', file };
  return { t: 'cancel', reason };
}

/** Checks an rtc control message's fields: bounded strings and integers, unknown fields dropped. */
function rtcSignal(m: Record<string, unknown>): RtcSignal | undefined {
  const attempt = smallInteger(m.attempt);
  if (attempt === undefined) return undefined;
  if (m.kind === 'offer' || m.kind === 'answer') {
    if (typeof m.sdp !== 'string' || m.sdp.length === 0 || m.sdp.length > MAX_RTC_SDP_CHARS) return undefined;
    return { t: 'rtc', kind: m.kind, attempt, sdp: m.sdp };
  }
  if (m.kind !== 'candidate') return undefined;
  if (typeof m.candidate !== 'string' || m.candidate.length > MAX_RTC_CANDIDATE_CHARS) return undefined;
  if (m.sdpMid !== undefined && (typeof m.sdpMid !== 'string' || m.sdpMid.length > MAX_RTC_MID_CHARS)) return undefined;
  const index = m.sdpMLineIndex === undefined ? undefined : smallInteger(m.sdpMLineIndex);
  if (m.sdpMLineIndex !== undefined && index === undefined) return undefined;
  if (m.sdpMid === undefined && index === undefined) return undefined;
  return {
    t: 'rtc',
    kind: 'candidate',
    attempt,
    candidate: m.candidate,
    ...(m.sdpMid === undefined ? {} : { sdpMid: m.sdpMid }),
    ...(index === undefined ? {} : { sdpMLineIndex: index }),
  };
}

/** A whole number from 0 to MAX_RTC_INDEX, or undefined. */
function smallInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_RTC_INDEX ? value : undefined;
}

/** A short non-empty string field, or undefined. */
function token(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_CHARS ? value : undefined;
}
