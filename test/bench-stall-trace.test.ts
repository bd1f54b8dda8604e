import { traceStalls } from '../bench/stall-trace';

/** Keeps this thread busy for `ms`: a stall of the relay's own making. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('the load bench stall trace (LOAD_TRACE_STALLS_MS)', () => {
  test('reports a stall of the event loop with its length, and on Linux how much of it this thread ran', async () => {
    const lines: string[] = [];
    const startedAt = performance.now();
    const stop = traceStalls({ lateMs: 40, roundStartedAt: () => startedAt, write: (line) => lines.push(line) });
    try {
      // GIVEN a quiet loop for a few ticks, WHEN one turn runs for 120 ms
      await new Promise((resolve) => setTimeout(resolve, 20));
      spin(120);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      stop();
    }
    // THEN one line names it: at least 120 ms long, and (on Linux) most of it on a core
    const stalls = lines.map((line) => /^stall: [\d.]+ s into the round, (\d+) ms(?:, on a core (\d+) ms, waiting for one (\d+) ms)?/.exec(line));
    expect(stalls.every(Boolean)).toBe(true);
    const longest = stalls.reduce((best, match) => (Number(match![1]) > Number(best?.[1] ?? 0) ? match : best), stalls[0]);
    expect(Number(longest?.[1])).toBeGreaterThanOrEqual(120);
    if (process.platform === 'linux') expect(Number(longest?.[2]) + Number(longest?.[3])).toBeGreaterThanOrEqual(100);
  });

  test('reports nothing when the loop keeps turning', async () => {
    const lines: string[] = [];
    const stop = traceStalls({ lateMs: 1000, roundStartedAt: () => 0, write: (line) => lines.push(line) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(lines).toEqual([]);
  });
});
