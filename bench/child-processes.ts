import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';

/** The project root: where the bench scripts' children run. */
export const ROOT = path.join(__dirname, '..');

/**
 * Runs a TypeScript file of `bench/` in its own Node process (through tsx's require hook, so
 * signals reach it directly); with `profileDir`, under `--cpu-prof` into that folder.
 */
export function spawnBenchScript(
  script: string,
  options: { readonly profileDir?: string; readonly env?: NodeJS.ProcessEnv; readonly stdio?: StdioOptions } = {},
): ChildProcess {
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.profileDir)}`] : [];
  return spawn(process.execPath, [...profile, '--require', 'tsx/cjs', path.join(__dirname, script)], {
    cwd: ROOT,
    env: options.env ?? process.env,
    stdio: options.stdio ?? ['ignore', 'pipe', 'inherit'],
  });
}

/** A relay bench script running in its own process (`local-relay-child.ts`, `plain-forwarder.ts`). */
export interface RelayChild {
  readonly child: ChildProcess;
  /** The relay's WebSocket URL, from its `READY <url>` line. */
  readonly url: string;
  /** Every line it has printed so far (`PAGE`, `RESET`, `STATS`, ...). */
  readonly lines: string[];
}

/** Starts a relay bench script (see {@link spawnBenchScript}) and resolves once it prints `READY <url>`. */
export function startRelayChild(script: string, options: { readonly profileDir?: string; readonly env?: NodeJS.ProcessEnv } = {}): Promise<RelayChild> {
  const child = spawnBenchScript(script, options);
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    forEachLine(child.stdout!, (line) => {
      lines.push(line);
      if (line.startsWith('READY ')) resolve({ child, url: line.slice(6), lines });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

/**
 * Resolves with the first line that starts with `prefix` among `lines` (which {@link forEachLine}
 * fills from the child's stdout) from index `from` on, waiting for more; rejects if the child's
 * output ends first.
 */
export function waitForLine(child: ChildProcess, lines: readonly string[], prefix: string, from = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      child.stdout!.off('data', check);
      child.off('close', closed);
    };
    // Listeners run in order: forEachLine's, added first, has pushed the new lines already.
    function check(): boolean {
      const line = lines.slice(from).find((l) => l.startsWith(prefix));
      if (line === undefined) return false;
      stop();
      resolve(line);
      return true;
    }
    // 'close' comes after the last of its output: nothing more can arrive.
    function closed(code: number | null) {
      stop();
      reject(new Error(`the child exited (${code}) without printing ${prefix.trim()}`));
    }
    if (check()) return;
    child.stdout!.on('data', check);
    child.once('close', closed);
  });
}

/** Calls `onLine` with every complete line a stream prints. */
export function forEachLine(stream: Readable, onLine: (line: string) => void): void {
  let buffered = '';
  stream.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) onLine(line);
  });
}

/** A field of `/proc/PID/status` in kB (`VmRSS`, `VmHWM`, …); 0 once the process is gone. */
export async function procStatusKb(pid: number, field: string): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/**
 * Every descendant of a process (DynamoDB Local runs as java under a shell under the relay; Chromium's
 * helpers under the browser), the children of each of its threads: a child forked by another thread
 * than the main one (Chromium's zygotes and services) is listed under that thread only.
 */
export async function descendantPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [String(pid)]);
  const texts = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
  const children = [...new Set(texts.join(' ').trim().split(/\s+/).filter(Boolean).map(Number))];
  const nested = await Promise.all(children.map(descendantPids));
  return [...children, ...nested.flat()];
}
