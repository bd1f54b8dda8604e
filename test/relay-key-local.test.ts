import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chooseRelayKey } from '../local/main';
import { relayKeyFilePath } from '../local/relay-key-file';
import { startRelayProcess } from './support/local-relay-process';
import { connectClient } from './support/ws-client';

const root = path.join(__dirname, '..');

/** A config folder of the test's own, so no key lands in the user's real one. */
let configHome: string;
beforeEach(() => {
  configHome = mkdtempSync(path.join(os.tmpdir(), 'banguins-config-'));
});
afterEach(() => rmSync(configHome, { recursive: true, force: true }));

/** The key a relay process printed on its `Access key:` line. */
function printedKey(lines: readonly string[]): string | undefined {
  return lines.find((line) => line.startsWith('Access key: '))?.match(/^Access key: ([A-Za-z0-9._~-]+) /)?.[1];
}

describe('npm start and the relay access key', () => {
  test('--require-key generates a key, prints it and a URL that carries it; the key admits, its absence does not', async () => {
    const relay = await startRelayProcess(['--require-key'], { XDG_CONFIG_HOME: configHome });
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
    const keyFile = path.join(configHome, 'banguins', 'local-relay-key');
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(chooseRelayKey({ host, requireKey: false }, { keyFile })).toBeUndefined();
    expect(existsSync(keyFile)).toBe(false);
    for (const host of ['0.0.0.0', '192.168.1.5', '::']) expect(chooseRelayKey({ host, requireKey: false }, { keyFile })?.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(chooseRelayKey({ host: '0.0.0.0', requireKey: false, key: 'given-key-123' }, { keyFile })?.key).toBe('given-key-123');
    expect(chooseRelayKey({ host: '0.0.0.0', requireKey: false }, { env: 'env-key-12345', keyFile })?.key).toBe('env-key-12345');
    expect(chooseRelayKey({ host: '127.0.0.1', requireKey: true }, { keyFile })?.key).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(() => chooseRelayKey({ host: '0.0.0.0', requireKey: false }, { env: 'no good', keyFile })).toThrow(/BANGUINS_RELAY_KEY must be/);
  });

  test('a restarted relay keeps its generated key, so links made before the restart still admit', async () => {
    const first = await startRelayProcess(['--require-key', '--quiet'], { XDG_CONFIG_HOME: configHome });
    const key = printedKey(first.lines);
    expect(first.lines.join('\n')).toContain(`kept in ${relayKeyFilePath({ XDG_CONFIG_HOME: configHome })}`);
    expect(await first.stop()).toBe(0);
    const second = await startRelayProcess(['--require-key', '--quiet'], { XDG_CONFIG_HOME: configHome });
    try {
      expect(printedKey(second.lines)).toBe(key);
      // A link made before the restart carries the old key.
      const client = await connectClient(`${second.url.split('?')[0]}?key=${key}`);
      await client.close();
      // The key file is the user's alone.
      expect(statSync(relayKeyFilePath({ XDG_CONFIG_HOME: configHome })).mode & 0o077).toBe(0);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  test('BANGUINS_RELAY_KEY gives the key off the command line, and no key file is written', async () => {
    const relay = await startRelayProcess(['--host', '0.0.0.0', '--quiet'], { XDG_CONFIG_HOME: configHome, BANGUINS_RELAY_KEY: 'from-the-env-123' });
    try {
      expect(relay.url).toMatch(/\?key=from-the-env-123$/);
      expect(existsSync(relayKeyFilePath({ XDG_CONFIG_HOME: configHome }))).toBe(false);
    } finally {
      await relay.stop();
    }
  });

  test('a key file that holds no valid key stops the relay with one line saying to delete it', async () => {
    const keyFile = relayKeyFilePath({ XDG_CONFIG_HOME: configHome });
    mkdirSync(path.dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, 'not a key\n');
    await expect(startRelayProcess(['--require-key', '--quiet'], { XDG_CONFIG_HOME: configHome })).rejects.toThrow(
      /exited with 1:\nbanguins local relay: .*local-relay-key holds no valid access key: delete it, and the next start makes a new one \[RelayKeyFileFailed\]\n$/,
    );
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
