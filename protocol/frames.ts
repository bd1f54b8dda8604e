/** The relay's frames as zod schemas (docs/protocol.md, "Frames"), and their limits. */
import { z } from 'zod';

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
