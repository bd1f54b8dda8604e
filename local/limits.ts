/**
 * API Gateway WebSocket limits and close codes that the local relay reproduces; the frame and
 * message sizes, which the clients must know too, are protocol/limits.ts's.
 */

/**
 * Connections the local relay holds at once (open, or in their handshake); one more is refused
 * with 429, as API Gateway refuses handshakes over its account limits. Each costs memory, and a
 * client can open them without sending anything.
 */
export const MAX_CONNECTIONS = 2000;

/** API Gateway closes a connection after 10 minutes without messages. */
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

/** API Gateway closes every connection after 2 hours. */
const MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;

/** Close code for a frame or message over the limit ("message too big"). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** Close code for a binary frame, which API Gateway's WebSocket APIs refuse ("unsupported data"). */
export const CLOSE_UNSUPPORTED_DATA = 1003;

/** Close code for the idle timeout and the maximum connection duration ("going away"). */
export const CLOSE_GOING_AWAY = 1001;

/** Close code used when `@connections` DELETE disconnects a client. */
export const CLOSE_NORMAL = 1000;

/** The time limits one relay applies; tests shorten them. */
export interface ConnectionTimeouts {
  /** @default IDLE_TIMEOUT_MS */
  readonly idleTimeoutMs: number;
  /** @default MAX_CONNECTION_MS */
  readonly maxConnectionMs: number;
}

/** The timeouts of API Gateway, with optional overrides. */
export function connectionTimeouts(overrides: Partial<ConnectionTimeouts> = {}): ConnectionTimeouts {
  return {
    idleTimeoutMs: overrides.idleTimeoutMs ?? IDLE_TIMEOUT_MS,
    maxConnectionMs: overrides.maxConnectionMs ?? MAX_CONNECTION_MS,
  };
}
