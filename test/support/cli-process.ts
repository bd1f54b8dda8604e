import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** The `banguins` executable the tests run, as a user would. */
const BANGUINS_BIN = path.join(__dirname, '..', '..', 'bin', 'banguins.js');

/** How a `banguins` process ended, with everything it printed. */
export interface FinishedCli {
  readonly code: number | null;
  /** The signal that ended it, when one did. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `banguins ...args` as a child process (BANGUINS_RELAY cleared, so only `--relay` counts);
 * `onLine` sees each stdout line as it comes.
 */
export function runCli(args: readonly string[], onLine?: (line: string) => void): { child: ChildProcess; done: Promise<FinishedCli> } {
  const child = spawn(process.execPath, [BANGUINS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BANGUINS_RELAY: '' } });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (data: Buffer) => {
    stdout += data.toString();
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) onLine?.(line);
  });
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<FinishedCli>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Like {@link runCli} for `--json` runs: `onEvent` sees each event, parsed. */
export function runCliJson(args: readonly string[], onEvent?: (event: Record<string, unknown>) => void): { child: ChildProcess; done: Promise<FinishedCli> } {
  return runCli(args, onEvent && ((line) => onEvent(JSON.parse(line) as Record<string, unknown>)));
}
