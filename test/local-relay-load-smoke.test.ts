import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { loadOptions } from '../bench/load';
import { testDynamoDbEndpoint } from './support/start-test-relay';

const ROOT = path.join(__dirname, '..');

/** `npm run load` at a tiny size: the script runs end to end and prints a row per round. */
describe('npm run load (smoke)', () => {
  test('options come from flags, then env, then defaults; bad ones are refused', () => {
    expect(loadOptions([], {})).toEqual({ levels: [20, 50, 100], idle: 1000, megabytes: 2, timeoutS: 180, warmup: 10, rampS: 0, dynamodbEndpoint: undefined });
    expect(loadOptions(['--levels', '1,3', '--mb', '0.5'], { LOAD_IDLE: '7', LOAD_MB: '9' })).toMatchObject({ levels: [1, 3], idle: 7, megabytes: 0.5 });
    expect(loadOptions(['--warmup', '0'], { LOAD_WARMUP: '3' })).toMatchObject({ warmup: 0 });
    expect(() => loadOptions(['--levels', '0'], {})).toThrow(/--levels/);
    expect(() => loadOptions(['--warmup', '-1'], {})).toThrow(/--warmup/);
    expect(loadOptions(['--ramp-s', '2.5'], { LOAD_RAMP_S: '9' })).toMatchObject({ rampS: 2.5 });
    expect(() => loadOptions(['--ramp-s', '-1'], {})).toThrow(/--ramp-s/);
  });

  test('two rounds with idle connections: every transfer completes and the figures are printed', async () => {
    const args = ['--require', 'tsx/cjs', path.join(ROOT, 'bench', 'load.ts'), '--levels', '1,2', '--idle', '5', '--mb', '0.2', '--timeout-s', '30', '--warmup', '1', '--ramp-s', '4'];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, LOAD_DYNAMODB_ENDPOINT: testDynamoDbEndpoint() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString()));
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, output }).toMatchObject({ code: 0 });
    const rows = output.split('\n').filter((line) => /^\| \d+ \|/.test(line));
    expect(rows.map((row) => row.split('|').slice(1, 4).map((cell) => cell.trim()))).toEqual([
      ['1', '1', '0'],
      ['2', '2', '0'],
    ]);
    // The warm-up transfer ran, and the first level counts only its own pair: one Connect per end.
    expect(output).toContain('Warm-up before the first level (not counted): 1 concurrent transfers, 0 failed.');
    expect(output).toMatch(/Handler invocations by route: 1: Transfer \d+, Connect 2, .*\| 2: Transfer \d+, Connect 4,/);
    expect(output).toContain('Idle connections still open at the end: 5 of 5');
    // The level of 2 started its second transfer 2 s in (--ramp-s 4), so the round lasted at least that.
    expect(output).toContain('Each level starts its transfers evenly over 4 s (--ramp-s), not all at once.');
    expect(Number(rows[1]!.split('|')[4])).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
