import { createHash } from 'node:crypto';
import { openWatchedPage } from './support/browser';
import { MaliciousSender } from './support/malicious-sender';
import { usePageAndBrowser } from './support/web-page-fixture';

/** A character that must never be shown raw (bidi controls reorder what a person reads). */
const UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]|\p{Cs}/u;

describe('web page: a hostile sender cannot disguise names or messages', () => {
  const web = usePageAndBrowser();

  it('shows a bidi-laden cancel reason as visible escapes, and a bidi-laden file name as the name it is saved under', async () => {
    const { sender, link } = await MaliciousSender.start(web.fixture.relay.url);
    const receiver = await openWatchedPage(web.browser);
    try {
      await receiver.page.goto(link.replace('http://127.0.0.1/', web.fixture.pageUrl));
      await sender.pair();
      const content = new Uint8Array([1, 2, 3]);
      await sender.sendManifest([{ name: 'invoice\u202etxt.exe', size: content.length, sha256: new Uint8Array(createHash('sha256').update(content).digest()) }]);
      expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
      await sender.sendCancel('all good\u202e\u001b[2J');

      const alert = receiver.page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      const alertText = (await alert.textContent()) ?? '';
      expect(alertText).toContain('all good\\u202e\\x1b[2J');
      expect(alertText).not.toMatch(UNSAFE);
      // The list shows the name the file is saved under (client/safe-file-name.ts), as the CLI does.
      expect(await receiver.page.locator('.file-name').allTextContents()).toEqual(['invoice_txt.exe']);
    } finally {
      sender.close();
      await receiver.context.close();
    }
  });
});
