/**
 * Headless Chromium for the browser tests and the browser benches (test/support/browser.ts adds the
 * tests' watched pages; bench/browser-direct.ts launches it too).
 */
import { chromium, type Browser } from 'playwright-core';
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
  // WebRTC host candidates a Node peer can use (issue 19's tests and bench): Chromium hides local
  // addresses behind random mDNS `.local` names, which @roamhq/wrtc cannot resolve; with this flag
  // the candidates carry the machine's own addresses (on the test machine 192.0.2.2 and fd00::2,
  // so the packets never leave it).
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
  /** More Chromium flags (the LAN tests' `--host-resolver-rules`, say). @default none */
  readonly args?: readonly string[];
}

/** The Chromium {@link launchBrowser} starts: its executable, flags and environment (playwright adds its own flags to these). */
export function chromiumCommand(options: LaunchOptions = {}): { executablePath: string; args: string[]; env: Record<string, string> } {
  const binary = chooseChromium();
  const args = [...BASE_ARGS, ...(options.args ?? [])];
  if (options.fakeCameraFile) {
    args.push('--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCameraFile}`, ...binary.cameraArgs);
  }
  return { executablePath: binary.executablePath, args, env: { ...process.env, ...binary.env } as Record<string, string> };
}

/** Launches headless Chromium ({@link chooseChromium}), with a fake camera playing `fakeCameraFile` when given. */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const { executablePath, args, env } = chromiumCommand(options);
  return chromium.launch({ executablePath, headless: true, args, env });
}

