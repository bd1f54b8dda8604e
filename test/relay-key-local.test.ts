import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { chooseRelayKey } from '../local/main';
import { connectClient } from './support/ws-client';
import { testDynamoDbEndpoint } from './support/start-test-relay';

const root = path.join(__dirname, '..');

interface Started {
  readonly lines: string[];
  readonly url: string;
  stop(): Promise<number | null>;
}

/** Runs `npm start`'s program (local/main.ts through tsx) over the run's DynamoDB Local until it prints its URL. */
function startRelayProcess(args: string[]): Promise<Started> {
  const child = spawn(
    process.execPath,
    // `--require tsx/cjs`, not tsx's CLI: the CLI relays SIGTERM to a child and SIGKILLs it (exit 143)
    // when the child does not confirm within 30 ms, which a loaded machine misses.
    ['--require', 'tsx/cjs', 'local/main.ts', '--port', '0', '--dynamodb-endpoint', testDynamoDbEndpoint(), '--table-name', `banguins-test-${randomUUID()}`, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 60 s:\n${output}`)), 60_000);
    child.stderr.on('data', (data: Buffer) => (output += data.toString()));
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      const lines = output.split('\n');
      const at = lines.indexOf('Banguins relay listening on:');
      if (at >= 0 && lines.length > at + 2) {
        clearTimeout(timer);
        resolve({
          lines,
          url: lines[at + 1]!,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

describe('npm start and the relay access key', () => {
  test('--require-key generates a key, prints it and a URL that carries it; the key admits, its absence does not', async () => {
    const relay = await startRelayProcess(['--require-key']);
    try {
      const keyLine = relay.lines.find((line) => line.startsWith('Access key: '));
      const key = keyLine?.match(/^Access key: ([A-Za-z0-9_-]{32}) /)?.[1];
      expect(key).toBeDefined();
      expect(new URL(relay.url).searchParams.get('key')).toBe(key);
      const client = await connectClient(relay.url);
      await client.close();
      await expect(connectClient(relay.url.split('?')[0]!)).rejects.toThrow(/401/);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  test('--key uses the given key', async () => {
    const relay = await startRelayProcess(['--key', 'my-own-key-123456', '--quiet']);
    try {
      expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?key=my-own-key-123456$/);
    } finally {
      await relay.stop();
    }
  });

  test('the default: open on loopback addresses, a generated key on any other', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(chooseRelayKey({ host, requireKey: false })).toBeUndefined();
    for (const host of ['0.0.0.0', '192.168.1.5', '::']) expect(chooseRelayKey({ host, requireKey: false })).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(chooseRelayKey({ host: '0.0.0.0', requireKey: false, key: 'given-key-123' })).toBe('given-key-123');
    expect(chooseRelayKey({ host: '127.0.0.1', requireKey: true })).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test('a key with characters a URL would mangle is refused before anything starts', async () => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'local/main.ts', '--key', 'not a/key'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/--key <key>.*8 to 256 URL-safe characters/);
  });
});
