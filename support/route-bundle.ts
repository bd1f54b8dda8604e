import { build, type Metafile } from 'esbuild';
import { ROUTE_BUNDLING } from '../lib/route-bundling';

/** The esbuild options a route bundle may differ in from ROUTE_BUNDLING (a bench compares them). */
export interface RouteBundleVariant {
  /** Package entry points in order of preference. @default ROUTE_BUNDLING.mainFields */
  readonly mainFields?: readonly string[];
}

/**
 * Bundles one route's handler module `entry` into `outfile` as the stack's NodejsFunction does
 * (lib/route-bundling.ts: esbuild, CommonJS for Node 24, minified, a source map, the AWS SDK
 * included), with `variant`'s differences; returns esbuild's metafile.
 */
export async function bundleRoute(entry: string, outfile: string, variant: RouteBundleVariant = {}): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: ROUTE_BUNDLING.minify,
    sourcemap: ROUTE_BUNDLING.sourceMap,
    sourcesContent: ROUTE_BUNDLING.sourcesContent,
    mainFields: [...(variant.mainFields ?? ROUTE_BUNDLING.mainFields)],
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Bytes of a bundle by package (node_modules/<name> or <scope>/<name>; the project's own code as "(project)"). */
export function bytesByPackage(metafile: Metafile): Map<string, number> {
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? '(project)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return byPackage;
}
