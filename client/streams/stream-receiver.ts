import { fromBase64ThenVerify, toBase64Url } from '../../protocol/base64';
import { HashMismatchError } from '../errors';
import { MAX_MISSING_CHUNK_IDS } from '../../protocol/limits';
import { MAX_WINDOW_CHUNKS } from './chunking';
import { bytesEqual, chunkAad, openSealed } from '../crypto/session-crypto';
import type { AesGcmKey } from '../crypto/crypto-port';
import type { Hasher } from '../crypto/sha256';
import type { ProtocolTuning } from '../tuning';
import type { AcknowledgeMessage, TransferMessage } from '../../protocol/frames';

/** A whole stream's bytes differ from the size or SHA-256 the manifest announced; `damage` says how, in words. */
export class DamagedStreamError extends HashMismatchError {
  constructor(
    readonly fileid: string,
    readonly damage: string,
  ) {
    super(`${fileid}: ${damage}`);
  }
}

/**
 * A Transfer as the receiver takes it: from the relay (base64 `data`), or rebuilt from the direct
 * path's binary pieces (client/direct/chunk-pieces.ts), which carry the sealed bytes themselves in
 * `sealed` (then `data` is empty). Either way the chunk hash and the tag are checked.
 */
export type ChunkMessage = TransferMessage & { readonly sealed?: Uint8Array };

/** What a StreamReceiver needs: the stream, the key, where its bytes go, and how to acknowledge. */
export interface StreamReceiverOptions {
  readonly fileid: string;
  readonly chunktotal: number;
  /** Plaintext bytes of every chunk but the last (the sender's choice, from the manifest). */
  readonly chunkBytes: number;
  /** The sender's largest window, for the acknowledgement cadence (max(ackEveryChunks, window / 8)). @default tuning.windowChunks */
  readonly senderWindowChunks?: number;
  /** How long an accepted chunk may wait for its acknowledgement. @default tuning.ackDelayMs */
  readonly ackDelayMs?: number;
  /** The stream's exact size when known (files); checked at the end. */
  readonly expectedSize?: number;
  /** The stream's SHA-256 when known (files); checked at the end. */
  readonly expectedSha256?: Uint8Array;
  readonly key: AesGcmKey;
  /** Writes the next bytes of the stream, strictly in order. */
  readonly write: (bytes: Uint8Array) => Promise<void>;
  /** Sends an Acknowledge (the session adds the peer's connection id). */
  readonly sendAck: (ack: Omit<AcknowledgeMessage, 'connectionid'>) => void;
  readonly hasher: Hasher;
  readonly tuning: ProtocolTuning;
  /** Called with the bytes written so far. */
  readonly onProgress?: (bytesWritten: number) => void;
  /** Called for each new chunk whose hash and tag verify: proof that the sender is there. */
  readonly onVerifiedChunk?: () => void;
  /**
   * Whole chunks already written by an earlier process (a resumed partial file): reception starts
   * at this chunk, and `hasher` must already hold those chunks' bytes. @default 0
   */
  readonly startChunk?: number;
}

/**
 * Receives one stream: checks each chunk's hash and tag, keeps out-of-order chunks (at most a window
 * of them) until the gap before them fills, writes the contiguous prefix in order while hashing it,
 * and reports missing chunks after a quiet period. It acknowledges every max(ackEveryChunks,
 * window / 8) accepted chunks, or ackDelayMs after the first chunk not yet acknowledged, whichever
 * comes first. `finished` resolves once every byte is written and the whole-stream hash checks; the
 * caller then calls sendSuccess(). Memory: at most MAX_WINDOW_CHUNKS chunks of `chunkBytes`.
 */
export class StreamReceiver {
  private prefix = -1;
  private maxSeen = -1;
  private readonly buffered = new Map<number, Uint8Array>();
  private acceptedSinceAck = 0;
  private bytesWritten = 0;
  private complete = false;
  private successSent = false;
  private stopped = false;
  private lastAckAt = 0;
  /** What the last ack said (`receivedthrough` and the missing ids), to skip a quiet report that would repeat it. */
  private lastAckSaid = '';
  private quietTimer?: ReturnType<typeof setTimeout>;
  private ackTimer?: ReturnType<typeof setTimeout>;
  private quietDelay: number;
  private readonly chunkBytes: number;
  private readonly ackEvery: number;
  private chain: Promise<void> = Promise.resolve();
  /** Chunks being checked ahead of their turn (at most MAX_CHECKS_AHEAD: a flood cannot start more). */
  private checksAhead = 0;
  private resolveFinished!: () => void;
  private rejectFinished!: (error: Error) => void;
  /** Chunks thrown away because their hash or tag did not check. */
  rejectedChunks = 0;
  /** Chunks that arrived again after being accepted. */
  duplicateChunks = 0;
  /** The SHA-256 of the bytes written, once the whole stream is written and verified. */
  writtenSha256?: Uint8Array;
  /** Resolves when the whole stream is written and verified; rejects with DamagedStreamError. */
  readonly finished: Promise<void>;

  constructor(private readonly options: StreamReceiverOptions) {
    this.quietDelay = options.tuning.quietMs;
    this.chunkBytes = options.chunkBytes;
    const window = options.senderWindowChunks ?? options.tuning.windowChunks;
    this.ackEvery = Math.max(1, options.tuning.ackEveryChunks, Math.floor(window / 8));
    this.finished = new Promise<void>((resolve, reject) => {
      this.resolveFinished = resolve;
      this.rejectFinished = reject;
    });
    this.finished.catch(() => undefined);
    const start = Math.min(options.startChunk ?? 0, options.chunktotal);
    if (start > 0) {
      this.prefix = start - 1;
      this.maxSeen = this.prefix;
      this.bytesWritten = start === options.chunktotal && options.expectedSize !== undefined ? options.expectedSize : start * this.chunkBytes;
      if (this.prefix === options.chunktotal - 1) {
        this.finish();
        return;
      }
    }
    this.armQuietTimer();
  }

  /** The stream's fileid. */
  get fileid(): string {
    return this.options.fileid;
  }

  /** Whether every chunk is written and verified. */
  get isComplete(): boolean {
    return this.complete;
  }

  /** Queues one Transfer of this stream; chunks are processed one at a time, in arrival order. */
  handleTransfer(message: ChunkMessage): void {
    // A chunk that may be new is checked (hash and tag, in the thread pool) at once, while earlier ones
    // are still being checked or written; everything else waits its turn, in arrival order.
    let opened: Promise<Uint8Array | undefined> | undefined;
    if (this.checksAhead < MAX_CHECKS_AHEAD && this.mayBeNew(message)) {
      this.checksAhead++;
      opened = this.verify(message).finally(() => this.checksAhead--);
      opened.catch(() => undefined);
    }
    this.chain = this.chain.then(() => this.process(message, opened)).catch((error: Error) => this.fail(error));
  }

  /** Whether a chunk, as things stand, would be checked when its turn comes (process() decides). */
  private mayBeNew(message: ChunkMessage): boolean {
    const id = message.chunkid;
    return !this.stopped && !this.complete && message.chunktotal === this.options.chunktotal && id > this.prefix && id <= this.prefix + MAX_WINDOW_CHUNKS && !this.buffered.has(id);
  }

  /** Tells the sender what arrived and what is missing (after a resume, or when asked). */
  sendStatus(): void {
    if (this.successSent) {
      this.sendSuccess();
      return;
    }
    this.ack(this.missingInWindow());
  }

  /** Confirms the whole stream to the sender; call after `finished` resolved. */
  sendSuccess(): void {
    this.successSent = true;
    this.lastAckAt = Date.now();
    this.options.sendAck({
      success: true,
      missingchunkids: [],
      fileid: this.options.fileid,
      receivedthrough: this.options.chunktotal - 1,
    });
  }

  /** Stops the timers; later frames are ignored. */
  stop(): void {
    this.stopped = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.clearAckTimer();
  }

  private async process(message: ChunkMessage, opened?: Promise<Uint8Array | undefined>): Promise<void> {
    if (this.stopped) return;
    const { chunktotal, tuning } = this.options;
    const id = message.chunkid;
    this.quietDelay = tuning.quietMs;
    if (this.complete) {
      // The sender still sends: our success ack was lost (or not sent yet). Answer, but not on every frame.
      if (this.successSent && Date.now() - this.lastAckAt >= tuning.quietMs / 2) this.sendSuccess();
      return;
    }
    this.armQuietTimer();
    if (message.chunktotal !== chunktotal) {
      this.rejectedChunks++;
      return;
    }
    if (id <= this.prefix || this.buffered.has(id)) {
      this.duplicateChunks++;
      // A duplicate of something acknowledged may be the sender's "are you there": answer with our state
      // (only the gaps surely lost, so a burst of duplicates does not provoke a burst of resends).
      if (id <= this.prefix && Date.now() - this.lastAckAt >= tuning.quietMs / 2) this.ack(this.surelyMissing());
      return;
    }
    // Beyond any sender's window: not buffered, so a hostile or buggy sender cannot grow our memory.
    if (id > this.prefix + MAX_WINDOW_CHUNKS) return;
    const plaintext = await (opened ?? this.verify(message));
    if (!plaintext) {
      this.rejectedChunks++;
      // It did arrive, damaged: the next report lists it as missing (a gap up to the highest chunk seen).
      this.maxSeen = Math.max(this.maxSeen, id);
      return;
    }
    this.options.onVerifiedChunk?.();
    this.buffered.set(id, plaintext);
    this.maxSeen = Math.max(this.maxSeen, id);
    this.acceptedSinceAck++;
    await this.flush();
    if (this.prefix === chunktotal - 1) {
      this.finish();
      return;
    }
    if (this.acceptedSinceAck >= this.ackEvery) this.ack(this.surelyMissing());
    else this.ackTimer ??= setTimeout(() => this.onAckDelay(), this.options.ackDelayMs ?? tuning.ackDelayMs);
  }

  private onAckDelay(): void {
    this.ackTimer = undefined;
    if (!this.stopped && !this.complete && this.acceptedSinceAck > 0) this.ack(this.surelyMissing());
  }

  private clearAckTimer(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
  }

  /** Gaps well below the highest chunk seen: lost rather than overtaken. */
  private surelyMissing(): number[] {
    return this.missingBetween(this.prefix + 1, this.maxSeen - this.options.tuning.reorderToleranceChunks);
  }

  private async verify(message: ChunkMessage): Promise<Uint8Array | undefined> {
    const { fileid, chunktotal, key } = this.options;
    const plaintext = await openChunk(key, fileid, chunktotal, message);
    if (!plaintext) return undefined;
    const isLast = message.chunkid === chunktotal - 1;
    if (plaintext.length > this.chunkBytes || (!isLast && plaintext.length !== this.chunkBytes)) return undefined;
    return plaintext;
  }

  private async flush(): Promise<void> {
    for (;;) {
      const next = this.buffered.get(this.prefix + 1);
      if (!next) return;
      this.buffered.delete(this.prefix + 1);
      this.options.hasher.update(next);
      await this.options.write(next);
      this.prefix++;
      this.bytesWritten += next.length;
      this.options.onProgress?.(this.bytesWritten);
    }
  }

  private finish(): void {
    this.complete = true;
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.clearAckTimer();
    const { expectedSize, expectedSha256, fileid } = this.options;
    const digest = this.options.hasher.digest();
    if (expectedSize !== undefined && expectedSize !== this.bytesWritten) {
      this.fail(new DamagedStreamError(fileid, `${this.bytesWritten} bytes arrived, not the ${expectedSize} announced`));
      return;
    }
    if (expectedSha256 && !bytesEqual(digest, expectedSha256)) {
      this.fail(new DamagedStreamError(fileid, 'its SHA-256 differs from the one announced'));
      return;
    }
    this.writtenSha256 = digest;
    this.resolveFinished();
  }

  private fail(error: Error): void {
    this.stop();
    this.rejectFinished(error);
  }

  private ack(missing: number[]): void {
    this.acceptedSinceAck = 0;
    this.clearAckTimer();
    this.lastAckAt = Date.now();
    const missingchunkids = missing.slice(0, MAX_MISSING_CHUNK_IDS);
    this.lastAckSaid = ackSays(this.prefix, missingchunkids);
    this.options.sendAck({ success: false, missingchunkids, fileid: this.options.fileid, receivedthrough: this.prefix });
  }

  /** Every chunk not held from the prefix up to a window ahead: the sender resends those it already sent. */
  private missingInWindow(): number[] {
    return this.missingBetween(this.prefix + 1, Math.min(this.prefix + MAX_WINDOW_CHUNKS, this.options.chunktotal - 1));
  }

  private missingBetween(from: number, to: number): number[] {
    const missing: number[] = [];
    for (let id = from; id <= to && missing.length < MAX_MISSING_CHUNK_IDS; id++) {
      if (!this.buffered.has(id)) missing.push(id);
    }
    return missing;
  }

  private armQuietTimer(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.stopped || this.complete) return;
    this.quietTimer = setTimeout(() => this.onQuiet(), this.quietDelay);
  }

  /**
   * The first report of a quiet period: the gaps below the highest chunk seen. When the last ack
   * said exactly that, it is not sent again (under load a chunk every few hundred milliseconds would
   * otherwise cost two acks: the delayed one and this copy); the later reports still go, in case
   * that ack was lost.
   */
  private firstQuietReport(): void {
    const missing = this.missingBetween(this.prefix + 1, this.maxSeen);
    if (ackSays(this.prefix, missing) !== this.lastAckSaid) this.ack(missing);
  }

  /**
   * Nothing arrived for a while: report our state. The first report lists the gaps below the highest
   * chunk seen only: chunks above it may be queued in the relay rather than lost. Later ones (the
   * quiet goes on) list every chunk not held in the window, so a lost tail is asked for again.
   */
  private onQuiet(): void {
    if (this.stopped || this.complete) return;
    if (this.successSent) this.sendSuccess();
    else if (this.quietDelay <= this.options.tuning.quietMs) this.firstQuietReport();
    else this.sendStatus();
    this.quietDelay = Math.min(this.quietDelay * 2, this.options.tuning.maxQuietMs);
    this.armQuietTimer();
  }
}

/** The most chunks checked ahead of their turn at once (a 96 KB chunk each, plaintext held until its turn). */
const MAX_CHECKS_AHEAD = 8;

/** An ack's content as a key: two acks with the same key tell the sender the same thing. */
function ackSays(receivedThrough: number, missing: readonly number[]): string {
  return `${receivedThrough}:${missing.join(',')}`;
}

/**
 * Opens one Transfer's sealed chunk for the place it claims in stream `fileid` of `chunktotal`
 * chunks: its base64 (or its binary `sealed`), its chunkhash and its tag must all check. Undefined when any does not.
 */
export async function openChunk(key: AesGcmKey, fileid: string, chunktotal: number, message: ChunkMessage): Promise<Uint8Array | undefined> {
  let sealed: Uint8Array;
  try {
    // The hash and the tag below check these bytes, whatever the text looked like.
    sealed = message.sealed ?? fromBase64ThenVerify(message.data);
  } catch {
    return undefined;
  }
  if (toBase64Url(await key.crypto.sha256(sealed)) !== message.chunkhash) return undefined;
  return openSealed(key, sealed, chunkAad(fileid, message.chunkid, chunktotal));
}
