/**
 * `npx tsx bench/loss-recovery.ts [MB]`: how much a lossy relay slows a transfer (issue 21 item 1,
 * goal: 10% of chunks lost costs at most 1.5x the clean time). One file (default 20 MB) client
 * library to client library through the local relay, three ways in one run: clean; every 10th
 * chunk answered with API Gateway's "Internal server error" frame instead of forwarded (a
 * relay-in-the-middle plays API Gateway); every 10th chunk dropped without a word. Prints seconds
 * and the ratios to the clean run. Figures, not a test.
 */
import { randomBytes } from 'node:crypto';
import { startLocalRelay } from '../local/local-relay';
import { startRelayInTheMiddle, type FrameRewriter } from '../support/relay-in-the-middle';
import { sendOneFile } from '../support/node-client';

async function timed(url: string, content: Uint8Array): Promise<number> {
  const started = Date.now();
  const received = await sendOneFile(url, content);
  if (!received.equals(content)) throw new Error('the file arrived different');
  return (Date.now() - started) / 1000;
}

/** Loses every 10th Transfer the sender sends: with an "Internal server error" frame back, or silently. */
function everyTenthChunk(answer: boolean): FrameRewriter {
  let chunks = 0;
  return (text, direction, connection) => {
    if (direction !== 'to-relay' || !text.startsWith('{"action":"Transfer"') || ++chunks % 10 !== 0) return 'pass';
    if (answer) connection.toClient(JSON.stringify({ message: 'Internal server error', connectionId: connection.connectionId, requestId: `r${chunks}` }));
    return 'drop';
  };
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 20);
  const content = randomBytes(megabytes * 1_000_000);
  const relay = await startLocalRelay({ port: 0, handlerLogLevel: 'SILENT' });
  try {
    const runs: [string, FrameRewriter | undefined][] = [
      ['clean', undefined],
      ['10% "Internal server error"', everyTenthChunk(true)],
      ['10% dropped silently', everyTenthChunk(false)],
    ];
    let clean = 0;
    for (const [name, rewriter] of runs) {
      const proxy = await startRelayInTheMiddle(relay.url);
      if (rewriter) proxy.setRewriter(rewriter);
      const seconds = await timed(proxy.url, content);
      await proxy.close();
      if (!rewriter) clean = seconds;
      console.log(`${name.padEnd(30)} ${megabytes} MB in ${seconds.toFixed(2)} s${rewriter ? ` (${(seconds / clean).toFixed(2)}x clean; goal <= 1.5x)` : ''}`);
    }
  } finally {
    await relay.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
