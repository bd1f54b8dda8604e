import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runBrowserDirectBench, type BrowserDirectFigures } from './browser-direct';
import { descendantPids, forEachLine, procStatusKb, ROOT, startRelayChild, waitForLine, type RelayChild } from './child-processes';
import { CpuWatch, sumUsage, type ProcessUsage } from './process-cpu';
import { runWireFloor, type WireFloorRun } from './wire-floor';
import { runWormhole, WORMHOLE_PACKAGES, wormholeInstalled, type WormholeRun } from './wormhole';

/**
 * `npm run bench`: sends one file (100 MB by default, BENCH_MB to change) CLI to CLI through the
 * local relay and through a plain `ws` forwarder with the same chunking (both `--relay-only`), and
 * over the direct WebRTC path (the CLI's default; the local relay carries only the signalling), each
 * side in its own process; prints throughput, wire overhead, peak memory and the ratios.
 * Beside them, in the same run: magic-wormhole through its own transit relay on loopback (when
 * Debian's packages are installed; it says so when not), and page to page in headless Chromium,
 * direct and relay-only. Every run prints the CPU seconds per 100 MB of each process, counted from
 * pairing to the receiver's last byte. The local relay runs twice: fresh, and warmed by a 50 MB
 * transfer first (as `npm start`'s relay is after its first transfer: V8 has compiled its path of a
 * chunk). The wire's floor (`bench/wire-floor.ts`: bare processes doing only the work this wire
 * needs) runs beside them, so what ours costs beyond the wire's own price shows as a ratio.
 * `BENCH_RUNS=direct,relay` runs only some of them (`plain`, `relay`, `warm`, `direct`, `floor`,
 * `wormhole`, `browser`); `BENCH_PROFILE=DIR` runs the relay and both CLIs under `--cpu-prof` into DIR.
 */
const BIN = path.join(ROOT, 'bin', 'banguins.js');
const MEGABYTES = Number(process.env.BENCH_MB ?? 100);
/** `BENCH_ROUNDS=3`: every configuration three times, alternating; the table shows each one's fastest round. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
/** `BENCH_CHUNK_BYTES=24064` measures browser-sized chunks (one 32 KB frame each); default: the CLI's own. */
const CHUNK_ARGS = process.env.BENCH_CHUNK_BYTES ? ['--chunk-bytes', process.env.BENCH_CHUNK_BYTES] : [];

/** What each process used from pairing to the receiver's last byte. */
interface ProcessCpu {
  readonly sender: ProcessUsage;
  readonly receiver: ProcessUsage;
  readonly relay?: ProcessUsage;
  readonly dynamodb?: ProcessUsage;
}

interface RunResult {
  readonly cpu: ProcessCpu;
  readonly name: string;
  readonly seconds: number;
  readonly stats: { framesIn: number; bytesIn: number; framesOut: number; bytesOut: number };
  readonly senderPeakKb: number;
  readonly receiverPeakKb: number;
  readonly relayPeakKb: number;
  readonly dynamoPeakKb?: number;
  readonly identical: boolean;
}

const peakRssKb = (pid: number): Promise<number> => procStatusKb(pid, 'VmHWM');

/** Runs the CLI under /usr/bin/time to get its peak RSS; `onEvent` sees its JSON events. */
function runCli(args: string[], timeFile: string, onEvent: (event: Record<string, unknown>) => void): { child: ChildProcess; exited: Promise<number> } {
  const profileDir = process.env.BENCH_PROFILE;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, ...profile, BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  forEachLine(child.stdout!, (line) => onEvent(JSON.parse(line) as Record<string, unknown>));
  return { child, exited: new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1))) };
}

/** Watches the CPU of a process and all its descendants' first generation (the CLI under /usr/bin/time; DynamoDB Local's java under its shell). */
async function watchTree(pid: number): Promise<CpuWatch[]> {
  return [new CpuWatch(pid), ...(await descendantPids(pid)).map((child) => new CpuWatch(child))];
}

/** Usage since the watches' mark, summed. */
function cpuSince(watches: readonly CpuWatch[]): ProcessUsage {
  return sumUsage(watches.map((watch) => watch.sinceMark()));
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One configuration: the relay process, and the CLI flags both sides take. */
interface BenchRun {
  readonly key: 'plain' | 'relay' | 'warm' | 'direct';
  readonly name: string;
  readonly script: string;
  readonly cliArgs: readonly string[];
  /** A transfer of this many MB through the same relay first, not measured (a relay that has been running, as `npm start`'s does). */
  readonly warmMegabytes?: number;
}

/** The warm-up transfer's size: enough for V8 to have compiled the relay's path of a chunk. */
const WARM_MEGABYTES = 50;

const RUNS: readonly BenchRun[] = [
  { key: 'plain', name: 'plain ws forwarder', script: 'plain-forwarder.ts', cliArgs: ['--relay-only'] },
  { key: 'relay', name: 'local relay', script: 'local-relay-child.ts', cliArgs: ['--relay-only'] },
  { key: 'warm', name: `local relay, warmed by ${WARM_MEGABYTES} MB`, script: 'local-relay-child.ts', cliArgs: ['--relay-only'], warmMegabytes: WARM_MEGABYTES },
  { key: 'direct', name: 'direct (WebRTC)', script: 'local-relay-child.ts', cliArgs: [] },
];

/** What one transfer through a running relay took. */
interface TransferFigures {
  readonly cpu: ProcessCpu;
  readonly seconds: number;
  readonly direct: boolean;
  readonly senderPeakKb: number;
  readonly receiverPeakKb: number;
  readonly identical: boolean;
}

/** Sends `file` from one CLI process to another through `relay`; the CPU of every process is counted from pairing to the receiver's last byte. */
async function transferOnce(run: BenchRun, relay: RelayChild, file: string, work: string): Promise<TransferFigures> {
  const { key: name, cliArgs } = run;
  const out = path.join(work, `out-${name}`);
  await rm(out, { recursive: true, force: true });
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  let pairedAt = 0;
  let doneAt = 0;
  let direct = false;
  let directAt = 0;
  const sending = runCli(['send', file, '--relay', relay.url, '--json', ...cliArgs, ...CHUNK_ARGS], path.join(work, `${name}-sender.time`), (e) => e.type === 'link' && gotLink(e.link as string));
  let watches: { sender: CpuWatch[]; receiver: CpuWatch[]; relay: CpuWatch; dynamodb: CpuWatch[] } | undefined;
  let cpu: ProcessCpu | undefined;
  const receiving = runCli(['receive', await link, '--out', out, '--json', ...cliArgs], path.join(work, `${name}-receiver.time`), (e) => {
    if (e.type === 'paired') {
      pairedAt = Date.now();
      void Promise.all([watchTree(sending.child.pid!), watchTree(receiving.child.pid!), descendantPids(relay.child.pid!)]).then(([sender, receiver, dynamoPids]) => {
        watches = { sender, receiver, relay: new CpuWatch(relay.child.pid!), dynamodb: dynamoPids.map((pid) => new CpuWatch(pid)) };
        for (const watch of [...sender, ...receiver, watches.relay, ...watches.dynamodb]) watch.mark();
      });
    }
    if (e.type === 'done') {
      doneAt = Date.now();
      if (watches) cpu = { sender: cpuSince(watches.sender), receiver: cpuSince(watches.receiver), relay: watches.relay.sinceMark(), dynamodb: cpuSince(watches.dynamodb) };
    }
    if (e.type === 'path' && e.path === 'direct' && !direct) {
      direct = true;
      directAt = Date.now();
    }
  });
  const [sentCode, receivedCode] = await Promise.all([sending.exited, receiving.exited]);
  if (sentCode !== 0 || receivedCode !== 0) throw new Error(`${name}: send exited ${sentCode}, receive exited ${receivedCode}`);
  if ((run.key === 'direct') !== direct) throw new Error(`${run.name}: the bytes went ${direct ? 'direct' : 'through the relay'}`);
  if (direct) console.log(`  ${run.name}: the data channel opened ${((directAt - pairedAt) / 1000).toFixed(2)} s after pairing (counted in its time)`);
  if (!cpu) throw new Error(`${name}: no CPU figures (the receiver said done before its watches started)`);
  return {
    cpu: run.key === 'plain' ? { sender: cpu.sender, receiver: cpu.receiver, relay: cpu.relay } : cpu,
    seconds: (doneAt - pairedAt) / 1000,
    direct,
    senderPeakKb: Number((await readFile(path.join(work, `${name}-sender.time`), 'utf8')).trim().split('\n').pop()),
    receiverPeakKb: Number((await readFile(path.join(work, `${name}-receiver.time`), 'utf8')).trim().split('\n').pop()),
    identical: (await sha256File(file)) === (await sha256File(path.join(out, path.basename(file)))),
  };
}

/** Waits for the relay child's next line that starts with `prefix` after `signal` was sent to it; rejects if it ends first. */
function signalAndWait(relay: RelayChild, signal: NodeJS.Signals, prefix: string): Promise<string> {
  const line = waitForLine(relay.child, relay.lines, prefix, relay.lines.length);
  relay.child.kill(signal);
  return line;
}

/** One configuration in a relay process of its own: the warm-up transfer when it has one, then the measured one. */
async function benchOne(run: BenchRun, file: string, work: string, warmFile: string | undefined): Promise<RunResult> {
  const relay = await startRelayChild(run.script, { profileDir: process.env.BENCH_PROFILE });
  if (run.warmMegabytes) {
    if (!warmFile) throw new Error(`${run.name}: no warm-up file`);
    await transferOnce(run, relay, warmFile, work);
    await signalAndWait(relay, 'SIGUSR2', 'RESET');
  }
  const figures = await transferOnce(run, relay, file, work);
  const relayPeakKb = await peakRssKb(relay.child.pid!);
  const dynamo = await Promise.all((await descendantPids(relay.child.pid!)).map(peakRssKb));
  const stats = JSON.parse((await signalAndWait(relay, 'SIGTERM', 'STATS ')).slice(6)) as RunResult['stats'];
  return {
    name: run.key,
    cpu: figures.cpu,
    seconds: figures.seconds,
    stats,
    senderPeakKb: figures.senderPeakKb,
    receiverPeakKb: figures.receiverPeakKb,
    relayPeakKb,
    dynamoPeakKb: dynamo.length ? dynamo.reduce((a, b) => a + b, 0) : undefined,
    identical: figures.identical,
  };
}

/** A file of `megabytes` MB of random bytes. */
async function randomFile(file: string, megabytes: number): Promise<void> {
  const handle = await open(file, 'w');
  for (let i = 0; i < megabytes; i++) await handle.write(randomBytes(1_000_000));
  await handle.close();
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'banguins-bench-'));
  try {
    const file = path.join(work, 'payload.bin');
    await randomFile(file, MEGABYTES);
    const payload = MEGABYTES * 1_000_000;
    console.log(`Sending ${MEGABYTES} MB (random bytes) CLI -> CLI, each in its own process${ROUNDS > 1 ? `, ${ROUNDS} rounds (the table: each one's fastest)` : ''}...`);
    const chosen = process.env.BENCH_RUNS?.split(',') ?? [...RUNS.map((r) => r.key), 'floor', 'wormhole', 'browser'];
    const warmFile = chosen.includes('warm') ? path.join(work, 'warm-up.bin') : undefined;
    if (warmFile) await randomFile(warmFile, WARM_MEGABYTES);
    const results = new Map<BenchRun['key'], RunResult>();
    // Rounds alternate the configurations; each keeps its fastest round (another process on the machine slows some rounds).
    for (let round = 1; round <= ROUNDS; round++) {
      for (const run of RUNS.filter((r) => chosen.includes(r.key))) {
        const result = await benchOne(run, file, work, warmFile);
        const best = results.get(run.key);
        if (!best || result.seconds < best.seconds) results.set(run.key, { ...result, name: run.name });
        console.log(`  ${run.name}: done in ${result.seconds.toFixed(2)} s (${(MEGABYTES / result.seconds).toFixed(1)} MB/s)`);
      }
    }
    const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
    console.log('');
    console.log('| path | MB/s | frames in / payload MB | wire bytes in / payload byte | wire bytes out / payload byte | sender peak RSS | receiver peak RSS | relay peak RSS | identical |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results.values()) {
      const rate = payload / 1e6 / r.seconds;
      const relayMem = r.dynamoPeakKb ? `${mb(r.relayPeakKb)} (+ DynamoDB Local ${mb(r.dynamoPeakKb)})` : mb(r.relayPeakKb);
      console.log(
        `| ${r.name} | ${rate.toFixed(2)} | ${(r.stats.framesIn / (payload / 1e6)).toFixed(1)} | ${(r.stats.bytesIn / payload).toFixed(3)} | ${(r.stats.bytesOut / payload).toFixed(3)} | ${mb(r.senderPeakKb)} | ${mb(r.receiverPeakKb)} | ${relayMem} | ${r.identical} |`,
      );
    }
    console.log('');
    console.log(`CPU seconds per 100 MB, pairing to the receiver's last byte (sender / relay / DynamoDB Local / receiver):`);
    for (const r of results.values()) console.log(`  ${r.name}: ${usageLine(r.cpu.sender, r.cpu.relay, r.cpu.dynamodb, r.cpu.receiver)}`);

    const floor = chosen.includes('floor') ? await benchFloor(file, work) : undefined;
    const wormhole = chosen.includes('wormhole') ? await benchWormhole(file, work) : undefined;
    const plain = results.get('plain');
    const relay = results.get('relay');
    const direct = results.get('direct');
    console.log('');
    if (plain && relay) {
      const ratio = plain.seconds / relay.seconds;
      console.log(`Local relay / plain forwarder throughput: ${ratio.toFixed(2)}x (${(ratio * 100).toFixed(1)} %; goal >= 0.50x)`);
    }
    if (relay && direct) {
      const ratio = relay.seconds / direct.seconds;
      console.log(`Direct / local relay throughput, CLI to CLI: ${ratio.toFixed(2)}x (goal >= 2x)`);
    }
    for (const ours of [relay, results.get('warm')]) {
      if (ours && wormhole) {
        const ratio = wormhole.seconds / ours.seconds;
        console.log(`${ours.name[0]!.toUpperCase()}${ours.name.slice(1)} / magic-wormhole transit relay throughput: ${ratio.toFixed(2)}x (goal >= 1x)`);
      }
    }
    for (const ours of [relay, results.get('warm')]) {
      if (ours && floor) console.log(`${ours.name[0]!.toUpperCase()}${ours.name.slice(1)} / the wire's floor: ${(floor.seconds / ours.seconds).toFixed(2)}x`);
    }
    if (floor && wormhole) console.log(`The wire's floor / magic-wormhole: ${(wormhole.seconds / floor.seconds).toFixed(2)}x (what this wire allows on this machine, with no overhead at all)`);
    if (chosen.includes('browser')) printBrowser(await runBrowserDirectBench(Math.min(MEGABYTES, 100)));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The wire's floor (bench/wire-floor.ts: the least work our wire needs, in three bare processes),
 * the same file, fastest of ROUNDS.
 */
async function benchFloor(file: string, work: string): Promise<WireFloorRun> {
  const expected = await sha256File(file);
  let best: WireFloorRun | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const run = await runWireFloor(file, path.join(work, 'floor-out.bin'));
    if (run.receivedSha256 !== expected) throw new Error('the wire floor wrote a different file');
    console.log(`  the wire's floor: done in ${run.seconds.toFixed(2)} s (${(MEGABYTES / run.seconds).toFixed(1)} MB/s)`);
    if (!best || run.seconds < best.seconds) best = run;
  }
  const { sender, relay, receiver } = best!.cpu;
  console.log(`The wire's floor (bare sender, ws forwarder and receiver doing only what the wire needs): ${(MEGABYTES / best!.seconds).toFixed(2)} MB/s; CPU s per 100 MB (sender / relay / receiver): ${usageLine(sender, relay, receiver)}`);
  return best!;
}

/** magic-wormhole 0.12 through its transit relay on loopback, the same file, fastest of ROUNDS; undefined (said) when not installed. */
async function benchWormhole(file: string, work: string): Promise<WormholeRun | undefined> {
  if (!wormholeInstalled()) {
    console.log(`magic-wormhole: not installed, no comparison (apt-get install -y ${WORMHOLE_PACKAGES})`);
    return undefined;
  }
  let best: WormholeRun | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    const run = await runWormhole(file, work);
    console.log(`  magic-wormhole (transit relay): done in ${run.seconds.toFixed(2)} s (${(MEGABYTES / run.seconds).toFixed(1)} MB/s)`);
    if (!best || run.seconds < best.seconds) best = run;
  }
  const { sender, transitRelay, mailbox, receiver } = best!.cpu;
  console.log(`magic-wormhole 0.12, both sides --no-listen (through its transit relay): ${(MEGABYTES / best!.seconds).toFixed(2)} MB/s; CPU s per 100 MB (sender / transit relay / mailbox / receiver): ${usageLine(sender, transitRelay, mailbox, receiver)}`);
  return best;
}

/**
 * Several processes' usage per 100 MB of the file: CPU seconds, then in brackets the kernel's share
 * of them (system time) and the page faults per MB. On the shared VMs here a page fault costs
 * microseconds, so a process that keeps taking fresh memory pays for it in system time.
 */
function usageLine(...usages: readonly (ProcessUsage | undefined)[]): string {
  const per100 = (value: number) => ((value * 100) / MEGABYTES).toFixed(2);
  const cpu = usages.map((u) => (u ? per100(u.cpuSeconds) : '-')).join(' / ');
  const system = usages.map((u) => (u ? per100(u.systemSeconds) : '-')).join(' / ');
  const faults = usages.map((u) => (u ? (u.minorFaults / MEGABYTES).toFixed(0) : '-')).join(' / ');
  return `${cpu}  (system ${system}; page faults per MB ${faults})`;
}

/** The page-to-page figures (bench/browser-direct.ts) beside the CLI's. */
function printBrowser(figures: BrowserDirectFigures): void {
  const { megabytes, direct, relayOnly, bareDataChannelMbPerSecond, pageToCli, cliToPage } = figures;
  const rate = (run: { bytesMbPerSecond: number } | undefined): string => (run ? `${run.bytesMbPerSecond.toFixed(1)} MB/s` : 'not run');
  console.log('');
  console.log(`Page to page in headless Chromium, ${megabytes} MB: direct ${rate(direct)} (path: ${direct?.path}), relay-only ${rate(relayOnly)}; a bare RTCDataChannel here: ${bareDataChannelMbPerSecond?.toFixed(1)} MB/s (goal: direct >= 30 MB/s)`);
  console.log(`Page to \`banguins receive\`, relay-only, ${megabytes} MB: ${rate(pageToCli)}; \`banguins send\` to a page: ${rate(cliToPage)} (goal: 20 MB/s each)`);
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.message}`);
  process.exit(1);
});
