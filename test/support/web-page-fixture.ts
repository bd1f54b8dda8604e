import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalRelay, LocalRelayOptions } from '../../local/local-relay';
import { createWebPageHandler } from '../../local/web-page-server';
import { buildWebPage } from '../../web/build';
import { startTestRelay } from './start-test-relay';

/** A local relay plus the built web page served next to it. */
export interface WebPageFixture {
  readonly relay: LocalRelay;
  /** `http://127.0.0.1:PORT/`, the page; its config.json names the relay. */
  readonly pageUrl: string;
  /** The folder the page was built into (a temporary one, so parallel test files do not clash). */
  readonly distDir: string;
  close(): Promise<void>;
}

/**
 * Builds the page into a temporary folder, starts a test relay, and serves the page on its own
 * HTTP server (port 0) with config.json pointing at the relay.
 */
export async function startWebPageFixture(relayOptions: LocalRelayOptions = {}): Promise<WebPageFixture> {
  const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-web-dist-'));
  await buildWebPage({ outDir: distDir });
  const relay = await startTestRelay(relayOptions);
  const handler = createWebPageHandler(distDir, relay.url);
  const server: Server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    relay,
    pageUrl: `http://127.0.0.1:${port}/`,
    distDir,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await relay.close();
      fs.rmSync(distDir, { recursive: true, force: true });
    },
  };
}
