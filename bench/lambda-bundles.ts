/**
 * `npx tsx bench/lambda-bundles.ts`: bundles every route's handler as the stack's NodejsFunction
 * does (lib/route-bundling.ts, through support/route-bundle.ts) and, beside it, with the packages'
 * CommonJS entry points (esbuild's default for Node, the stack's bundling before 2026-12), and prints
 * each bundle's size, what fills it (the largest packages), and its cold init time: a fresh `node`
 * process with the functions' NODE_OPTIONS requiring the bundle, the median of BUNDLE_RUNS runs
 * (default 7), the two bundles of a route taking turns so both see the same machine. The runtime's
 * own start-up is left out, and Lambda's own init adds its sandbox and code download on top: the
 * figures compare bundles, they do not predict a cold start on AWS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROUTE_NODE_OPTIONS } from '../lib/route-bundling';
import { ROUTES, routeEntryPath } from '../lambdas/routes';
import { bundleRoute, bytesByPackage } from '../support/route-bundle';

const RUNS = Number(process.env.BUNDLE_RUNS ?? 7);

/** Requires the bundle in a fresh process and prints how long the require took, in ms. */
const TIME_REQUIRE = `const t=process.hrtime.bigint();require(process.argv[1]);process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;

/** The packages' CommonJS entry points: what the stack bundled before it asked for ESM ones. */
const COMMONJS_ENTRY_POINTS = { mainFields: ['main', 'module'] } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function initMs(outfile: string): number {
  return Number(execFileSync(process.execPath, [...ROUTE_NODE_OPTIONS.split(' '), '-e', TIME_REQUIRE, outfile], { encoding: 'utf8' }));
}

async function main(): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), 'banguins-bundles-'));
  const ratios: { size: number; init: number }[] = [];
  try {
    console.log(`Init: node ${ROUTE_NODE_OPTIONS} ${process.version}, median of ${RUNS} runs per bundle, the two bundles of a route in turns.`);
    console.log(`| route | bundle (CommonJS entry points → stack's) | init | largest parts (stack's) |`);
    console.log('| --- | ---: | ---: | --- |');
    for (const route of ROUTES) {
      const stackFile = path.join(folder, route.name, 'index.js');
      const commonJsFile = path.join(folder, `${route.name}-cjs`, 'index.js');
      const metafile = await bundleRoute(routeEntryPath(route), stackFile);
      await bundleRoute(routeEntryPath(route), commonJsFile, COMMONJS_ENTRY_POINTS);
      const stackInits: number[] = [];
      const commonJsInits: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        commonJsInits.push(initMs(commonJsFile));
        stackInits.push(initMs(stackFile));
      }
      const [kbBefore, kbAfter] = [statSync(commonJsFile).size / 1024, statSync(stackFile).size / 1024];
      const [msBefore, msAfter] = [median(commonJsInits), median(stackInits)];
      ratios.push({ size: kbAfter / kbBefore, init: msAfter / msBefore });
      const parts = [...bytesByPackage(metafile)]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`)
        .join(', ');
      console.log(`| ${route.routeKey} | ${kbBefore.toFixed(0)} → ${kbAfter.toFixed(0)} KB | ${msBefore.toFixed(0)} → ${msAfter.toFixed(0)} ms | ${parts} |`);
    }
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    console.log(`Stack's bundles against CommonJS entry points, mean over routes: size ${mean(ratios.map((r) => r.size)).toFixed(2)}x, init ${mean(ratios.map((r) => r.init)).toFixed(2)}x`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
