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
        expect.objectContaining({ level: 'INFO', service: 'banguins-relay', route: 'Transfer', connectionId: a.id, outcome: 'ok' }),
        expect.objectContaining({ route: 'Transfer', connectionId: a.id, outcome: 'refused', code: 'NotPaired' }),
        expect.objectContaining({ route: 'Request', connectionId: b.id, outcome: 'ok' }),
      ]),
    );
    expect(lines.join('\n')).not.toContain(marker);
    expect(lines.join('\n')).not.toContain('secret-hello');
    await Promise.all([a.socket.close(), b.socket.close()]);
  });
});
