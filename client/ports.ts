/** The ports through which the platform-neutral client reaches sockets, files and downloads. */

/** The part of the WebSocket API the client uses; the browser's WebSocket and `ws` both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `require('ws')` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Random access to the bytes of one outgoing file (a disk file, a browser File/Blob, a buffer). */
export interface ByteSource {
  /** The total size in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset` (fewer only at the end). Called again for resends. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** One file to send. */
export interface OutgoingFile {
  /** The name the receiver sees (a base name; the receiver sanitises it anyway). */
  readonly name: string;
  /** A MIME type. @default application/octet-stream */
  readonly type?: string;
  readonly source: ByteSource;
}

/** Where one incoming file's bytes go, strictly in order. */
export interface ByteSink {
  /** Appends the next bytes; they are the sink's to keep (each is a chunk's own plaintext: the library never writes to it again). */
  write(bytes: Uint8Array): Promise<void>;
  /** The file is complete and its hash checked: make it final (e.g. rename the partial file). */
  commit(): Promise<void>;
  /** The transfer failed: drop what was written. */
  abort(): Promise<void>;
}

/** A ByteSource over bytes in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length)),
  };
}
