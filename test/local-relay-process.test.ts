import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startLocalRelay } from '../local/local-relay';
import { connectClient } from './support/ws-client';

const run = promisify(execFile);
const root = path.join(__dirname, '..');

/** The DynamoDB Local java processes listening on `port` (pgrep -f on its command line). */
async function javaOnPort(port: string | number): Promise<string[]> {
  try {
    const { stdout } = await run('pgrep', ['-f', `^java .*DynamoDBLocal.jar -inMemory -port ${port} `]);
    return stdout.trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Waits until no process of process group `pgid` is left (the relay, tsx, esbuild). */
async function waitForNoProcessInGroup(pgid: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await run('pgrep', ['-g', String(pgid)]).then(({ stdout }) => stdout.trim(), () => '');
    if (!left) return;
    if (Date.now() > deadline) throw new Error(`processes of group ${pgid} still running: ${left.replace(/\n/g, ' ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Collects a child's stdout and resolves the first line matching `pattern`. */
function lineMatching(child: ChildProcess, pattern: RegExp, output: string[], timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs);
    const check = (): void => {
      for (const line of output.join('').split('\n')) {
        const match = line.match(pattern);
        if (match) {
          clearTimeout(timer);
          resolve(match);
          return;
        }
      }
    };
    child.stdout?.on('data', check);
    check();
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before printing ${pattern}:\n${output.join('')}`));
    });
  });
}

describe('local relay process', () => {
  test('startLocalRelay starts its own DynamoDB Local, serves the real handlers, and close() leaves no java behind', async () => {
    const relay = await startLocalRelay({ port: 0 });
    const port = new URL(relay.dynamodbEndpoint).port;
    try {
      expect(await javaOnPort(port)).toHaveLength(1);
      const client = await connectClient(relay.url);
      client.send({ action: 'sendmessage', data: 'hello world' });
      expect(await client.next()).toBe('hello world');
      await client.close();
    } finally {
      await relay.close();
    }
    expect(await javaOnPort(port)).toEqual([]);
  });

  test('npm start prints its ws:// URL on a line of its own, works with wscat, and stops cleanly on Ctrl-C', async () => {
    const output: string[] = [];
    // A process group of its own, so the test can send SIGINT to it the way a terminal's Ctrl-C does.
    const child = spawn('npm', ['start', '--silent', '--', '--port', '0'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const [url] = await lineMatching(child, /^ws:\/\/127\.0\.0\.1:\d+$/, output);
      const [, dynamoPort] = await lineMatching(child, /^DynamoDB: http:\/\/127\.0\.0\.1:(\d+) /, output);
      expect(await javaOnPort(dynamoPort!)).toHaveLength(1);

      const wscat = spawn(path.join(root, 'node_modules/.bin/wscat'), ['-c', url!, '-x', '{"action":"sendmessage","data":"hello world"}', '-w', '2'], {
        stdio: ['pipe', 'pipe', 'pipe'], // stdin stays open: wscat sends nothing when it sees end of file
      });
      let wscatOut = '';
      wscat.stdout.on('data', (chunk: Buffer) => (wscatOut += chunk.toString('utf8')));
      await new Promise((resolve) => wscat.once('exit', resolve));
      expect(wscatOut).toContain('hello world');

      process.kill(-child.pid!, 'SIGINT');
      await exited; // npm itself may end by the signal; the relay below it must still stop cleanly
      await waitForNoProcessInGroup(child.pid!);
      expect(output.join('')).toContain('SIGINT: stopping');
      expect(output.join('')).toMatch(/open +\S+ from 127\.0\.0\.1/);
      expect(output.join('')).not.toContain('hello world'); // frame bodies are never logged
      expect(await javaOnPort(dynamoPort!)).toEqual([]);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // The group is already gone, as it should be.
      }
    }
  });

  test('npm start without Java stops with one line saying what to install', async () => {
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-no-java-'));
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'local/main.ts', '--port', '0'],
        { cwd: root, env: { ...process.env, PATH: emptyPath } },
        (error, out, err) => resolve({ stdout: out, stderr: err, code: error ? (error.code as number) : 0 }),
      );
    });
    fs.rmSync(emptyPath, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/install one \(apt-get install -y default-jre-headless, or brew install openjdk\) or pass --dynamodb-endpoint/);
    expect(stderr).toContain('[JavaNotFound]');
    expect(stdout).not.toMatch(/ws:\/\//);
  });
});
