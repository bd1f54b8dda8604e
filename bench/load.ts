import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { createNodeSha256 } from '../cli/disk-files';
import { nodeCryptoPort } from '../cli/node-crypto';
import { bytesSource, receiveFiles, sendFiles, type ByteSink, type WebSocketConstructor } from '../client';
import { descendantPids, forEachLine, procStatusKb, spawnBenchScript } from './child-processes';

/**
 * `npm run load`: one local relay (in its own process, DynamoDB Local included) holding many idle
 * connections while rounds of concurrent transfers run through it, both ends of every pair in
 * this process (the client library, in-memory files). Prints per round: transfers completed and
 * failed, aggregate MB/s, p50/p99 per-chunk relay latency (Transfer frame off the socket to the
 * end of its handler, right after the `@connections` write, measured inside the relay), also
 * second by second and for the Transfers after the round's last handshake, relay and DynamoDB
 * Local RSS (and where the relay's memory is at its peak), the relay's GC pauses, resend
 * amplification (Transfer frames / distinct chunks) and why the senders' windows shrank, the
 * relay-wide backlog, the p99 of the other routes (which touch DynamoDB), invocations by route,
 * each Transfer frame's sender `send` to its arrival at the receiver (the end-to-end figure: it
 * includes the waits in TCP that the relay's backpressure causes), and the relay's and the
 * generator's event-loop delay. `LOAD_PROFILE=DIR` runs the relay with `--cpu-prof` into DIR;
 * `LOAD_TRACE_SLOW_MS=N` has it print every Transfer slower than N ms (when, wait, handler);
 * `LOAD_TRACE_STALLS_MS=N` every event-loop stall of N ms (on a core or waiting for one, and GC);
 * `LOAD_QUEUE_LIMITS=C,H,L`, `LOAD_BACKLOG_KB=HIGH,LOW` and `LOAD_BACKLOG_WAIT_MS=HIGH,LOW` change
 * the relay's marks for experiments.
 *
 * Options (`npm run load -- --levels 20,50 --idle 1000 --mb 2 --timeout-s 180 --warmup 10`, or env
 * LOAD_LEVELS, LOAD_IDLE, LOAD_MB, LOAD_TIMEOUT_S, LOAD_WARMUP; `--dynamodb-endpoint URL` or
 * LOAD_DYNAMODB_ENDPOINT to use a DynamoDB that is already running). Before the first level, a
 * warm-up round of `--warmup` transfers (not counted, 0 for none) runs every route once, so the
 * first level does not measure DynamoDB Local's and V8's compilers warming up. `--ramp-s S`
 * (LOAD_RAMP_S) starts each level's transfers evenly over S seconds instead of all at once, so its
 * 2 x N handshakes do not all fall in the same second (0, the default: all at once).
 */
interface LoadOptions {
  readonly levels: readonly number[];
  readonly idle: number;
  readonly megabytes: number;
  readonly timeoutS: number;
  /** Transfers of the uncounted warm-up round before the first level. */
  readonly warmup: number;
  /** Seconds over which each level's transfers start, evenly (0: all at once). */
  readonly rampS: number;
  readonly dynamodbEndpoint?: string;
}

interface RelayStats {
  readonly transferInvocations: number;
  readonly failedInvocations: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly waitP99Ms: number;
  readonly p99BySecondMs: readonly number[];
  /** The Transfers that came in after the round's last handshake (Connect or Request) finished. */
  readonly afterHandshakes: { readonly chunks: number; readonly p50Ms: number; readonly p99Ms: number; readonly fromSecond: number };
  readonly handlerP99Ms: number;
  readonly routeP99Ms: Readonly<Record<string, number>>;
  readonly routeCounts: Readonly<Record<string, number>>;
  readonly eventLoopDelay: { readonly p99Ms: number; readonly maxMs: number };
  readonly connectP99Ms: number;
  readonly connectMaxMs: number;
  readonly routeFailures: Readonly<Record<string, number>>;
  readonly transferFrames: number;
  readonly chunks: number;
  readonly resentWhileQueued: number;
  readonly resentAfterPosted: number;
  readonly resentAfterPostedP50Ms: number;
  readonly peakRssBytes: number;
  readonly startRssBytes: number;
  readonly atPeak: NodeJS.MemoryUsage;
  readonly dynamodb: Readonly<Record<string, { readonly calls: number; readonly p50Ms: number; readonly p99Ms: number }>>;
  readonly dynamodbPeakInFlight: number;
  readonly gc: Readonly<Record<'minor' | 'major', { readonly count: number; readonly totalMs: number; readonly maxMs: number }>>;
  readonly peakQueued: number;
  readonly backlog: { readonly pauses: number; readonly peakBytes: number };
  readonly pauses: number;
  readonly openConnections: number;
}

/** Reads `--name value` from argv, then the env variable, then the default. */
export function loadOptions(argv: readonly string[], env: NodeJS.ProcessEnv): LoadOptions {
  const flag = (name: string, envName: string, fallback: string): string => {
    const index = argv.indexOf(`--${name}`);
    return (index >= 0 ? argv[index + 1] : undefined) ?? env[envName] ?? fallback;
  };
  const levels = flag('levels', 'LOAD_LEVELS', '20,50,100').split(',').map(Number);
  const options = {
    levels,
    idle: Number(flag('idle', 'LOAD_IDLE', '1000')),
    megabytes: Number(flag('mb', 'LOAD_MB', '2')),
    timeoutS: Number(flag('timeout-s', 'LOAD_TIMEOUT_S', '180')),
    warmup: Number(flag('warmup', 'LOAD_WARMUP', '10')),
    rampS: Number(flag('ramp-s', 'LOAD_RAMP_S', '0')),
    dynamodbEndpoint: flag('dynamodb-endpoint', 'LOAD_DYNAMODB_ENDPOINT', '') || undefined,
  };
  if (levels.some((n) => !Number.isInteger(n) || n < 1) || !(options.idle >= 0) || !(options.megabytes > 0) || !(options.timeoutS > 0) || !(Number.isInteger(options.warmup) && options.warmup >= 0) || !(options.rampS >= 0)) {
    throw new Error('bad options: --levels N,N,... (positive integers), --idle N, --mb MB, --timeout-s S, --warmup N, --ramp-s S');
  }
  return options;
}

interface RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  stats(): Promise<RelayStats>;
}

function startRelay(dynamodbEndpoint: string | undefined): Promise<RelayProcess> {
  const child = spawnBenchScript('load-relay-child.ts', {
    profileDir: process.env.LOAD_PROFILE,
    env: { ...process.env, LOAD_DYNAMODB_ENDPOINT: dynamodbEndpoint ?? '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: Array<(stats: RelayStats) => void> = [];
  return new Promise((resolve, reject) => {
    forEachLine(child.stdout!, (line) => {
      if (line.startsWith('READY ')) {
        const url = line.split(' ')[1]!;
        resolve({
          child,
          url,
          stats: () =>
            new Promise((done) => {
              waiting.push(done);
              child.stdin!.write('stats\n');
            }),
        });
      }
      if (line.startsWith('STATS ')) waiting.shift()?.(JSON.parse(line.slice(6)) as RelayStats);
    });
    child.on('exit', (code) => reject(new Error(`the relay exited with ${code}`)));
  });
}

/** Current and peak RSS of a process, from /proc, in bytes. */
async function rssOf(pid: number): Promise<{ rss: number; peak: number }> {
  const [rss, peak] = await Promise.all([procStatusKb(pid, 'VmRSS'), procStatusKb(pid, 'VmHWM')]);
  return { rss: rss * 1024, peak: peak * 1024 };
}

/** Opens `count` idle connections, 100 at a time. */
async function openIdleConnections(url: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start) }, () => {
      const socket = new WebSocket(url);
      socket.on('error', () => undefined);
      sockets.push(socket);
      return new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('close', () => reject(new Error('an idle connection was refused')));
      });
    });
    await Promise.all(batch);
  }
  return sockets;
}

/**
 * What the clients' sockets saw: the handshake (new WebSocket to open), open to the first frame
 * (the Connect answer), and each Transfer frame's sender `send` to its arrival at the receiver.
 */
interface ClientTimings {
  handshakeMs: number[];
  connectAnswerMs: number[];
  /** Transfer frames by their `chunkhash` (of the sealed bytes: unique per copy), when the sender sent them. */
  transferSentAt: Map<string, number>;
  transferDeliveryMs: number[];
  /** Sockets that never opened, or opened and never got a frame. */
  neverOpened: number;
  neverAnswered: number;
}

const newClientTimings = (): ClientTimings => ({ handshakeMs: [], connectAnswerMs: [], transferSentAt: new Map(), transferDeliveryMs: [], neverOpened: 0, neverAnswered: 0 });

const CHUNK_HASH_FIELD = '"chunkhash":"';

/** The `chunkhash` of a Transfer message or its last fragment (text or raw bytes), found from the end (it follows the data); undefined for other frames. */
function chunkHashOf(frame: string | Buffer): string | undefined {
  const at = frame.lastIndexOf(CHUNK_HASH_FIELD);
  if (at < 0) return undefined;
  const start = at + CHUNK_HASH_FIELD.length;
  const end = frame.indexOf('"', start);
  if (end < 0) return undefined;
  return typeof frame === 'string' ? frame.slice(start, end) : frame.toString('latin1', start, end);
}

/** The `ws` WebSocket, timing each socket's handshake and its first frame into `timings()` (the client library takes it as its WebSocket). */
function timedWebSocket(timings: () => ClientTimings): WebSocketConstructor {
  class TimedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      const created = performance.now();
      const into = timings();
      let opened: number | undefined;
      let answered = false;
      this.once('open', () => {
        opened = performance.now();
        into.handshakeMs.push(opened - created);
      });
      this.on('message', (data: Buffer) => {
        const hash = Buffer.isBuffer(data) ? chunkHashOf(data) : undefined;
        const sentAt = hash === undefined ? undefined : into.transferSentAt.get(hash);
        if (sentAt !== undefined) {
          into.transferDeliveryMs.push(performance.now() - sentAt);
          into.transferSentAt.delete(hash!);
        }
      });
      this.once('message', () => {
        answered = true;
        if (opened !== undefined) into.connectAnswerMs.push(performance.now() - opened);
      });
      this.once('close', () => {
        if (opened === undefined) into.neverOpened++;
        else if (!answered) into.neverAnswered++;
      });
    }
  }
  /**
   * Notes when each Transfer message is sent (the arrival is matched in the receiver's socket). A
   * chunk goes as fragments: its hash is in the last one (a hash split across two fragments is
   * missed, and that message is not timed).
   */
  TimedWebSocket.prototype.send = function timedSend(this: WebSocket, data: unknown, ...rest: unknown[]) {
    const last = (rest[0] as { fin?: boolean } | undefined)?.fin !== false;
    const text = typeof data === 'string' ? data : data instanceof Uint8Array && last ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : undefined;
    const hash = text === undefined ? undefined : chunkHashOf(text);
    if (hash !== undefined) timings().transferSentAt.set(hash, performance.now());
    return (WebSocket.prototype.send as (...args: unknown[]) => void).call(this, data, ...rest);
  } as WebSocket['send'];
  return TimedWebSocket as unknown as WebSocketConstructor;
}

let clientTimings = newClientTimings();
const TIMED_WEBSOCKET = timedWebSocket(() => clientTimings);

function percentileOf(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

/** What shrank the senders' congestion windows in a round, summed over its transfers. */
let senderCongestion = { losses: 0, signals: 0, timeouts: 0, delays: 0 };

/** One transfer, both ends in this process; resolves undefined when the receiver got the payload intact, else why not. */
async function oneTransfer(relayUrl: string, name: string, payload: Uint8Array, expectedSha256: string, timeoutMs: number): Promise<string | undefined> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error('timed out')), timeoutMs);
  const ws = TIMED_WEBSOCKET;
  let senderLast = 'none';
  let receiverLast = 'none';
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  const hash = createHash('sha256');
  let received = 0;
  const sink: ByteSink = {
    write: async (bytes) => {
      hash.update(bytes);
      received += bytes.length;
    },
    commit: async () => undefined,
    abort: async () => undefined,
  };
  try {
    const sending = sendFiles({
      relayUrl,
      files: [{ name, source: bytesSource(payload) }],
      WebSocket: ws,
      createHasher: createNodeSha256,
      crypto: nodeCryptoPort,
      signal: abort.signal,
      onEvent: (event) => {
        senderLast = event.type;
        if (event.type === 'link') gotLink(event.link);
      },
    });
    const receiving = Promise.race([link, sending.then(() => Promise.reject(new Error('sent without a receiver')))]).then((text) =>
      receiveFiles({
        link: text,
        WebSocket: ws,
        createHasher: createNodeSha256,
        crypto: nodeCryptoPort,
        signal: abort.signal,
        openSink: async () => sink,
        onEvent: (event) => (receiverLast = event.type),
      }),
    );
    const [sent, got] = await Promise.allSettled([sending, receiving]);
    if (sent.status === 'fulfilled') {
      for (const key of Object.keys(senderCongestion) as Array<keyof typeof senderCongestion>) senderCongestion[key] += sent.value.congestion[key];
    }
    const where = `(last events: sender ${senderLast}, receiver ${receiverLast})`;
    const why = [sent.status === 'rejected' ? `sender: ${(sent.reason as Error).message}` : '', got.status === 'rejected' ? `receiver: ${(got.reason as Error).message}` : '']
      .filter(Boolean)
      .join('; ');
    if (why) return `${why} ${where}`;
    return received === payload.length && hash.digest('hex') === expectedSha256 ? undefined : 'the received bytes differ';
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

/** The sections printed after the table, in order: each line is `title: 20: … | 50: … | 100: …`. */
const SECTIONS = {
  lag: 'Event-loop delay (time a ready socket may wait before it is read)',
  memory: 'Relay memory',
  gc: 'Relay garbage collection',
  bySecond: 'Per-chunk relay latency p99, second by second of the round',
  afterPairing: "Per-chunk relay latency once every pair is paired (Transfers after the round's last Connect or pairing Request)",
  split: 'Per-chunk relay latency, split',
  resends: 'Resends (seen by the relay)',
  clients: "Clients' sockets (seen by the load generator)",
  endToEnd: "Transfer frames end to end (the sender's send to the receiver's socket, waits in TCP and in both generator and relay included)",
  invocations: 'Handler invocations by route',
  dynamodb: "DynamoDB calls of the handlers (the SDK's send to its answer)",
} as const;

/** Collects each round's part of every section, and prints one line per section. */
class RoundNotes {
  private readonly sections: Map<string, string[]>;

  constructor(titles: readonly string[]) {
    this.sections = new Map(titles.map((title) => [title, []]));
  }

  /** Notes `text` as round `level`'s part of the section `title`. */
  add(title: string, level: number, text: string): void {
    this.sections.get(title)!.push(`${level}: ${text}`);
  }

  /** Prints every section, in the order of the titles. */
  print(): void {
    for (const [title, parts] of this.sections) console.log(`${title}: ${parts.join(' | ')}`);
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const options = loadOptions(process.argv.slice(2), process.env);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const relay = await startRelay(options.dynamodbEndpoint);
  try {
    const idle = await openIdleConnections(relay.url, options.idle);
    const payload = new Uint8Array(randomBytes(Math.round(options.megabytes * 1_000_000)));
    const sha = createHash('sha256').update(payload).digest('hex');
    /** `count` concurrent transfers named `prefix-N.bin`, started evenly over `rampS` seconds: why each failed, or undefined. */
    const transfers = (count: number, prefix: string, rampS = 0) =>
      Promise.all(
        Array.from({ length: count }, async (_, i) => {
          if (rampS > 0) await sleep((i * rampS * 1000) / count);
          return oneTransfer(relay.url, `${prefix}-${i}.bin`, payload, sha, options.timeoutS * 1000);
        }),
      );
    const warmupFailures = (await transfers(options.warmup, 'warmup')).filter((result) => result !== undefined);
    await relay.stats();
    console.log(`One local relay holding ${idle.length} idle connections; ${options.megabytes} MB per transfer, both ends in this process.`);
    console.log(
      options.warmup > 0
        ? `Warm-up before the first level (not counted): ${options.warmup} concurrent transfers, ${warmupFailures.length} failed.`
        : 'No warm-up round (--warmup 0): the first level includes DynamoDB Local and V8 compiling.',
    );
    if (options.rampS > 0) console.log(`Each level starts its transfers evenly over ${options.rampS} s (--ramp-s), not all at once.`);
    console.log('');
    console.log(
      '| concurrent transfers | completed | failed | seconds | aggregate MB/s | per-chunk relay latency p50 / p99 | p99 of $connect / Connect / Request / Acknowledge | relay peak RSS | DynamoDB Local RSS | resend amplification | peak queued per connection |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const allFailures: string[] = [];
    const notes = new RoundNotes(Object.values(SECTIONS));
    for (const level of options.levels) {
      const lag = monitorEventLoopDelay({ resolution: 20 });
      lag.enable();
      clientTimings = newClientTimings();
      senderCongestion = { losses: 0, signals: 0, timeouts: 0, delays: 0 };
      const started = Date.now();
      const results = await transfers(level, `load-${level}`, options.rampS);
      const seconds = (Date.now() - started) / 1000;
      lag.disable();
      const stats = await relay.stats();
      notes.add(SECTIONS.lag, level,
        `relay p99 ${stats.eventLoopDelay.p99Ms.toFixed(0)} ms, max ${stats.eventLoopDelay.maxMs.toFixed(0)} ms; ` +
          `load generator p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms`,
      );
      notes.add(SECTIONS.bySecond, level, `${stats.p99BySecondMs.map((ms) => ms.toFixed(0)).join(' ')} ms`);
      const after = stats.afterHandshakes;
      notes.add(SECTIONS.afterPairing, level, `p50 ${after.p50Ms.toFixed(1)} ms p99 ${after.p99Ms.toFixed(1)} ms over ${after.chunks} Transfers (from ${after.fromSecond.toFixed(1)} s into the round)`);
      const m = stats.atPeak;
      notes.add(SECTIONS.gc, level,
        `${stats.gc.minor.count} scavenges (${stats.gc.minor.totalMs.toFixed(0)} ms, longest ${stats.gc.minor.maxMs.toFixed(0)} ms), ` +
          `${stats.gc.major.count} mark-compacts (${stats.gc.major.totalMs.toFixed(0)} ms, longest ${stats.gc.major.maxMs.toFixed(0)} ms)`,
      );
      notes.add(SECTIONS.memory, level, `${mb(stats.startRssBytes)} before the round; at the peak V8 heap ${mb(m.heapUsed)} used of ${mb(m.heapTotal)}, buffers ${mb(m.arrayBuffers)}, other external ${mb(m.external - m.arrayBuffers)}`);
      notes.add(SECTIONS.split, level,
        `waiting for its turn p99 ${stats.waitP99Ms.toFixed(0)} ms, the handler p99 ${stats.handlerP99Ms.toFixed(0)} ms, max ${stats.maxMs.toFixed(0)} ms; ` +
          `relay-wide backlog at most ${mb(stats.backlog.peakBytes)}, ${stats.backlog.pauses} pauses for it`,
      );
      notes.add(SECTIONS.resends, level,
        `${stats.transferFrames - stats.chunks} resent copies of ${stats.chunks} chunks; ${stats.resentWhileQueued} came in while the first copy was still in the relay, ` +
          `${stats.resentAfterPosted} after it had been posted to the receiver (p50 ${stats.resentAfterPostedP50Ms.toFixed(0)} ms after); ` +
          `the senders' windows shrank for ${senderCongestion.timeouts} timeouts, ${senderCongestion.losses} losses, ${senderCongestion.delays} delay signals, ${senderCongestion.signals} throttle/PeerBusy signals`,
      );
      const t = clientTimings;
      notes.add(SECTIONS.clients, level,
        `handshake p50 ${percentileOf(t.handshakeMs, 50).toFixed(0)} ms p99 ${percentileOf(t.handshakeMs, 99).toFixed(0)} ms max ${percentileOf(t.handshakeMs, 100).toFixed(0)} ms; ` +
          `open to Connect answer p50 ${percentileOf(t.connectAnswerMs, 50).toFixed(0)} ms p99 ${percentileOf(t.connectAnswerMs, 99).toFixed(0)} ms max ${percentileOf(t.connectAnswerMs, 100).toFixed(0)} ms; ` +
          `${t.neverOpened} never opened, ${t.neverAnswered} never answered`,
      );
      notes.add(SECTIONS.endToEnd, level,
        `p50 ${percentileOf(t.transferDeliveryMs, 50).toFixed(0)} ms p99 ${percentileOf(t.transferDeliveryMs, 99).toFixed(0)} ms of ${t.transferDeliveryMs.length} frames`,
      );
      notes.add(SECTIONS.invocations, level, Object.entries(stats.routeCounts).map(([route, count]) => `${route} ${count}`).join(', '));
      notes.add(SECTIONS.dynamodb, level,
        `${Object.entries(stats.dynamodb)
          .map(([command, d]) => `${command} ${d.calls}x p50 ${d.p50Ms.toFixed(0)} ms p99 ${d.p99Ms.toFixed(0)} ms`)
          .join(', ')}; at most ${stats.dynamodbPeakInFlight} in flight`,
      );
      const dynamo = await Promise.all((await descendantPids(relay.child.pid!)).map(rssOf));
      const dynamoRss = dynamo.reduce((sum, r) => sum + r.rss, 0);
      const failures = results.filter((result): result is string => result !== undefined);
      const completed = level - failures.length;
      allFailures.push(...failures.map((why) => `${level} concurrent: ${why}`));
      for (const [what, count] of Object.entries(stats.routeFailures)) allFailures.push(...Array<string>(count).fill(`${level} concurrent, in the relay: ${what}`));
      const rate = (completed * payload.length) / 1e6 / seconds;
      const amplification = stats.chunks ? stats.transferFrames / stats.chunks : 0;
      console.log(
        `| ${level} | ${completed} | ${failures.length} | ${seconds.toFixed(1)} | ${rate.toFixed(2)} | ${stats.p50Ms.toFixed(1)} ms / ${stats.p99Ms.toFixed(1)} ms | ${[stats.connectP99Ms, stats.routeP99Ms.Connect ?? 0, stats.routeP99Ms.Request ?? 0, stats.routeP99Ms.Acknowledge ?? 0].map((ms) => ms.toFixed(0)).join(' / ')} ms | ${mb(stats.peakRssBytes)} | ${mb(dynamoRss)} | ${amplification.toFixed(2)}x | ${stats.peakQueued} |`,
      );
    }
    if (allFailures.length > 0) {
      const counts = new Map<string, number>();
      for (const why of allFailures) counts.set(why, (counts.get(why) ?? 0) + 1);
      console.log('');
      for (const [why, count] of counts) console.log(`Failed ${count}x: ${why}`);
    }
    console.log('');
    notes.print();
    console.log('Latency: a Transfer frame off the relay socket to the end of its handler (after its @connections write).');
    console.log(`Idle connections still open at the end: ${idle.filter((s) => s.readyState === WebSocket.OPEN).length} of ${idle.length}`);
    for (const socket of idle) socket.terminate();
  } finally {
    relay.child.stdin!.end();
    await new Promise((resolve) => relay.child.once('exit', resolve));
  }
}

if (require.main === module) {
  // Exits when done: sessions that failed or timed out may leave sockets and timers behind.
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(`load failed: ${error.message}`);
      process.exit(1);
    },
  );
}
