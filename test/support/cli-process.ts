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
 * The environment of a `banguins` the tests run: BANGUINS_RELAY cleared (only `--relay` counts), and
 * relay-only (BANGUINS_RELAY_ONLY=1) unless `extra` says otherwise: the tests of the relay path must
 * see it carry the bytes, and the direct path's tests (cli-direct.test.ts) clear it.
 */
export function cliTestEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, BANGUINS_RELAY: '', BANGUINS_RELAY_ONLY: '1', ...extra };
}

/** Runs `banguins ...args` as a child process in {@link cliTestEnv}(`env`); `onLine` sees each stdout line as it comes. */
export function runCli(args: readonly string[], onLine?: (line: string) => void, env?: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<FinishedCli> } {
  const child = spawn(process.execPath, [BANGUINS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: cliTestEnv(env) });
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
export function runCliJson(
  args: readonly string[],
  onEvent?: (event: Record<string, unknown>) => void,
  env?: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<FinishedCli> } {
  return runCli(args, onEvent && ((line) => onEvent(JSON.parse(line) as Record<string, unknown>)), env);
}
