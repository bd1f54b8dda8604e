import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';

/** The folder holding the page's static files (index.html, styles.css), copied as they are. */
export const WEB_PUBLIC_DIR = path.join(__dirname, 'public');
/** The page's script entry point, bundled with its dependencies into `app.js`. */
export const WEB_ENTRY_POINT = path.join(__dirname, 'src', 'main.ts');
/** Where `npm run build:web` puts the page; the stack deploys this folder. */
export const WEB_DIST_DIR = path.join(__dirname, '..', 'dist', 'web');

/** Options of {@link buildWebPage}. */
export interface BuildWebPageOptions {
  /** @default WEB_DIST_DIR */
  readonly outDir?: string;
  /** Minify the bundle. @default true */
  readonly minify?: boolean;
}

/**
 * Builds the static web page into `outDir`: `index.html`, `styles.css` and one `app.js` bundle
 * holding the client library, qrcode and jsqr, so the page needs nothing from a CDN. Writes no
 * `config.json`: the local relay answers it, and the stack deploys its own beside the page.
 * Resolves with the paths written.
 */
export async function buildWebPage(options: BuildWebPageOptions = {}): Promise<string[]> {
  const outDir = options.outDir ?? WEB_DIST_DIR;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of fs.readdirSync(WEB_PUBLIC_DIR)) {
    const target = path.join(outDir, name);
    fs.copyFileSync(path.join(WEB_PUBLIC_DIR, name), target);
    written.push(target);
  }
  const bundle = path.join(outDir, 'app.js');
  await build({
    entryPoints: [WEB_ENTRY_POINT],
    outfile: bundle,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: ['es2022', 'chrome109', 'safari16', 'firefox115'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  written.push(bundle);
  return written;
}

if (require.main === module) {
  buildWebPage().then(
    (files) => console.log(`Built the web page: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`),
    (error: unknown) => {
      console.error(`Could not build the web page: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
