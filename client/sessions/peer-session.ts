import type { RelayDropKind } from '../congestion/congestion-control';
import { type ControlMessage, sealControl } from '../crypto/control-messages';
import { CancelledError, TimeoutError } from '../errors';
import { FailureLatch, timeoutAfter } from './failure-latch';
import { PeerPresence } from './peer-presence';
import { helloProof } from '../crypto/peer-proof';
import type { RelayConnection } from '../transport/relay-connection';
import { reactToRelayError } from '../transport/relay-error-codes';
import { controlRequestFrame } from '../transport/rejoin';
import type { Sealer, SessionKeys } from '../crypto/session-crypto';
import type { SessionEvent, SessionEventListener } from './session-events';
import { SESSION_TIMING } from '../tuning';
import { DirectLink, type TransferPath } from '../direct/direct-link';
import type { WebRtcImplementation } from '../direct/node-webrtc';
import { type IncomingFrame, parseIncomingFrame } from '../transport/wire-frames';
import { ChunkPieceAssembler, encodeChunkPieces, type SealedChunk } from '../direct/chunk-pieces';
import { type GatewayDropReason, type RelayErrorMessage, transferFrameSchema } from '../../protocol/frames';
import type { ChunkMessage } from '../streams/stream-receiver';
import type { CryptoPort } from '../crypto/crypto-port';

/** Which side of a session this is. */
export type PeerRole = 'sender' | 'receiver';

/** What every session takes, whatever its role. */
export interface PeerSessionOptions {
  readonly onEvent?: SessionEventListener;
  /** Aborting cancels the transfer and tells the peer. */
  readonly signal?: AbortSignal;
  /** How long to wait for a gone peer to come back. @default 120000 */
  readonly resumeTimeoutMs?: number;
  /** How long to wait for any sign of the paired peer before giving up. @default 120000 */
  readonly idleTimeoutMs?: number;
  /**
   * A WebRTC implementation (the browser's, or loadNodeWebRtc()'s) for a direct path to the peer;
   * absent, the session stays on the relay (the CLI passes one only with `--direct`).
   */
  readonly webrtc?: WebRtcImplementation;
  /** ICE servers for the direct path. @default none: host candidates only */
  readonly iceServers?: readonly RTCIceServer[];
  /** Test hook: our ICE candidates for which this returns false are never signalled. */
  readonly directCandidateFilter?: (candidate: string) => boolean;
  /** How long a socket to the relay serves before it is replaced, make before break (tests shorten it). @default SESSION_TIMING.renewAfterMs */
  readonly renewConnectionAfterMs?: number;
  /** Called with the DirectLink once it exists (tests use it to break the direct path). */
  readonly onDirectLink?: (link: DirectLink) => void;
  /** What seals, opens and hashes chunks and control messages. @default WebCrypto */
  readonly crypto?: CryptoPort;
}

/** What a user's own abort tells the peer (the peer prefixes "the receiver/sender cancelled"). */
const USER_CANCEL_REASON = 'stopped by the user';

/**
 * What a sender and a receiver session share: the failure latch, the peer's presence (away, probes,
 * resume deadline), the idle watchdog, a user's cancel, events that stop after `done`, hellos bound
 * to the pair (client/crypto/peer-proof.ts), sealed control messages, and the reaction to the relay's
 * Error frames. A session subclass keeps only its role: what it sends or receives, and how it pairs.
 */
export abstract class PeerSession {
  protected readonly latch = new FailureLatch();
  protected readonly presence: PeerPresence;
  protected keys!: SessionKeys;
  protected sealer!: Sealer;
  protected connection!: RelayConnection;
  /** The peer's current connection id, once known. */
  protected peerId?: string;
  /** The key only this side and its peer hold, once paired (client/crypto/peer-proof.ts). */
  protected pairKey?: CryptoKey;
  /** Every file is delivered and confirmed: what happens to the direct path now is not reported. */
  protected transferOver = false;
  /** The path the bytes take now (reported in `path` events). */
  private currentPath: TransferPath = 'relay';
  private lastPeerActivityAt = Date.now();
  private lastRepairAt = 0;
  private finished = false;
  private farewell?: Promise<void>;
  private watchdog?: ReturnType<typeof setInterval>;
  /** When API Gateway last answered "Internal server error" (within SESSION_TIMING.relayFailingWindowMs). */
  private readonly recentInternalErrors: number[] = [];
  private saidRelayFailing = false;
  /** The repeats already scheduled, by what they say: at most one of each waits at a time. */
  private readonly pendingRepeats = new Set<string>();
  /** The direct path to the peer, when a WebRTC implementation was given. */
  protected readonly direct?: DirectLink;
  /** Puts the direct path's binary pieces back into sealed chunks (a new one for each channel). */
  private pieces = new ChunkPieceAssembler();

  protected constructor(
    protected readonly role: PeerRole,
    private readonly base: PeerSessionOptions,
  ) {
    this.presence = new PeerPresence({
      peerRole: this.peerRole,
      probe: () => void this.sayHello(false, 'proof-only').catch(() => undefined),
      onAway: (givesUpAt, windowMs) => this.emit({ type: 'interrupted', reason: 'peer-gone', givesUpAt, givesUpInMs: windowMs }),
      onGiveUp: (error) => this.latch.fail(error),
      resumeTimeoutMs: base.resumeTimeoutMs,
    });
    if (base.webrtc) {
      this.direct = new DirectLink({
        webrtc: base.webrtc,
        role,
        iceServers: base.iceServers,
        candidateFilter: base.directCandidateFilter,
        sendSignal: (signal) => this.sendControl(signal),
        onText: (text) => this.onDirectText(text),
        onBinary: (bytes) => this.onDirectBinary(bytes),
        onPath: (path) => {
          this.pieces = new ChunkPieceAssembler();
          // A channel that closes once every byte is confirmed (the peer leaving) is no news, nor a path we are already on.
          if (this.transferOver || path === this.currentPath) return;
          this.currentPath = path;
          this.emit({ type: 'path', path });
          this.onPathChanged(path);
        },
      });
      base.onDirectLink?.(this.direct);
    }
  }

  /** The direct path opened, or closed (then the relay carries the frames from what the receiver holds). */
  protected abstract onPathChanged(path: TransferPath): void;

  /** A frame that came over the direct path, checked as one from the relay; the session takes only `action`. */
  protected abstract onDirectFrame(frame: IncomingFrame): void;

  /** Which action a side takes over the direct path: the receiver Transfers, the sender Acknowledges. */
  private get directAction(): 'Transfer' | 'Acknowledge' {
    return this.role === 'receiver' ? 'Transfer' : 'Acknowledge';
  }

  /**
   * Text from the data channel: parsed and checked like a relay frame, only the action the peer sends
   * over it kept, and stamped with the peer's connection id as the relay would (so the session's
   * routing is the same on both paths).
   */
  private onDirectText(text: string): void {
    const frame = parseIncomingFrame(text);
    if (!frame || frame.action !== this.directAction || this.peerId === undefined) return;
    this.onDirectFrame({ ...frame, message: { ...frame.message, connectionid: this.peerId } } as IncomingFrame);
  }

  /**
   * Binary from the data channel: a piece of a sealed chunk (client/direct/chunk-pieces.ts), taken
   * only by the receiver. A whole chunk is checked against the Transfer schema like a relay frame and
   * goes on with its sealed bytes (the stream receiver checks its hash and tag); anything else is dropped.
   */
  private onDirectBinary(bytes: Uint8Array): void {
    if (this.role !== 'receiver' || this.peerId === undefined) return;
    const chunk = this.pieces.take(bytes);
    if (!chunk) return;
    const { fileid, chunkid, chunktotal, chunkhash, sealed } = chunk;
    const frame = transferFrameSchema.safeParse({ action: 'Transfer', message: { connectionid: this.peerId, data: '', chunkid, chunktotal, chunkhash, fileid } });
    if (!frame.success) return;
    const message: ChunkMessage = { ...frame.data.message, sealed };
    this.onDirectFrame({ action: 'Transfer', message });
  }

  /**
   * Sends a sealed chunk over the direct path when it is open (binary pieces, or the one text frame
   * `toRelayFrame` writes when it has no binary form), else through the relay (`viaRelay`). A chunk
   * whose pieces did not all go (the channel closed under it) goes through the relay whole.
   */
  protected sendChunkOnPath(chunk: SealedChunk, toRelayFrame: (chunk: SealedChunk) => string, viaRelay: (chunk: SealedChunk) => boolean): boolean {
    const direct = this.direct;
    if (direct?.isOpen) {
      const pieces = encodeChunkPieces(chunk);
      if (pieces ? pieces.every((piece) => direct.sendBinary(piece)) : direct.send(toRelayFrame(chunk))) return true;
    }
    return viaRelay(chunk);
  }

  /** Sends a Transfer or Acknowledge frame over the direct path when it is open, else through the relay. */
  protected sendOnPath(frame: string, viaRelay: (frame: string) => boolean): boolean {
    if (this.direct?.isOpen && this.direct.send(frame)) return true;
    return viaRelay(frame);
  }

  /** The other side's role. */
  protected get peerRole(): PeerRole {
    return this.role === 'sender' ? 'receiver' : 'sender';
  }

  /** Whether this side has paired with its peer (hellos then ask the relay to rejoin, client/transport/rejoin.ts). */
  protected abstract get isPaired(): boolean;

  /**
   * API Gateway dropped a frame of ours: its throttle ("Limit Exceeded"), or the route's function
   * failed or was throttled ("Internal server error"). Either is a lost frame and a congestion
   * signal; the second, when it keeps coming, is said once in words (the account's Lambda
   * concurrency is the usual cause).
   */
  protected onGatewayDrop(reason: GatewayDropReason): void {
    if (reason === 'internal-error') this.noteInternalError();
    this.onCongestionSignal(reason === 'internal-error' ? 'failure' : 'throttle');
  }

  private noteInternalError(): void {
    const now = Date.now();
    const recent = this.recentInternalErrors;
    recent.push(now);
    while (recent.length > 0 && recent[0]! < now - SESSION_TIMING.relayFailingWindowMs) recent.shift();
    if (this.saidRelayFailing || recent.length < SESSION_TIMING.relayFailingCount) return;
    this.saidRelayFailing = true;
    this.emit({
      type: 'warning',
      code: 'RelayFunctionsFailing',
      message:
        'The relay keeps answering "Internal server error": its AWS account is throttling or failing its Lambda functions (a new account runs only 10 at once). The transfer goes on, more slowly; to raise the Lambda concurrency quota, see docs/deploy.md.',
    });
  }

  /** A frame of ours was dropped by the relay: as congestion (API Gateway's throttle, PeerBusy), or its function failed. */
  protected abstract onCongestionSignal(kind?: RelayDropKind): void;

  /** A control frame of ours may have been lost (after a congestion signal, or an InternalError to a Request). */
  protected abstract onControlDropped(): void;

  /**
   * Runs the session's body: a user's abort cancels it, its failure is the latch's first error,
   * and whatever happens the watchdog and the presence stop and the socket closes (after our cancel
   * went, if we cancelled).
   */
  protected async runSession<T>(body: () => Promise<T>): Promise<T> {
    const { signal } = this.base;
    const onAbort = () => this.cancel();
    signal?.addEventListener('abort', onAbort);
    try {
      return await body();
    } catch (error) {
      throw this.latch.failure ?? error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.watchdog) clearInterval(this.watchdog);
      this.presence.end();
      this.direct?.close();
      await this.farewell;
      this.connection?.close();
    }
  }

  /** Starts the idle watchdog: no sign of the peer for idleTimeoutMs (while it is neither away nor we offline) fails the session. */
  protected startIdleWatchdog(): void {
    const limit = this.base.idleTimeoutMs ?? SESSION_TIMING.peerTimeoutMs;
    this.watchdog = setInterval(() => {
      if (this.presence.isAway || !this.connection.isOpen) {
        this.lastPeerActivityAt = Date.now();
        return;
      }
      if (Date.now() - this.lastPeerActivityAt > limit) {
        this.latch.fail(new TimeoutError(`no word from the ${this.peerRole} for ${Math.round(limit / 1000)} s`));
      }
    }, SESSION_TIMING.idleCheckMs);
  }

  /** Something from the peer arrived: it counts against the idle timeout. */
  protected peerActive(): void {
    this.lastPeerActivityAt = Date.now();
  }

  /** Waits for `promise`, failing with `makeError()` after `ms` (none: no limit) or when the session fails. */
  protected async within<T>(promise: Promise<T>, ms: number | undefined, makeError: () => Error): Promise<T> {
    if (ms === undefined) return this.latch.race(promise);
    const timeout = timeoutAfter(ms, makeError);
    try {
      return await this.latch.race(Promise.race([promise, timeout.promise]));
    } finally {
      timeout.cancel();
    }
  }

  /** Reports an event, unless the session already reported `done`. */
  protected emit(event: SessionEvent): void {
    if (this.finished) return;
    if (event.type === 'done') this.finished = true;
    this.base.onEvent?.(event);
  }

  /** Reacts to a relay Error frame that is not about pairing: lost frames, a peer away, a lost pairing, or a fatal error. */
  protected onRelayError(error: RelayErrorMessage): void {
    const reaction = reactToRelayError(error, this.peerId);
    if (reaction === 'ignore') return;
    if (reaction === 'congestion') return this.onCongestionSignal();
    if (reaction === 'resend') return this.onControlDropped();
    if (reaction === 'peer-away') {
      if (this.peerId !== undefined) this.presence.markAway();
      return;
    }
    if (reaction === 'repair') return void this.repair().catch(() => undefined);
    this.latch.fail(reaction.fatal);
  }

  /** The relay lost our pairing (NotPaired): a hello re-pairs, at most one per SESSION_TIMING.repairGapMs. */
  private async repair(): Promise<void> {
    if (Date.now() - this.lastRepairAt < SESSION_TIMING.repairGapMs) return;
    this.lastRepairAt = Date.now();
    await this.sayHello(true, 'proof-only');
  }

  /** Says hello again after `delayMs`, unless a repeat is already scheduled. */
  protected repeatHello(delayMs: number, reply: boolean, what: HelloContent): void {
    this.repeatSoon('hello', delayMs, () => this.sayHello(reply, what));
  }

  /** Runs `send` after `delayMs`, unless a repeat of `what` is already scheduled (a flood of drops costs one). */
  protected repeatSoon(what: string, delayMs: number, send: () => Promise<void>): void {
    if (this.pendingRepeats.has(what)) return;
    this.pendingRepeats.add(what);
    setTimeout(() => {
      this.pendingRepeats.delete(what);
      void send().catch(() => undefined);
    }, delayMs);
  }

  /**
   * Says hello to the peer: with a proof bound to our connection once we hold the pair key; with
   * our session id when asked (such a hello names its connection and never rejoins, client/transport/rejoin.ts).
   * A proof-only hello without the pair key is not sent.
   */
  protected async sayHello(reply: boolean, what: HelloContent): Promise<void> {
    const id = this.connection.id;
    const proof = this.pairKey && id !== undefined ? await helloProof(this.pairKey, this.role, id) : undefined;
    if (what === 'proof-only' && proof === undefined) return;
    const session = what === 'with-session' ? this.ownSession : undefined;
    await this.sendControl({
      t: 'hello',
      role: this.role,
      reply,
      ...(session === undefined ? {} : { session }),
      ...(proof === undefined ? {} : { proof }),
      ...(this.direct ? { direct: true } : {}),
    });
  }

  /** This side's session id. */
  protected abstract get ownSession(): string;

  /** Seals a control message and sends it to the peer (nowhere before a peer is known). */
  protected async sendControl(message: ControlMessage): Promise<void> {
    if (this.peerId !== undefined) await this.sendControlTo(this.peerId, message);
  }

  /** Seals a control message and sends it to `target`, with the session's qrhash. */
  protected async sendControlTo(target: string, message: ControlMessage): Promise<void> {
    const sealed = await sealControl(this.sealer, message);
    this.connection.send(controlRequestFrame({ connectionid: target, qrhash: this.keys.qrhash, message: sealed }, message, this.isPaired));
  }

  /** The user aborted: tell the peer, and fail with "the sender/receiver cancelled". */
  private cancel(): void {
    this.sayFarewell({ t: 'cancel', reason: USER_CANCEL_REASON });
    this.latch.fail(new CancelledError(`the ${this.role} cancelled`));
  }

  /**
   * Sends the session's last control message (a cancel, a refusal): the socket closes once the
   * session ends, so the session waits for it to go, and SESSION_TIMING.farewellGraceMs more for the
   * relay to forward it before the close reaches the relay.
   */
  protected sayFarewell(message: ControlMessage): void {
    this.farewell ??= this.sendControl(message)
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, SESSION_TIMING.farewellGraceMs)))
      .catch(() => undefined);
  }
}

/** What a hello carries: our session id too, or only the proof. */
export type HelloContent = 'with-session' | 'proof-only';
