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

describe('RelayBacklog', () => {
  test('pauses whoever adds a message at the high-water mark, and resumes the paused ones oldest first below the low-water mark', () => {
    const backlog = new RelayBacklog(512 * KB, 256 * KB);
    const [a, b, c] = [member(), member(), member()];
    backlog.add(a, 128 * KB);
    backlog.add(b, 128 * KB);
    backlog.add(c, 128 * KB);
    expect([a.paused, b.paused, c.paused]).toEqual([false, false, false]);
    // GIVEN the backlog reaches 512 KiB: b and then a hand in another message and are paused, in that order
    backlog.add(b, 128 * KB);
    backlog.add(a, 128 * KB);
    expect([a.paused, b.paused, c.paused]).toEqual([true, true, false]);
    expect(backlog.stats).toEqual({ pauses: 2, peakBytes: 640 * KB });
    // WHEN messages are handled: down to the low-water mark nobody resumes
    backlog.remove(128 * KB);
    backlog.remove(128 * KB);
    backlog.remove(128 * KB);
    expect([a.paused, b.paused]).toEqual([true, true]);
    // THEN below it, the one paused first (b) resumes first, counted as one message until it sends
    backlog.remove(128 * KB);
    expect([a.paused, b.paused]).toEqual([true, false]);
    // b's message comes in (the room it held is its message's now); once that is handled, a's turn comes
    backlog.add(b, 128 * KB);
    expect(a.paused).toBe(true);
    backlog.remove(128 * KB);
    expect(a.paused).toBe(false);
  });

  test('a resumed connection that brings nothing soon frees its place for the next one', async () => {
    const backlog = new RelayBacklog(256 * KB, 128 * KB);
    const [a, b, c] = [member(), member(), member()];
    backlog.add(a, 128 * KB);
    backlog.add(b, 128 * KB);
    backlog.add(c, 128 * KB);
    expect([b.paused, c.paused]).toEqual([true, true]);
    backlog.remove(128 * KB);
    backlog.remove(128 * KB);
    backlog.remove(128 * KB);
    // b resumed and counts as one message (128 KiB: no room for c yet)
    expect([b.paused, c.paused]).toEqual([false, true]);
    // b sends nothing: a few milliseconds later c gets its turn
    await waitFor(() => !c.paused, 'c resumed after b brought nothing', 1000);
  });

  test('a closed connection leaves the line', () => {
    const backlog = new RelayBacklog(256 * KB, 256 * KB);
    const [a, b, c] = [member(), member(), member()];
    backlog.add(a, 128 * KB);
    backlog.add(b, 128 * KB);
    backlog.add(c, 128 * KB);
    expect([a.paused, b.paused, c.paused]).toEqual([false, true, true]);
    backlog.forget(b);
    backlog.remove(128 * KB);
    backlog.remove(128 * KB);
    // c was behind b: with b gone, c is the next one resumed, and b is never touched again
    expect([b.paused, c.paused]).toEqual([true, false]);
  });

  test('refuses marks that cannot work', () => {
    expect(() => new RelayBacklog(100, 200)).toThrow(RangeError);
    expect(() => new RelayBacklog(100, 0)).toThrow(RangeError);
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
