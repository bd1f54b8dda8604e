/**
 * Prints the relay's AWS cost per GB and its throughput caps from counted operations and
 * us-east-1 list prices (2026-11; check them against the pricing pages), for browser chunks
 * (24,064 bytes in one 32 KB frame) and Node chunks (96,256 bytes in one 128 KB message):
 * messages, Lambda, DynamoDB, data transfer out (the bytes the relay sends its clients, measured)
 * and CloudWatch Logs. `npx tsx scripts/cost-per-gb.ts` — the arithmetic behind
 * docs/cost-and-throughput.md.
 */
import { ROUTES } from '../lambdas/routes';
import { resolveRouteThrottles } from '../lib/route-throttles';

/** us-east-1 list prices, 2026-11. */
const PRICE = {
  /** API Gateway WebSocket, per message (billed in 32 KB units), first billion a month. */
  message: 1.0 / 1e6,
  /** Lambda on ARM, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** Lambda, per request. */
  lambdaRequest: 0.2 / 1e6,
  /** DynamoDB on demand, per read request unit (an eventually consistent read of <= 4 KB is half a unit). */
  readUnit: 0.125 / 1e6,
  /** Data transfer out to the internet (API Gateway bills it at EC2 rates), per GB, first 10 TB a month. */
  dataTransferOutGb: 0.09,
  /** CloudWatch Logs ingestion, per GB (standard log class). */
  logIngestionGb: 0.5,
};

/**
 * CloudWatch Logs bytes per invocation when every invocation writes its lines: Lambda's START, END
 * and REPORT lines (~265 bytes) and the handler's Powertools `route` line (~250 bytes), plus 26
 * bytes each that CloudWatch bills per event. The stack turns both off for the chunk routes (route
 * function logging: JSON format, system log level WARN; define-route.ts logs a relayed chunk at DEBUG).
 */
const LOG_BYTES_PER_INVOCATION = { platform: 265 + 3 * 26, route: 250 + 26 };

const GB = 1e9;
const MESSAGE_UNIT_BYTES = 32 * 1024;
const LAMBDA_GB = 256 / 1024;
const LAMBDA_SECONDS = 0.01;
/** The receiver acknowledges every 8 chunks (client/tuning.ts). */
const ACK_EVERY_CHUNKS = 8;
/** GetItem without ConsistentRead (dynamodb-connection-store.ts): half a read unit. */
const READ_UNITS_PER_GET = 0.5;

/** A chunk size the clients send, and what one costs on the wire. */
export interface ChunkShape {
  readonly name: string;
  readonly plaintextBytes: number;
  /** The Transfer message's size on the wire (JSON, base64 of the sealed chunk). */
  readonly messageBytes: number;
  /**
   * Bytes the relay sends its two clients per file byte (chunks to the receiver, acks to the
   * sender): base64 and JSON. Measured with the local relay's frame tap,
   * `BANGUINS_RELAY_ONLY=1 BENCH_MB=20 [BENCH_CHUNK_BYTES=24064] npx tsx bench/transfer.ts`
   * ("wire bytes out / payload byte"), 2026-12-03.
   */
  readonly bytesOutPerByte: number;
}

/** The two chunk sizes: browser (one 32 KB frame) and Node (one 128 KB message); test/data-transfer-out.test.ts re-measures bytesOutPerByte. */
export const SHAPES: readonly ChunkShape[] = [
  { name: 'browser: 24,064 B chunk, one <= 32 KB frame', plaintextBytes: 24_064, messageBytes: 32_764, bytesOutPerByte: 1.343 },
  { name: 'Node: 96,256 B chunk, one <= 128 KB message', plaintextBytes: 96_256, messageBytes: 128_900, bytesOutPerByte: 1.336 },
];

function throttleOf(routeKey: string): number {
  return resolveRouteThrottles(ROUTES).get(routeKey)?.rateLimit ?? Number.NaN;
}

function usd(value: number): string {
  return `$${value.toFixed(4)}`;
}

function printCosts(): void {
  for (const shape of SHAPES) {
    const chunks = GB / shape.plaintextBytes;
    const units = Math.ceil(shape.messageBytes / MESSAGE_UNIT_BYTES);
    const acks = chunks / ACK_EVERY_CHUNKS;
    // A chunk is one message in (Transfer) and one out (the post); an ack one in and one out (<= 32 KB each).
    const messages = chunks * units * 2 + acks * 2;
    const invocations = chunks + acks;
    const gbSeconds = invocations * LAMBDA_GB * LAMBDA_SECONDS;
    const readUnits = invocations * READ_UNITS_PER_GET;
    const gbOut = shape.bytesOutPerByte;
    const rows: [string, string, number][] = [
      ['API Gateway messages (32 KB units, in + out)', messages.toFixed(0), messages * PRICE.message],
      ['Lambda requests (Transfer + Acknowledge)', invocations.toFixed(0), invocations * PRICE.lambdaRequest],
      ['Lambda GB-seconds (256 MB x 10 ms)', gbSeconds.toFixed(1), gbSeconds * PRICE.lambdaGbSecond],
      ['DynamoDB read units (1 GetItem per invocation)', readUnits.toFixed(0), readUnits * PRICE.readUnit],
      ['data transfer out, GB (base64 + JSON, measured)', gbOut.toFixed(3), gbOut * PRICE.dataTransferOutGb],
      ['CloudWatch Logs per chunk (off: DEBUG, WARN)', '0', 0],
    ];
    const total = rows.reduce((sum, [, , cost]) => sum + cost, 0);
    const withoutReads = total - (rows[3]?.[2] ?? 0);
    const logGb = (invocations * (LOG_BYTES_PER_INVOCATION.platform + LOG_BYTES_PER_INVOCATION.route)) / GB;
    const transferRate = throttleOf('Transfer');
    console.log(`\n${shape.name}: ${chunks.toFixed(0)} chunks per GB, ${units} message unit(s) per Transfer`);
    for (const [what, count, cost] of rows) console.log(`  ${what.padEnd(48)} ${count.padStart(10)}  ${usd(cost)}`);
    console.log(`  ${'total per GB'.padEnd(48)} ${''.padStart(10)}  ${usd(total)}  (${usd(withoutReads)} with cached pairings)`);
    console.log(
      `  with a log line per chunk and Lambda's START/END/REPORT lines: +${(logGb * 1000).toFixed(1)} MB of logs, +${usd(logGb * PRICE.logIngestionGb)} = ${usd(total + logGb * PRICE.logIngestionGb)}`,
    );
    console.log(`  aggregate cap at Transfer ${transferRate}/s: ${((transferRate * shape.plaintextBytes) / 1e6).toFixed(1)} MB/s for the whole stage`);
    for (const window of [32, 64]) {
      console.log(`  one transfer, window ${window} chunks, 100 ms round trip: ${((window * shape.plaintextBytes) / 0.1 / 1e6).toFixed(1)} MB/s`);
    }
  }
}

if (require.main === module) printCosts();
