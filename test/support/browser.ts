import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { bundledChromium, type ChromiumBinary } from './bundled-chromium';
import { accessSync, constants } from 'node:fs';

/** Debian's Chromium (`apt-get install -y chromium`); playwright never downloads a browser here. */
const SYSTEM_CHROMIUM_PATH = '/usr/bin/chromium';

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // WebRTC host candidates a Node peer can use: Chromium hides local addresses behind random mDNS
  // `.local` names, which @roamhq/wrtc cannot resolve (and without a multicast responder nor can
  // another browser); with this flag the candidates carry the machine's own addresses (here
  // 192.0.2.2 and fd00::2, so the packets never leave the machine).
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  // On a machine whose only interface is loopback, gather 127.0.0.1 candidates too.
  '--allow-loopback-in-peer-connection',
];

let chosen: ChromiumBinary | undefined;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser the tests use: `BANGUINS_CHROMIUM` when set (a path, or `bundled` for the one inside
 * `@sparticuz/chromium`), else Debian's `/usr/bin/chromium` when installed, else the bundled one.
 * Says which, once per process, on stderr.
 */
function chooseChromium(): ChromiumBinary {
  if (chosen) return chosen;
  const wanted = process.env.BANGUINS_CHROMIUM;
  if (wanted === 'bundled' || (!wanted && !isExecutable(SYSTEM_CHROMIUM_PATH))) {
    chosen = bundledChromium();
  } else {
    const path = wanted ?? SYSTEM_CHROMIUM_PATH;
    chosen = { executablePath: path, env: {}, cameraArgs: [], description: `system Chromium ${path}` };
  }
  process.stderr.write(`browser: ${chosen.description}\n`);
  return chosen;
}

/** Options of {@link launchBrowser}. */
export interface LaunchOptions {
  /** A .y4m or .mjpeg file fed to pages as their camera (Chromium's fake capture device). @default no camera */
  readonly fakeCameraFile?: string;
}

/** Launches headless Chromium ({@link chooseChromium}), with a fake camera playing `fakeCameraFile` when given. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const binary = chooseChromium();
  const args = [...BASE_ARGS];
  if (options.fakeCameraFile) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCameraFile}`, ...binary.cameraArgs);
  }
  const env = { ...process.env, ...binary.env } as Record<string, string>;
  return chromium.launch({ executablePath: binary.executablePath, headless: true, args, env });
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
