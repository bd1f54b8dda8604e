import { readFileSync } from 'node:fs';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';

/** This process's main thread: milliseconds on a core and waiting for one, from Linux's schedstat; undefined elsewhere. */
function schedstatMs(): { readonly runMs: number; readonly waitMs: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return { runMs: Number(run) / 1e6, waitMs: Number(wait) / 1e6 };
  } catch {
    return undefined;
  }
}

/** How often the stall timer fires. */
const TICK_MS = 2;

/** What traceStalls needs. */
export interface StallTraceOptions {
  /** A stall is a tick that came this many milliseconds late or more. */
  readonly lateMs: number;
  /** `performance.now()` when the current round started (the lines say when, into it). */
  readonly roundStartedAt: () => number;
  /** Where each line goes. @default process.stderr */
  readonly write?: (line: string) => void;
}

/**
 * Prints every event-loop stall of this process (for `LOAD_TRACE_STALLS_MS`): when, how long the
 * loop did not turn, how much of that this thread ran and how much it waited for a core (Linux's
 * schedstat), and the GC pauses in it. It tells the relay's own long turns and collections from
 * the CPU that other processes took. Returns a function that stops it.
 */
export function traceStalls(options: StallTraceOptions): () => void {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const pauses: Array<{ readonly at: number; readonly ms: number; readonly kind: string }> = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      pauses.push({ at: entry.startTime, ms: entry.duration, kind: kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? 'scavenge' : 'mark-compact' });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastSched = schedstatMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const sched = schedstatMs();
    if (now - last - TICK_MS >= options.lateMs) {
      const cpu = sched && lastSched ? `, on a core ${(sched.runMs - lastSched.runMs).toFixed(0)} ms, waiting for one ${(sched.waitMs - lastSched.waitMs).toFixed(0)} ms` : '';
      const gcs = pauses.filter((pause) => pause.at >= last && pause.at <= now).map((pause) => `${pause.kind} ${pause.ms.toFixed(0)} ms`);
      write(`stall: ${((last - options.roundStartedAt()) / 1000).toFixed(2)} s into the round, ${(now - last).toFixed(0)} ms${cpu}${gcs.length > 0 ? `; GC: ${gcs.join(', ')}` : ''}\n`);
    }
    // GC entries arrive a turn late: keep the last second's.
    while (pauses.length > 0 && pauses[0]!.at < now - 1000) pauses.shift();
    last = now;
    lastSched = sched;
  }, TICK_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}
