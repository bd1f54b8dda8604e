import { FaultInjector, seededRandom, type InboundFrame } from '../local/fault-injection';
import type { TappedFrame } from '../local/relay-taps';
import { recordingHandlers } from './support/recording-handlers';
import { startTestRelay } from './support/start-test-relay';
import { connectClient } from './support/ws-client';

const transfer = (chunkid: number): InboundFrame => ({
  data: JSON.stringify({ action: 'Transfer', message: { connectionid: 'B', data: 'AA==', chunkid, chunktotal: 60, chunkhash: 'h' } }),
});

describe('fault injection', () => {
  test('seededRandom repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number): number[] => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
    expect(take(7).every((n) => n >= 0 && n < 1)).toBe(true);
  });

  test('reorder delivers a held frame after the next one, and flushes a last held frame on its own', async () => {
    const injector = new FaultInjector({ drop: 0, duplicate: 0, reorder: 1 }, undefined, 10);
    const delivered: number[] = [];
    const deliver = (frame: InboundFrame): void => void delivered.push(JSON.parse(frame.data).message.chunkid);
    injector.handle('c', transfer(1), deliver);
    injector.handle('c', transfer(2), deliver);
    injector.handle('c', transfer(3), deliver);
    expect(delivered).toEqual([2, 1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(delivered).toEqual([2, 1, 3]);
  });

  test('only Transfer frames are touched', () => {
    const injector = new FaultInjector({ drop: 1, duplicate: 0, reorder: 0 });
    const delivered: string[] = [];
    injector.handle('c', { data: '{"action":"Acknowledge"}' }, (frame) => delivered.push(frame.data));
    injector.handle('c', transfer(1), (frame) => delivered.push(frame.data));
    expect(delivered).toEqual(['{"action":"Acknowledge"}']);
  });

  test('rates outside 0..1 or adding up over 1 are refused with InvalidOption', () => {
    expect(() => new FaultInjector({ drop: 1.5, duplicate: 0, reorder: 0 })).toThrow(expect.objectContaining({ code: 'InvalidOption' }));
    expect(() => new FaultInjector({ drop: 0.6, duplicate: 0.6, reorder: 0 })).toThrow(/at most 1/);
  });

  /** Sends 60 Transfer frames through a relay with faults; returns the chunk ids the Transfer route saw, in order. */
  async function transferThroughFaults(seed: number, taps: TappedFrame[] = []): Promise<number[]> {
    const seen: number[] = [];
    const recorder = recordingHandlers({
      Transfer: (event) => {
        seen.push(JSON.parse(event.body ?? '').message.chunkid);
        return { statusCode: 200 };
      },
      barrier: null,
    });
    const relay = await startTestRelay({
      handlers: recorder.build,
      faults: { drop: 0.15, duplicate: 0.1, reorder: 0.1, seed },
      taps: { frames: (frame) => taps.push(frame) },
    });
    try {
      const client = await connectClient(relay.url);
      for (let chunkid = 0; chunkid < 60; chunkid += 1) client.send(transfer(chunkid).data);
      // Two barriers: the first flushes a held frame into the queue behind it, the second's answer proves the queue ran.
      client.send({ action: 'barrier' });
      client.send({ action: 'barrier' });
      await client.next();
      await client.next();
      await client.close();
      return seen;
    } finally {
      await relay.close();
    }
  }

  test('a relay with faults drops, duplicates and reorders Transfer frames, the same way for the same seed', async () => {
    const taps: TappedFrame[] = [];
    const first = await transferThroughFaults(42, taps);
    const second = await transferThroughFaults(42);
    const otherSeed = await transferThroughFaults(43);

    expect(second).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    const ids = Array.from({ length: 60 }, (_, i) => i);
    expect(ids.filter((id) => !first.includes(id)).length).toBeGreaterThan(0);
    expect(first.length).not.toBe(new Set(first).size);
    expect(first.some((id, i) => i > 0 && id < (first[i - 1] as number) )).toBe(true);
    // The tap saw every frame the client sent, before any fault.
    expect(taps.filter((t) => t.direction === 'in' && t.data.includes('"Transfer"'))).toHaveLength(60);
    expect(taps.filter((t) => t.direction === 'out')).toHaveLength(2);
  });
});
