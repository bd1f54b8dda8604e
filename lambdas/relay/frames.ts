import { z } from 'zod';
import { BadRequestError, type ErrorCode } from './errors';

/** Longest connection id the relay accepts (API Gateway's are 16 characters). */
export const MAX_CONNECTION_ID_LENGTH = 128;
/** Longest qrhash (a base64url SHA-256 is 43 characters). */
export const MAX_QRHASH_LENGTH = 128;
/** Longest Request `message`. */
export const MAX_REQUEST_MESSAGE_LENGTH = 16_384;
/** Longest `chunkhash` (a hex SHA-512 is 128 characters). */
export const MAX_CHUNKHASH_LENGTH = 128;
/** Most entries in an Acknowledge's `missingchunkids`. */
export const MAX_MISSING_CHUNK_IDS = 4096;
/** Longest `fileid` extension. */
export const MAX_FILEID_LENGTH = 64;

const connectionId = z.string().min(1).max(MAX_CONNECTION_ID_LENGTH);
const chunkIndex = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const fileid = z
  .string()
  .min(1)
  .max(MAX_FILEID_LENGTH)
  .regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"');

/** `{"action":"sendmessage","data":"…"}` (seed 000): the relay posts `data` back to the sender. */
export const sendMessageFrame = z.object({ action: z.literal('sendmessage'), data: z.string() });

/** `{"action":"Connect","message":{"qrhash"?}}`: the optional qrhash registers the sender's pairing hash. */
export const connectFrame = z.object({
  action: z.literal('Connect'),
  message: z.object({ qrhash: z.string().max(MAX_QRHASH_LENGTH).optional() }).optional(),
});

/**
 * `{"action":"Request","message":{"connectionid","qrhash"?,"message"?,"rejoin"?}}` (seed 002, from the
 * receiver). The `rejoin` extension: when `connectionid` is unknown or gone, deliver to the newest other
 * connection that registered the same qrhash as the sender itself.
 */
export const requestFrame = z.object({
  action: z.literal('Request'),
  message: z.object({
    connectionid: connectionId,
    qrhash: z.string().max(MAX_QRHASH_LENGTH).optional(),
    message: z.string().max(MAX_REQUEST_MESSAGE_LENGTH).optional(),
    rejoin: z.boolean().optional(),
  }),
});

/** `{"action":"Transfer","message":{"connectionid","data","chunkid","chunktotal","chunkhash","fileid"?}}` (seed 002). */
export const transferFrame = z.object({
  action: z.literal('Transfer'),
  message: z
    .object({
      connectionid: connectionId,
      data: z.string(),
      chunkid: chunkIndex,
      chunktotal: chunkIndex.min(1),
      chunkhash: z.string().max(MAX_CHUNKHASH_LENGTH),
      fileid: fileid.optional(),
    })
    .refine((m) => m.chunkid < m.chunktotal, {
      message: 'chunkid must be less than chunktotal',
      path: ['chunkid'],
    }),
});

/** `{"action":"Acknowledge","message":{"connectionid","success","missingchunkids","fileid"?,"receivedthrough"?}}` (seed 002). */
export const acknowledgeFrame = z.object({
  action: z.literal('Acknowledge'),
  message: z.object({
    connectionid: connectionId,
    success: z.boolean(),
    missingchunkids: z.array(chunkIndex).max(MAX_MISSING_CHUNK_IDS),
    fileid: fileid.optional(),
    receivedthrough: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional(),
  }),
});

/** A validated sendmessage frame. */
export type SendMessageFrame = z.infer<typeof sendMessageFrame>;
/** A validated Connect frame. */
export type ConnectFrame = z.infer<typeof connectFrame>;
/** A validated Request frame. */
export type RequestFrame = z.infer<typeof requestFrame>;
/** A validated Transfer frame (unknown fields dropped). */
export type TransferFrame = z.infer<typeof transferFrame>;
/** A validated Acknowledge frame (unknown fields dropped). */
export type AcknowledgeFrame = z.infer<typeof acknowledgeFrame>;

/** Parses a frame's text as JSON; BadRequestError when it is not a JSON object. */
export function parseJsonObject(body: string | undefined): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch (cause) {
    throw new BadRequestError('the frame is not JSON; send {"action":"…", …}', { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('the frame is not a JSON object; send {"action":"…", …}');
  }
  return value as Record<string, unknown>;
}

/**
 * Validates a frame's text against a schema: the typed frame with unknown fields dropped,
 * or BadRequestError naming the first field at fault.
 */
export function parseFrame<T extends z.ZodType>(schema: T, body: string | undefined): z.infer<T> {
  const result = schema.safeParse(parseJsonObject(body));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'frame';
  throw new BadRequestError(`${where}: ${issue?.message ?? 'invalid'}`);
}

/** The `action` a frame names, when its text is a JSON object with a string action. */
export function actionOf(body: string | undefined): string | undefined {
  try {
    const value: unknown = JSON.parse(body ?? '');
    if (typeof value === 'object' && value !== null && 'action' in value) {
      const action = (value as { action: unknown }).action;
      return typeof action === 'string' ? action : undefined;
    }
  } catch {
    // not JSON: no action
  }
  return undefined;
}

/** Longest `request` an Error frame names; a longer action is cut and ends in "…". */
export const MAX_ERROR_REQUEST_LENGTH = 128;
/** Longest `reason` of an Error frame (it may quote the client's action). */
export const MAX_ERROR_REASON_LENGTH = 1024;

/** `text` cut to `max` characters (code points), ending in "…" when cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // A code point is at most two UTF-16 units: look at no more of a huge text than can matter.
  const chars = Array.from(text.slice(0, 2 * max + 2));
  return chars.length <= max && text.length <= 2 * max + 2 ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The frame the relay sends a client whose frame it refused. */
export interface ErrorFrame {
  readonly action: 'Error';
  readonly message: {
    readonly code: ErrorCode;
    readonly reason: string;
    readonly request?: string;
    readonly connectionid?: string;
  };
}

/**
 * Serialises an Error frame: `request` is the action that was refused, `connectionid` the peer
 * the refusal is about (gone, not paired, unknown), each when known. `request` and `reason` are
 * clipped, so that an Error frame about a huge unknown action still fits in one `@connections`
 * post (128 KB) and reaches the client.
 */
export function errorFrame(code: ErrorCode, reason: string, request?: string, connectionid?: string): string {
  const frame: ErrorFrame = {
    action: 'Error',
    message: {
      code,
      reason: clip(reason, MAX_ERROR_REASON_LENGTH),
      ...(request === undefined ? {} : { request: clip(request, MAX_ERROR_REQUEST_LENGTH) }),
      ...(connectionid === undefined ? {} : { connectionid }),
    },
  };
  return JSON.stringify(frame);
}
