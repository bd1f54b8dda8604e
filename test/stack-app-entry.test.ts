import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const PROJECT_ROOT = path.join(__dirname, '..');
const TSX = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');
const CDK_APP = path.join(PROJECT_ROOT, 'bin', 'banguins-relay.ts');

/** Runs the CDK app entry as `cdk synth` does (`cdk.json`'s app), with `context` as the CLI passes it. */
function runCdkApp(context: Record<string, unknown>) {
  return spawnSync(TSX, [CDK_APP], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CDK_CONTEXT_JSON: JSON.stringify(context) },
    timeout: 60_000,
  });
}

describe('the CDK app entry (bin/banguins-relay.ts) given bad context', () => {
  test.each([
    ['-c stage="my stage"', { stage: 'my stage' }, /^Error \[InvalidStageName\]: Stage name "my stage" is invalid/],
    ['-c throttle.Transfer=fast', { 'throttle.Transfer': 'fast' }, /^Error \[InvalidContextValue\]: Context value throttle\.Transfer="fast" is invalid: expected RATE\/BURST/],
    ['-c throttle.Transfr=10/20', { 'throttle.Transfr': '10/20' }, /^Error \[UnknownThrottleRoute\]: Throttle for route "Transfr" names no route/],
    ['-c throttle.Transfer=0/20', { 'throttle.Transfer': '0/20' }, /^Error \[InvalidThrottlingLimit\]: The rate limit of route "Transfer"/],
    ['-c throttlingRateLimit=fast', { throttlingRateLimit: 'fast' }, /^Error \[InvalidContextValue\]: Context value throttlingRateLimit="fast"/],
  ])('GIVEN %s WHEN the app runs THEN it exits 1 with one line and no stack trace', (_flag, context, expected) => {
    const result = runCdkApp(context);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(expected);
    expect(result.stderr.endsWith('\n')).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
