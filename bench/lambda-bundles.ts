/**
 * `npx tsx bench/lambda-bundles.ts`: bundles every route's handler as the stack's NodejsFunction
 * does (esbuild, minified, CommonJS for Node 24, the AWS SDK included, lib/route-function.ts),
 * prints each bundle's size, what fills it (the largest packages), and its cold init time: a fresh
 * `node` process requiring the bundle, the median of BUNDLE_RUNS runs (default 7), the runtime's own
 * start-up left out. Lambda's own init adds its sandbox and code download on top; the figures
 * compare bundles, they do not predict a cold start on AWS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ROUTES, routeEntryPath } from '../lambdas/routes';

const RUNS = Number(process.env.BUNDLE_RUNS ?? 7);

/** Requires the bundle in a fresh process and prints how long the require took, in ms. */
const TIME_REQUIRE = `const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;

/** Bundles `entry` into `outfile` with NodejsFunction's options (lib/route-function.ts); returns the metafile. */
async function bundle(entry: string, outfile: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Bytes of the bundle by package (node_modules/<name> or <scope>/<name>; the project's own code as "(project)"). */
function bytesByPackage(metafile: Metafile, outfile: string): Map<string, number> {
  const output = Object.entries(metafile.outputs).find(([file]) => path.resolve(file) === path.resolve(outfile))?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? '(project)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return byPackage;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), 'banguins-bundles-'));
  try {
    console.log(`| route | bundle | init (median of ${RUNS}) | largest parts |`);
    console.log('| --- | ---: | ---: | --- |');
    for (const route of ROUTES) {
      const outfile = path.join(folder, route.name, 'index.js');
      const metafile = await bundle(routeEntryPath(route), outfile);
      const kb = statSync(outfile).size / 1024;
      const initMs = median(
        Array.from({ length: RUNS }, () => Number(execFileSync(process.execPath, ['-e', TIME_REQUIRE, outfile], { encoding: 'utf8' }))),
      );
      const parts = [...bytesByPackage(metafile, outfile)]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`)
        .join(', ');
      console.log(`| ${route.routeKey} | ${kb.toFixed(0)} KB | ${initMs.toFixed(0)} ms | ${parts} |`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
