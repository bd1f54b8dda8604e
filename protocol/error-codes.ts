/** The stable codes of the relay's Error frames (docs/protocol.md, "Errors", says what each means). */
export const RELAY_ERROR_CODES = [
  'BadRequest',
  'UnknownAction',
  'NotPaired',
  'QrHashMismatch',
  'UnknownPeer',
  'PeerGone',
  'PeerBusy',
  'InternalError',
] as const;

/** One of the relay's stable error codes. */
export type RelayErrorCode = (typeof RELAY_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(RELAY_ERROR_CODES);

/** Whether an Error frame's `code` is one this build knows (a newer relay may send others). */
export function isRelayErrorCode(code: string): code is RelayErrorCode {
  return KNOWN_CODES.has(code);
}
