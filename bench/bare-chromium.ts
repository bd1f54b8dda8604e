/**
 * Headless Chromium driven over a bare DevTools socket, for the benches that time a page on the relay
 * path. Playwright enables the `Network` domain on every page it drives, and Chromium then sends the
 * whole payload of every WebSocket frame the page sends or receives to the driver as a DevTools event
 * (`Network.webSocketFrameSent` / `Received`): each 32-128 KB Transfer frame is copied into JSON in the
 * renderer, carried through the browser process and parsed in the driver's process, which in the
 * benches is the local relay's. No user's browser does that. This driver enables no domain it does
 * not need: it opens pages, evaluates expressions, sets a file input, takes downloads and, when asked,
 * runs the CPU profiler.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import { chromiumCommand } from '../support/browser/launch-browser';

type Params = Record<string, unknown>;
type EventListener = (params: Params, sessionId: string | undefined) => void;

/** One DevTools connection to the browser; pages are flattened sessions on it. */
class DevToolsSocket {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: Params) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, Set<EventListener>>();

  constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: Params; error?: { message: string }; method?: string; params?: Params; sessionId?: string };
      if (message.id !== undefined) {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiting?.reject(new Error(message.error.message));
        else waiting?.resolve(message.result ?? {});
      } else if (message.method) {
        for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {}, message.sessionId);
      }
    });
    socket.on('close', () => {
      for (const waiting of this.pending.values()) waiting.reject(new Error('the DevTools socket closed'));
      this.pending.clear();
    });
  }

  send(method: string, params: Params = {}, sessionId?: string): Promise<Params> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  on(method: string, listener: EventListener): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  close(): void {
    this.socket.close();
  }
}

/** A page of a {@link BareChromium}. */
export class BarePage {
  constructor(
    private readonly devtools: DevToolsSocket,
    private readonly targetId: string,
    private readonly sessionId: string,
  ) {}

  /** The value of `expression` (a promise is awaited); throws what the page threw. */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = (await this.devtools.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId)) as {
      result?: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (answer.exceptionDetails) throw new Error(answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text);
    return answer.result?.value as T;
  }

  /** Resolves once `expression` is truthy (polled every `everyMs`), with its value; rejects after `timeoutMs`. */
  async waitFor<T>(expression: string, timeoutMs = 600_000, everyMs = 200): Promise<T> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const value = await this.evaluate<T>(expression).catch(() => undefined);
      if (value) return value;
      if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  /** Navigates to `url` and waits until the document has loaded. */
  async goto(url: string): Promise<void> {
    await this.devtools.send('Page.navigate', { url }, this.sessionId);
    await this.waitFor(`document.readyState === 'complete' && location.href === ${JSON.stringify(url)}`, 30_000, 50);
  }

  /** Gives the `<input type=file>` matching `selector` the files at `paths` (its change event fires). */
  async setInputFiles(selector: string, paths: readonly string[]): Promise<void> {
    const { root } = (await this.devtools.send('DOM.getDocument', { depth: 0 }, this.sessionId)) as { root: { nodeId: number } };
    const { nodeId } = (await this.devtools.send('DOM.querySelector', { nodeId: root.nodeId, selector }, this.sessionId)) as { nodeId: number };
    if (!nodeId) throw new Error(`no element matches ${selector}`);
    await this.devtools.send('DOM.setFileInputFiles', { nodeId, files: paths }, this.sessionId);
  }

  /** Starts Chromium's CPU profiler (sampling every `intervalUs`); the function it returns stops it and resolves with the profile. */
  async startProfiler(intervalUs = 200): Promise<() => Promise<unknown>> {
    await this.devtools.send('Profiler.enable', {}, this.sessionId);
    await this.devtools.send('Profiler.setSamplingInterval', { interval: intervalUs }, this.sessionId);
    await this.devtools.send('Profiler.start', {}, this.sessionId);
    return async () => ((await this.devtools.send('Profiler.stop', {}, this.sessionId)) as { profile: unknown }).profile;
  }

  async close(): Promise<void> {
    await this.devtools.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }
}

/** Headless Chromium (the tests' binary and flags, support/browser/launch-browser.ts) with no driver instrumenting its pages. */
export class BareChromium {
  private constructor(
    private readonly child: ChildProcess,
    private readonly devtools: DevToolsSocket,
    private readonly profileDir: string,
    /** Where downloads go, each named by its guid. */
    readonly downloadDir: string,
  ) {}

  /** The browser's process id (its helpers run as its descendants). */
  get pid(): number {
    return this.child.pid!;
  }

  static async launch(): Promise<BareChromium> {
    const { executablePath, args, env } = chromiumCommand();
    const profileDir = mkdtempSync(path.join(tmpdir(), 'banguins-bare-chromium-'));
    // A page no one looks at is a background page: without these, its timers run once a second (playwright passes them too).
    const foreground = ['--disable-background-timer-throttling', '--disable-backgrounding-occluded-windows', '--disable-renderer-backgrounding'];
    const child = spawn(executablePath, [...args, ...foreground, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, 'about:blank'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (data: Buffer) => {
        text += data.toString();
        const found = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (found) resolve(found[1]!);
      });
      child.on('exit', (code) => reject(new Error(`Chromium exited with ${code} before its DevTools socket opened: ${text.slice(-500)}`)));
    });
    child.stderr!.resume();
    const socket = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const downloadDir = path.join(profileDir, 'downloads');
    return new BareChromium(child, new DevToolsSocket(socket), profileDir, downloadDir);
  }

  /** Opens a page in a fresh browser context (its own storage) at `url`. */
  async newPage(url = 'about:blank'): Promise<BarePage> {
    const { browserContextId } = (await this.devtools.send('Target.createBrowserContext')) as { browserContextId: string };
    // Downloads are allowed per context.
    await this.devtools.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', browserContextId, downloadPath: this.downloadDir, eventsEnabled: true });
    const { targetId } = (await this.devtools.send('Target.createTarget', { url: 'about:blank', browserContextId })) as { targetId: string };
    const { sessionId } = (await this.devtools.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new BarePage(this.devtools, targetId, sessionId);
    if (url !== 'about:blank') await page.goto(url);
    return page;
  }

  /** Resolves with the path of the next download once it completed (in {@link downloadDir}, named by its guid). */
  nextDownload(timeoutMs = 600_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error('no download completed in time'));
      }, timeoutMs);
      const stop = this.devtools.on('Browser.downloadProgress', (params) => {
        if (params.state === 'canceled') {
          stop();
          clearTimeout(timer);
          reject(new Error('the download was canceled'));
        } else if (params.state === 'completed') {
          stop();
          clearTimeout(timer);
          resolve(path.join(this.downloadDir, params.guid as string));
        }
      });
    });
  }

  async close(): Promise<void> {
    await this.devtools.send('Browser.close').catch(() => undefined);
    this.devtools.close();
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once('exit', resolve));
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}
