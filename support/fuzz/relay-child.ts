import { randomUUID } from 'node:crypto';
import { startLocalRelay } from '../../local/local-relay';
import { runRelayChild } from '../relay-child-process';

/*
 * The local relay in a process of its own, so a fuzz run can see it crash and read its memory.
 * Prints `READY <url>` once listening, `UNHANDLED <text>` for every unhandled rejection, and
 * `MEMORY <json>` (process.memoryUsage() after a full GC, with --expose-gc) on SIGUSR2; closes on SIGTERM. Uses BANGUINS_FUZZ_DYNAMODB (an endpoint) when set, else starts DynamoDB Local.
 */
let unhandled = 0;
process.on('unhandledRejection', (reason: unknown) => {
  unhandled += 1;
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  process.stdout.write(`UNHANDLED ${unhandled} ${text.split('\n')[0]}\n`);
});

runRelayChild(async () => {
  const endpoint = process.env.BANGUINS_FUZZ_DYNAMODB;
  const relay = await startLocalRelay({
    port: 0,
    handlerLogLevel: 'SILENT',
    ...(endpoint ? { dynamodbEndpoint: endpoint, tableName: `banguins-fuzz-${randomUUID()}` } : {}),
  });
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`MEMORY ${JSON.stringify(process.memoryUsage())}\n`);
  });
  return relay;
});
