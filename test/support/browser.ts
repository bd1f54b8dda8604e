import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.BANGUINS_CHROMIUM ?? '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Options of {@link launchBrowser}. */
export interface LaunchOptions {
  /** A .y4m or .mjpeg file fed to pages as their camera (Chromium's fake capture device). @default no camera */
  readonly fakeCameraFile?: string;
}

/** Launches headless Debian Chromium, with a fake camera playing `fakeCameraFile` when given. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const args = [...BASE_ARGS];
  if (options.fakeCameraFile) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCameraFile}`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/** A page plus every console error and uncaught exception it produced. */
export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and page errors, as text, in the order they happened. */
  readonly errors: string[];
}

/** Opens a new context and page of `browser` (camera allowed when `camera`), collecting console errors. */
export async function openWatchedPage(
  browser: Browser,
  options: { readonly camera?: boolean; readonly viewport?: { width: number; height: number }; readonly origin?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 900 }, acceptDownloads: true });
  if (options.camera) await context.grantPermissions(['camera'], options.origin ? { origin: options.origin } : undefined);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error: Error) => errors.push(`pageerror: ${error.message}`));
  return { context, page, errors };
}
