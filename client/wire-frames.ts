/** The relay's JSON frames as this client sends and reads them (see docs/protocol.md). */

import { frameJson } from './frame-json';

/** A Transfer frame's message, as sent (connectionid = the peer) or received (connectionid = the sender). */
export interface TransferMessage {
  readonly connectionid: string;
  readonly data: string;
  readonly chunkid: number;
  readonly chunktotal: number;
  readonly chunkhash: string;
  readonly fileid?: string;
}

/** An Acknowledge frame's message. */
export interface AcknowledgeMessage {
  readonly connectionid: string;
  readonly success: boolean;
  readonly missingchunkids: readonly number[];
  readonly fileid?: string;
  readonly receivedthrough?: number;
}

/** A Request frame's message; this client puts an encrypted control message in `message`. */
export interface RequestMessage {
  readonly connectionid: string;
  readonly qrhash?: string;
  readonly message?: string;
  /** Ask the relay to deliver to the peer's newest connection if this one is gone (docs/protocol.md). */
  readonly rejoin?: boolean;
}

/** An Error frame's message. */
export interface RelayErrorMessage {
  readonly code: string;
  readonly reason: string;
  readonly request?: string;
  /** The other connection the refusal is about (gone, not paired, unknown), when the relay says. */
  readonly connectionid?: string;
}

/**
 * API Gateway's answer to a frame it throttled (dropped): `{"message": "Limit Exceeded",
 * "connectionId":"…", "requestId":"…"}`, with no `action`. It does not say which frame it dropped.
 */
export interface ThrottledMessage {
  readonly connectionId?: string;
  readonly requestId?: string;
}

/** The `message` text of API Gateway's throttling frame. */
export const THROTTLED_MESSAGE_TEXT = 'Limit Exceeded';

/** Every frame the client understands, tagged by action ('Throttled': API Gateway's throttling frame, which has none). */
export type IncomingFrame =
  | { readonly action: 'Connect'; readonly message: { readonly connectionid: string } }
  | { readonly action: 'Request'; readonly message: RequestMessage }
  | { readonly action: 'Transfer'; readonly message: TransferMessage }
  | { readonly action: 'Acknowledge'; readonly message: AcknowledgeMessage }
  | { readonly action: 'Error'; readonly message: RelayErrorMessage }
  | { readonly action: 'Throttled'; readonly message: ThrottledMessage };

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Parses a text frame; returns undefined for anything that is not a well-formed frame of a known action. */
export function parseIncomingFrame(text: string): IncomingFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { action, message } = value as { action?: unknown; message?: unknown };
  if (action === undefined && typeof message === 'string') return parseGatewayFrame(value as Record<string, unknown>, message);
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  switch (action) {
    case 'Connect':
      return isString(m.connectionid) ? { action, message: { connectionid: m.connectionid } } : undefined;
    case 'Request':
      if (!isString(m.connectionid)) return undefined;
      return {
        action,
        message: {
          connectionid: m.connectionid,
          qrhash: isString(m.qrhash) ? m.qrhash : undefined,
          message: isString(m.message) ? m.message : undefined,
        },
      };
    case 'Transfer':
      if (!isString(m.connectionid) || !isString(m.data) || !isCount(m.chunkid) || !isCount(m.chunktotal)) return undefined;
      if (!isString(m.chunkhash) || m.chunkid >= m.chunktotal) return undefined;
      return {
        action,
        message: {
          connectionid: m.connectionid,
          data: m.data,
          chunkid: m.chunkid,
          chunktotal: m.chunktotal,
          chunkhash: m.chunkhash,
          fileid: isString(m.fileid) ? m.fileid : undefined,
        },
      };
    case 'Acknowledge':
      if (!isString(m.connectionid) || typeof m.success !== 'boolean') return undefined;
      return {
        action,
        message: {
          connectionid: m.connectionid,
          success: m.success,
          missingchunkids: Array.isArray(m.missingchunkids) ? m.missingchunkids.filter(isCount) : [],
          fileid: isString(m.fileid) ? m.fileid : undefined,
          receivedthrough: typeof m.receivedthrough === 'number' && Number.isInteger(m.receivedthrough) ? m.receivedthrough : undefined,
        },
      };
    case 'Error':
      if (!isString(m.code)) return undefined;
      return {
        action,
        message: {
          code: m.code,
          reason: isString(m.reason) ? m.reason : '',
          request: isString(m.request) ? m.request : undefined,
          connectionid: isString(m.connectionid) ? m.connectionid : undefined,
        },
      };
    default:
      return undefined;
  }
}

/** API Gateway's own frames carry a `message` text and no action; only its throttling frame matters to the client. */
function parseGatewayFrame(value: Record<string, unknown>, text: string): IncomingFrame | undefined {
  if (text.trim().toLowerCase() !== THROTTLED_MESSAGE_TEXT.toLowerCase()) return undefined;
  return {
    action: 'Throttled',
    message: {
      connectionId: isString(value.connectionId) ? value.connectionId : undefined,
      requestId: isString(value.requestId) ? value.requestId : undefined,
    },
  };
}

/** Serialises a Transfer frame, its base64 `data` last (see frameJson). */
export function transferFrame(message: TransferMessage): string {
  return frameJson('Transfer', message);
}

/** Serialises an Acknowledge frame. */
export function acknowledgeFrame(message: AcknowledgeMessage): string {
  return JSON.stringify({ action: 'Acknowledge', message });
}

/** Serialises a Request frame. */
export function requestFrame(message: RequestMessage): string {
  return JSON.stringify({ action: 'Request', message });
}

/** Serialises a Connect frame, registering `qrhash` as this connection's pairing hash. */
export function connectFrame(qrhash?: string): string {
  return JSON.stringify(qrhash === undefined ? { action: 'Connect' } : { action: 'Connect', message: { qrhash } });
}
