import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, connectionIdOf, type TestClient } from './support/ws-client';

/** The handlers' Powertools log: one structured line per route call, never a frame's data. */
describe('route handler logs', () => {
  let relay: LocalRelay;
  const lines: string[] = [];
  let restore: () => void;

  beforeAll(async () => {
    relay = await startTestRelay({ handlerLogLevel: 'DEBUG' });
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    restore = () => {
      process.stdout.write = write;
    };
  });
  afterAll(async () => {
    restore();
    await relay.close();
  });

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
  let relay: LocalRelay;
  const lines: string[] = [];
  let restore: () => void;

  beforeAll(async () => {
    relay = await startTestRelay({ handlerLogLevel: 'INFO' });
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return write(chunk, ...rest);
    }) as typeof process.stdout.write;
    restore = () => {
      process.stdout.write = write;
    };
  });
  afterAll(async () => {
    restore();
    await relay.close();
  });

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
