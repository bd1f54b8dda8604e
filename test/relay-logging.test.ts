import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, connectionIdOf, type TestClient } from './support/ws-client';

/**
 * A local relay whose handlers log at `level`, for one describe: every line they write to stdout
 * lands in `lines` (and still reaches stdout). Registers its own beforeAll and afterAll.
 */
function relayWithLogCapture(level: 'DEBUG' | 'INFO'): { readonly lines: string[]; relay(): LocalRelay } {
  let relay: LocalRelay | undefined;
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  beforeAll(async () => {
    relay = await startTestRelay({ handlerLogLevel: level });
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
  });
  afterAll(async () => {
    process.stdout.write = write;
    await relay?.close();
  });
  return { lines, relay: () => relay! };
}

/** The handlers' Powertools log: one structured line per route call, never a frame's data. */
describe('route handler logs', () => {
  const logged = relayWithLogCapture('DEBUG');
  const { lines } = logged;
  let relay: LocalRelay;
  beforeAll(() => void (relay = logged.relay()));

  async function connected(): Promise<{ socket: TestClient; id: string }> {
    const socket = await connectClient(relay.url);
    return { socket, id: await connectionIdOf(socket) };
  }

  test('a relayed chunk and a refused one log their route and outcome as JSON, without the data', async () => {
    const marker = 'U0VDUkVULUNIVU5LLURBVEE';
    const a = await connected();
    const b = await connected();
    b.socket.send({ action: 'Request', message: { connectionid: a.id, message: 'secret-hello' } });
    await a.socket.next();
    a.socket.send({ action: 'Transfer', message: { connectionid: b.id, data: marker, chunkid: 0, chunktotal: 1, chunkhash: 'h' } });
    await b.socket.next();
    a.socket.send({ action: 'Transfer', message: { connectionid: 'Nobody=', data: marker, chunkid: 0, chunktotal: 1, chunkhash: 'h' } });
    await a.socket.next();

    const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'DEBUG', service: 'banguins-relay', route: 'Transfer', connectionId: a.id, outcome: 'ok' }),
        expect.objectContaining({ level: 'INFO', route: 'Transfer', connectionId: a.id, outcome: 'refused', code: 'NotPaired' }),
        expect.objectContaining({ level: 'INFO', route: 'Request', connectionId: b.id, outcome: 'ok' }),
      ]),
    );
    expect(lines.join('\n')).not.toContain(marker);
    expect(lines.join('\n')).not.toContain('secret-hello');
    await Promise.all([a.socket.close(), b.socket.close()]);
  });
});

/** At the deployed functions' INFO level, a relayed chunk or ack writes no line; a refusal still does. */
describe('route handler logs at INFO', () => {
  const logged = relayWithLogCapture('INFO');
  const { lines } = logged;
  let relay: LocalRelay;
  beforeAll(() => void (relay = logged.relay()));

  test('a relayed Transfer and Acknowledge log nothing; Request and a refused Transfer log one line each', async () => {
    const a = await connectClient(relay.url);
    const b = await connectClient(relay.url);
    const aId = await connectionIdOf(a);
    const bId = await connectionIdOf(b);
    b.send({ action: 'Request', message: { connectionid: aId, message: 'hello' } });
    await a.next();
    for (let chunk = 0; chunk < 3; chunk++) {
      a.send({ action: 'Transfer', message: { connectionid: bId, data: 'AAAA', chunkid: chunk, chunktotal: 3, chunkhash: 'h' } });
      await b.next();
    }
    b.send({ action: 'Acknowledge', message: { connectionid: aId, success: true, missingchunkids: [] } });
    await a.next();
    a.send({ action: 'Transfer', message: { connectionid: 'Nobody=', data: 'AAAA', chunkid: 0, chunktotal: 1, chunkhash: 'h' } });
    await a.next();

    const records = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const ofRoute = (route: string) => records.filter((record) => record.route === route);
    expect(ofRoute('Transfer')).toEqual([expect.objectContaining({ level: 'INFO', outcome: 'refused', code: 'NotPaired' })]);
    expect(ofRoute('Acknowledge')).toEqual([]);
    expect(ofRoute('Request')).toEqual([expect.objectContaining({ level: 'INFO', outcome: 'ok' })]);
    await Promise.all([a.close(), b.close()]);
  });
});
