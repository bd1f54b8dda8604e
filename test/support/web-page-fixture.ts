import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LocalRelay, LocalRelayOptions } from '../../local/local-relay';
import type { Browser } from 'playwright-core';
import { buildWebPage } from '../../web/build';
import { launchBrowser } from './browser';
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
 * Builds the page into a temporary folder and starts a test relay that serves it at `/`, as
 * `npm start` does; its config.json names the relay.
 */
export async function startWebPageFixture(relayOptions: LocalRelayOptions = {}): Promise<WebPageFixture> {
  const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-web-dist-'));
  await buildWebPage({ outDir: distDir });
  const relay = await startTestRelay({ ...relayOptions, webDir: distDir });
  return {
    relay,
    pageUrl: relay.pageUrl,
    distDir,
    close: async () => {
      await relay.close();
      fs.rmSync(distDir, { recursive: true, force: true });
    },
  };
}

/** The web page fixture and a browser of one test file. */
export interface PageAndBrowser {
  readonly fixture: WebPageFixture;
  readonly browser: Browser;
}

/**
 * Starts the web page fixture (a local relay serving the page, with `relayOptions`) and a headless
 * browser before the file's tests and closes both after them; read `fixture` and `browser` inside the tests.
 */
export function usePageAndBrowser(relayOptions: LocalRelayOptions = {}): PageAndBrowser {
  const started: { fixture?: WebPageFixture; browser?: Browser } = {};
  beforeAll(async () => {
    [started.fixture, started.browser] = await Promise.all([startWebPageFixture(relayOptions), launchBrowser()]);
  });
  afterAll(async () => {
    await started.browser?.close();
    await started.fixture?.close();
  });
  return {
    get fixture() {
      return started.fixture!;
    },
    get browser() {
      return started.browser!;
    },
  };
}
