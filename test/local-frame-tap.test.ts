import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { startTestRelay } from './support/start-test-relay';
import { connectClient, connectionIdOf, type TestClient } from './support/ws-client';

/**
 * The relay's frame tap (tests and benches scan the traffic with it): what it hands over for a
 * client frame and for a posted payload, including the cheap ends a bench reads 128 KB chunks by.
 */
describe('frame tap', () => {
  let relay: LocalRelay;
  let client: TestClient;
  const taps: TappedFrame[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => taps.push(frame) } });
    client = await connectClient(relay.url);
  });

  afterAll(async () => {
    await client.close();
    await relay.close();
  });

  test('a client frame and its answer: text, size in bytes and both ends', async () => {
    const id = await connectionIdOf(client);
    // Not JSON, with a character of three UTF-8 bytes: $default answers it with an Error frame.
    const text = `nope € ${'x'.repeat(1000)} end`;
    client.send(text);
    const answer = await client.next();
    expect(answer).toMatchObject({ action: 'Error' });

    const inbound = taps.find((frame) => frame.direction === 'in' && frame.data === text);
    expect(inbound).toMatchObject({ connectionId: id, byteLength: text.length + 2 });
    expect(inbound!.ends(4)).toEqual({ head: 'nope', tail: ' end' });

    // The Error frame posted back, decoded when read; its ends are bytes (it quotes the "…" of an excerpt).
    const outbound = taps.filter((frame) => frame.direction === 'out' && frame.connectionId === id).pop()!;
    expect(JSON.parse(outbound.data)).toEqual(answer);
    expect(outbound.byteLength).toBe(Buffer.byteLength(outbound.data));
    const whole = Buffer.from(outbound.data).toString('latin1');
    expect(outbound.ends(10)).toEqual({ head: '{"action":', tail: whole.slice(-10) });
    // Longer than the frame: the whole frame at each end.
    expect(outbound.ends(1_000_000)).toEqual({ head: whole, tail: whole });
  });
});
