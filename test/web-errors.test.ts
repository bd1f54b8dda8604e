import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { sendFiles, type ByteSource } from '../client';
import { launchBrowser, openWatchedPage, type WatchedPage } from './support/browser';
import { NODE_WS } from '../support/node-client';
import { startWebPageFixture, type WebPageFixture } from './support/web-page-fixture';

/** Records every WebSocket the page opens, so a test can break one the way a flaky network would. */
const TRACK_SOCKETS = `
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
`;

/** Records every status line the page shows, to check transient ones such as "Reconnecting…". */
const TRACK_STATUS = `
  window.__statuses = [];
  document.addEventListener('DOMContentLoaded', () => {
    const status = document.getElementById('status');
    new MutationObserver(() => window.__statuses.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
  });
`;

async function startSending(sender: WatchedPage, pageUrl: string, name: string, content: Buffer): Promise<string> {
  await sender.page.goto(pageUrl);
  await sender.page.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer: content });
  const input = sender.page.locator('#pairing-link');
  await input.waitFor({ state: 'visible' });
  return input.inputValue();
}

describe('web page: errors a person understands, and resume', () => {
  let fixture: WebPageFixture;
  let browser: Browser;

  beforeAll(async () => {
    [fixture, browser] = await Promise.all([startWebPageFixture(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('says the link has expired when the sender is gone', async () => {
    const sender = await openWatchedPage(browser);
    const link = await startSending(sender, fixture.pageUrl, 'late.bin', randomBytes(10));
    await sender.context.close();

    const receiver = await openWatchedPage(browser);
    await receiver.page.goto(link);
    await expectAlert(receiver, /This link has expired: the sender is no longer waiting/);
    expect(await receiver.page.locator('#again-button').isVisible()).toBe(true);
    expect(receiver.errors).toEqual([]);
    await receiver.context.close();
  });

  it('says the relay cannot be reached when the link names a relay that is down', async () => {
    const sender = await openWatchedPage(browser);
    const link = await startSending(sender, fixture.pageUrl, 'x.bin', randomBytes(10));
    const port = await closedPort();
    const deadRelay = link.replace(/relay=[^&]+/, `relay=${encodeURIComponent(`ws://127.0.0.1:${port}`)}`);

    const receiver = await openWatchedPage(browser);
    await receiver.page.goto(deadRelay);
    await expectAlert(receiver, /^The relay is not running or cannot be reached: .*access key.* \(cannot reach the relay at ws:\/\/127\.0\.0\.1:\d+: .*\)\.$/);
    // Chromium itself logs the failed WebSocket handshake; the page logs nothing else.
    expect(receiver.errors.filter((e) => !e.includes(`WebSocket connection to 'ws://127.0.0.1:${port}/' failed`))).toEqual([]);
    await sender.context.close();
    await receiver.context.close();
  });

  it('says the link is in use by another device when a second tab opens a link the first is receiving', async () => {
    const content = randomBytes(50_000);
    // The sender holds its file back until the second tab was turned away, so the first is still receiving then.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const source: ByteSource = {
      size: content.length,
      read: async (offset, length) => {
        await held;
        return content.subarray(offset, offset + length);
      },
    };
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({
      relayUrl: fixture.relay.url,
      pageUrl: fixture.pageUrl,
      WebSocket: NODE_WS,
      files: [{ name: 'busy.bin', source }],
      onEvent: (event) => event.type === 'link' && gotLink(event.link),
    });
    sending.catch(() => undefined);

    const first = await openWatchedPage(browser);
    const download = first.page.waitForEvent('download');
    await first.page.goto(await link);
    await first.page.getByText('Connected. Waiting for the list of files…').waitFor();
    const second: WatchedPage = { context: first.context, page: await first.context.newPage(), errors: [] };
    second.page.on('pageerror', (error) => second.errors.push(error.message));
    await second.page.goto(await link);
    await expectAlert(second, /^This link is already in use by another device: only one device can receive from a link\. Ask the sender for a new link \(/);
    expect(await second.page.getByRole('alert').textContent()).not.toMatch(/cancelled/);
    expect(await second.page.locator('#again-button').isVisible()).toBe(true);

    release();
    expect(fs.readFileSync(await (await download).path()).equals(content)).toBe(true);
    await first.page.getByText('All files received').waitFor();
    await sending;
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    await first.context.close();
  });

  it('says a pasted link is damaged, and starts nothing', async () => {
    const receiver = await openWatchedPage(browser);
    await receiver.page.goto(fixture.pageUrl);
    await receiver.page.getByLabel('Or paste a link').fill(`${fixture.pageUrl}#v=1&relay=ws%3A%2F%2Fx&id=abc`);
    await receiver.page.getByRole('button', { name: 'Receive', exact: true }).click();
    await expectAlert(receiver, /This link is incomplete or damaged/);
    expect(await receiver.page.locator('#home').isVisible()).toBe(true);
    expect(receiver.errors).toEqual([]);
    await receiver.context.close();
  });

  it.each(['receiver', 'sender'] as const)(
    'shows "Reconnecting…" when the %s loses its socket mid-transfer, then finishes byte for byte',
    async (side) => {
      const content = randomBytes(3_000_000);
      const sender = await openWatchedPage(browser);
      const receiver = await openWatchedPage(browser);
      const broken = side === 'sender' ? sender : receiver;
      await broken.context.addInitScript(TRACK_SOCKETS + TRACK_STATUS);
      const link = await startSending(sender, fixture.pageUrl, 'resume.bin', content);

      const download = receiver.page.waitForEvent('download');
      await receiver.page.goto(link);
      // Break the socket once some bytes arrived, as a phone switching networks would.
      await broken.page.waitForFunction(() => Number(document.querySelector('progress')?.value ?? 0) > 0);
      const socketsBefore = await broken.page.evaluate(() => {
        const sockets = (window as unknown as { __sockets: WebSocket[] }).__sockets;
        sockets[sockets.length - 1]?.close(4000, 'test: network lost');
        return sockets.length;
      });
      expect(socketsBefore).toBe(1);

      const saved = await download;
      expect(fs.readFileSync(await saved.path()).equals(content)).toBe(true);
      await receiver.page.getByText('All files received').waitFor();
      await sender.page.getByText('All files sent').waitFor();
      const statuses = await broken.page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
      expect(statuses.some((s) => /^Connection lost\. Reconnecting… \(gives up in \d+:\d\d\)$/.test(s))).toBe(true);
      expect(statuses.some((s) => s.startsWith('Connected again.'))).toBe(true);
      expect(await broken.page.evaluate(() => (window as unknown as { __sockets: WebSocket[] }).__sockets.length)).toBeGreaterThan(1);
      expect(sender.errors).toEqual([]);
      expect(receiver.errors).toEqual([]);
      await sender.context.close();
      await receiver.context.close();
    },
  );
});

describe('web page: a relay that requires an access key', () => {
  const KEY = 'web-test-relay-key-0123456789';
  let fixture: WebPageFixture;
  let browser: Browser;
  let barePage: string;

  beforeAll(async () => {
    [fixture, browser] = await Promise.all([startWebPageFixture({ relayKey: KEY }), launchBrowser()]);
    barePage = fixture.pageUrl.split('#')[0]!;
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
  });

  /** Chromium logs every refused handshake itself; anything else the page logged is a fault. */
  const pageErrors = (watched: WatchedPage): string[] => watched.errors.filter((e) => !/WebSocket connection to .* failed/.test(e));

  it('with #relaykey= in the page address, a transfer works; the link carries the key in its fragment only', async () => {
    expect(fixture.pageUrl).toBe(`${barePage}#relaykey=${KEY}`);
    const content = randomBytes(200_000);
    const sender = await openWatchedPage(browser);
    const link = await startSending(sender, fixture.pageUrl, 'keyed.bin', content);
    // The key left the address bar (no bookmark or screenshot shows it) but the page kept it.
    expect(new URL(sender.page.url()).hash).toBe('');
    const url = new URL(link);
    expect(url.search).toBe('');
    expect(`${url.origin}${url.pathname}`).toBe(barePage);
    expect(new URL(new URLSearchParams(url.hash.slice(1)).get('relay')!).searchParams.get('key')).toBe(KEY);

    const receiver = await openWatchedPage(browser);
    const download = receiver.page.waitForEvent('download');
    await receiver.page.goto(link);
    expect(fs.readFileSync(await (await download).path()).equals(content)).toBe(true);
    await sender.page.getByText('All files sent').waitFor();
    expect(pageErrors(sender)).toEqual([]);
    expect(receiver.errors).toEqual([]);

    // Opened again without the fragment, the same browser still has the key for this relay.
    await sender.page.goto(barePage);
    await sender.page.setInputFiles('#file-input', { name: 'again.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('again') });
    await sender.page.locator('#pairing-link').waitFor({ state: 'visible' });
    await sender.context.close();
    await receiver.context.close();
  });

  it('a link whose relay lacks the key shows the one-sentence refusal naming the key', async () => {
    const sender = await openWatchedPage(browser);
    const link = await startSending(sender, fixture.pageUrl, 'x.bin', randomBytes(10));
    const fragment = new URLSearchParams(link.split('#')[1]);
    fragment.set('relay', fixture.relay.url.split('?')[0]!);
    const receiver = await openWatchedPage(browser);
    await receiver.page.goto(`${barePage}#${fragment.toString()}`);
    await expectAlert(receiver, /^The relay is not running or cannot be reached: ask the sender to check it; if it needs an access key, this link carries none, so ask for a new link \([^\n]*\)\.$/);
    expect(pageErrors(receiver)).toEqual([]);
    await sender.context.close();
    await receiver.context.close();
  });

  it('a link with a wrong key shows the refusal naming the key in the link', async () => {
    const sender = await openWatchedPage(browser);
    const link = await startSending(sender, fixture.pageUrl, 'x.bin', randomBytes(10));
    const fragment = new URLSearchParams(link.split('#')[1]);
    fragment.set('relay', `${fixture.relay.url.split('?')[0]!}/?key=wrong-key-0123456789`);
    const receiver = await openWatchedPage(browser);
    await receiver.page.goto(`${barePage}#${fragment.toString()}`);
    await expectAlert(receiver, /^The relay refused the access key in this link or cannot be reached: ask the sender for a new link/);
    expect(await receiver.page.getByRole('alert').textContent()).not.toContain('wrong-key-0123456789');
    await sender.context.close();
    await receiver.context.close();
  });

  it('a page opened without the key cannot send, and says where the key comes from', async () => {
    const sender = await openWatchedPage(browser);
    await sender.page.goto(barePage);
    await sender.page.setInputFiles('#file-input', { name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') });
    await expectAlert(sender, /^The relay is not running or cannot be reached: start it \(npm start\) or check its address; if it needs an access key, open the page with the address ending in #relaykey=… .* \([^\n]*\)\.$/);
    expect(pageErrors(sender)).toEqual([]);
    await sender.context.close();
  });
});

/** A local port nothing listens on (one that was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function expectAlert(watched: WatchedPage, text: RegExp): Promise<void> {
  const alert = watched.page.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  expect(await alert.textContent()).toMatch(text);
}
