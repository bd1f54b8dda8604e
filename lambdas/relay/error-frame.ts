import type { RelayErrorCode } from '../../protocol/error-codes';
import type { RelayErrorMessage } from '../../protocol/frames';
import { MAX_ERROR_REASON_LENGTH, MAX_ERROR_REQUEST_LENGTH } from '../../protocol/limits';

/** `text` cut to `max` characters (code points), ending in "…" when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // A code point is at most two UTF-16 units: look at no more of a huge text than can matter.
  const chars = Array.from(text.slice(0, 2 * max + 2));
  return chars.length <= max && text.length <= 2 * max + 2 ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Serialises an Error frame: `request` is the action that was refused, `connectionid` the peer
 * the refusal is about (gone, not paired, unknown), each when known. `request` and `reason` are
 * clipped, so that an Error frame about a huge unknown action still fits in one `@connections`
 * post (128 KB) and reaches the client.
 */
export function errorFrame(code: RelayErrorCode, reason: string, request?: string, connectionid?: string): string {
  const message: RelayErrorMessage = {
    code,
    reason: clip(reason, MAX_ERROR_REASON_LENGTH),
    ...(request === undefined ? {} : { request: clip(request, MAX_ERROR_REQUEST_LENGTH) }),
    ...(connectionid === undefined ? {} : { connectionid }),
  };
  return JSON.stringify({ action: 'Error', message });
}
