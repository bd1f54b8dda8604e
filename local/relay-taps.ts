/** One frame the relay saw: an inbound client frame or an outbound `@connections` payload. */
export interface TappedFrame {
  readonly direction: 'in' | 'out';
  readonly connectionId: string;
  /** The frame text (binary frames in base64); a posted payload is decoded on first read. */
  readonly data: string;
  /** Its size on the wire, in bytes. */
  readonly byteLength: number;
  /**
   * Its first and last `chars` characters (of an ASCII frame), read without decoding the rest: for
   * a tap that reads a few fields of every 128 KB chunk without costing the relay a copy of each.
   */
  ends(chars: number): FrameEnds;
}

/** The first and last characters of a frame (TappedFrame.ends). */
export interface FrameEnds {
  readonly head: string;
  readonly tail: string;
}

/**
 * A TappedFrame of bytes (a posted payload, or a client frame as it came in), decoded only if asked.
 * A class, not an object literal with a getter and an arrow function closing over the bytes: with the
 * literal, `npm run bench`'s byte-counting tap cost the relay 0.7-0.9 CPU s per 100 MB and doubled
 * its page faults (V8 kept the closures' 128 KB buffers alive into old space; the bench's relay is
 * the only place a tap sees every chunk). See docs/performance.md, "fourth session".
 */
class BytesFrame implements TappedFrame {
  private decoded: string | undefined;

  constructor(
    readonly direction: TappedFrame['direction'],
    readonly connectionId: string,
    private readonly bytes: Buffer,
    text: string | undefined,
  ) {
    this.decoded = text;
  }

  get data(): string {
    return (this.decoded ??= this.bytes.toString('utf8'));
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  ends(chars: number): FrameEnds {
    return { head: this.bytes.toString('latin1', 0, chars), tail: this.bytes.toString('latin1', Math.max(0, this.bytes.length - chars)) };
  }
}

/** A TappedFrame of bytes (a posted payload, or a client frame as it came in), decoded only if asked. */
export function tappedFrame(direction: TappedFrame['direction'], connectionId: string, bytes: Buffer, text?: string): TappedFrame {
  return new BytesFrame(direction, connectionId, bytes, text);
}

/** Receives every frame the relay sees, for tests that scan the traffic. */
export type FrameTap = (frame: TappedFrame) => void;

/** When one message's invocation ran, in `performance.now()` milliseconds (for `npm run load`). */
export interface InvocationTiming {
  readonly routeKey: string;
  readonly connectionId: string;
  /** The frame came off the socket. */
  readonly receivedAt: number;
  /** The handler started (after the connection's queue). */
  readonly startedAt: number;
  /** The handler finished: for Transfer and Acknowledge, right after its `@connections` write. */
  readonly finishedAt: number;
  readonly failed: boolean;
}

/** Sees the timing of every message invocation. */
export type InvocationTap = (timing: InvocationTiming) => void;

/** What the relay shows tests and benches as it runs; each tap is off unless given. */
export interface RelayTaps {
  /** Sees every inbound frame and every posted payload. @default none */
  readonly frames?: FrameTap;
  /** Sees when every message invocation was received, started and finished. @default none */
  readonly invocations?: InvocationTap;
}
