import type { TransferPath } from '../direct/direct-link';

/** Events a send or receive session reports while it runs (the CLI prints them as bars or JSON lines). */
export type SessionEvent =
  /** Sender only: the link to hand to the receiver (print it, show it as a QR code). */
  | { readonly type: 'link'; readonly link: string }
  /** The two sides found each other. */
  | { readonly type: 'paired' }
  /** The list of files (receiver: once the manifest arrived; sender: once hashed). */
  | { readonly type: 'files'; readonly files: readonly { readonly name: string; readonly size: number; readonly type: string }[] }
  /** Bytes confirmed (sender) or written (receiver) so far, for one file and for the session. */
  | {
      readonly type: 'progress';
      readonly fileIndex: number;
      readonly name: string;
      readonly bytes: number;
      readonly size: number;
      readonly totalBytes: number;
      readonly totalSize: number;
    }
  /** One file arrived whole and verified. */
  | { readonly type: 'file-done'; readonly fileIndex: number; readonly name: string; readonly size: number; readonly sha256: string }
  /**
   * Our socket dropped, or the peer's; the session waits for the connection to come back, and gives
   * up at `givesUpAt` (a Date.now() time, `givesUpInMs` after the event) unless it does: a UI counts
   * down to it ("Reconnecting... (gives up in 1:45)").
   */
  | { readonly type: 'interrupted'; readonly reason: 'own-socket' | 'peer-gone'; readonly givesUpAt: number; readonly givesUpInMs: number }
  /** The path that carries the chunks changed: a direct WebRTC data channel opened, or it closed and the relay carries them again. */
  | { readonly type: 'path'; readonly path: TransferPath }
  /**
   * Said once: the relay keeps failing frames (API Gateway's "Internal server error": its Lambda
   * functions are throttled or failing); the transfer goes on, more slowly.
   */
  | { readonly type: 'warning'; readonly code: 'RelayFunctionsFailing'; readonly message: string }
  /** The two sides are paired again after an interruption. */
  | { readonly type: 'resumed' }
  /** Every file arrived. */
  | {
      readonly type: 'done';
      readonly files: number;
      readonly bytes: number;
      /** Sender only: Transfer frames sent, resends included. */
      readonly framesSent?: number;
      /** Sender only: chunks of all streams; framesSent / chunks is the resend amplification. */
      readonly chunks?: number;
    };

/** Receives session events. */
export type SessionEventListener = (event: SessionEvent) => void;
