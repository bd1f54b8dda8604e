import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { cliTestEnv } from './support/cli-process';

const BIN = path.join(__dirname, '..', 'bin', 'banguins.js');
const FILE_BYTES = 24 * 1024 * 1024;
const OUTAGE_MS = 1500;

interface Finished {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the CLI with `--json`, handing each event line to `onEvent`; `finished` resolves when it exits. */
function runCli(args: string[], onEvent: (event: Record<string, unknown>) => void): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [BIN, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: cliTestEnv() });
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (data: Buffer) => {
    const lines = (pending + data.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.startsWith('{')) onEvent(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  return { child, finished: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
}

describe('DynamoDB Local restarted mid-transfer (--db-path, same port)', () => {
  let work: string;
  let dynamo: DynamoDbLocal;
  let relay: LocalRelay;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'banguins-dbrestart-'));
    dynamo = await startDynamoDbLocal({ dbPath: work });
    relay = await startTestRelay({ dynamodbEndpoint: dynamo.endpoint });
  });

  afterAll(async () => {
    await relay?.close();
    await dynamo?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('completes, or fails with one clear line and no half-written file under a final name', async () => {
    const file = path.join(work, 'big.bin');
    const content = randomBytes(FILE_BYTES);
    writeFileSync(file, content);
    const out = path.join(work, 'out');
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sent = runCli(['send', file, '--relay', relay.url], (event) => {
      if (event.type === 'link') gotLink(event.link as string);
    });
    let restarted: Promise<void> | undefined;
    let stoppedAt = Infinity;
    let lastProgressAt = 0;
    const received = runCli(['receive', await link, '--out', out], (event) => {
      if (event.type === 'progress') lastProgressAt = Date.now();
      // The first progress line after the first bytes: `--json` writes progress at most every 250 ms,
      // and at 100 MB/s a later line (the 24 MB file a quarter through, as this test waited for before)
      // came when the whole file had already crossed.
      if (!restarted && event.type === 'progress' && (event.bytes as number) > 0 && (event.bytes as number) < FILE_BYTES / 2) {
        restarted = (async () => {
          // The sender waits (SIGSTOP) while DynamoDB Local shuts down (about 0.3 s), so the rest of
          // the file crosses during the outage however fast this machine is: a fast one otherwise
          // sent the rest before java was gone.
          sent.child.kill('SIGSTOP');
          try {
            await dynamo.stop();
            stoppedAt = Date.now();
          } finally {
            sent.child.kill('SIGCONT');
          }
          await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
          dynamo = await startDynamoDbLocal({ dbPath: work, port: dynamo.port });
        })();
      }
    });
    const [sender, receiver] = await Promise.all([sent.finished, received.finished]);
    expect(restarted).toBeDefined();
    await restarted;
    // The outage really fell inside the transfer: chunks still arrived after DynamoDB Local stopped.
    expect(lastProgressAt).toBeGreaterThan(stoppedAt);

    const saved = readdirSync(out);
    expect(saved.filter((name) => name.endsWith('.banguins-partial'))).toEqual([]);
    if (receiver.code === 0) {
      expect(sender).toEqual({ code: 0, stderr: '' });
      expect(receiver.stderr).toBe('');
      expect(readFileSync(path.join(out, 'big.bin')).equals(content)).toBe(true);
    } else {
      expect(receiver.code).toBe(1);
      expect(receiver.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^banguins: /)]);
      expect(saved).toEqual([]);
    }
  }, 180_000);
});
