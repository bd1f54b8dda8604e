import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';

const WSCAT = path.join(__dirname, '..', 'node_modules', '.bin', 'wscat');

/**
 * Runs the real wscat binary as the README does: `wscat -c URL -x FRAME -w 2`. Its stdin stays
 * open until it exits, because wscat 6 sends nothing when stdin is at end of file.
 */
function wscat(url: string, frame: string): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(WSCAT, ['-c', url, '-x', frame, '-w', '2'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
  });
}

describe('wscat against the local relay', () => {
  let relay: LocalRelay;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay.close();
  });

  test('the seed 000 session: sendmessage comes back as hello world', async () => {
    const { stdout, code } = await wscat(relay.url, '{"action":"sendmessage", "data":"hello world"}');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toContain('hello world');
  });

  test('the seed 002 ping: Connect answers with the connection id', async () => {
    const { stdout } = await wscat(relay.url, '{"action":"Connect"}');
    const answer = JSON.parse(stdout.trim().split('\n')[0] ?? '') as unknown;
    expect(answer).toEqual({ action: 'Connect', message: { connectionid: expect.stringMatching(/^[A-Za-z0-9_=+/-]{8,}$/) } });
  });
});

describe('wscat against a local relay that requires an access key', () => {
  const KEY = 'test-relay-key-0123456789';
  let relay: LocalRelay;
  let bare: string;

  beforeAll(async () => {
    relay = await startTestRelay({ relayKey: KEY });
    bare = relay.url.split('?')[0]!;
  });
  afterAll(async () => {
    await relay.close();
  });

  test('the relay prints a URL that carries the key', () => {
    expect(new URL(relay.url).searchParams.get('key')).toBe(KEY);
  });

  test('without the key the handshake is refused with 401', async () => {
    const { stdout, code } = await wscat(bare, '{"action":"Connect"}');
    expect(stdout).toMatch(/Unexpected server response: 401/);
    expect(code).not.toBe(0);
  });

  test('with a wrong key the handshake is refused with 401', async () => {
    const { stdout } = await wscat(`${bare}/?key=not-the-key-at-all`, '{"action":"Connect"}');
    expect(stdout).toMatch(/Unexpected server response: 401/);
    expect(stdout).not.toMatch(/"action":"Connect"/);
  });

  test('with the key, the seed 002 Connect gets its answer', async () => {
    const { stdout } = await wscat(relay.url, '{"action":"Connect"}');
    const answer = JSON.parse(stdout.trim().split('\n')[0] ?? '') as unknown;
    expect(answer).toEqual({ action: 'Connect', message: { connectionid: expect.stringMatching(/^[A-Za-z0-9_=+/-]{8,}$/) } });
  });
});
