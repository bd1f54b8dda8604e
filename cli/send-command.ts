import { sendFiles } from '../client';
import { nodeCryptoPort } from './node-crypto';
import { createNodeSha256, openFileSource, type OpenedFile } from './disk-files';
import { directPathOptions, DIRECT_BY_DEFAULT, type PathChoice } from './direct-path-options';
import { relayWebSocket } from './relay-web-socket';
import { SessionReporter, type ReportMode } from './session-reporter';

/** Options of `banguins send`. */
export interface SendCommandOptions {
  readonly relay: string;
  readonly pageUrl?: string;
  /** The relay the link names, when the receiver reaches it by another address. @default relay */
  readonly linkRelayUrl?: string;
  /** Plaintext bytes per chunk. @default the client's choice (large chunks in 128 KB messages over `ws`) */
  readonly chunkBytes?: number;
  readonly mode: ReportMode;
  readonly signal?: AbortSignal;
  /** Direct path or relay only, and the ICE servers. @default try direct, host candidates only */
  readonly path?: PathChoice;
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
      linkRelayUrl: options.linkRelayUrl,
      files: opened,
      ...(options.chunkBytes === undefined ? {} : { chunkBytes: options.chunkBytes }),
      WebSocket: relayWebSocket(),
      createHasher: createNodeSha256,
      crypto: nodeCryptoPort,
      onEvent: (event) => reporter.event(event),
      signal: options.signal,
      ...(await directPathOptions(options.path ?? DIRECT_BY_DEFAULT, (reason) => reporter.notice(reason))),
    });
  } finally {
    reporter.end();
    await Promise.all(opened.map((f) => f.close().catch(() => undefined)));
  }
}
