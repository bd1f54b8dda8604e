import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWatchedPage, type WatchedPage } from './support/browser';
import { usePageAndBrowser } from './support/web-page-fixture';

/** Where the screenshots go: the README's images with UPDATE_SCREENSHOTS=1, else test-output/ (a test run leaves the tree clean). */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS
  ? path.join(__dirname, '..', 'docs', 'images')
  : path.join(__dirname, '..', 'test-output', 'screenshots');

describe('web page: browser to browser through the local relay', () => {
  const web = usePageAndBrowser();

  it('sends two files from one page to another, byte for byte, with no console errors', async () => {
    const sender = await openWatchedPage(web.browser);
    const receiver = await openWatchedPage(web.browser, { viewport: { width: 390, height: 844 } });
    const big = randomBytes(300_000);
    const small = Buffer.from('hello from the sender page\n');

    await sender.page.goto(web.fixture.pageUrl);
    await sender.page.setInputFiles('#file-input', [
      { name: 'photo.bin', mimeType: 'application/octet-stream', buffer: big },
      { name: 'note.txt', mimeType: 'text/plain', buffer: small },
    ]);
    const link = await readPairingLink(sender);
    expect(link.startsWith(`${web.fixture.pageUrl}#`)).toBe(true);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await sender.page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-send.png'), fullPage: true });

    const downloads = collectDownloads(receiver, 2);
    await receiver.page.goto(link);
    const files = await downloads;
    expect(files.get('photo.bin')?.equals(big)).toBe(true);
    expect(files.get('note.txt')?.equals(small)).toBe(true);

    await receiver.page.getByText('All files received').waitFor();
    await sender.page.getByText('All files sent').waitFor();
    await receiver.page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-receive.png'), fullPage: true });
    expect(await receiver.page.locator('.file.done').count()).toBe(2);
    expect(sender.errors).toEqual([]);
    expect(receiver.errors).toEqual([]);
    await sender.context.close();
    await receiver.context.close();
  });
});

/** Waits for the sender page's pairing link (shown once the relay gave it a connection id). */
async function readPairingLink(sender: WatchedPage): Promise<string> {
  const input = sender.page.locator('#pairing-link');
  await input.waitFor({ state: 'visible' });
  return input.inputValue();
}

/** Resolves with the first `count` downloads of a page: suggested file name -> bytes. */
function collectDownloads(watched: WatchedPage, count: number): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, Buffer>();
    watched.page.on('download', (download) => {
      download
        .path()
        .then((file) => {
          files.set(download.suggestedFilename(), fs.readFileSync(file));
          if (files.size === count) resolve(files);
        })
        .catch(reject);
    });
  });
}
