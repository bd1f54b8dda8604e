import { RouteLog } from '../local/route-log';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { pairedClients } from './support/ws-client';

const ID = 'xRkwutq4N2AVBQI=';

/** `route` lines of a RouteLog into an array, summed over `summaryMs`. */
function routeLog(summaryMs = 60_000): { log: RouteLog; lines: string[] } {
  const lines: string[] = [];
  return { log: new RouteLog({ line: (text) => void lines.push(text) }, summaryMs), lines };
}

describe('RouteLog: a line per route call, the per-chunk ones summed', () => {
  it('writes every call of the other routes at once, as the relay always did', () => {
    const { log, lines } = routeLog();
    log.record('$connect', ID, 12, { status: 200 });
    log.record('Request', ID, 3, { status: 200 });
    log.record('Connect', ID, 4, {});
    expect(lines).toEqual([`route     $connect ${ID} status=200 12ms`, `route     Request ${ID} status=200 3ms`, `route     Connect ${ID} status=- 4ms`]);
  });

  it('sums successful Transfer and Acknowledge calls per connection and route, written before the connection closes', () => {
    const { log, lines } = routeLog();
    for (const ms of [2, 0, 5, 1]) log.record('Transfer', ID, ms, { status: 200 });
    log.record('Acknowledge', 'other', 1, { status: 200 });
    log.record('Acknowledge', ID, 3, { status: 200 });
    expect(lines).toEqual([]);
    log.flush(ID);
    expect(lines).toEqual([`route     Transfer ${ID} status=200 x4 0-5ms`, `route     Acknowledge ${ID} status=200 x1 3ms`]);
    log.flush();
    expect(lines.slice(2)).toEqual(['route     Acknowledge other status=200 x1 1ms']);
  });

  it('writes a failed or refused per-chunk call on its own line at once, between the sums', () => {
    const { log, lines } = routeLog();
    log.record('Transfer', ID, 1, { status: 200 });
    log.record('Transfer', ID, 7, { error: 'Error: DynamoDB is down' });
    log.record('Transfer', ID, 2, { status: 500 });
    expect(lines).toEqual([`route     Transfer ${ID} error 7ms Error: DynamoDB is down`, `route     Transfer ${ID} status=500 2ms`]);
    log.flush();
    expect(lines[2]).toBe(`route     Transfer ${ID} status=200 x1 1ms`);
  });

  it('writes the sums by itself once the interval is over, and starts new ones after', async () => {
    const { log, lines } = routeLog(30);
    log.record('Transfer', ID, 1, { status: 200 });
    log.record('Transfer', ID, 1, { status: 200 });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(lines).toEqual([`route     Transfer ${ID} status=200 x2 1ms`]);
    log.record('Transfer', ID, 4, { status: 200 });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(lines).toEqual([`route     Transfer ${ID} status=200 x2 1ms`, `route     Transfer ${ID} status=200 x1 4ms`]);
  });
});

describe('the local relay log during a transfer', () => {
  let relay: LocalRelay;
  const lines: string[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ log: { line: (text) => void lines.push(text) } });
  });
  afterAll(async () => {
    await relay.close();
  });

  it('has one summed line for 200 chunks, not 200 lines, and it comes before the sender close line', async () => {
    const { a, b, aId, bId } = await pairedClients(relay.url);
    const chunks = 200;
    for (let chunkid = 0; chunkid < chunks; chunkid++) {
      a.send({ action: 'Transfer', message: { connectionid: bId, data: 'QUJD', chunkid, chunktotal: chunks, chunkhash: 'h' } });
    }
    for (let received = 0; received < chunks; received++) await b.next();
    await a.close();
    await b.close();
    await relay.close();

    const transferLines = lines.filter((line) => line.startsWith(`route     Transfer ${aId} `));
    const counts = transferLines.map((line) => Number(/ status=200 x(\d+) /.exec(line)?.[1]));
    // One line, or a few when the chunks took over a second to cross a loaded machine: never one per chunk.
    expect(transferLines.length).toBeLessThanOrEqual(5);
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(chunks);
    const closeAt = lines.findIndex((line) => line.startsWith(`close     ${aId} `));
    expect(closeAt).toBeGreaterThan(lines.lastIndexOf(transferLines.at(-1)!));
    // The pairing Request still has its own line.
    expect(lines.filter((line) => line.startsWith(`route     Request ${bId} status=200 `))).toHaveLength(1);
  });
});
