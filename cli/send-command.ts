import WebSocket from 'ws';
import { sendFiles, type WebSocketConstructor } from '../client';
import { createNodeSha256, openFileSource, type OpenedFile } from './disk-files';
import { loadNodeWebRtc } from '../client/direct/node-webrtc';
import { SessionReporter, type ReportMode } from './session-reporter';

/** Options of `banguins send`. */
export interface SendCommandOptions {
  readonly relay: string;
  readonly pageUrl?: string;
  /** Plaintext bytes per chunk. @default the client's choice (large chunks in 128 KB messages over `ws`) */
  readonly chunkBytes?: number;
  readonly mode: ReportMode;
  readonly signal?: AbortSignal;
  /** Keep the whole session on the relay: no direct WebRTC path (`--relay-only`). */
  readonly relayOnly?: boolean;
}

/** `banguins send <file...>`: prints the link (and a QR code on a terminal), then sends the files to whoever opens it. */
export async function runSend(paths: readonly string[], options: SendCommandOptions): Promise<void> {
  const reporter = new SessionReporter(options.mode, 'send');
  const opened: OpenedFile[] = [];
  try {
    for (const filePath of paths) opened.push(await openFileSource(filePath));
    await sendFiles({
      relayUrl: options.relay,
      pageUrl: options.pageUrl,
      files: opened,
      ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      createHasher: createNodeSha256,
      onEvent: (event) => reporter.event(event),
      signal: options.signal,
      webrtc: options.relayOnly ? undefined : await loadNodeWebRtc(),
    });
  } finally {
    await Promise.all(opened.map((f) => f.close().catch(() => undefined)));
  }
}
