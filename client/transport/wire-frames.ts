/** The relay's frames as this client writes and reads them; their schemas are protocol/frames.ts's (see docs/protocol.md). */

import { toBase64 } from '../../protocol/base64';
import { frameJson, frameJsonBytes, parseFrameJson } from '../../protocol/frame-json';
import {
  clientBoundFrameSchema,
  gatewayDropFrameSchema,
  gatewayDropReasonOf,
  type GatewayDropReason,
  type AcknowledgeMessage,
  type ClientBoundFrame,
  type RequestMessage,
  type TransferMessage,
} from '../../protocol/frames';

/** API Gateway's frame about a frame of ours it dropped, as the client reads it: why, and its ids when it has them. */
export interface ThrottledMessage {
  readonly reason: GatewayDropReason;
  readonly connectionId?: string;
  readonly requestId?: string;
}

/** Every frame the client understands, tagged by action ('Throttled': API Gateway's throttling frame, which has none). */
export type IncomingFrame = ClientBoundFrame | { readonly action: 'Throttled'; readonly message: ThrottledMessage };

/**
 * Parses a text frame: a frame of the relay's (validated by protocol/frames.ts's schemas, unknown
 * fields dropped) or API Gateway's throttling frame; undefined for anything else.
 */
export function parseIncomingFrame(text: string): IncomingFrame | undefined {
  let value: unknown;
  try {
    // The chunk's bytes are decoded and checked by their hash and tag (openChunk): `data` is searched only for what would change the frame.
    value = parseFrameJson(text, { dataCheckedByReader: true });
  } catch {
    return undefined;
  }
  const frame = clientBoundFrameSchema.safeParse(value);
  if (frame.success) return frame.data;
  const dropped = gatewayDropFrameSchema.safeParse(value);
  if (!dropped.success) return undefined;
  const { message, connectionId, requestId } = dropped.data;
  return { action: 'Throttled', message: { reason: gatewayDropReasonOf(message)!, connectionId, requestId } };
}

/** Serialises a Transfer frame, its base64 `data` last (see frameJson). */
export function transferFrame(message: TransferMessage): string {
  return frameJson('Transfer', message);
}

/** Serialises a Transfer frame of a sealed chunk of ours: its base64 is toBase64's, so frameJson need not check it. */
export function sealedTransferFrame({ sealed, ...message }: Omit<TransferMessage, 'data'> & { readonly sealed: Uint8Array }): string {
  return frameJson('Transfer', { ...message, data: toBase64(sealed) }, { dataIsOwnBase64: true });
}

/**
 * sealedTransferFrame's text as UTF-8 bytes (frameJsonBytes), for a socket that sends text from
 * bytes (Node `ws`): never joined into a 128 KB string and then encoded again.
 */
export function sealedTransferFrameBytes({ sealed, ...message }: Omit<TransferMessage, 'data'> & { readonly sealed: Uint8Array }): Uint8Array {
  return frameJsonBytes('Transfer', { ...message, data: toBase64(sealed) }, { dataIsOwnBase64: true });
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
