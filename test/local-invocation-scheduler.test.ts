import { CHUNK_WAIT_MS, InvocationScheduler, SCHEDULER_SLICE_MS, SMALL_STARTS_IN_A_ROW, type SchedulableQueue } from '../local/invocation-scheduler';

/** A scheduler whose chunks never count as late (a slow machine must not trip it): the line order alone decides. */
const withoutDeadline = () => new InvocationScheduler(SCHEDULER_SLICE_MS, 60_000);

/** A queue of synchronous tasks, recording the order they start in; `receivedAt`: when its oldest frame came in (default: now). */
function taskQueue(
  name: string,
  tasks: number,
  started: string[],
  work: () => void = () => undefined,
  small = false,
  receivedAt = performance.now(),
): SchedulableQueue & { left: number } {
  return {
    left: tasks,
    holdsBulk: !small,
    bulkReceivedAt: receivedAt,
    startNext() {
      if (this.left > 0) {
        this.left--;
        started.push(name);
        work();
      }
      return this.left > 0;
    },
  };
}

/** Resolves once every queue started all its tasks. */
const drain = (queues: Array<{ left: number }>): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => (queues.every((queue) => queue.left === 0) ? resolve() : void setImmediate(check));
    check();
  });

/** Spins the CPU for `ms` (a handler's synchronous work). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('InvocationScheduler', () => {
  test("connections take turns: one that became ready later is not stuck behind another one's backlog", async () => {
    const scheduler = withoutDeadline();
    const started: string[] = [];
    const busy = taskQueue('busy', 50, started);
    const late = taskQueue('late', 2, started);
    scheduler.markReady(busy);
    scheduler.markReady(late);
    await drain([busy, late]);
    expect(started).toHaveLength(52);
    // Round robin: the late queue's two tasks start among the first four, not after the 50.
    expect(started.slice(0, 4)).toEqual(['busy', 'late', 'busy', 'late']);
  });

  test('a small frame (an ack) starts before the chunks of connections that were ready earlier', async () => {
    const scheduler = withoutDeadline();
    const started: string[] = [];
    const senders = [1, 2, 3].map((n) => taskQueue(`chunk${n}`, 5, started));
    const receiver = taskQueue('ack', 1, started, undefined, true);
    for (const sender of senders) scheduler.markReady(sender);
    scheduler.markReady(receiver);
    await drain([...senders, receiver]);
    expect(started).toHaveLength(16);
    expect(started[0]).toBe('ack');
  });

  test('a burst of small frames (handshakes) does not hold every chunk back: a chunk starts after every few small ones', async () => {
    const scheduler = withoutDeadline();
    const started: string[] = [];
    const sender = taskQueue('chunk', 3, started);
    const handshakes = Array.from({ length: 40 }, (_, n) => taskQueue(`small${n}`, 1, started, undefined, true));
    scheduler.markReady(sender);
    for (const queue of handshakes) scheduler.markReady(queue);
    await drain([sender, ...handshakes]);
    expect(started).toHaveLength(43);
    // Small ones still go first, but the chunks start at SMALL_STARTS_IN_A_ROW + 1, 2(...) + 2, ... not after all 40.
    const chunkAt = started.flatMap((name, at) => (name === 'chunk' ? [at] : []));
    expect(chunkAt).toEqual([1, 2, 3].map((k) => k * (SMALL_STARTS_IN_A_ROW + 1) - 1));
  });

  test('a chunk that has waited CHUNK_WAIT_MS starts before any small frame', async () => {
    const scheduler = new InvocationScheduler();
    const started: string[] = [];
    // GIVEN a chunk read CHUNK_WAIT_MS ago (its connection was busy), behind 40 handshakes
    const late = taskQueue('late', 2, started, undefined, false, performance.now() - CHUNK_WAIT_MS);
    const handshakes = Array.from({ length: 40 }, (_, n) => taskQueue(`small${n}`, 1, started, undefined, true));
    for (const queue of handshakes) scheduler.markReady(queue);
    scheduler.markReady(late);
    await drain([late, ...handshakes]);
    // THEN both of its chunks start first, not one after every SMALL_STARTS_IN_A_ROW handshakes
    expect(started.slice(0, 2)).toEqual(['late', 'late']);
    expect(started).toHaveLength(42);
  });

  test('a connection in the small line moves to the chunk line when a chunk comes in behind its small frames', async () => {
    const scheduler = new InvocationScheduler();
    const started: string[] = [];
    const handshakes = Array.from({ length: 40 }, (_, n) => taskQueue(`small${n}`, 1, started, undefined, true));
    // GIVEN a sender whose pairing Request (small) is behind 40 handshakes
    const sender = { ...taskQueue('sender', 2, started, undefined, true) };
    for (const queue of handshakes) scheduler.markReady(queue);
    scheduler.markReady(sender);
    // WHEN its manifest comes in behind that Request, and has waited CHUNK_WAIT_MS by the next start
    Object.assign(sender, { holdsBulk: true, bulkReceivedAt: performance.now() - CHUNK_WAIT_MS });
    scheduler.markReady(sender);
    await drain([sender, ...handshakes]);
    // THEN the sender starts first, not after the 40 handshakes
    expect(started.slice(0, 2)).toEqual(['sender', 'sender']);
  });

  test('a long backlog yields the event loop between slices, so timers and sockets get their turn', async () => {
    const scheduler = new InvocationScheduler(10);
    const started: string[] = [];
    // 60 tasks of 4 ms: about 240 ms of work, at most a few per 10 ms slice.
    const backlog = taskQueue('task', 60, started, () => spin(4));
    let startedWhenTimerRan = -1;
    setTimeout(() => (startedWhenTimerRan = started.length), 0);
    scheduler.markReady(backlog);
    await drain([backlog]);
    expect(started).toHaveLength(60);
    // Without slices all 60 would start in one turn, before the timer.
    expect(startedWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(startedWhenTimerRan).toBeLessThan(60);
  });
});
