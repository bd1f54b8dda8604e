/**
 * How long a transfer stalls when both sides' sockets die at once, and when the relay restarts:
 * the time from the break until new bytes reach the receiver again, and the whole transfer's time
 * against an unbroken one, measured in this one process run (the ratios matter, not the figures).
 * `npx tsx bench/rejoin-recovery.ts [rounds] [megabytes]` (defaults 3 and 4).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { bytesSource, receiveFiles, sendFiles, type RelayConnection, type WebSocketConstructor } from '../client';
import { startLocalRelay, type LocalRelay } from '../local/local-relay';

const WS = WebSocket as unknown as WebSocketConstructor;
type Break = 'none' | 'both-sockets' | 'relay-restart';

interface Round {
  readonly totalMs: number;
  /** From the break until the receiver's first progress after both sides said `resumed`. */
  readonly stallMs?: number;
}

/** The relay of the current round; a restart replaces it. */
let relay: LocalRelay;

async function oneTransfer(size: number, kind: Break, dynamodbEndpoint: string): Promise<Round> {
  const data = randomBytes(size);
  const connections: RelayConnection[] = [];
  let brokeAt = 0;
  let bytesAtBreak = -1;
  let stallMs: number | undefined;
  let restart: Promise<void> | undefined;
  const resumed = new Set<string>();
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  const started = Date.now();
  const sending = sendFiles({
    relayUrl: relay.url,
    WebSocket: WS,
    files: [{ name: 'bench.bin', source: bytesSource(data) }],
    onConnection: (c) => connections.push(c),
    onEvent: (event) => {
      if (event.type === 'link') gotLink(event.link);
      if (event.type === 'resumed' && bytesAtBreak >= 0) resumed.add('sender');
    },
  });
  const receiving = receiveFiles({
    link: await link,
    WebSocket: WS,
    lingerMs: 0,
    onConnection: (c) => connections.push(c),
    openSink: async () => ({ write: async () => undefined, commit: async () => undefined, abort: async () => undefined }),
    onEvent: (event) => {
      if (event.type === 'resumed' && bytesAtBreak >= 0) resumed.add('receiver');
      if (event.type !== 'progress') return;
      if (resumed.size === 2 && stallMs === undefined) stallMs = Date.now() - brokeAt;
      if (kind === 'none' || bytesAtBreak >= 0 || event.bytes < size / 4) return;
      bytesAtBreak = event.bytes;
      brokeAt = Date.now();
      if (kind === 'both-sockets') {
        for (const c of connections) (c.currentSocket as unknown as WebSocket).terminate();
      } else {
        const old = relay;
        restart = old.close().then(async () => {
          relay = await startLocalRelay({ port: old.port, dynamodbEndpoint, tableName: old.tableName, handlerLogLevel: 'SILENT' });
        });
      }
    },
  });
  await Promise.all([sending, receiving]);
  await restart;
  return { totalMs: Date.now() - started, stallMs };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 3);
  const size = Number(process.argv[3] ?? 4) * 1_000_000;
  // The first relay starts DynamoDB Local; restarts reuse it (as `npm start` with a kept table would).
  const first = await startLocalRelay({ port: 0, handlerLogLevel: 'SILENT' });
  relay = await startLocalRelay({ port: 0, dynamodbEndpoint: first.dynamodbEndpoint, tableName: 'banguins-bench', handlerLogLevel: 'SILENT' });
  try {
    const results: Record<Break, Round[]> = { none: [], 'both-sockets': [], 'relay-restart': [] };
    for (let round = 0; round < rounds; round += 1) {
      for (const kind of Object.keys(results) as Break[]) results[kind].push(await oneTransfer(size, kind, first.dynamodbEndpoint));
    }
    const baseline = median(results.none.map((r) => r.totalMs));
    console.log(`rejoin recovery, ${rounds} rounds of ${size / 1e6} MB, medians (npx tsx bench/rejoin-recovery.ts ${rounds} ${size / 1e6})`);
    for (const [kind, list] of Object.entries(results)) {
      const total = median(list.map((r) => r.totalMs));
      const stall = kind === 'none' ? '' : `  stall ${median(list.map((r) => r.stallMs ?? NaN))} ms`;
      console.log(`  ${kind.padEnd(14)} total ${total} ms (x${(total / baseline).toFixed(2)} of unbroken)${stall}`);
    }
  } finally {
    await relay.close();
    await first.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
