import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { chooseRelayKey } from '../local/main';
import { startRelayProcess } from './support/local-relay-process';
import { connectClient } from './support/ws-client';

const root = path.join(__dirname, '..');

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
