import WebSocket from 'ws';
import type { LocalRelay } from '../local/local-relay';
import { BACKLOG_HIGH_WATER_BYTES, RelayBacklog, type BacklogMember } from '../local/relay-backlog';
import { recordingHandlers, waitFor } from './support/recording-handlers';
import { startTestRelay } from './support/start-test-relay';

/** A member that records whether it is paused. */
function member(): BacklogMember & { paused: boolean; pauses: number } {
  return {
    paused: false,
    pauses: 0,
    pauseForBacklog() {
      this.paused = true;
      this.pauses++;
    },
    resumeForBacklog() {
      this.paused = false;
    },
  };
}

const KB = 1024;

/** Time marks no test reaches (a slow machine must not trip them): the byte marks alone decide. */
const BYTES_ONLY = { highWaitMs: 60_000, lowWaitMs: 60_000 };

describe('RelayBacklog', () => {
  test('at the byte mark every sender being read is paused; below the low-water mark they resume in the order they were paused', () => {
    const backlog = new RelayBacklog({ highBytes: 512 * KB, lowBytes: 256 * KB, ...BYTES_ONLY });
    const [a, b, c] = [member(), member(), member()];
    const entries = [backlog.add(a, 128 * KB), backlog.add(b, 128 * KB), backlog.add(c, 128 * KB)];
    expect([a.paused, b.paused, c.paused]).toEqual([false, false, false]);
    // GIVEN b hands in the message that reaches 512 KiB: a, c and b (last: it just had its turn) all stop being read
    entries.push(backlog.add(b, 128 * KB));
    expect([a.paused, b.paused, c.paused]).toEqual([true, true, true]);
    expect(backlog.stats).toEqual({ pauses: 1, peakBytes: 512 * KB });
    // WHEN messages are handled: down to the low-water mark nobody resumes
    backlog.remove(entries[0]!);
    backlog.remove(entries[1]!);
    expect([a.paused, b.paused, c.paused]).toEqual([true, true, true]);
    // THEN below it, a resumes first, counted as one message until it sends
    backlog.remove(entries[2]!);
    expect([a.paused, b.paused, c.paused]).toEqual([false, true, true]);
    // a's message comes in (the room it held is its message's now); once one is handled, c's turn comes, then b's
    entries.push(backlog.add(a, 128 * KB));
    expect([b.paused, c.paused]).toEqual([true, true]);
    backlog.remove(entries[3]!);
    expect([b.paused, c.paused]).toEqual([true, false]);
  });

  test('a message waiting past the time mark pauses the senders, and starting it resumes them', () => {
    const backlog = new RelayBacklog({ highWaitMs: 20, lowWaitMs: 10 });
    const [a, b] = [member(), member()];
    backlog.started(backlog.add(a, 1 * KB));
    expect(a.paused).toBe(false);
    // GIVEN b's message came off its socket 25 ms ago and has not started: a small backlog in bytes, a long one in time
    const old = backlog.add(b, 1 * KB, performance.now() - 25);
    expect([a.paused, b.paused]).toEqual([true, true]);
    expect(backlog.stats.pauses).toBe(1);
    // WHEN it starts, nothing waits: both senders are read again
    backlog.started(old);
    expect([a.paused, b.paused]).toEqual([false, false]);
  });

  test('a resumed connection that brings nothing soon frees its place for the next one', async () => {
    const backlog = new RelayBacklog({ highBytes: 256 * KB, lowBytes: 128 * KB, ...BYTES_ONLY });
    const [a, b, c] = [member(), member(), member()];
    const entries = [backlog.add(a, 128 * KB), backlog.add(b, 128 * KB)];
    expect([a.paused, b.paused, c.paused]).toEqual([true, true, false]);
    entries.push(backlog.add(c, 128 * KB));
    expect(c.paused).toBe(true);
    for (const entry of entries) backlog.remove(entry);
    // a resumed and counts as one message (128 KiB: no room for b yet)
    expect([a.paused, b.paused, c.paused]).toEqual([false, true, true]);
    // a sends nothing: a few milliseconds later b gets its turn
    await waitFor(() => !b.paused, 'b resumed after a brought nothing', 1000);
  });

  test('a closed connection leaves the line', () => {
    const backlog = new RelayBacklog({ highBytes: 256 * KB, lowBytes: 256 * KB, ...BYTES_ONLY });
    const [a, b, c] = [member(), member(), member()];
    const entries = [backlog.add(a, 128 * KB), backlog.add(b, 128 * KB)];
    entries.push(backlog.add(c, 128 * KB));
    expect([a.paused, b.paused, c.paused]).toEqual([true, true, true]);
    backlog.forget(a);
    backlog.remove(entries[0]!);
    backlog.remove(entries[1]!);
    // b was behind a: with a gone, b is the one resumed, and a is never touched again
    expect([a.paused, b.paused, c.paused]).toEqual([true, false, true]);
  });

  test('refuses marks that cannot work', () => {
    expect(() => new RelayBacklog({ highBytes: 100, lowBytes: 200 })).toThrow(RangeError);
    expect(() => new RelayBacklog({ highBytes: 100, lowBytes: 0 })).toThrow(RangeError);
    expect(() => new RelayBacklog({ highWaitMs: 5, lowWaitMs: 10 })).toThrow(RangeError);
  });
});

/**
 * Many senders flooding at once: each connection's own marks would let 12 of them queue 12 MiB;
 * the relay-wide backlog keeps what is read and not yet handled near one mebibyte, and serves the
 * senders in turns.
 */
describe('local relay: the relay-wide backlog', () => {
  let relay: LocalRelay;
  const handled: string[] = [];
  beforeAll(async () => {
    const recorder = recordingHandlers({
      slow: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        const { who, n } = JSON.parse(event.body ?? '{}') as { who: number; n: number };
        handled.push(`${who}/${n}`);
        return { statusCode: 200 };
      },
    });
    relay = await startTestRelay({ handlers: recorder.build });
  });
  afterAll(() => relay?.close());

  test('a dozen floods: every message handled once, at most about 1 MiB plus one message per sender waiting, every sender served as it goes', async () => {
    const senders = 12;
    const messages = 30;
    const frameBytes = 30 * 1024;
    const messageBytes = 4 * frameBytes;
    const sockets = await Promise.all(
      Array.from({ length: senders }, () => {
        const socket = new WebSocket(relay.url);
        return new Promise<WebSocket>((resolve, reject) => socket.once('open', () => resolve(socket)).once('error', reject));
      }),
    );
    // GIVEN twelve clients that each flood thirty ~120 KB messages (four frames each)
    sockets.forEach((socket, who) => {
      for (let n = 0; n < messages; n++) {
        const text = JSON.stringify({ action: 'slow', who, n, padding: 'z'.repeat(messageBytes - 80) });
        for (let at = 0; at < text.length; at += frameBytes) socket.send(text.slice(at, at + frameBytes), { fin: at + frameBytes >= text.length });
      }
    });
    await waitFor(() => handled.length === senders * messages, `all ${senders * messages} messages handled`, 60_000);
    // THEN each message was handled exactly once
    const expected = sockets.flatMap((_, who) => Array.from({ length: messages }, (__, n) => `${who}/${n}`));
    expect([...handled].sort()).toEqual(expected.sort());
    // AND the backlog paused senders and stayed near its mark (12 connection queues of 1 MiB would be 12 MiB)
    const { pauses, peakBytes } = relay.backlogStats();
    expect(pauses).toBeGreaterThan(0);
    expect(peakBytes).toBeLessThanOrEqual(BACKLOG_HIGH_WATER_BYTES + senders * (64 * 1024 + messageBytes));
    expect(peakBytes).toBeLessThan(senders * 1024 * 1024);
    // AND the senders took turns: by the time half the messages were handled, every sender had some handled
    const firstHalf = new Set(handled.slice(0, (senders * messages) / 2).map((key) => key.split('/')[0]));
    expect(firstHalf.size).toBe(senders);
    for (const socket of sockets) socket.close();
  });
});
