import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { testDynamoDbEndpoint } from './start-test-relay';

const root = path.join(__dirname, '..', '..');

/** `npm start`'s program, running until stopped. */
export interface RelayProcess {
  /** Everything it printed on stdout, by line. */
  readonly lines: string[];
  /** The URL it printed under `Banguins relay listening on:`. */
  readonly url: string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `npm start`'s program (local/main.ts through tsx) on a free port over the run's DynamoDB
 * Local, with a table of its own, until it prints its URL. `env` is added to the test's environment.
 */
export function startRelayProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    // `--require tsx/cjs`, not tsx's CLI: the CLI relays SIGTERM to a child and SIGKILLs it (exit 143)
    // when the child does not confirm within 30 ms, which a loaded machine misses.
    ['--require', 'tsx/cjs', 'local/main.ts', '--port', '0', '--dynamodb-endpoint', testDynamoDbEndpoint(), '--table-name', `banguins-test-${randomUUID()}`, ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
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
