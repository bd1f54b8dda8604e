import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Download } from 'playwright-core';
import { CHUNK_PLAINTEXT_BYTES, LARGE_CHUNK_PLAINTEXT_BYTES } from '../client';
import type { TappedFrame } from '../local/relay-taps';
import { openWatchedPage, type WatchedPage } from './support/browser';
import { runCliJson } from './support/cli-process';
import { usePageAndBrowser } from './support/web-page-fixture';

/** Where the screenshot of a direct transfer goes: docs/images/ with UPDATE_SCREENSHOTS=1, else test-output/. */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS ? path.join(__dirname, '..', 'docs', 'images') : path.join(__dirname, '..', 'test-output', 'screenshots');

/** A few MB: enough chunks that one crossing the relay would show, small enough to stay quick. */
const FILE_BYTES = 3_000_000;

/** The CLI as a user runs it: direct by default (the test support runs it relay-only unless told otherwise). */
const TRY_DIRECT = { BANGUINS_RELAY_ONLY: '' };

describe('web page: the direct WebRTC path (issue 19)', () => {
  /** The Transfer frames (chunks, manifest included) clients sent the relay in the current test. */
  let relayedTransfers = 0;
  const countTransfers = (frame: TappedFrame): void => {
    if (frame.direction === 'in' && frame.ends(24).head.startsWith('{"action":"Transfer"')) relayedTransfers++;
  };
  const web = usePageAndBrowser({ taps: { frames: countTransfers } });
  let work: string;
  const pages: WatchedPage[] = [];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-web-direct-'));
  });
  beforeEach(() => {
    relayedTransfers = 0;
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) {
      expect(page.errors).toEqual([]);
      await page.context.close();
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const openPage = async (): Promise<WatchedPage> => {
    const page = await openWatchedPage(web.browser);
    pages.push(page);
    return page;
  };

  /** Picks `content` as `name` on a page at `url`, and resolves with the pairing link it shows. */
  const sendFromPage = async (sender: WatchedPage, url: string, name: string, content: Buffer): Promise<string> => {
    await sender.page.goto(url);
    await sender.page.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer: content });
    const linkInput = sender.page.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    return linkInput.inputValue();
  };

  const downloaded = async (download: Promise<Download>): Promise<{ name: string; bytes: Buffer }> => {
    const saved = await download;
    return { name: saved.suggestedFilename(), bytes: fs.readFileSync(await saved.path()) };
  };

  /** Which path the page's path line names once the transfer is over. */
  const pathShown = async (page: WatchedPage): Promise<{ path?: string; text: string }> => {
    const line = page.page.locator('#path-line');
    await line.waitFor({ state: 'visible' });
    return { path: (await line.getAttribute('data-path')) ?? undefined, text: await line.innerText() };
  };

  /** Starts `banguins send --direct` of `content`; resolves with its link, its path events and its end. */
  const cliSend = async (content: Buffer) => {
    const file = path.join(work, `from-cli-${Date.now()}.bin`);
    fs.writeFileSync(file, content);
    const paths: unknown[] = [];
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const run = runCliJson(['send', file, '--relay', web.fixture.relay.url, '--page-url', web.fixture.pageUrl, '--json'], (event) => {
      if (event.type === 'link') gotLink(String(event.link));
      if (event.type === 'path') paths.push(event.path);
    }, TRY_DIRECT);
    void run.done.then((end) => gotLink(`(banguins send exited ${end.code}: ${end.stderr})`));
    return { name: path.basename(file), link: await link, paths, done: run.done };
  };

  it('browser to browser: the bytes go direct, the relay sees no chunk, and both pages say "direct"', async () => {
    const content = randomBytes(FILE_BYTES);
    const sender = await openPage();
    const receiver = await openPage();
    const link = await sendFromPage(sender, web.fixture.pageUrl, 'page-to-page.bin', content);
    const download = receiver.page.waitForEvent('download');
    await receiver.page.goto(link);
    const saved = await downloaded(download);
    expect(saved.name).toBe('page-to-page.bin');
    expect(saved.bytes.equals(content)).toBe(true);
    await receiver.page.getByText('All files received').waitFor();
    await sender.page.getByText('All files sent').waitFor();
    expect(relayedTransfers).toBe(0);
    for (const page of [sender, receiver]) {
      const shown = await pathShown(page);
      expect(shown.path).toBe('direct');
      expect(shown.text).toMatch(/^Path: direct · [\d.]+ [kMG]?B\/s$/);
    }
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await receiver.page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-direct.png'), fullPage: true });
  }, 60_000);

  it('CLI to browser: `banguins send` and the page go direct, and the relay sees no chunk', async () => {
    const content = randomBytes(FILE_BYTES);
    const cli = await cliSend(content);
    const receiver = await openPage();
    const download = receiver.page.waitForEvent('download');
    await receiver.page.goto(cli.link);
    const saved = await downloaded(download);
    expect(saved.name).toBe(cli.name);
    expect(saved.bytes.equals(content)).toBe(true);
    await receiver.page.getByText('All files received').waitFor();
    expect((await cli.done).code).toBe(0);
    expect(cli.paths).toEqual(['direct']);
    expect((await pathShown(receiver)).path).toBe('direct');
    expect(relayedTransfers).toBe(0);
  }, 60_000);

  it('browser to CLI: the page and `banguins receive` go direct, and the relay sees no chunk', async () => {
    const content = randomBytes(FILE_BYTES);
    const sender = await openPage();
    const link = await sendFromPage(sender, web.fixture.pageUrl, 'page-to-cli.bin', content);
    const out = path.join(work, 'to-cli');
    const paths: unknown[] = [];
    const cli = runCliJson(['receive', link, '--out', out, '--json'], (event) => event.type === 'path' && paths.push(event.path), TRY_DIRECT);
    expect((await cli.done).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'page-to-cli.bin')).equals(content)).toBe(true);
    await sender.page.getByText('All files sent').waitFor();
    expect(paths).toEqual(['direct']);
    expect((await pathShown(sender)).path).toBe('direct');
    expect(relayedTransfers).toBe(0);
  }, 60_000);

  it('a page opened with ?relay-only before the link\'s #fragment stays on the relay, though the CLI could go direct', async () => {
    const content = randomBytes(FILE_BYTES);
    const cli = await cliSend(content);
    const receiver = await openPage();
    const download = receiver.page.waitForEvent('download');
    await receiver.page.goto(cli.link.replace('#', '?relay-only#'));
    const saved = await downloaded(download);
    expect(saved.bytes.equals(content)).toBe(true);
    await receiver.page.getByText('All files received').waitFor();
    expect((await cli.done).code).toBe(0);
    expect(cli.paths).toEqual([]);
    const shown = await pathShown(receiver);
    expect(shown.path).toBe('relay');
    expect(shown.text).toMatch(/^Path: through the relay/);
    // The CLI sends 96 KB chunks, one Transfer message each.
    expect(relayedTransfers).toBeGreaterThanOrEqual(Math.ceil(FILE_BYTES / LARGE_CHUNK_PLAINTEXT_BYTES));
  }, 60_000);

  it('the relay-only checkbox is remembered, and a sending page with it stays on the relay', async () => {
    const content = randomBytes(FILE_BYTES);
    const sender = await openPage();
    await sender.page.goto(web.fixture.pageUrl);
    await sender.page.locator('summary', { hasText: 'Connection' }).click();
    await sender.page.locator('#relay-only').check();
    await sender.page.reload();
    expect(await sender.page.locator('#relay-only').isChecked()).toBe(true);
    const link = await sendFromPage(sender, web.fixture.pageUrl, 'relay-only.bin', content);
    const out = path.join(work, 'relay-only');
    const paths: unknown[] = [];
    const cli = runCliJson(['receive', link, '--out', out, '--json'], (event) => event.type === 'path' && paths.push(event.path), TRY_DIRECT);
    expect((await cli.done).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'relay-only.bin')).equals(content)).toBe(true);
    await sender.page.getByText('All files sent').waitFor();
    expect(paths).toEqual([]);
    expect((await pathShown(sender)).path).toBe('relay');
    // A page sends 24 KB chunks, one Transfer frame each.
    expect(relayedTransfers).toBeGreaterThanOrEqual(Math.ceil(FILE_BYTES / CHUNK_PLAINTEXT_BYTES));
  }, 60_000);

  it('ICE servers from config.json, or the page setting over them, reach the peer connection; a bad URL is not kept', async () => {
    /** Records the iceServers of every RTCPeerConnection the page makes. */
    const recordIceServers = `{
      const Original = window.RTCPeerConnection;
      window.iceServersSeen = [];
      window.RTCPeerConnection = class extends Original {
        constructor(config) { window.iceServersSeen.push(config && config.iceServers); super(config); }
      };
    }`;
    const configured = [{ urls: 'stun:127.0.0.1:3478' }];
    const withIceServers = async (page: WatchedPage): Promise<void> => {
      await page.page.addInitScript(recordIceServers);
      await page.page.route('**/config.json', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, json: { ...(await response.json()), iceServers: configured } });
      });
    };
    const seen = (page: WatchedPage): Promise<unknown[]> => page.page.evaluate(() => (window as unknown as { iceServersSeen: unknown[] }).iceServersSeen);
    const content = randomBytes(FILE_BYTES);
    const sender = await openPage();
    const receiver = await openPage();
    await withIceServers(sender);
    await withIceServers(receiver);

    await receiver.page.goto(web.fixture.pageUrl);
    await receiver.page.locator('summary', { hasText: 'Connection' }).click();
    await receiver.page.locator('#ice-servers').fill('http://not-stun.example');
    await receiver.page.locator('#ice-servers').press('Tab');
    await receiver.page.getByText('Not saved: "http://not-stun.example" is not a stun:, stuns:, turn: or turns: URL.').waitFor();
    await receiver.page.locator('#ice-servers').fill('stun:127.0.0.1:3479 stun:127.0.0.1:3480');
    await receiver.page.locator('#ice-servers').press('Tab');
    await receiver.page.reload();
    expect(await receiver.page.locator('#ice-servers').inputValue()).toBe('stun:127.0.0.1:3479 stun:127.0.0.1:3480');

    const link = await sendFromPage(sender, web.fixture.pageUrl, 'ice.bin', content);
    const download = receiver.page.waitForEvent('download');
    await receiver.page.goto(link);
    expect((await downloaded(download)).bytes.equals(content)).toBe(true);
    await sender.page.getByText('All files sent').waitFor();
    expect(await seen(sender)).toEqual([configured]);
    expect(await seen(receiver)).toEqual([[{ urls: 'stun:127.0.0.1:3479' }, { urls: 'stun:127.0.0.1:3480' }]]);
    // No STUN server answers there: the host candidates still met.
    expect((await pathShown(receiver)).path).toBe('direct');
    expect(relayedTransfers).toBe(0);
  }, 60_000);
});
