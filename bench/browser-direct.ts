/**
 * `npx tsx bench/browser-direct.ts [MB]`: one file (default 100 MB) sent page to page in headless
 * Chromium through a local relay (its own DynamoDB Local), once over the direct WebRTC path and once
 * with the receiving and sending pages opened with `?relay-only`, in the same run. Prints MB/s of
 * the file's bytes (the receiver's manifest to its last verified byte) and end to end (the link
 * opened to the download), and the path the chunks took; and, as the ceiling, a bare data channel
 * between two pages of the same browser (64 KB strings, no sealing, no protocol); and a page sending
 * to `banguins receive --relay-only` (24 KB chunks, the page's, through the relay). Figures, not a test.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { spawn } from 'node:child_process';
import { forEachLine } from './child-processes';
import { startLocalRelay } from '../local/local-relay';
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
}

/** What {@link runBrowserDirectBench} measured. */
export interface BrowserDirectFigures {
  readonly megabytes: number;
  readonly direct: BrowserRunFigures;
  readonly relayOnly: BrowserRunFigures;
  /** MB/s of a bare RTCDataChannel page to page (the same host candidates): what Chromium itself gives here. */
  readonly bareDataChannelMbPerSecond: number;
  /** The page sending to the CLI (`banguins receive --relay-only`, its own process) through the relay. */
  readonly pageToCli: BrowserRunFigures;
}

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

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Sends `file` from one page to another (both with `?relay-only` when `relayOnly`); checks the download. */
async function sendPageToPage(browser: Browser, pageUrl: string, file: string, expected: string, megabytes: number, relayOnly: boolean): Promise<BrowserRunFigures> {
  const query = relayOnly ? '?relay-only' : '';
  const senderContext = await browser.newContext({ acceptDownloads: true });
  const receiverContext = await browser.newContext({ acceptDownloads: true });
  try {
    const sender = await senderContext.newPage();
    const receiver = await receiverContext.newPage();
    await sender.goto(`${pageUrl}${query}`);
    await sender.setInputFiles('#file-input', file);
    const linkInput = sender.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const link = await linkInput.inputValue();
    const download = receiver.waitForEvent('download', { timeout: 600_000 });
    const openedAt = Date.now();
    await receiver.goto(link.replace('#', `${query}#`));
    const saved = await download;
    const endToEndSeconds = (Date.now() - openedAt) / 1000;
    const savedPath = await saved.path();
    if ((await sha256File(savedPath)) !== expected) throw new Error('the downloaded file differs from the one sent');
    await receiver.getByText('All files received').waitFor();
    const marks = await receiver.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    const files = marks['banguins:files'];
    const done = marks['banguins:done'];
    if (files === undefined || done === undefined) throw new Error(`the receiving page lacks its marks: ${JSON.stringify(marks)}`);
    const shown = await receiver.locator('#path-line').getAttribute('data-path');
    return {
      bytesMbPerSecond: megabytes / ((done - files) / 1000),
      endToEndMbPerSecond: megabytes / endToEndSeconds,
      path: shown === 'direct' ? 'direct' : 'relay',
    };
  } finally {
    await senderContext.close();
    await receiverContext.close();
  }
}

/**
 * Sends `file` from a page (`?relay-only`) to `banguins receive --relay-only` in its own process;
 * checks the received file. The file's bytes are timed from the CLI's `paired` event to its `done`.
 */
async function sendPageToCli(browser: Browser, pageUrl: string, file: string, expected: string, megabytes: number, outDir: string): Promise<BrowserRunFigures> {
  const senderContext = await browser.newContext();
  try {
    const sender = await senderContext.newPage();
    await sender.goto(`${pageUrl}?relay-only`);
    await sender.setInputFiles('#file-input', file);
    const linkInput = sender.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const link = await linkInput.inputValue();
    const openedAt = Date.now();
    let pairedAt = 0;
    let doneAt = 0;
    const cli = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'banguins.js'), 'receive', link, '--out', outDir, '--json', '--relay-only'], { stdio: ['ignore', 'pipe', 'inherit'] });
    forEachLine(cli.stdout!, (text) => {
      const event = JSON.parse(text) as { type?: string };
      if (event.type === 'paired' && !pairedAt) pairedAt = Date.now();
      if (event.type === 'done') doneAt = Date.now();
    });
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    if (code !== 0 || !doneAt) throw new Error(`banguins receive exited with ${code}`);
    if ((await sha256File(path.join(outDir, path.basename(file)))) !== expected) throw new Error('the CLI received a file that differs from the one sent');
    return { bytesMbPerSecond: megabytes / ((doneAt - pairedAt) / 1000), endToEndMbPerSecond: megabytes / ((doneAt - openedAt) / 1000), path: 'relay' };
  } finally {
    await senderContext.close();
  }
}

/**
 * Runs the bench: a `megabytes` MB file page to page, direct then relay-only, in one browser and one
 * local relay; resolves with the figures (and prints nothing: {@link main} does).
 */
export async function runBrowserDirectBench(megabytes: number): Promise<BrowserDirectFigures> {
  const work = mkdtempSync(path.join(tmpdir(), 'banguins-browser-direct-'));
  const webDir = path.join(work, 'web');
  await buildWebPage({ outDir: webDir });
  const relay = await startLocalRelay({ port: 0, handlerLogLevel: 'SILENT', webDir });
  const browser = await launchBrowser();
  try {
    const file = path.join(work, 'bench.bin');
    writeFileSync(file, randomBytes(megabytes * 1_000_000));
    const expected = await sha256File(file);
    const direct = await sendPageToPage(browser, relay.pageUrl, file, expected, megabytes, false);
    const relayOnly = await sendPageToPage(browser, relay.pageUrl, file, expected, megabytes, true);
    const pageToCli = await sendPageToCli(browser, relay.pageUrl, file, expected, megabytes, path.join(work, 'cli-out'));
    const bareDataChannelMbPerSecond = await bareDataChannel(browser, relay.pageUrl, megabytes);
    return { megabytes, direct, relayOnly, bareDataChannelMbPerSecond, pageToCli };
  } finally {
    await browser.close();
    await relay.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function line(label: string, megabytes: number, run: BrowserRunFigures): string {
  const where = run.path === 'direct' ? 'direct' : 'through the relay';
  return `${label.padEnd(10)} ${megabytes} MB page to page: ${run.bytesMbPerSecond.toFixed(1)} MB/s (the file's bytes), ${run.endToEndMbPerSecond.toFixed(1)} MB/s end to end; chunks went ${where}`;
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 100);
  const figures = await runBrowserDirectBench(megabytes);
  console.log(line('direct', megabytes, figures.direct));
  console.log(line('relay only', megabytes, figures.relayOnly));
  console.log(`${'page->CLI'.padEnd(10)} ${megabytes} MB page to \`banguins receive\`, relay-only: ${figures.pageToCli.bytesMbPerSecond.toFixed(1)} MB/s (the file's bytes), ${figures.pageToCli.endToEndMbPerSecond.toFixed(1)} MB/s end to end (goal: 20 MB/s)`);
  console.log(`${'bare'.padEnd(10)} ${megabytes} MB over a bare RTCDataChannel page to page (64 KB strings, nothing sealed): ${figures.bareDataChannelMbPerSecond.toFixed(1)} MB/s`);
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
