import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { startLocalRelay } from '../local/local-relay';

/**
 * The local relay for `npm run load`, in a process of its own (so its RSS is its own). It times
 * every Transfer invocation from the frame coming off the socket to the handler's end (right after
 * its `@connections` write), counts Transfer frames and distinct chunks (the resend amplification),
 * and samples its RSS. Commands on stdin, one per line: `stats` prints `STATS <json>` for the
 * figures since the previous `stats` and starts a new period. LOAD_DYNAMODB_ENDPOINT uses a
 * DynamoDB that is already running (a table of its own) instead of starting DynamoDB Local.
 */
interface Period {
  latenciesMs: number[];
  transferFrames: number;
  chunks: Set<string>;
  peakRssBytes: number;
  failed: number;
}

const newPeriod = (): Period => ({ latenciesMs: [], transferFrames: 0, chunks: new Set(), peakRssBytes: process.memoryUsage.rss(), failed: 0 });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** The chunk a Transfer frame carries, without parsing its 32 KB of JSON: `fileid` and `chunkid`. */
function chunkKey(connectionId: string, text: string): string | undefined {
  if (!text.slice(0, 64).includes('"Transfer"')) return undefined;
  const chunkid = /"chunkid":(\d+)/.exec(text)?.[1];
  const fileid = /"fileid":"([^"]*)"/.exec(text)?.[1] ?? '';
  return chunkid === undefined ? undefined : `${connectionId}/${fileid}/${chunkid}`;
}

async function main(): Promise<void> {
  let period = newPeriod();
  const dynamodbEndpoint = process.env.LOAD_DYNAMODB_ENDPOINT || undefined;
  const relay = await startLocalRelay({
    port: 0,
    ...(dynamodbEndpoint ? { dynamodbEndpoint, tableName: `banguins-load-${randomUUID()}` } : {}),
    handlerLogLevel: 'SILENT',
    frameTap: (frame) => {
      if (frame.direction !== 'in') return;
      const key = chunkKey(frame.connectionId, frame.data);
      if (key === undefined) return;
      period.transferFrames++;
      period.chunks.add(key);
    },
    invocationTap: (timing) => {
      if (timing.routeKey !== 'Transfer') return;
      period.latenciesMs.push(timing.finishedAt - timing.receivedAt);
      if (timing.failed) period.failed++;
    },
  });
  const sampler = setInterval(() => {
    period.peakRssBytes = Math.max(period.peakRssBytes, process.memoryUsage.rss());
  }, 100);
  process.stdout.write(`READY ${relay.url} ${relay.dynamodbEndpoint}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stats') return;
    const done = period;
    period = newPeriod();
    const sorted = done.latenciesMs.sort((a, b) => a - b);
    const stats = {
      transferInvocations: sorted.length,
      failedInvocations: done.failed,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? 0,
      transferFrames: done.transferFrames,
      chunks: done.chunks.size,
      peakRssBytes: Math.max(done.peakRssBytes, process.memoryUsage.rss()),
      peakQueued: relay.queueStats.peakQueued,
      pauses: relay.queueStats.pauses,
      openConnections: relay.connections.all().length,
    };
    process.stdout.write(`STATS ${JSON.stringify(stats)}\n`);
  });
  lines.on('close', () => {
    clearInterval(sampler);
    void relay.close().finally(() => process.exit(0));
  });
}

void main();
