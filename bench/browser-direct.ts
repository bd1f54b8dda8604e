/**
 * `npx tsx bench/browser-direct.ts [MB]`: one file (default 100 MB) sent page to page in headless
 * Chromium through a local relay (in a process of its own, `local-relay-child.ts`, with its own
 * DynamoDB Local), once over the direct WebRTC path and once
 * with the receiving and sending pages opened with `?relay-only`, in the same run. Prints MB/s of
 * the file's bytes (the receiver's manifest to its last verified byte) and end to end (the link
 * opened to the download), and the path the chunks took; and, as the ceiling, a bare data channel
 * between two pages of the same browser (64 KB strings, no sealing, no protocol); and a page sending
 * to `banguins receive --relay-only` (24 KB chunks, the page's, through the relay) and `banguins send
 * --relay-only` sending to a page (the CLI's 96 KB chunks), each with the CPU seconds per 100 MB of the
 * CLI process and of the browser (all its processes). `BROWSER_BENCH_RUNS=page-cli,cli-page` runs only
 * some of `direct`, `relay`, `page-cli`, `cli-page`, `bare`. Figures, not a test.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { BareChromium, type BarePage as DevToolsPage } from './bare-chromium';
import { spawn } from 'node:child_process';
import { descendantPids, forEachLine, startRelayChild } from './child-processes';
import { CpuWatch } from './process-cpu';
import { readFileSync } from 'node:fs';
import { launchBrowser } from '../support/browser/launch-browser';
import { buildWebPage } from '../web/build';

/** One transfer's figures. */
export interface BrowserRunFigures {
  /** MB/s from the receiving page's `files` mark (manifest in) to its `done` mark (last byte verified). */
  readonly bytesMbPerSecond: number;
  /** MB/s from opening the link to the download: pairing, the sender's hashing and the path set-up included. */
  readonly endToEndMbPerSecond: number;
  /** The path the receiving page last reported. */
  readonly path: 'direct' | 'relay';
  /** CPU seconds of the CLI process and of the browser's processes, counted while the file's bytes moved (runs with a CLI only). */
  readonly cpu?: RunCpu;
}

/** What {@link runBrowserDirectBench} measured. */
export interface BrowserDirectFigures {
  readonly megabytes: number;
  readonly direct?: BrowserRunFigures;
  readonly relayOnly?: BrowserRunFigures;
  /** MB/s of a bare RTCDataChannel page to page (the same host candidates): what Chromium itself gives here. */
  readonly bareDataChannelMbPerSecond?: number;
  /** The page sending to the CLI (`banguins receive --relay-only`, its own process) through the relay. */
  readonly pageToCli?: BrowserRunFigures;
  /** The CLI (`banguins send --relay-only`, its own process) sending to a page (`?relay-only`) through the relay. */
  readonly cliToPage?: BrowserRunFigures;
}

/** The runs of the bench, in the order they run. */
const RUNS = ['direct', 'relay', 'page-cli', 'cli-page', 'bare'] as const;
type RunKey = (typeof RUNS)[number];

/** The runs `BROWSER_BENCH_RUNS` names (comma-separated), or all of them. */
function chosenRuns(): ReadonlySet<RunKey> {
  const wanted = process.env.BROWSER_BENCH_RUNS?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!wanted?.length) return new Set(RUNS);
  const unknown = wanted.filter((name) => !(RUNS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`BROWSER_BENCH_RUNS: unknown run ${unknown.join(', ')} (runs: ${RUNS.join(', ')})`);
  return new Set(wanted as RunKey[]);
}

/** CPU seconds of one run's CLI and browser; `browserByType` splits the browser's by process (`--type=`: renderer, utility, gpu-process; `browser` for the main one). */
interface RunCpu {
  readonly cli: number;
  /** The local relay's process (`bench/local-relay-child.ts`; DynamoDB Local not counted). */
  readonly relay: number;
  readonly browser: number;
  readonly browserByType: Readonly<Record<string, number>>;
}

/** CPU watches on browser process `browserPid` and its helpers (renderers, the network and GPU services, zygotes), with each one's type. */
async function watchBrowser(browserPid: number): Promise<{ type: string; watch: CpuWatch }[]> {
  const typeOf = (pid: number): string => {
    try {
      // Chromium rewrites its helpers' command lines with spaces between the arguments.
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
      const type = argv.find((arg) => arg.startsWith('--type='))?.slice('--type='.length) ?? 'browser';
      const subType = argv.find((arg) => arg.startsWith('--utility-sub-type='))?.split('.').at(-1);
      return subType ? `${type} ${subType}` : type;
    } catch {
      return 'gone';
    }
  };
  return [browserPid, ...(await descendantPids(browserPid))].map((pid) => ({ type: typeOf(pid), watch: new CpuWatch(pid) }));
}

/** Starts counting the CPU of the CLI process `cliPid`, the relay's and the browser's; the function it returns stops and reads them. */
async function watchCpu(cliPid: number, relayPid: number, browserPid: number): Promise<() => RunCpu> {
  const cli = new CpuWatch(cliPid);
  const relay = new CpuWatch(relayPid);
  const browser = await watchBrowser(browserPid);
  cli.mark();
  relay.mark();
  for (const { watch } of browser) watch.mark();
  return () => {
    const browserByType: Record<string, number> = {};
    for (const { type, watch } of browser) browserByType[type] = (browserByType[type] ?? 0) + watch.sinceMark().cpuSeconds;
    return { cli: cli.sinceMark().cpuSeconds, relay: relay.sinceMark().cpuSeconds, browser: Object.values(browserByType).reduce((sum, seconds) => sum + seconds, 0), browserByType };
  };
}

/** `BROWSER_BENCH_PROFILE=DIR`: the CLI runs under `--cpu-prof` into DIR and the page's CPU profile (DevTools `Profiler`) is written there too. */
const PROFILE_DIR = process.env.BROWSER_BENCH_PROFILE ? path.resolve(process.env.BROWSER_BENCH_PROFILE) : undefined;

/** Node's flags for a profiled CLI. */
function cliProfileArgs(): string[] {
  return PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
}

/** Starts Chromium's CPU profiler on `page` when profiling; the function it returns writes the profile to `name`.cpuprofile. */
async function profilePage(page: DevToolsPage, name: string): Promise<() => Promise<void>> {
  if (!PROFILE_DIR) return async () => undefined;
  const stop = await page.startProfiler();
  return async () => {
    const profile = await stop();
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
  };
}

/** The page's performance marks, by name. */
const MARKS = `Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))`;

/** One page's side of the bare data channel measurement (state kept on `window`). */
interface BarePage {
  bare?: { pc: RTCPeerConnection; candidates: RTCIceCandidateInit[]; channel?: RTCDataChannel; received?: Promise<void> };
}

/**
 * MB/s of `megabytes` MB sent as 64 KB strings over one ordered RTCDataChannel between two pages of
 * `browser` (signalled through this process), kept at most 1 MiB buffered: Chromium's own ceiling.
 */
async function bareDataChannel(browser: Browser, pageUrl: string, megabytes: number): Promise<number> {
  const total = megabytes * 1_000_000;
  const contexts = [await browser.newContext(), await browser.newContext()];
  try {
    const [a, b] = await Promise.all(contexts.map(async (context) => {
      const page = await context.newPage();
      await page.goto(pageUrl);
      await page.evaluate(() => {
        const pc = new RTCPeerConnection();
        const state: NonNullable<BarePage['bare']> = { pc, candidates: [] };
        pc.onicecandidate = (event) => void (event.candidate && state.candidates.push(event.candidate.toJSON()));
        (window as BarePage).bare = state;
      });
      return page;
    }));
    const offer = await a!.evaluate(async () => {
      const state = (window as BarePage).bare!;
      state.channel = state.pc.createDataChannel('bare', { ordered: true });
      await state.pc.setLocalDescription(await state.pc.createOffer());
      return state.pc.localDescription!.toJSON();
    });
    const answer = await b!.evaluate(async ({ offer, total }) => {
      const state = (window as BarePage).bare!;
      state.received = new Promise((resolve) => {
        state.pc.ondatachannel = (event) => {
          let got = 0;
          event.channel.onmessage = (message: MessageEvent<string>) => {
            got += message.data.length;
            if (got >= total) resolve();
          };
        };
      });
      await state.pc.setRemoteDescription(offer);
      await state.pc.setLocalDescription(await state.pc.createAnswer());
      return state.pc.localDescription!.toJSON();
    }, { offer, total });
    await a!.evaluate(async (answer) => (window as BarePage).bare!.pc.setRemoteDescription(answer), answer);
    // Host candidates come within milliseconds; then each side takes the other's.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [fromA, fromB] = await Promise.all([a!, b!].map((page) => page.evaluate(() => (window as BarePage).bare!.candidates)));
    await b!.evaluate(async (candidates) => { for (const c of candidates) await (window as BarePage).bare!.pc.addIceCandidate(c); }, fromA!);
    await a!.evaluate(async (candidates) => { for (const c of candidates) await (window as BarePage).bare!.pc.addIceCandidate(c); }, fromB!);
    await a!.evaluate(async () => {
      const channel = (window as BarePage).bare!.channel!;
      if (channel.readyState !== 'open') await new Promise((resolve) => (channel.onopen = resolve));
    });
    const received = b!.evaluate(() => (window as BarePage).bare!.received);
    const startedAt = Date.now();
    await a!.evaluate(async (total) => {
      const channel = (window as BarePage).bare!.channel!;
      const text = 'x'.repeat(64_000);
      channel.bufferedAmountLowThreshold = 256 * 1024;
      for (let sent = 0; sent < total; sent += text.length) {
        while (channel.bufferedAmount > 1024 * 1024) await new Promise((resolve) => (channel.onbufferedamountlow = resolve));
        channel.send(text);
      }
    }, total);
    await received;
    return megabytes / ((Date.now() - startedAt) / 1000);
  } finally {
    for (const context of contexts) await context.close();
  }
}

/** The CLI's entry point. */
const BANGUINS = path.join(__dirname, '..', 'bin', 'banguins.js');

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Sends `file` from one page to another (both with `?relay-only` when `relayOnly`), each in a
 * browser context of its own in a {@link BareChromium}; checks the download.
 */
async function sendPageToPage(browser: BareChromium, pageUrl: string, file: string, expected: string, megabytes: number, relayOnly: boolean): Promise<BrowserRunFigures> {
  const query = relayOnly ? '?relay-only' : '';
  const sender = await browser.newPage(`${pageUrl}${query}`);
  const receiver = await browser.newPage();
  try {
    await sender.setInputFiles('#file-input', [file]);
    const link = await sender.waitFor<string>(`document.querySelector('#pairing-link')?.checkVisibility() && document.querySelector('#pairing-link').value`);
    const download = browser.nextDownload();
    const openedAt = Date.now();
    await receiver.goto(link.replace('#', `${query}#`));
    const saved = await download;
    const endToEndSeconds = (Date.now() - openedAt) / 1000;
    if ((await sha256File(saved)) !== expected) throw new Error('the downloaded file differs from the one sent');
    await receiver.waitFor(`document.body.innerText.includes('All files received')`, 30_000);
    const marks = await receiver.evaluate<Record<string, number>>(MARKS);
    const files = marks['banguins:files'];
    const done = marks['banguins:done'];
    if (files === undefined || done === undefined) throw new Error(`the receiving page lacks its marks: ${JSON.stringify(marks)}`);
    const shown = await receiver.evaluate<string | null>(`document.querySelector('#path-line')?.getAttribute('data-path') ?? null`);
    return {
      bytesMbPerSecond: megabytes / ((done - files) / 1000),
      endToEndMbPerSecond: megabytes / endToEndSeconds,
      path: shown === 'direct' ? 'direct' : 'relay',
    };
  } finally {
    await sender.close();
    await receiver.close();
  }
}

/**
 * Sends `file` from a page (`?relay-only`, in a {@link BareChromium}) to `banguins receive
 * --relay-only` in its own process; checks the received file. The file's bytes are timed from the
 * CLI's `paired` event to its `done`, and so is the CPU.
 */
async function sendPageToCli(browser: BareChromium, relayPid: number, pageUrl: string, file: string, expected: string, megabytes: number, outDir: string): Promise<BrowserRunFigures> {
  const sender = await browser.newPage(`${pageUrl}?relay-only`);
  try {
    await sender.setInputFiles('#file-input', [file]);
    const link = await sender.waitFor<string>(`document.querySelector('#pairing-link')?.checkVisibility() && document.querySelector('#pairing-link').value`);
    const stopProfile = await profilePage(sender, 'page-to-cli-sender');
    const openedAt = Date.now();
    let pairedAt = 0;
    let doneAt = 0;
    let stopCpu: Promise<() => RunCpu> | undefined;
    let cpu: RunCpu | undefined;
    const cli = spawn(process.execPath, [...cliProfileArgs(), BANGUINS, 'receive', link, '--out', outDir, '--json', '--relay-only'], { stdio: ['ignore', 'pipe', 'inherit'] });
    forEachLine(cli.stdout!, (text) => {
      const event = JSON.parse(text) as { type?: string };
      if (event.type === 'paired' && !pairedAt) {
        pairedAt = Date.now();
        stopCpu = watchCpu(cli.pid!, relayPid, browser.pid);
      }
      if (event.type === 'done') {
        doneAt = Date.now();
        void stopCpu?.then((stop) => (cpu = stop()));
      }
    });
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    await stopProfile();
    if (code !== 0 || !doneAt) throw new Error(`banguins receive exited with ${code}`);
    if ((await sha256File(path.join(outDir, path.basename(file)))) !== expected) throw new Error('the CLI received a file that differs from the one sent');
    return { bytesMbPerSecond: megabytes / ((doneAt - pairedAt) / 1000), endToEndMbPerSecond: megabytes / ((doneAt - openedAt) / 1000), path: 'relay', ...(cpu ? { cpu } : {}) };
  } finally {
    await sender.close();
  }
}

/**
 * `banguins send --relay-only` in its own process sends `file` to a page opened with `?relay-only`
 * (in a {@link BareChromium}); checks the download. The file's bytes are timed as page to page (the
 * page's `files` to `done` marks), the CPU from the CLI's `paired` event to the page's download.
 */
async function sendCliToPage(browser: BareChromium, relayPid: number, relayUrl: string, pageUrl: string, file: string, expected: string, megabytes: number): Promise<BrowserRunFigures> {
  const cli = spawn(process.execPath, [...cliProfileArgs(), BANGUINS, 'send', file, '--relay', relayUrl, '--page-url', pageUrl, '--json', '--relay-only'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const receiver = await browser.newPage(pageUrl);
  try {
    let gotLink!: (link: string) => void;
    const linkPrinted = new Promise<string>((resolve) => (gotLink = resolve));
    let stopCpu: Promise<() => RunCpu> | undefined;
    forEachLine(cli.stdout!, (text) => {
      const event = JSON.parse(text) as { type?: string; link?: string };
      if (event.type === 'link' && event.link) gotLink(event.link);
      if (event.type === 'paired' && !stopCpu) stopCpu = watchCpu(cli.pid!, relayPid, browser.pid);
    });
    const exited = new Promise<number | null>((resolve) => cli.on('close', resolve));
    const link = await linkPrinted;
    const stopProfile = await profilePage(receiver, 'cli-to-page-receiver');
    const download = browser.nextDownload();
    const openedAt = Date.now();
    await receiver.goto(link.replace('#', '?relay-only#'));
    const saved = await download;
    const endToEndSeconds = (Date.now() - openedAt) / 1000;
    const cpu = stopCpu ? (await stopCpu)() : undefined;
    await stopProfile();
    if ((await sha256File(saved)) !== expected) throw new Error('the page received a file that differs from the one sent');
    await receiver.waitFor(`document.body.innerText.includes('All files received')`, 30_000);
    const code = await exited;
    if (code !== 0) throw new Error(`banguins send exited with ${code}`);
    const marks = await receiver.evaluate<Record<string, number>>(MARKS);
    const files = marks['banguins:files'];
    const done = marks['banguins:done'];
    if (files === undefined || done === undefined) throw new Error(`the receiving page lacks its marks: ${JSON.stringify(marks)}`);
    return { bytesMbPerSecond: megabytes / ((done - files) / 1000), endToEndMbPerSecond: megabytes / endToEndSeconds, path: 'relay', ...(cpu ? { cpu } : {}) };
  } finally {
    if (cli.exitCode === null) cli.kill('SIGTERM');
    await receiver.close();
  }
}

/**
 * Runs the bench: a `megabytes` MB file page to page, direct then relay-only, in one browser and one
 * local relay; resolves with the figures (and prints nothing: {@link main} does).
 */
export async function runBrowserDirectBench(megabytes: number): Promise<BrowserDirectFigures> {
  const work = mkdtempSync(path.join(tmpdir(), 'banguins-browser-direct-'));
  const webDir = path.join(work, 'web');
  // Profiled, the page keeps its functions' names.
  await buildWebPage({ outDir: webDir, minify: PROFILE_DIR === undefined });
  // The relay in a process of its own, as `npm start`'s is (in this one it shared the driver's heap and loop: twice the CPU).
  const relayChild = await startRelayChild('local-relay-child.ts', { env: { ...process.env, BENCH_WEB_DIR: webDir } });
  const relay = { url: relayChild.url, pageUrl: relayChild.lines.find((line) => line.startsWith('PAGE '))!.slice(5), pid: relayChild.child.pid! };
  const runs = chosenRuns();
  // Playwright's browser only for the bare data channel; every page on a path of ours runs without
  // playwright, which makes Chromium copy every WebSocket frame to it (bench/bare-chromium.ts).
  const browser = runs.has('bare') ? await launchBrowser() : undefined;
  try {
    const file = path.join(work, 'bench.bin');
    writeFileSync(file, randomBytes(megabytes * 1_000_000));
    const expected = await sha256File(file);
    let direct: BrowserRunFigures | undefined;
    let relayOnly: BrowserRunFigures | undefined;
    let pageToCli: BrowserRunFigures | undefined;
    let cliToPage: BrowserRunFigures | undefined;
    if ((['direct', 'relay', 'page-cli', 'cli-page'] as const).some((run) => runs.has(run))) {
      const bare = await BareChromium.launch();
      try {
        if (runs.has('direct')) direct = await sendPageToPage(bare, relay.pageUrl, file, expected, megabytes, false);
        if (runs.has('relay')) relayOnly = await sendPageToPage(bare, relay.pageUrl, file, expected, megabytes, true);
        if (runs.has('page-cli')) pageToCli = await sendPageToCli(bare, relay.pid, relay.pageUrl, file, expected, megabytes, path.join(work, 'cli-out'));
        if (runs.has('cli-page')) cliToPage = await sendCliToPage(bare, relay.pid, relay.url, relay.pageUrl, file, expected, megabytes);
      } finally {
        await bare.close();
      }
    }
    const bareDataChannelMbPerSecond = browser && runs.has('bare') ? await bareDataChannel(browser, relay.pageUrl, megabytes) : undefined;
    return { megabytes, direct, relayOnly, bareDataChannelMbPerSecond, pageToCli, cliToPage };
  } finally {
    await browser?.close();
    if (relayChild.child.exitCode === null) {
      const exited = new Promise((resolve) => relayChild.child.once('exit', resolve));
      relayChild.child.kill('SIGTERM');
      await exited;
    }
    rmSync(work, { recursive: true, force: true });
  }
}

function line(label: string, megabytes: number, run: BrowserRunFigures): string {
  const where = run.path === 'direct' ? 'direct' : 'through the relay';
  return `${label.padEnd(10)} ${megabytes} MB page to page: ${run.bytesMbPerSecond.toFixed(1)} MB/s (the file's bytes), ${run.endToEndMbPerSecond.toFixed(1)} MB/s end to end; chunks went ${where}`;
}

/** `; CPU s per 100 MB: CLI x, browser y`, or nothing when not measured. */
function cpuText(megabytes: number, run: BrowserRunFigures): string {
  if (!run.cpu) return '';
  const per100 = (seconds: number): string => ((seconds * 100) / megabytes).toFixed(2);
  const byType = Object.entries(run.cpu.browserByType).sort(([, a], [, b]) => b - a).map(([type, seconds]) => `${type} ${per100(seconds)}`);
  return `; CPU s per 100 MB: CLI ${per100(run.cpu.cli)}, relay ${per100(run.cpu.relay)}, browser ${per100(run.cpu.browser)} (${byType.join(', ')})`;
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 100);
  const figures = await runBrowserDirectBench(megabytes);
  if (figures.direct) console.log(line('direct', megabytes, figures.direct));
  if (figures.relayOnly) console.log(line('relay only', megabytes, figures.relayOnly));
  const { pageToCli, cliToPage } = figures;
  if (pageToCli) {
    console.log(`${'page->CLI'.padEnd(10)} ${megabytes} MB page to \`banguins receive\`, relay-only: ${pageToCli.bytesMbPerSecond.toFixed(1)} MB/s (the file's bytes), ${pageToCli.endToEndMbPerSecond.toFixed(1)} MB/s end to end (goal: 20 MB/s)${cpuText(megabytes, pageToCli)}`);
  }
  if (cliToPage) {
    console.log(`${'CLI->page'.padEnd(10)} ${megabytes} MB \`banguins send\` to a page, relay-only: ${cliToPage.bytesMbPerSecond.toFixed(1)} MB/s (the file's bytes), ${cliToPage.endToEndMbPerSecond.toFixed(1)} MB/s end to end (goal: 20 MB/s)${cpuText(megabytes, cliToPage)}`);
  }
  if (figures.bareDataChannelMbPerSecond !== undefined) {
    console.log(`${'bare'.padEnd(10)} ${megabytes} MB over a bare RTCDataChannel page to page (64 KB strings, nothing sealed): ${figures.bareDataChannelMbPerSecond.toFixed(1)} MB/s`);
  }
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
