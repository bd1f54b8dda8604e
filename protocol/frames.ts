/**
 * The relay's frames as zod schemas (docs/protocol.md, "Frames"): what a client may send the relay,
 * and what the relay sends a client. The relay validates what it receives with them and the client
 * what it receives, so the two cannot drift. `zod/mini`: the page bundles these, and full zod would
 * double its size. A parse drops unknown fields and copies none of the others (a Transfer's 128 KB
 * `data` is checked to be a string, never scanned).
 */
import * as z from 'zod/mini';
import {
  MAX_CHUNKHASH_LENGTH,
  MAX_CONNECTION_ID_LENGTH,
  MAX_FILEID_LENGTH,
  MAX_MISSING_CHUNK_IDS,
  MAX_QRHASH_LENGTH,
  MAX_REQUEST_MESSAGE_LENGTH,
} from './limits';
import { parseFrameJson } from './frame-json';

const connectionId = z.string().check(z.minLength(1), z.maxLength(MAX_CONNECTION_ID_LENGTH));
const chunkIndex = z.number().check(z.int(), z.gte(0), z.lte(Number.MAX_SAFE_INTEGER));
const fileid = z
  .string()
  .check(z.minLength(1), z.maxLength(MAX_FILEID_LENGTH), z.regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"'));

/** `{"action":"sendmessage","data":"…"}` (seed 000): the relay posts `data` back to the sender. */
export const sendMessageFrameSchema = z.object({ action: z.literal('sendmessage'), data: z.string() });

/** `{"action":"Connect","message":{"qrhash"?}}`: the optional qrhash registers the sender's pairing hash. */
export const connectFrameSchema = z.object({
  action: z.literal('Connect'),
  message: z.optional(z.object({ qrhash: z.optional(z.string().check(z.maxLength(MAX_QRHASH_LENGTH))) })),
});

/** `{"action":"Connect","message":{"connectionid"}}`: the relay's answer to Connect, the sender's own id. */
const connectAnswerFrameSchema = z.object({
  action: z.literal('Connect'),
  message: z.object({ connectionid: connectionId }),
});

const requestMessage = z.object({
  connectionid: connectionId,
  qrhash: z.optional(z.string().check(z.maxLength(MAX_QRHASH_LENGTH))),
  message: z.optional(z.string().check(z.maxLength(MAX_REQUEST_MESSAGE_LENGTH))),
  rejoin: z.optional(z.boolean()),
});

/**
 * `{"action":"Request","message":{"connectionid","qrhash"?,"message"?,"rejoin"?}}` (seed 002, from the
 * receiver). The `rejoin` extension: when `connectionid` is unknown or gone, deliver to the newest other
 * connection that registered the same qrhash as the sender itself. The relay forwards it without `rejoin`.
 */
export const requestFrameSchema = z.object({ action: z.literal('Request'), message: requestMessage });

const transferMessage = z
  .object({
    connectionid: connectionId,
    data: z.string(),
    chunkid: chunkIndex,
    chunktotal: chunkIndex.check(z.gte(1)),
    chunkhash: z.string().check(z.maxLength(MAX_CHUNKHASH_LENGTH)),
    fileid: z.optional(fileid),
  })
  .check(
    z.refine((m) => m.chunkid < m.chunktotal, {
      message: 'chunkid must be less than chunktotal',
      path: ['chunkid'],
    }),
  );

/** `{"action":"Transfer","message":{"connectionid","data","chunkid","chunktotal","chunkhash","fileid"?}}` (seed 002). */
export const transferFrameSchema = z.object({ action: z.literal('Transfer'), message: transferMessage });

const acknowledgeMessage = z.object({
  connectionid: connectionId,
  success: z.boolean(),
  missingchunkids: z.array(chunkIndex).check(z.maxLength(MAX_MISSING_CHUNK_IDS)),
  fileid: z.optional(fileid),
  receivedthrough: z.optional(z.number().check(z.int(), z.gte(-1), z.lte(Number.MAX_SAFE_INTEGER))),
});

/** `{"action":"Acknowledge","message":{"connectionid","success","missingchunkids","fileid"?,"receivedthrough"?}}` (seed 002). */
export const acknowledgeFrameSchema = z.object({ action: z.literal('Acknowledge'), message: acknowledgeMessage });

/**
 * `{"action":"Error","message":{"code","reason","request"?,"connectionid"?}}`: the relay refused a
 * frame. `code` is read as any string: a code this build does not know (from a newer relay) still
 * reaches the client, which treats it as fatal.
 */
const errorFrameSchema = z.object({
  action: z.literal('Error'),
  message: z.object({
    code: z.string(),
    reason: z.string(),
    request: z.optional(z.string()),
    connectionid: z.optional(z.string()),
  }),
});

/**
 * Every frame the relay sends a client: the answer to Connect, a peer's Request, Transfer or
 * Acknowledge (with `connectionid` = the peer's), and Error.
 */
export const clientBoundFrameSchema = z.discriminatedUnion('action', [
  connectAnswerFrameSchema,
  requestFrameSchema,
  transferFrameSchema,
  acknowledgeFrameSchema,
  errorFrameSchema,
]);

/**
 * The `message` texts of API Gateway's own frames about a frame it dropped (matched without case or
 * surrounding space): "Limit Exceeded" when it throttled the frame, "Internal server error" when the
 * route's function failed or was throttled (a new account's Lambda concurrency of 10, say).
 */
const GATEWAY_DROP_TEXTS: Readonly<Record<string, GatewayDropReason>> = { 'limit exceeded': 'throttled', 'internal server error': 'internal-error' };

/** Why API Gateway dropped a frame: its own throttle, or the route's function failing (or throttled). */
export type GatewayDropReason = 'throttled' | 'internal-error';

/** The reason of a gateway frame's `message` text, or undefined for any other text. */
export function gatewayDropReasonOf(text: string): GatewayDropReason | undefined {
  return Object.hasOwn(GATEWAY_DROP_TEXTS, text.trim().toLowerCase()) ? GATEWAY_DROP_TEXTS[text.trim().toLowerCase()] : undefined;
}

/**
 * API Gateway's answer to a frame it dropped: `{"message": "Limit Exceeded", "connectionId":"…",
 * "requestId":"…"}` or `{"message": "Internal server error", …}`, with no `action`. It does not
 * say which frame it dropped.
 */
export const gatewayDropFrameSchema = z.object({
  action: z.optional(z.never()),
  message: z.string().check(z.refine((text) => gatewayDropReasonOf(text) !== undefined)),
  connectionId: z.optional(z.string()),
  requestId: z.optional(z.string()),
});

/** A message as code holds it: its fields and arrays read-only. */
type ReadonlyMessage<T> = { readonly [K in keyof T]: ReadonlyArrays<T[K]> };
type ReadonlyArrays<V> = V extends readonly (infer E)[] ? readonly E[] : V;

/** A Request frame's message; the clients put an encrypted control message in `message`. */
export type RequestMessage = ReadonlyMessage<z.output<typeof requestMessage>>;
/** A Transfer frame's message: `connectionid` is the peer as sent, the sender as received. */
export type TransferMessage = ReadonlyMessage<z.output<typeof transferMessage>>;
/** An Acknowledge frame's message. */
export type AcknowledgeMessage = ReadonlyMessage<z.output<typeof acknowledgeMessage>>;
/** An Error frame's message, as a client reads it (the relay writes only RelayErrorCodes in `code`). */
export type RelayErrorMessage = ReadonlyMessage<z.output<typeof errorFrameSchema>['message']>;
/** A frame the relay sends a client, validated, unknown fields dropped. */
export type ClientBoundFrame = z.output<typeof clientBoundFrameSchema>;

/** How many recent frame texts {@link parseFrameText} remembers the parse of. */
const RECENT_PARSES = 8;
const recentParses: { text: string; value: unknown }[] = [];

/**
 * JSON.parse of a frame's text (parseFrameJson: a Transfer's `data` is sliced, not parsed), remembered for the last few texts: the local relay parses a frame
 * once to select its route (as API Gateway does) and its handler parses the same text again, which
 * for a 128 KB Transfer was a tenth of the relay's CPU. A hit compares the text with `===` (the
 * same string object, or equal text); callers never mutate the value. Throws as JSON.parse does.
 */
export function parseFrameText(text: string): unknown {
  for (const recent of recentParses) if (recent.text === text) return recent.value;
  const value: unknown = parseFrameJson(text);
  recentParses.unshift({ text, value });
  if (recentParses.length > RECENT_PARSES) recentParses.pop();
  return value;
}

/** The `action` a frame names, when its text is a JSON object with a string action (what API Gateway routes on). */
export function actionOf(frameText: string | undefined): string | undefined {
  try {
    const parsed = parseFrameText(frameText ?? '');
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const action = (parsed as Record<string, unknown>).action;
      return typeof action === 'string' ? action : undefined;
    }
  } catch {
    // Not JSON: no action (API Gateway routes it to $default).
  }
  return undefined;
}
