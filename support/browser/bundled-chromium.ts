import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A Chromium executable and the environment it needs to start. */
export interface ChromiumBinary {
  readonly executablePath: string;
  /** Extra environment variables for the browser process (library and font paths). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Extra flags for a page that uses the fake camera. chrome-headless-shell has no permission prompt
   * delegate (getUserMedia fails with NotSupportedError), so it needs `--use-fake-ui-for-media-stream`.
   */
  readonly cameraArgs: readonly string[];
  /** One line saying which browser this is, for the test log. */
  readonly description: string;
}

/*
 * The package unpacks its brotli archives into os.tmpdir() (chromium, fonts/, swiftshader libs, and,
 * only on Amazon Linux, al2023/lib: NSS, NSPR and expat). A child node process with TMPDIR pointed at
 * a fresh staging folder does the unpacking, so two jest workers never see each other's half-written
 * files; the staging folder is then renamed into place, and the loser of that race keeps the winner's.
 */
const UNPACK_SCRIPT = `
const [indexUrl, binDir] = process.argv.slice(1);
const { default: Chromium, inflate } = await import(indexUrl);
const path = await Chromium.executablePath(binDir);
await inflate(binDir + '/al2023.tar.br');
process.stdout.write(path);
`;

function packageFolder(): string {
  return join(dirname(require.resolve('@sparticuz/chromium')), '..');
}

/** Where our fontconfig configuration goes, inside the unpacked folder. */
const FONTCONFIG_FOLDER = 'fontconfig';

function isComplete(folder: string): boolean {
  return (
    existsSync(join(folder, 'chromium')) &&
    existsSync(join(folder, 'al2023', 'lib', 'libnss3.so')) &&
    existsSync(join(folder, FONTCONFIG_FOLDER, 'fonts.conf'))
  );
}

/**
 * The package's own fonts.conf names Lambda's folders (`/tmp/fonts`, `/opt/fonts`), not where the
 * fonts were unpacked here; with no font found, the renderer aborts (Skia: "Not implemented") on
 * its first page. So the unpacked folder gets a fonts.conf of its own, naming its fonts and a cache
 * beside them by their final paths.
 */
function writeFontconfig(staging: string, folder: string): void {
  mkdirSync(join(staging, FONTCONFIG_FOLDER));
  writeFileSync(
    join(staging, FONTCONFIG_FOLDER, 'fonts.conf'),
    [
      '<?xml version="1.0"?>',
      '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
      '<fontconfig>',
      `  <dir>${xmlText(join(folder, 'fonts'))}</dir>`,
      `  <cachedir>${xmlText(join(folder, 'fonts-cache'))}</cachedir>`,
      '</fontconfig>',
      '',
    ].join('\n'),
  );
}

/** A path as XML text (a TMPDIR may hold `&` or `<`). */
function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function unpackInto(folder: string, pkg: string): void {
  const staging = mkdtempSync(`${folder}.staging-`);
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', UNPACK_SCRIPT, pathToFileURL(join(pkg, 'build', 'index.js')).href, join(pkg, 'bin')], {
      env: { ...process.env, TMPDIR: staging },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    writeFontconfig(staging, folder);
    try {
      renameSync(staging, folder);
    } catch (error) {
      if (!isComplete(folder)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The Chromium (chrome-headless-shell) shipped inside the `@sparticuz/chromium` devDependency, unpacked
 * once per version under os.tmpdir(). Nothing is downloaded. Its own NSS, NSPR and expat go first on
 * LD_LIBRARY_PATH: those are the only shared libraries it links that glibc does not give, and on Debian
 * they come from Debian chromium's dependencies (libnss3, libnspr4, libexpat1).
 */
export function bundledChromium(): ChromiumBinary {
  const pkg = packageFolder();
  const version = (JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const folder = join(tmpdir(), `banguins-chromium-${version}`);
  if (!isComplete(folder)) {
    // A folder missing files (cleaned by hand, a full disk) is unpacked again from scratch.
    rmSync(folder, { recursive: true, force: true });
    unpackInto(folder, pkg);
  }
  const libraryPath = [join(folder, 'al2023', 'lib'), folder, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return {
    executablePath: join(folder, 'chromium'),
    cameraArgs: ['--use-fake-ui-for-media-stream'],
    env: { LD_LIBRARY_PATH: libraryPath, FONTCONFIG_PATH: join(folder, FONTCONFIG_FOLDER) },
    description: `bundled @sparticuz/chromium ${version} (chrome-headless-shell) ${join(folder, 'chromium')}`,
  };
}
