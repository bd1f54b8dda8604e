import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every route's handler is bundled: NodejsFunction's esbuild options (lib/route-function.ts);
 * `bench/lambda-bundles.ts` and `test/lambda-bundles.test.ts` bundle with the same.
 * - `mainFields: ['module', 'main']`: the ESM build of a package when it ships one. The AWS SDK's
 *   CommonJS builds are one file per package, which esbuild cannot tree-shake (all of @smithy/core,
 *   a browser user-agent parser); their ESM builds can be: ~405 KB per bundle instead of ~605 KB,
 *   and about half the time to load (docs/deploy.md, "Cold starts").
 * - minified, with a source map beside the code (line numbers are enough for stack traces;
 *   embedded sources would triple the upload), and the AWS SDK bundled: the versions the tests ran
 *   against, not whatever the runtime carries.
 */
export const ROUTE_BUNDLING = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
} as const satisfies BundlingOptions;

/** The route functions' NODE_OPTIONS: stack traces through the source map. */
export const ROUTE_NODE_OPTIONS = '--enable-source-maps';
