import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stop as stopEsbuild } from 'esbuild';
import { ROUTES, routeEntryPath } from '../lambdas/routes';
import { bundleRoute, bytesByPackage } from '../support/route-bundle';
import { sendOneFile } from '../support/node-client';
import { testDynamoDbEndpoint } from './support/start-test-relay';

const root = path.join(__dirname, '..');

/**
 * Each route's bundle as the stack builds it (lib/route-bundling.ts, issue 21 item 7): ESM entry
 * points let esbuild tree-shake the AWS SDK (~605 KB per bundle with CommonJS entry points), and the
 * bundles, not the sources, relay a file through the local relay: DynamoDB Local and `@connections`
 * over HTTP through the SDK each carries, loaded by plain Node as Lambda loads them.
 */
describe('the route bundles', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'banguins-bundles-'));
  const parts = new Map<string, Map<string, number>>();

  beforeAll(async () => {
    for (const route of ROUTES) {
      parts.set(route.routeKey, bytesByPackage(await bundleRoute(routeEntryPath(route), path.join(folder, route.name, 'index.js'))));
    }
  }, 120_000);
  afterAll(async () => {
    // esbuild's service process would keep jest from exiting.
    await stopEsbuild();
    rmSync(folder, { recursive: true, force: true });
  });

  it('stay under 450 KB each, without the SDK parts only a CommonJS build drags in', () => {
    for (const route of ROUTES) {
      expect(statSync(path.join(folder, route.name, 'index.js')).size).toBeLessThan(450 * 1024);
      // bowser parses browser user agents: the SDK's CommonJS user-agent code brings it along.
      expect(parts.get(route.routeKey)!.has('bowser')).toBe(false);
    }
  });

  it('relay a file end to end', async () => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'support/bundled-relay-child.ts', folder], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BANGUINS_BUNDLE_DYNAMODB: testDynamoDbEndpoint(), BANGUINS_BUNDLE_TABLE: `banguins-test-${randomUUID()}` },
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (data: Buffer) => {
          output += data.toString();
          const ready = /^READY (\S+)$/m.exec(output);
          if (ready) resolve(ready[1]!);
          if (/^FAILED /m.test(output)) reject(new Error(output));
        });
        void exited.then(() => reject(new Error(`the bundled relay exited: ${output}`)));
      });
      const content = randomBytes(300_000);
      const received = await sendOneFile(url, content);
      expect(received.equals(content)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
