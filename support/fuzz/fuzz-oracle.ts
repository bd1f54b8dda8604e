import { FRAME_LIMIT, MESSAGE_LIMIT, type FuzzContext, type FuzzFrame } from './fuzz-frames';

/*
 * What the relay must do with a frame, written from docs/protocol.md alone (not from the relay's
 * own validators), so that a validator that drifts from the documented contract shows up.
 */

/** The relay's answer a frame must get. */
export type Expected =
  | { readonly kind: 'error'; readonly code: string; readonly request?: string; readonly peer?: string }
  /** A text frame back to the sender (sendmessage's echo, Connect's answer). */
  | { readonly kind: 'reply'; readonly text: string }
  /** The frame forwarded to the sender's paired peer. */
  | { readonly kind: 'forward'; readonly frame: unknown }
  /** Nothing (sendmessage with empty data). */
  | { readonly kind: 'none' }
  /** The connection closes with `code` (1009: over a size limit; 1003: a binary frame) and nothing is answered. */
  | { readonly kind: 'close'; readonly code: 1003 | 1009 };

const ROUTES = new Set(['sendmessage', 'Connect', 'Request', 'Transfer', 'Acknowledge']);
const PEER_CODES = new Set(['NotPaired', 'QrHashMismatch', 'UnknownPeer', 'PeerGone']);

type Json = Record<string, unknown>;

class Refusal extends Error {}

function own(object: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}
function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Limits count characters as Unicode code points (a lone surrogate is one). */
function characters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
function str(value: unknown, min: number, max: number): string {
  if (typeof value !== 'string') throw new Refusal();
  const length = value.length > max || value.length < min * 2 ? characters(value) : value.length;
  if (length < min || length > max) throw new Refusal();
  return value;
}
function optStr(value: unknown, max: number): string | undefined {
  return value === undefined ? undefined : str(value, 0, max);
}
function int(value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new Refusal();
  return value;
}
function fileid(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const id = str(value, 1, 64);
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Refusal();
  return id;
}
/** The object without its undefined fields, as JSON.stringify would send it. */
function defined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** An Error frame names at most 128 characters of the refused action, the last one "…" when cut. */
function clipped(action: string): string {
  const chars = Array.from(action);
  return chars.length <= 128 ? action : `${chars.slice(0, 127).join('')}…`;
}

/** Whether a frame goes over API Gateway's size limits (the connection then closes with 1009). */
function isOverLimit(frame: FuzzFrame): boolean {
  const frameBytes = Math.ceil(frame.payload.length / frame.fragments);
  return frameBytes > FRAME_LIMIT || frame.payload.length > MESSAGE_LIMIT;
}

/** What docs/protocol.md says the relay does with `frame`, sent by `ctx.selfId`. */
export function expectedOutcome(frame: FuzzFrame, ctx: FuzzContext): Expected {
  if (isOverLimit(frame)) return { kind: 'close', code: 1009 };
  if (frame.binary) return { kind: 'close', code: 1003 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.payload.toString('utf8'));
  } catch {
    return { kind: 'error', code: 'BadRequest' };
  }
  if (!isObject(parsed)) return { kind: 'error', code: 'BadRequest' };
  const action = own(parsed, 'action');
  const request = typeof action === 'string' ? action : undefined;
  if (request === undefined || !ROUTES.has(request)) return { kind: 'error', code: 'UnknownAction', ...(request === undefined ? {} : { request: clipped(request) }) };
  try {
    return decide(request, parsed, ctx);
  } catch (error) {
    if (error instanceof Refusal) return { kind: 'error', code: 'BadRequest', request };
    throw error;
  }
}

function decide(action: string, frame: Json, ctx: FuzzContext): Expected {
  const message = own(frame, 'message');
  switch (action) {
    case 'sendmessage': {
      const data = str(own(frame, 'data'), 0, Infinity);
      return data.length === 0 ? { kind: 'none' } : { kind: 'reply', text: Buffer.from(data, 'utf8').toString('utf8') };
    }
    case 'Connect': {
      if (message !== undefined) {
        if (!isObject(message)) throw new Refusal();
        optStr(own(message, 'qrhash'), 128);
      }
      return { kind: 'reply', text: JSON.stringify({ action: 'Connect', message: { connectionid: ctx.selfId } }) };
    }
    case 'Request': {
      if (!isObject(message)) throw new Refusal();
      const target = str(own(message, 'connectionid'), 1, 128);
      const qrhash = optStr(own(message, 'qrhash'), 128);
      const text = optStr(own(message, 'message'), 16_384);
      if (target === ctx.selfId) throw new Refusal();
      if (target !== ctx.peerId) return { kind: 'error', code: 'UnknownPeer', request: action, peer: target };
      if (qrhash !== ctx.peerQrhash) return { kind: 'error', code: 'QrHashMismatch', request: action, peer: target };
      return { kind: 'forward', frame: { action, message: defined({ connectionid: ctx.selfId, qrhash, message: text }) } };
    }
    case 'Transfer': {
      if (!isObject(message)) throw new Refusal();
      const peer = str(own(message, 'connectionid'), 1, 128);
      const data = str(own(message, 'data'), 0, Infinity);
      const chunkid = int(own(message, 'chunkid'), 0);
      const chunktotal = int(own(message, 'chunktotal'), 1);
      const chunkhash = str(own(message, 'chunkhash'), 0, 128);
      const id = fileid(own(message, 'fileid'));
      if (chunkid >= chunktotal) throw new Refusal();
      return paired(action, peer, ctx, { connectionid: ctx.selfId, data, chunkid, chunktotal, chunkhash, fileid: id });
    }
    case 'Acknowledge': {
      if (!isObject(message)) throw new Refusal();
      const peer = str(own(message, 'connectionid'), 1, 128);
      const success = own(message, 'success');
      if (typeof success !== 'boolean') throw new Refusal();
      const missing = own(message, 'missingchunkids');
      if (!Array.isArray(missing) || missing.length > 4096) throw new Refusal();
      for (const id of missing) int(id, 0);
      const id = fileid(own(message, 'fileid'));
      const through = own(message, 'receivedthrough');
      if (through !== undefined) int(through, -1);
      return paired(action, peer, ctx, { connectionid: ctx.selfId, success, missingchunkids: missing, fileid: id, receivedthrough: through });
    }
    default:
      throw new Error(`no rule for ${action}`);
  }
}

function paired(action: string, peer: string, ctx: FuzzContext, message: Json): Expected {
  if (peer !== ctx.peerId) return { kind: 'error', code: 'NotPaired', request: action, peer };
  return { kind: 'forward', frame: { action, message: defined(message) } };
}

/** A frame the relay sent, as the fuzz client saw it. */
export interface Received {
  readonly to: 'self' | 'peer';
  readonly text: string;
  readonly binary: boolean;
}

/** Why `received` is not the answer `expected` (undefined when it is). */
export function mismatch(expected: Expected, received: Received): string | undefined {
  if (received.binary) return 'answered with a binary frame';
  switch (expected.kind) {
    case 'reply':
      return received.to === 'self' && received.text === expected.text ? undefined : 'wrong reply';
    case 'forward':
      return received.to === 'peer' && sameJson(parse(received.text), expected.frame) ? undefined : 'wrong or missing forward';
    case 'error': {
      if (received.to !== 'self') return `forwarded a frame it should have refused with ${expected.code}`;
      const frame = parse(received.text);
      if (!isObject(frame) || frame.action !== 'Error' || !isObject(frame.message)) return `not an Error frame (wanted ${expected.code})`;
      const m = frame.message;
      if (m.code !== expected.code) return `code ${String(m.code)} instead of ${expected.code}`;
      if (typeof m.reason !== 'string' || m.reason.length === 0) return 'Error frame without a reason';
      if (characters(m.reason) > 1024) return 'Error frame with a reason over 1,024 characters';
      if (m.request !== expected.request) return `request ${String(m.request)} instead of ${String(expected.request)}`;
      const wantPeer = PEER_CODES.has(expected.code) ? expected.peer : undefined;
      if (m.connectionid !== wantPeer) return `connectionid ${String(m.connectionid)} instead of ${String(wantPeer)}`;
      const extra = Object.keys(m).filter((k) => !['code', 'reason', 'request', 'connectionid'].includes(k));
      return extra.length > 0 ? `unexpected fields ${extra.join(',')}` : undefined;
    }
    default:
      return `an answer where none was due (${expected.kind})`;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
  }
  return Object.is(a, b) || (typeof a === 'number' && a === b);
}
