import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { startDynamoDbLocal } from '../local/dynamodb-local';

/**
 * The local relay's memory under clients that stop reading: `npx tsx bench/stalled-readers.ts
 * [--readers 120] [--mb 8] [--root DIR]` starts `local/main.ts` of DIR (default: this checkout)
 * as a child over DynamoDB Local, opens READERS connections that each ask the relay (`sendmessage`)
 * to echo MB megabytes back to them and never read, and prints the relay process's resident
 * memory before, at its peak, and after every reader left. A figure, never a test.
 */
async function main(): Promise<void> {
  const flag = (name: string, fallback: string): string => {
    const at = process.argv.indexOf(`--${name}`);
    return at >= 0 ? process.argv[at + 1] ?? fallback : fallback;
  };
  const readers = Number(flag('readers', '120'));
  const megabytes = Number(flag('mb', '8'));
  const root = path.resolve(flag('root', path.join(__dirname, '..')));

  const dynamo = await startDynamoDbLocal({});
  const relay = spawn(process.execPath, ['--require', 'tsx/cjs', 'local/main.ts', '--port', '0', '--dynamodb-endpoint', dynamo.endpoint, '--quiet'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve) => {
      let out = '';
      relay.stdout.on('data', (data: Buffer) => {
        out += data.toString();
        const match = out.match(/^(ws:\/\/\S+)$/m);
        if (match) resolve(match[1]!);
      });
    });
    const rss = (): number => Number(readFileSync(`/proc/${relay.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/)![1]) / 1024;
    await sleep(2000);
    const before = rss();

    const frame = JSON.stringify({ action: 'sendmessage', data: 'x'.repeat(30_000) });
    const frames = Math.ceil((megabytes * 1_000_000) / 30_000);
    const sockets = await Promise.all(
      Array.from({ length: readers }, () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.once('open', () => {
            ws.pause();
            for (let i = 0; i < frames; i++) ws.send(frame);
            resolve(ws);
          });
          ws.once('error', reject);
        }),
      ),
    );
    let peak = rss();
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 200);
    // Until every echo the relay could buffer is buffered (or refused with 429).
    await sleep(20_000);
    const stalled = rss();
    for (const ws of sockets) ws.terminate();
    await sleep(10_000);
    clearInterval(sampler);
    const after = rss();
    console.log(`${readers} stalled readers, ${megabytes} MB echoed to each, relay of ${root}`);
    console.log(`relay RSS: before ${before.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, stalled ${stalled.toFixed(0)} MB, 10 s after they left ${after.toFixed(0)} MB`);
  } finally {
    relay.kill('SIGTERM');
    await new Promise((resolve) => relay.once('exit', resolve));
    await dynamo.stop();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
