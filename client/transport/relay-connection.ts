import { RelayKeyRefusedError, RelayUnreachableError } from '../errors';
import { ReconnectBackoff } from './reconnect-backoff';
import { describeRelayError } from './relay-error-codes';
import { redactRelayKey, relayKeyOf } from './relay-url';
import type { WebSocketConstructor, WebSocketLike } from '../ports';
import { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from '../../protocol/limits';
import { SESSION_TIMING } from '../tuning';
import { connectFrame, parseIncomingFrame, type IncomingFrame } from './wire-frames';

const OPEN = 1;

/** A socket that can send one message as several frames: Node `ws`, whose `send` takes `{ fin }`. */
interface FragmentingSocket extends WebSocketLike {
  send(data: string | Uint8Array, options?: { readonly binary?: boolean; readonly fin?: boolean; readonly compress?: boolean }): void;
}

const utf8 = new TextEncoder();
/** Where fitsOneFrame encodes a message to learn whether it fits one frame. */
const frameScratch = new Uint8Array(MAX_FRAME_BYTES);

/**
 * Whether a text message's UTF-8 fits one frame (MAX_FRAME_BYTES), learnt without allocating: by its
 * length when even 3 bytes per character fit, else by encoding it into a scratch buffer of one
 * frame's size. The page's 24 KB chunks are ~32,100 characters, and TextEncoder.encode of each just
 * to learn its length was a tenth of the sending page's main thread.
 */
export function fitsOneFrame(message: string): boolean {
  if (message.length * 3 <= MAX_FRAME_BYTES) return true;
  return message.length <= MAX_FRAME_BYTES && utf8.encodeInto(message, frameScratch).read === message.length;
}

/** How a RelayConnection reports what happens to it. */
export interface RelayConnectionOptions {
  readonly url: string;
  readonly WebSocket: WebSocketConstructor;
  /** The pairing hash registered with every Connect (also after a reconnection). */
  readonly qrhash: string;
  /** Every frame other than the Connect answer. */
  readonly onFrame: (frame: IncomingFrame) => void;
  /**
   * The socket dropped; the connection is trying to come back until `givesUpAt` (a Date.now()
   * time), `windowMs` (reconnectWindowMs) from now, and then reports onFatal.
   */
  readonly onDisconnected?: (givesUpAt: number, windowMs: number) => void;
  /** A new socket is up and registered, under a new connection id. */
  readonly onReconnected?: (connectionId: string) => void;
  /** The relay could not be reached again within `reconnectWindowMs`. */
  readonly onFatal: (error: Error) => void;
  /** How long one attempt (socket open + Connect answer) may take. @default 10000 */
  readonly connectTimeoutMs?: number;
  /** How long to keep trying after a drop. @default 120000 */
  readonly reconnectWindowMs?: number;
  /** After a 429 handshake the next attempt waits anywhere below this (full jitter). @default RECONNECT_THROTTLED_CEILING_MS (30 s) */
  readonly throttledReconnectCeilingMs?: number;
  /**
   * A Connect goes when the socket sent nothing for this long, to keep API Gateway's 10-minute idle
   * timeout away (looked at every half of it, from a random start: keepalives of clients that
   * reconnected together do not stay in step). @default 240000
   */
  readonly keepaliveMs?: number;
  /**
   * A socket this old is replaced before API Gateway's 2-hour limit closes it: make before break
   * (a new socket registers, `onRenewed` tells the session, and the old one keeps delivering what
   * is in flight to it for SESSION_TIMING.renewGraceMs before it closes). @default SESSION_TIMING.renewAfterMs (1 h 50 min)
   */
  readonly renewAfterMs?: number;
  /** The socket was replaced ahead of the relay's connection limit: a new connection id, nothing lost. */
  readonly onRenewed?: (connectionId: string) => void;
  /** Whether a renewal may happen now (a sender's link names its connection id: not before pairing). @default always */
  readonly mayRenew?: () => boolean;
}

/**
 * One logical connection to the relay over successive sockets: opens a socket, registers the qrhash
 * with Connect and learns its connection id; when the socket drops it reconnects with jittered
 * backoff (`reconnect-backoff.ts`; a new id each time) until it succeeds or the reconnect window closes.
 */
export class RelayConnection {
  private socket?: WebSocketLike;
  /** The socket just replaced by a renewal: what arrives on it still counts, until it closes. */
  private draining?: WebSocketLike;
  private renewal?: ReturnType<typeof setTimeout>;
  /** A renewal's new socket is being opened; a drop meanwhile lets it serve as the reconnection. */
  private renewing = false;
  private droppedWhileRenewing = false;
  private closing = false;
  private keepalive?: ReturnType<typeof setTimeout>;
  /** When this connection last sent a frame (any frame resets API Gateway's idle timer). */
  private lastSentAt = Date.now();
  private connectionId?: string;
  /** When the reconnection after the last drop gives up (Date.now() time). */
  private reconnectDeadline = 0;
  /** The socket of an attempt under way, not yet registered: close() closes it too. */
  private attempting?: WebSocketLike;
  /** Ends the reconnection's wait between two attempts (close() calls it). */
  private wakeReconnect?: () => void;

  constructor(private readonly options: RelayConnectionOptions) {}

  /** The current connection id (changes after a reconnection). */
  get id(): string | undefined {
    return this.connectionId;
  }

  /** Whether a registered socket is open. */
  get isOpen(): boolean {
    return this.socket !== undefined && this.socket.readyState === OPEN && this.connectionId !== undefined;
  }

  /** Bytes queued in the socket and not yet sent. */
  get bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** The current socket, for tests that need to break it. */
  get currentSocket(): WebSocketLike | undefined {
    return this.socket;
  }

  /** Opens the first socket; resolves with the connection id or rejects with RelayUnreachableError or RelayKeyRefusedError. */
  async open(): Promise<string> {
    const id = await this.attempt();
    this.scheduleRenewal();
    const keepaliveMs = this.options.keepaliveMs ?? SESSION_TIMING.keepaliveMs;
    this.scheduleKeepalive(keepaliveMs * (0.5 + Math.random() / 2), keepaliveMs);
    return id;
  }

  /** Looks after `delayMs`, then every half keepalive: a Connect goes when nothing went for a whole one. */
  private scheduleKeepalive(delayMs: number, keepaliveMs: number): void {
    this.keepalive = setTimeout(() => {
      if (this.closing) return;
      if (Date.now() - this.lastSentAt >= keepaliveMs) this.send(connectFrame(this.options.qrhash));
      this.scheduleKeepalive(keepaliveMs / 2, keepaliveMs);
    }, delayMs);
    (this.keepalive as { unref?: () => void }).unref?.();
  }

  /** Sends a text frame; false when no registered socket is open. */
  send(frame: string): boolean {
    if (!this.isOpen) return false;
    this.socket!.send(frame);
    this.lastSentAt = Date.now();
    return true;
  }

  /**
   * Whether this connection's sockets can send a message as several frames (Node `ws` can; a
   * browser's WebSocket and undici's cannot: they send every message as one frame).
   */
  get canFragment(): boolean {
    return canFragmentMessages(this.options.WebSocket);
  }

  /**
   * Sends a text message of up to MAX_MESSAGE_BYTES as frames of at most MAX_FRAME_BYTES each (API
   * Gateway's limits); a message that fits one frame goes as one. `message` is the text, or its UTF-8
   * bytes on a socket that fragments (Node `ws`, which sends them as text; a browser's WebSocket
   * would send bytes as a binary frame, which API Gateway refuses). False when no registered socket
   * is open; a RangeError when the message is over the message limit, over the frame limit on a
   * socket that cannot fragment, or bytes on such a socket.
   */
  sendMessage(message: string | Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.lastSentAt = Date.now();
    const socket = this.socket as FragmentingSocket;
    if (typeof message === 'string' && fitsOneFrame(message)) {
      socket.send(message);
      return true;
    }
    const bytes = typeof message === 'string' ? utf8.encode(message) : message;
    if (bytes.length > MAX_MESSAGE_BYTES) throw new RangeError(`a message of ${bytes.length} bytes is over the ${MAX_MESSAGE_BYTES}-byte message limit`);
    if (!this.canFragment) throw new RangeError(`a message of ${bytes.length} bytes needs fragments (or went as bytes), which this WebSocket cannot send as text`);
    // One message, several frames: the first a text frame without FIN, then continuation frames; the
    // pieces go out back to back in this tick, so no other message can come between them.
    for (let offset = 0; offset < bytes.length; offset += MAX_FRAME_BYTES) {
      const end = Math.min(bytes.length, offset + MAX_FRAME_BYTES);
      socket.send(bytes.subarray(offset, end), { binary: false, fin: end === bytes.length, compress: false });
    }
    return true;
  }

  /** Closes for good; no reconnection follows. */
  close(): void {
    this.closing = true;
    clearTimeout(this.keepalive);
    clearTimeout(this.renewal);
    this.draining?.close(1000, 'done');
    this.socket?.close(1000, 'done');
    // A reconnection under way stops now, not after its wait or its attempt's timeout (a cancel during it ends the process at once).
    this.wakeReconnect?.();
    if (this.attempting && this.attempting !== this.socket) {
      try {
        this.attempting.close(1000, 'done');
      } catch {
        // The attempt's socket may not be open yet.
      }
    }
  }

  /** Replaces the socket renewAfterMs after it registered (the next one too, and so on). */
  private scheduleRenewal(delayMs = this.options.renewAfterMs ?? SESSION_TIMING.renewAfterMs): void {
    clearTimeout(this.renewal);
    this.renewal = setTimeout(() => void this.renew(), delayMs);
    (this.renewal as { unref?: () => void }).unref?.();
  }

  /**
   * Make before break: registers a new socket while the old one still serves, switches sending to
   * it, tells the session (which says hello from the new id), and closes the old socket once what
   * was in flight to it has had SESSION_TIMING.renewGraceMs to arrive. A failed attempt is tried
   * again a little later; a drop meanwhile is the reconnection's business.
   */
  private async renew(): Promise<void> {
    if (this.closing || !this.isOpen) return;
    if (this.options.mayRenew && !this.options.mayRenew()) {
      this.scheduleRenewal(SESSION_TIMING.renewRetryMs);
      return;
    }
    const old = this.socket!;
    let id: string;
    this.renewing = true;
    this.droppedWhileRenewing = false;
    try {
      id = await this.attempt();
    } catch {
      this.renewing = false;
      if (this.closing) return;
      // The old socket dropped while the new one failed: reconnect as after any drop.
      if (this.droppedWhileRenewing) void this.reconnect();
      else this.scheduleRenewal(SESSION_TIMING.renewRetryMs);
      return;
    } finally {
      this.renewing = false;
    }
    if (this.closing) return;
    if (this.droppedWhileRenewing) {
      // The old socket dropped before the new one was up: the new one is the reconnection (one at a time).
      this.scheduleRenewal();
      this.options.onReconnected?.(id);
      return;
    }
    this.draining = old;
    setTimeout(() => {
      if (this.draining === old) this.draining = undefined;
      old.close(1000, 'renewed');
    }, SESSION_TIMING.renewGraceMs);
    this.scheduleRenewal();
    this.options.onRenewed?.(id);
  }

  private attempt(): Promise<string> {
    const { url, WebSocket, qrhash } = this.options;
    return new Promise<string>((resolve, reject) => {
      let settled = false;
      let socket: WebSocketLike;
      const shownUrl = redactRelayKey(url);
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        try {
          socket?.close();
        } catch {
          // The socket may not have opened at all.
        }
        reject(
          isKeyRefusal(reason)
            ? new RelayKeyRefusedError(`the relay refused the connection: its access key is missing or wrong (${shownUrl} answered 401)`)
            : new RelayUnreachableError(`cannot reach the relay at ${shownUrl}: ${describeUnreachable(reason)}`, { withRelayKey: relayKeyOf(url) !== undefined }),
        );
      };
      /** The relay's last InternalError to our Connect, told if no answer follows. */
      let connectRefusal: string | undefined;
      const timer = setTimeout(() => fail(connectRefusal ? `no answer to Connect (${connectRefusal})` : 'no answer to Connect'), this.options.connectTimeoutMs ?? SESSION_TIMING.connectAttemptMs);
      const askAgainSoon = () =>
        setTimeout(() => {
          if (!settled && socket.readyState === OPEN) socket.send(connectFrame(qrhash));
        }, SESSION_TIMING.droppedControlRetryMs);
      try {
        socket = new WebSocket(url);
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
        return;
      }
      this.attempting = socket;
      socket.onopen = () => socket.send(connectFrame(qrhash));
      socket.onerror = (event) => fail(describeSocketError(event));
      socket.onclose = (event) => {
        if (!settled) fail(`closed with ${event.code}${event.reason ? ` ${event.reason}` : ''}`);
        else if (socket === this.socket) this.onDrop();
        else if (socket === this.draining) this.draining = undefined;
      };
      socket.onmessage = (event) => {
        if (typeof event.data !== 'string') return;
        const frame = parseIncomingFrame(event.data);
        if (!frame) return;
        if (frame.action === 'Throttled' && !settled) {
          // API Gateway dropped our Connect: ask again shortly (the attempt's own timeout still applies).
          askAgainSoon();
          return;
        }
        if (frame.action === 'Error' && frame.message.request === 'Connect' && !settled) {
          const refusal = describeRelayError(frame.message);
          // InternalError says "try again" (its table did not answer, say); any other code will not change.
          if (frame.message.code !== 'InternalError') return fail(refusal);
          connectRefusal = refusal;
          askAgainSoon();
          return;
        }
        if (frame.action === 'Connect') {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.socket = socket;
          this.connectionId = frame.message.connectionid;
          resolve(frame.message.connectionid);
          return;
        }
        if (socket === this.socket || socket === this.draining) this.options.onFrame(frame);
      };
    });
  }

  private onDrop(): void {
    if (this.closing) return;
    this.connectionId = undefined;
    const windowMs = this.options.reconnectWindowMs ?? SESSION_TIMING.peerTimeoutMs;
    this.reconnectDeadline = Date.now() + windowMs;
    this.options.onDisconnected?.(this.reconnectDeadline, windowMs);
    // A renewal already opening a socket becomes the reconnection: two attempts at once would leave one socket orphaned.
    if (this.renewing) this.droppedWhileRenewing = true;
    else void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const deadline = this.reconnectDeadline;
    const backoff = new ReconnectBackoff(Math.random, this.options.throttledReconnectCeilingMs);
    let lastError: unknown;
    while (!this.closing && Date.now() < deadline) {
      try {
        const id = await this.attempt();
        if (this.closing) {
          this.socket?.close();
          return;
        }
        this.scheduleRenewal();
        this.options.onReconnected?.(id);
        return;
      } catch (error) {
        lastError = error;
        if (error instanceof RelayKeyRefusedError) break;
        // A 429 on the handshake: the relay (or the account) is refusing new connections; wait longer.
        const throttled = error instanceof Error && /Unexpected server response: 429\b/.test(error.message);
        await this.waitBeforeRetry(Math.min(backoff.nextDelayMs(throttled), Math.max(0, deadline - Date.now())));
      }
    }
    if (this.closing) return;
    if (lastError instanceof RelayKeyRefusedError) {
      this.options.onFatal(lastError);
      return;
    }
    const reason = lastError instanceof Error ? lastError.message : 'no reconnection in time';
    this.options.onFatal(new RelayUnreachableError(`lost the relay and could not reconnect: ${reason}`, { withRelayKey: relayKeyOf(this.options.url) !== undefined }));
  }

  /** Waits `ms` between two reconnection attempts, or less when close() comes first. */
  private waitBeforeRetry(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), ms);
      this.wakeReconnect = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (this.wakeReconnect = undefined));
  }
}

/**
 * Whether a failed handshake was the relay's 401. Node's `ws` reports a non-101 answer as
 * "Unexpected server response: 401"; a browser sees only a failed socket and never gets here.
 */
function isKeyRefusal(reason: string): boolean {
  return /Unexpected server response: 401\b/.test(reason);
}

/**
 * Why a socket failed: "not running" first when nothing listens at the address (Node's
 * ECONNREFUSED), what to do when its certificate is not trusted here (a self-signed one: another
 * computer's `npm start -- --lan`); a browser only says it failed.
 */
function describeUnreachable(reason: string): string {
  if (/\bECONNREFUSED\b/.test(reason)) return `it is not running (${reason})`;
  if (/self[- ]signed certificate|unable to verify the first certificate|unable to get local issuer certificate/i.test(reason)) {
    return `its certificate is not one this computer trusts (${reason}); a relay started with npm start -- --lan is trusted on its own computer and by browsers that accepted its certificate`;
  }
  return reason;
}

/** Whether sockets of this constructor can fragment: `ws` sockets have `terminate` and `ping`, browser ones do not. */
export function canFragmentMessages(WebSocket: WebSocketConstructor): boolean {
  const prototype = (WebSocket as { prototype?: Record<string, unknown> }).prototype;
  return typeof prototype?.terminate === 'function' && typeof prototype.ping === 'function';
}

function describeSocketError(event: unknown): string {
  const error = (event as { error?: unknown; message?: unknown } | null) ?? {};
  if (error.error instanceof Error) return error.error.message;
  if (typeof error.message === 'string' && error.message) return error.message;
  return 'connection failed';
}
