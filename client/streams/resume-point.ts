import type { Manifest } from './manifest';
import type { Hasher } from '../crypto/sha256';
import type { AcknowledgeMessage } from '../../protocol/frames';

/**
 * Where a restarted receiver takes up a session an earlier process of it began: the manifest it
 * already has, the files already saved, and how many whole chunks of the next file are on disk.
 */
export interface ReceiveResumePoint {
  readonly manifest: Manifest;
  /** Chunks of the manifest stream (for the success acknowledgement of a sender still on it). */
  readonly manifestChunks: number;
  /** Files before this index are saved; this one is the file to go on with. */
  readonly nextFile: number;
  /** Whole chunks of file `nextFile` already in its sink. */
  readonly chunksOnDisk: number;
  /** A hasher already fed with those chunks' bytes. */
  readonly hasher: Hasher;
}

/** What the receiver saves once the manifest is in, so a later process can resume (see ReceiveResumePoint). */
export interface ReceivedManifest {
  readonly manifest: Manifest;
  readonly manifestChunks: number;
  /** The sender's session id (pass it back as ReceiveOptions.senderSession when resuming). */
  readonly senderSession?: string;
}

/** A stream this receiver no longer takes chunks of: it only confirms it to a sender still on it. */
export interface SettledStream {
  readonly fileid: string;
  sendSuccess(): void;
  stop(): void;
}

/** A stream an earlier process of this receiver finished: answers the sender with `success`. */
export function finishedElsewhere(fileid: string, chunktotal: number, sendAck: (ack: Omit<AcknowledgeMessage, 'connectionid'>) => void): SettledStream {
  return {
    fileid,
    sendSuccess: () => sendAck({ success: true, missingchunkids: [], fileid, receivedthrough: chunktotal - 1 }),
    stop: () => undefined,
  };
}
