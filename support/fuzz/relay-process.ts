import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** A local relay running in a child process (relay-child.ts), watched for crashes and unhandled rejections. */
export interface RelayProcess {
  readonly url: string;
  readonly pid: number;
  /** Unhandled rejections the relay reported so far, one line each. */
  readonly unhandled: string[];
  /** Set when the process ended before stop() was called: its exit code or signal. */
  readonly crashed: () => string | undefined;
  /** The relay's resident set size now, bytes (from /proc). */
  rssBytes(): number;
  /** The relay's memory after a full garbage collection: RSS and V8 heap in use, bytes. */
  memoryAfterGc(): Promise<{ readonly rss: number; readonly heapUsed: number }>;
  /** Stops the relay (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts relay-child.ts with `node --require tsx/cjs`, over the DynamoDB at `dynamodbEndpoint`
 * (or a DynamoDB Local of its own), and resolves once it listens.
 */
export function startRelayProcess(dynamodbEndpoint?: string): Promise<RelayProcess> {
  const env = { ...process.env, ...(dynamodbEndpoint ? { BANGUINS_FUZZ_DYNAMODB: dynamodbEndpoint } : {}) };
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', path.join(__dirname, 'relay-child.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const unhandled: string[] = [];
  const memoryWaiters: Array<(memory: { rss: number; heapUsed: number }) => void> = [];
  let crash: string | undefined;
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      if (!stopping) crash = `exited with ${signal ?? code}`;
      resolve();
    });
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (data: Buffer) => {
      buffered += data.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (line.startsWith('UNHANDLED ')) unhandled.push(line.slice(10));
        else if (line.startsWith('MEMORY ')) {
          const memory = JSON.parse(line.slice(7)) as { rss: number; heapUsed: number };
          for (const resolveMemory of memoryWaiters.splice(0)) resolveMemory(memory);
        }
        else if (line.startsWith('FAILED ')) reject(new Error(`the relay did not start: ${line.slice(7)}`));
        else if (line.startsWith('READY ')) {
          resolve({
            url: line.slice(6),
            pid: child.pid!,
            unhandled,
            crashed: () => crash,
            rssBytes: () => rssOf(child.pid!),
            memoryAfterGc: () =>
              new Promise((resolveMemory) => {
                memoryWaiters.push(resolveMemory);
                child.kill('SIGUSR2');
              }),
            stop: async () => {
              stopping = crash === undefined;
              child.kill('SIGTERM');
              await exited;
            },
          });
        }
      }
    });
    void exited.then(() => reject(new Error(`the relay exited before it was ready (${crash})`)));
  });
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}
