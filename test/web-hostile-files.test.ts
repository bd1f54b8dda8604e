import * as fs from 'node:fs';
import { bytesSource, receiveFiles, sendFiles, type OutgoingFile } from '../client';
import { distinctNames, safeFileName } from '../client/safe-file-name';
import { openWatchedPage, type WatchedPage } from './support/browser';
import { collectingSink, NODE_WS, QUICK_TUNING } from '../support/node-client';
import { usePageAndBrowser } from './support/web-page-fixture';

/** A relay key the receiving page holds in localStorage: what the sender's script is after. */
const STORED_KEY = 'banguins.relayKey:wss://relay.example/dev';
const STORED_SECRET = 'stored-relay-key-the-sender-must-not-read';

/** A page a hostile sender sends as `text/html`: run in the page's origin, it copies localStorage. */
const EVIL_HTML = `<!doctype html><title>evil</title><script>
  localStorage.setItem('stolen', JSON.stringify(Object.assign({}, localStorage)));
  document.title = 'PWNED ' + localStorage.getItem('stolen');
</script>`;

describe('web page: what a hostile peer sends', () => {
  const web = usePageAndBrowser();

  /** Sends `files` from this process (the client library) and opens the link in `receiver`; resolves when the page received them all. */
  async function receiveFrom(receiver: WatchedPage, files: OutgoingFile[]): Promise<void> {
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const sending = sendFiles({
      relayUrl: web.fixture.relay.url,
      pageUrl: web.fixture.pageUrl,
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      files,
      onEvent: (event) => event.type === 'link' && gotLink(event.link),
    });
    await receiver.page.goto(await link);
    await sending;
    await receiver.page.getByText('All files received').waitFor();
  }

  it('a file sent as text/html is saved as bytes: its object URL opened in a tab runs nothing in the page origin', async () => {
    const receiver = await openWatchedPage(web.browser);
    await receiver.page.goto(web.fixture.pageUrl);
    await receiver.page.evaluate(([key, value]) => localStorage.setItem(key!, value!), [STORED_KEY, STORED_SECRET]);
    const download = receiver.page.waitForEvent('download');
    await receiveFrom(receiver, [{ name: 'evil.html', type: 'text/html', source: bytesSource(Buffer.from(EVIL_HTML)) }]);
    expect(fs.readFileSync(await (await download).path(), 'utf8')).toBe(EVIL_HTML);

    const saveAgain = receiver.page.getByRole('link', { name: 'Save again' });
    const href = (await saveAgain.getAttribute('href'))!;
    expect(href.startsWith(`blob:${new URL(web.fixture.pageUrl).origin}/`)).toBe(true);
    expect(await receiver.page.evaluate(async (url) => (await (await fetch(url)).blob()).type, href)).toBe('application/octet-stream');

    // The attacker's hope: the person opens "Save again" in a new tab. The browser must download it, not render it.
    const tab = await receiver.context.newPage();
    const opened = tab.waitForEvent('download');
    const navigation = await tab.goto(href).then(
      () => 'rendered',
      (error: Error) => error.message,
    );
    expect(navigation).toMatch(/Download is starting/);
    expect(fs.readFileSync(await (await opened).path(), 'utf8')).toBe(EVIL_HTML);
    expect(await tab.title()).not.toMatch(/PWNED/);
    expect(await receiver.page.evaluate(() => localStorage.getItem('stolen'))).toBeNull();
    expect(receiver.errors).toEqual([]);
    await receiver.context.close();
  });

  it('names every file by the CLI\'s rules in the list, the downloads and "Save again", and shows markup as text', async () => {
    const hostile = ['../evil.txt', 'sub/evil.txt', 'CON', '<img src=x onerror="document.title=1">.txt', 'a\u0000b.txt.banguins-partial'];
    const expected = distinctNames(hostile.map(safeFileName));
    expect(expected.slice(0, 3)).toEqual(['evil.txt', 'evil (1).txt', '_CON']);
    const receiver = await openWatchedPage(web.browser);
    const downloads = new Promise<string[]>((resolve) => {
      const names: string[] = [];
      receiver.page.on('download', (download) => names.push(download.suggestedFilename()) === hostile.length && resolve(names));
    });
    await receiveFrom(
      receiver,
      hostile.map((name, i) => ({ name, source: bytesSource(Buffer.from(`file ${i}`)) })),
    );

    expect(await receiver.page.locator('.file-name').allTextContents()).toEqual(expected);
    expect(await receiver.page.getByRole('link', { name: 'Save again' }).evaluateAll((links) => links.map((a) => a.getAttribute('download')))).toEqual(expected);
    expect(await downloads).toEqual(expected);
    expect(await receiver.page.locator('#file-list img, #file-list script').count()).toBe(0);
    expect(await receiver.page.title()).toBe('Banguins: send a file to another device');
    expect(receiver.errors).toEqual([]);
    await receiver.context.close();
  });

  it('shows a hostile receiver\'s cancel reason as text, never as markup', async () => {
    const markup = '<img src=x onerror="document.title=\'PWNED\'"><b>bold</b>';
    const sender = await openWatchedPage(web.browser);
    await sender.page.goto(web.fixture.pageUrl);
    await sender.page.setInputFiles('#file-input', { name: 'x.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('x') });
    const pairingLink = sender.page.locator('#pairing-link');
    await pairingLink.waitFor({ state: 'visible' });
    // The receiver refuses the files with a reason of its choosing; the sender page shows it.
    const receiving = receiveFiles({
      link: await pairingLink.inputValue(),
      WebSocket: NODE_WS,
      tuning: QUICK_TUNING,
      openSink: async () => collectingSink([]),
      accept: async () => {
        throw new Error(markup);
      },
    });
    await expect(receiving).rejects.toThrow(markup);

    const alert = sender.page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    expect(await alert.textContent()).toContain(`(the receiver cancelled: ${markup})`);
    expect(await sender.page.locator('#error *').count()).toBe(0);
    expect(await sender.page.title()).toBe('Banguins: send a file to another device');
    expect(sender.errors).toEqual([]);
    await sender.context.close();
  });

  it('the page\'s Content-Security-Policy stops an inline script that got into it some other way', async () => {
    const watched = await openWatchedPage(web.browser);
    try {
      await watched.page.goto(web.fixture.pageUrl);
      // As if a peer's text had reached the page as HTML: an inline event handler (an image that loads).
      const ran = await watched.page.evaluate(async () => {
        const marks = window as unknown as { injected?: string };
        marks.injected = 'no';
        document.body.insertAdjacentHTML('beforeend', '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" onload="window.injected = \'onload\'" onerror="window.injected = \'onerror\'">');
        await new Promise((resolve) => setTimeout(resolve, 300));
        return marks.injected;
      });
      expect(ran).toBe('no');
    } finally {
      await watched.context.close();
    }
  });
});
