import { WINDOW_CHUNKS } from './streams/chunking';
import { isLoopbackHost } from './transport/relay-url';

/** Timing, window and pacing knobs of the transfer protocol; defaults suit a relay ~100 ms away. */
export interface ProtocolTuning {
  /** The largest congestion window, in chunks beyond the receiver's contiguous prefix (at most MAX_WINDOW_CHUNKS). @default 64 */
  readonly windowChunks: number;
  /**
   * The congestion window a session starts with, in browser-sized chunks (24,064 B: a sender of
   * 96 KB chunks starts with 1, the same bytes); slow start grows it from there. @default 4: a
   * hundred sessions starting at once on one relay already put 10 MB in its way
   */
  readonly initialWindowChunks: number;
  /**
   * The congestion window never shrinks below this (below it, the pacing rate shrinks instead).
   * @default 1: a hundred sessions through one relay cannot each keep two 96 KB chunks queued
   */
  readonly minWindowChunks: number;
  /** The receiver acknowledges after max(this, window / 8) newly accepted chunks. @default 8 */
  readonly ackEveryChunks: number;
  /**
   * ...or this long after the first chunk it has not acknowledged yet: a quarter of the round trip the
   * receiver measured while pairing, at most this. @default 25
   */
  readonly ackDelayMs: number;
  /**
   * The receiver reports a gap this many chunks below the highest chunk seen (as TCP's three duplicate
   * acks); the sender resends it only once it is older than a round trip plus a reordering allowance.
   * @default 3
   */
  readonly reorderToleranceChunks: number;
  /** The receiver reports what is missing after this long without a chunk. @default 250 */
  readonly quietMs: number;
  /** The longest the receiver's quiet period grows to while nothing arrives. @default 2000 */
  readonly maxQuietMs: number;
  /** The retransmission timeout before any round trip was measured. @default 1000 */
  readonly initialRtoMs: number;
  /** The floor of the retransmission timeout. @default 200 */
  readonly minRtoMs: number;
  /** The ceiling of the retransmission timeout, backoff included. @default 60000 */
  readonly maxRtoMs: number;
  /**
   * The most Transfer messages per second one sender sends (pacing; `Infinity` for none), so that one
   * client stays below the stage's throttle. @default defaultPacingRate(relay URL): none for a relay
   * on this machine, DEFAULT_PACING_PER_SECOND otherwise
   */
  readonly pacingPerSecond: number;
  /**
   * Queueing delay the sender tolerates: when the smoothed round trip exceeds the smallest one seen
   * by more than this, the window shrinks as on a loss, and at the smallest window the pacing rate
   * does (a delay signal, as TCP Vegas and LEDBAT use), so a saturated relay is not filled with
   * queued chunks that the retransmission timer then resends. `Infinity` turns it off. @default 50
   */
  readonly queueDelayTargetMs: number;
  /** How many messages the pacer lets go back to back after a pause. @default 4 */
  readonly pacingBurst: number;
  /** The sender stops sending while the socket buffers more than this many bytes. @default 1 MiB */
  readonly highWaterBytes: number;
}

/**
 * Transfer messages per second one sender sends to a relay that is not on this machine: a quarter
 * of a stage throttle of ~1000 requests/s on the Transfer route, so a few transfers share it.
 */
export const DEFAULT_PACING_PER_SECOND = 250;

/** The defaults of every ProtocolTuning knob (pacing: see defaultPacingRate). */
export const DEFAULT_TUNING: ProtocolTuning = {
  windowChunks: WINDOW_CHUNKS,
  initialWindowChunks: 4,
  minWindowChunks: 1,
  ackEveryChunks: 8,
  ackDelayMs: 25,
  reorderToleranceChunks: 3,
  quietMs: 250,
  maxQuietMs: 2000,
  initialRtoMs: 1000,
  minRtoMs: 200,
  maxRtoMs: 60_000,
  pacingPerSecond: DEFAULT_PACING_PER_SECOND,
  queueDelayTargetMs: 50,
  pacingBurst: 4,
  highWaterBytes: 1024 * 1024,
};

/** The pacing default for a relay URL: none on loopback (no stage throttle there), DEFAULT_PACING_PER_SECOND elsewhere. */
export function defaultPacingRate(relayUrl: string): number {
  let host: string;
  try {
    host = new URL(relayUrl).hostname;
  } catch {
    return DEFAULT_PACING_PER_SECOND;
  }
  return isLoopbackHost(host) ? Infinity : DEFAULT_PACING_PER_SECOND;
}

/** Fills the knobs a caller left out with the defaults; `relayUrl` picks the pacing default. */
export function resolveTuning(partial?: Partial<ProtocolTuning>, relayUrl?: string): ProtocolTuning {
  const pacing = relayUrl === undefined ? DEFAULT_TUNING.pacingPerSecond : defaultPacingRate(relayUrl);
  const tuning = { ...DEFAULT_TUNING, pacingPerSecond: pacing, ...partial };
  if (!(tuning.pacingPerSecond > 0)) throw new RangeError(`pacingPerSecond must be above 0 (Infinity for no pacing), got ${tuning.pacingPerSecond}`);
  if (!(tuning.minWindowChunks >= 1) || tuning.minWindowChunks > tuning.windowChunks) {
    throw new RangeError(`minWindowChunks must be from 1 to windowChunks (${tuning.windowChunks}), got ${tuning.minWindowChunks}`);
  }
  return tuning;
}

/**
 * Every timing of a session outside the transfer's knobs (ProtocolTuning): how long a side waits for
 * whom, and how often it says something again. Named once here; the options that override some of
 * them (pairTimeoutMs, idleTimeoutMs, resumeTimeoutMs, receiptTimeoutMs, lingerMs) default to these.
 */
export const SESSION_TIMING = {
  /** Receiver: how long the link's sender has to answer the first hello. */
  pairTimeoutMs: 30_000,
  /** How long a side waits for any sign of its peer (idle), and for a gone peer or its own socket to come back (resume). */
  peerTimeoutMs: 120_000,
  /** Sender: how long after the last file's success ack the receiver's sealed receipt may take (counted while it is connected). */
  receiptTimeoutMs: 10_000,
  /** Receiver: how long it waits for the sender's bye after the last file, repeating its receipt (longer than receiptTimeoutMs). */
  lingerMs: 12_000,
  /** Receiver: how often an unanswered first hello is repeated. */
  firstHelloRepeatMs: 2000,
  /** Receiver: how often the last receipt is repeated while it waits for the bye. */
  receiptRepeatMs: 1000,
  /** How soon a control frame the relay dropped (throttled, PeerBusy, InternalError) is sent again; also a refused first Connect. */
  droppedControlRetryMs: 250,
  /** How long a side keeps its socket open after its cancel or bye went, so the relay forwards it before the close. */
  farewellGraceMs: 250,
  /** The least time between two repairs (hellos after NotPaired): a burst of NotPaired costs one. */
  repairGapMs: 500,
  /** How often the idle watchdog looks. */
  idleCheckMs: 1000,
  /** Sender: the least time between two congestion signals acted on, before a round trip is measured. */
  minSignalGapMs: 50,
  /** Sender: how often the receipt wait looks at the clock. */
  receiptPollMs: 100,
  /** While the peer seems gone, a hello goes to its last known id this often, in case the "gone" was stale. */
  probeIntervalMs: 1000,
  /** PeerGone errors this soon after the peer moved to a new connection are about its old one. */
  staleErrorGraceMs: 1500,
  /** After this side reconnected, the peer is declared away (and probed) unless it says hello within this long. */
  answerTimeoutMs: 2000,
  /** Receiver: the shortest delay of an acknowledgement, however near the relay is. */
  minAckDelayMs: 10,
  /** How long one attempt to open a socket and register (Connect) may take. */
  connectAttemptMs: 10_000,
  /** Sender: how long after pairing a direct path (WebRTC data channel) has to open before the transfer goes through the relay. */
  directTimeoutMs: 3000,
  /** A socket that sent nothing for this long sends a Connect (API Gateway closes one idle for 10 minutes). */
  keepaliveMs: 240_000,
  /** A socket to the relay is replaced (make before break) this long after it opened: API Gateway closes one at 2 hours. */
  renewAfterMs: 110 * 60_000,
  /** After a renewal, the old socket stays open this long for what was in flight to it. */
  renewGraceMs: 5000,
  /** A renewal that could not open a new socket is tried again this much later. */
  renewRetryMs: 30_000,
  /** This many "Internal server error" frames from API Gateway within relayFailingWindowMs make the session say the relay is failing (once). */
  relayFailingCount: 5,
  relayFailingWindowMs: 10_000,
  /** Sender: after a direct path failed to open or closed, the next attempt waits this long (doubling after each failure). */
  directRetryMs: 5000,
  /** Sender: the longest wait between two attempts at a direct path. */
  directRetryMaxMs: 60_000,
} as const;
