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
  /**
   * Try a direct WebRTC path to the peer (`--direct`, experimental until the page and the tests of
   * issue 19 go direct too). @default false: the whole session stays on the relay
   */
  readonly direct?: boolean;
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
      webrtc: options.direct ? await loadNodeWebRtc() : undefined,
    });
  } finally {
    await Promise.all(opened.map((f) => f.close().catch(() => undefined)));
  }
}
