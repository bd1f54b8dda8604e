import { randomUUID } from 'node:crypto';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalRelay } from '../local/local-relay';
import type { InvocationLimits } from '../local/connection-queue';
import type { BacklogMarks } from '../local/relay-backlog';
import type { FrameEnds, InvocationTiming } from '../local/relay-taps';
import { traceStalls } from './stall-trace';

/**
 * The local relay for `npm run load`, in a process of its own (so its RSS is its own). It times
 * every Transfer invocation from the frame coming off the socket to the handler's end (right after
 * its `@connections` write), counts Transfer frames and distinct chunks (the resend amplification),
 * and samples its RSS (with where the memory is at the peak), its GC pauses and the relay-wide
 * backlog. Commands on stdin, one per line: `stats` prints `STATS <json>` for the figures since the
 * previous `stats` and starts a new period. LOAD_DYNAMODB_ENDPOINT uses a
 * DynamoDB that is already running (a table of its own) instead of starting DynamoDB Local.
 */
interface Period {
  latenciesMs: number[];
  /** Each Transfer's latency with when its frame came in, and when the last handshake (a Connect, or a connection's first Request) finished. */
  transferArrivals: Array<{ receivedAt: number; latencyMs: number }>;
  lastHandshakeAt: number;
  /** Connections that sent a Request in this period. */
  requested: Set<string>;
  /** Connections whose first Transfer of this period has been seen (kept only with LOAD_TRACE_SLOW_MS). */
  transferred: Set<string>;
  /** The same latencies by the second of the period they came in (0: the first second). */
  latenciesBySecond: number[][];
  startedAt: number;
  /** Of each Transfer latency: the wait for its turn (received to started), and the handler (started to finished). */
  waitsMs: number[];
  handlerMs: number[];
  /** Every other route's latencies, by route key. */
  routeLatenciesMs: Map<string, number[]>;
  /** `$connect` handler times (the WebSocket handshake waits for them). */
  connectHandlerMs: number[];
  /** Handler failures by route and error. */
  routeFailures: Map<string, number>;
  transferFrames: number;
  chunks: Set<string>;
  /** Per chunk: when its first copy came in, and when it was first posted to the receiver. */
  chunkTimes: Map<string, { firstInAt: number; postedAt?: number }>;
  /** Resent copies whose first copy was still in the relay (not posted yet) when they came in. */
  resentWhileQueued: number;
  /** Resent copies whose first copy was posted already: how long before. */
  resentAfterPostedMs: number[];
  peakRssBytes: number;
  /** RSS when the period began, and where the memory was when RSS peaked (process.memoryUsage()). */
  startRssBytes: number;
  atPeak?: NodeJS.MemoryUsage;
  failed: number;
  /** DynamoDB calls by command: each call's milliseconds, and the most in flight at once. */
  dynamodbMs: Map<string, number[]>;
  dynamodbPeakInFlight: number;
  /** The relay's garbage-collection pauses: milliseconds of each, minor (scavenges) and major (mark-compact). */
  gcMinorMs: number[];
  gcMajorMs: number[];
}

const newPeriod = (): Period => ({ latenciesMs: [], transferArrivals: [], lastHandshakeAt: 0, requested: new Set(), transferred: new Set(), latenciesBySecond: [], startedAt: performance.now(), waitsMs: [], handlerMs: [], routeLatenciesMs: new Map(), connectHandlerMs: [], routeFailures: new Map(), transferFrames: 0, chunks: new Set(), chunkTimes: new Map(), resentWhileQueued: 0, resentAfterPostedMs: [], peakRssBytes: process.memoryUsage.rss(), startRssBytes: process.memoryUsage.rss(), failed: 0, dynamodbMs: new Map(), dynamodbPeakInFlight: 0, gcMinorMs: [], gcMajorMs: [] });

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * The string or number value of `"field":` in a frame's JSON, looked for in its last characters,
 * then its first: the fields of a Transfer follow or precede 128 KB of base64, which holds no
 * quotes, so neither the tap nor the relay pays for a scan or a copy of the data.
 */
function fieldOf(ends: FrameEnds, field: string): string | undefined {
  const name = `"${field}":`;
  for (const text of [ends.tail, ends.head]) {
    const at = text.lastIndexOf(name);
    if (at < 0) continue;
    const start = at + name.length;
    if (text[start] === '"') {
      const end = text.indexOf('"', start + 1);
      return end < 0 ? undefined : text.slice(start + 1, end);
    }
    return /^\d+/.exec(text.slice(start, start + 20))?.[0];
  }
  return undefined;
}

/** How many characters at each end of a frame hold its fields (all but a Transfer's `data`). */
const FIELD_CHARS = 400;

/** The chunk a Transfer frame carries, without parsing its 128 KB of JSON: `fileid` and `chunkid`. */
function chunkKey(connectionId: string, ends: FrameEnds): string | undefined {
  if (!ends.head.slice(0, 64).includes('"Transfer"')) return undefined;
  const chunkid = fieldOf(ends, 'chunkid');
  return chunkid === undefined ? undefined : `${connectionId}/${fieldOf(ends, 'fileid') ?? ''}/${chunkid}`;
}

/**
 * Times every DynamoDB call of the handlers: wraps the SDK's shared `Client.prototype.send` (all
 * clients inherit it) and keeps the DynamoDB commands, so the figures show which routes' calls
 * queue (a measuring hook of this bench only; the relay itself is unchanged).
 */
function timeDynamoDbCalls(period: () => Period): void {
  const proto = Object.getPrototypeOf(DynamoDBClient.prototype) as { send: (command: object, ...rest: unknown[]) => Promise<unknown> };
  const send = proto.send;
  let inFlight = 0;
  proto.send = function timedSend(this: unknown, command: object, ...rest: unknown[]) {
    const name = command.constructor.name.replace(/Command$/, '');
    if (name === 'PostToConnection') return send.call(this, command, ...rest);
    const started = performance.now();
    const current = period();
    current.dynamodbPeakInFlight = Math.max(current.dynamodbPeakInFlight, ++inFlight);
    return send.call(this, command, ...rest).finally(() => {
      inFlight--;
      const list = current.dynamodbMs.get(name) ?? [];
      list.push(performance.now() - started);
      current.dynamodbMs.set(name, list);
    });
  };
}

/** `LOAD_QUEUE_LIMITS=CONCURRENT,HIGH,LOW` overrides the relay's per-connection limits (experiments); unset: the relay's defaults. */
function invocationLimitsFromEnv(text: string | undefined): { invocations?: InvocationLimits } {
  if (!text) return {};
  const [maxConcurrent, highWater, lowWater] = text.split(',').map(Number);
  if (![maxConcurrent, highWater, lowWater].every((n) => Number.isInteger(n) && n! > 0)) throw new Error('LOAD_QUEUE_LIMITS: CONCURRENT,HIGH,LOW (positive integers)');
  return { invocations: { maxConcurrent: maxConcurrent!, highWater: highWater!, lowWater: lowWater! } };
}

/**
 * `LOAD_BACKLOG_KB=HIGH,LOW` and `LOAD_BACKLOG_WAIT_MS=HIGH,LOW` override the relay-wide backlog's
 * byte and time marks (experiments); unset: the relay's defaults.
 */
function backlogFromEnv(bytesText: string | undefined, waitText: string | undefined): { backlog: BacklogMarks } {
  const pair = (text: string | undefined, name: string, scale: number): [number, number] | undefined => {
    if (!text) return undefined;
    const [high, low] = text.split(',').map((n) => Number(n) * scale);
    if (!(high! > 0 && low! > 0 && low! <= high!)) throw new Error(`${name}: HIGH,LOW (0 < LOW <= HIGH)`);
    return [high!, low!];
  };
  const bytes = pair(bytesText, 'LOAD_BACKLOG_KB', 1024);
  const wait = pair(waitText, 'LOAD_BACKLOG_WAIT_MS', 1);
  return {
    backlog: {
      ...(bytes ? { highBytes: bytes[0], lowBytes: bytes[1] } : {}),
      ...(wait ? { highWaitMs: wait[0], lowWaitMs: wait[1] } : {}),
    },
  };
}

/** `LOAD_TRACE_SLOW_MS=N` prints every Transfer slower than N ms to stderr: when it came, its wait, its handler, whether it was its connection's first. */
const traceSlowMs = process.env.LOAD_TRACE_SLOW_MS ? Number(process.env.LOAD_TRACE_SLOW_MS) : undefined;

/** Prints a Transfer slower than `slowMs` (for LOAD_TRACE_SLOW_MS), and notes its connection's first Transfer. */
function traceSlowTransfer(timing: InvocationTiming, period: Period, slowMs: number): void {
  const firstOfConnection = !period.transferred.has(timing.connectionId);
  period.transferred.add(timing.connectionId);
  if (timing.finishedAt - timing.receivedAt <= slowMs) return;
  process.stderr.write(
    `slow Transfer: ${((timing.receivedAt - period.startedAt) / 1000).toFixed(2)} s into the round, waited ${(timing.startedAt - timing.receivedAt).toFixed(0)} ms, ` +
      `handler ${(timing.finishedAt - timing.startedAt).toFixed(0)} ms${firstOfConnection ? ", the connection's first" : ''}\n`,
  );
}

/** `LOAD_TRACE_STALLS_MS=N` prints every event-loop stall of N ms or more to stderr (stall-trace.ts). */
const traceStallsMs = process.env.LOAD_TRACE_STALLS_MS ? Number(process.env.LOAD_TRACE_STALLS_MS) : undefined;

async function main(): Promise<void> {
  let period = newPeriod();
  if (traceStallsMs !== undefined) traceStalls({ lateMs: traceStallsMs, roundStartedAt: () => period.startedAt });
  timeDynamoDbCalls(() => period);
  const dynamodbEndpoint = process.env.LOAD_DYNAMODB_ENDPOINT || undefined;
  const relay = await startLocalRelay({
    port: 0,
    ...(dynamodbEndpoint ? { dynamodbEndpoint, tableName: `banguins-load-${randomUUID()}` } : {}),
    handlerLogLevel: 'SILENT',
    limits: {
      ...invocationLimitsFromEnv(process.env.LOAD_QUEUE_LIMITS),
      ...backlogFromEnv(process.env.LOAD_BACKLOG_KB, process.env.LOAD_BACKLOG_WAIT_MS),
    },
    // The gateway logs `route     $connect ID status=200 12ms`: the handshake's own handler time.
    log: {
      line: (text) => {
        const ms = /^route +\$connect \S+ status=\S+ (\d+)ms/.exec(text)?.[1];
        if (ms !== undefined) period.connectHandlerMs.push(Number(ms));
        const failure = /^route +(\S+) \S+ (?:error \d+ms (.*)|status=(5\d\d))/.exec(text);
        if (failure) period.routeFailures.set(`${failure[1]} ${failure[2] ?? failure[3]}`, (period.routeFailures.get(`${failure[1]} ${failure[2] ?? failure[3]}`) ?? 0) + 1);
      },
    },
    taps: {
      frames: (frame) => {
        const now = performance.now();
        const ends = frame.ends(FIELD_CHARS);
        if (frame.direction === 'out') {
          // A posted Transfer names its sender in `connectionid`: the key of the frame that came in.
          const sender = fieldOf(ends, 'connectionid');
          const key = sender === undefined ? undefined : chunkKey(sender, ends);
          const times = key === undefined ? undefined : period.chunkTimes.get(key);
          if (times && times.postedAt === undefined) times.postedAt = now;
          return;
        }
        const key = chunkKey(frame.connectionId, ends);
        if (key === undefined) return;
        period.transferFrames++;
        period.chunks.add(key);
        const times = period.chunkTimes.get(key);
        if (!times) period.chunkTimes.set(key, { firstInAt: now });
        else if (times.postedAt === undefined) period.resentWhileQueued++;
        else period.resentAfterPostedMs.push(now - times.postedAt);
      },
      invocations: (timing) => {
        if (timing.routeKey !== 'Transfer') {
          // A connection's first Request pairs it (later ones carry control messages, a 'bye' at the end).
          if (timing.routeKey === 'Connect' || (timing.routeKey === 'Request' && !period.requested.has(timing.connectionId))) {
            period.requested.add(timing.connectionId);
            period.lastHandshakeAt = Math.max(period.lastHandshakeAt, timing.finishedAt);
          }
          const list = period.routeLatenciesMs.get(timing.routeKey) ?? [];
          list.push(timing.finishedAt - timing.receivedAt);
          period.routeLatenciesMs.set(timing.routeKey, list);
          return;
        }
        period.latenciesMs.push(timing.finishedAt - timing.receivedAt);
        if (traceSlowMs !== undefined) traceSlowTransfer(timing, period, traceSlowMs);
        period.transferArrivals.push({ receivedAt: timing.receivedAt, latencyMs: timing.finishedAt - timing.receivedAt });
        const second = Math.max(0, Math.floor((timing.receivedAt - period.startedAt) / 1000));
        (period.latenciesBySecond[second] ??= []).push(timing.finishedAt - timing.receivedAt);
        period.waitsMs.push(timing.startedAt - timing.receivedAt);
        period.handlerMs.push(timing.finishedAt - timing.startedAt);
        if (timing.failed) period.failed++;
      },
    },
  });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? period.gcMinorMs : period.gcMajorMs).push(entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > period.peakRssBytes || !period.atPeak) {
      period.peakRssBytes = Math.max(period.peakRssBytes, rss);
      period.atPeak = process.memoryUsage();
    }
  }, 100);
  process.stdout.write(`READY ${relay.url} ${relay.dynamodbEndpoint}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'stats') return;
    const done = period;
    lag.disable();
    const eventLoopDelay = { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 };
    lag = monitorEventLoopDelay({ resolution: 20 });
    lag.enable();
    period = newPeriod();
    const sorted = done.latenciesMs.sort((a, b) => a - b);
    const routeP99Ms = Object.fromEntries(
      [...done.routeLatenciesMs].map(([route, list]) => [route, percentile(list.sort((a, b) => a - b), 99)]),
    );
    const connects = done.connectHandlerMs.sort((a, b) => a - b);
    const stats = {
      transferInvocations: sorted.length,
      failedInvocations: done.failed,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? 0,
      waitP99Ms: percentile(done.waitsMs.sort((a, b) => a - b), 99),
      // Seconds before the round's first chunk (while the generator set up) have no entry.
      afterHandshakes: (() => {
        const after = done.transferArrivals.filter((t) => t.receivedAt > done.lastHandshakeAt).map((t) => t.latencyMs).sort((a, b) => a - b);
        return { chunks: after.length, p50Ms: percentile(after, 50), p99Ms: percentile(after, 99), fromSecond: (done.lastHandshakeAt - done.startedAt) / 1000 };
      })(),
      p99BySecondMs: done.latenciesBySecond.flatMap((list) => (list ? [percentile(list.sort((a, b) => a - b), 99)] : [])),
      handlerP99Ms: percentile(done.handlerMs.sort((a, b) => a - b), 99),
      routeP99Ms,
      routeCounts: { Transfer: sorted.length, ...Object.fromEntries([...done.routeLatenciesMs].map(([route, list]) => [route, list.length])) },
      eventLoopDelay,
      connectP99Ms: percentile(connects, 99),
      connectMaxMs: connects[connects.length - 1] ?? 0,
      routeFailures: Object.fromEntries(done.routeFailures),
      transferFrames: done.transferFrames,
      chunks: done.chunks.size,
      resentWhileQueued: done.resentWhileQueued,
      resentAfterPosted: done.resentAfterPostedMs.length,
      resentAfterPostedP50Ms: percentile(done.resentAfterPostedMs.sort((a, b) => a - b), 50),
      peakRssBytes: Math.max(done.peakRssBytes, process.memoryUsage.rss()),
      startRssBytes: done.startRssBytes,
      atPeak: done.atPeak ?? process.memoryUsage(),
      dynamodb: Object.fromEntries(
        [...done.dynamodbMs].map(([command, list]) => {
          const ms = list.sort((a, b) => a - b);
          return [command, { calls: ms.length, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99) }];
        }),
      ),
      dynamodbPeakInFlight: done.dynamodbPeakInFlight,
      gc: {
        minor: { count: done.gcMinorMs.length, totalMs: sum(done.gcMinorMs), maxMs: Math.max(0, ...done.gcMinorMs) },
        major: { count: done.gcMajorMs.length, totalMs: sum(done.gcMajorMs), maxMs: Math.max(0, ...done.gcMajorMs) },
      },
      peakQueued: relay.queueStats.peakQueued,
      backlog: relay.backlogStats(),
      pauses: relay.queueStats.pauses,
      openConnections: relay.connections.all().length,
    };
    process.stdout.write(`STATS ${JSON.stringify(stats)}\n`);
  });
  lines.on('close', () => {
    clearInterval(sampler);
    void relay.close().finally(() => process.exit(0));
  });
}

void main();
