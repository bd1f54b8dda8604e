import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sendFiles, type ByteSource } from '../client';
import { NODE_WS } from '../support/node-client';
import { startRelayInTheMiddle } from '../support/relay-in-the-middle';
import { openWatchedPage, type WatchedPage } from './support/browser';
import { runCliJson } from './support/cli-process';
import { usePageAndBrowser } from './support/web-page-fixture';

/** Records every status line the page shows, to check transient ones such as the countdown. */
const TRACK_STATUS = `
  window.__statuses = [];
  document.addEventListener('DOMContentLoaded', () => {
    const status = document.getElementById('status');
    new MutationObserver(() => window.__statuses.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
  });
`;

const statusesOf = (watched: WatchedPage): Promise<string[]> => watched.page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);

/** Every "(gives up in m:ss)" among `statuses`, in seconds, in the order shown. */
function countdownSeconds(statuses: readonly string[]): number[] {
  return statuses.flatMap((s) => [...s.matchAll(/\(gives up in (\d+):(\d\d)\)/g)].map((m) => Number(m[1]) * 60 + Number(m[2])));
}

/** A file whose reads never finish: its sender stays paired and waiting. */
const heldSource: ByteSource = { size: 1000, read: () => new Promise<Uint8Array>(() => undefined) };

describe('web page: long waits count down, Cancel works during them, and a damaged file is named', () => {
  const env = usePageAndBrowser();

  it('while its relay is away the page counts down to giving up, and Cancel ends the session at once, saying so', async () => {
    const proxy = await startRelayInTheMiddle(env.fixture.relay.url);
    const stopSender = new AbortController();
    const receiver = await openWatchedPage(env.browser);
    try {
      // GIVEN a page receiving through a relay path the test can take away for good
      let gotLink!: (link: string) => void;
      const linked = new Promise<string>((resolve) => (gotLink = resolve));
      sendFiles({
        relayUrl: env.fixture.relay.url,
        WebSocket: NODE_WS,
        files: [{ name: 'held.bin', source: heldSource }],
        signal: stopSender.signal,
        onEvent: (event) => event.type === 'link' && gotLink(event.link),
      }).catch(() => undefined);
      const link = (await linked).replace(/relay=[^&]+/, `relay=${encodeURIComponent(proxy.url)}`);
      await receiver.context.addInitScript(TRACK_STATUS);
      await receiver.page.goto(link);
      await receiver.page.getByText('Connected. Waiting for the list of files…').waitFor();

      // WHEN the relay goes away
      await proxy.close();
      // THEN the status line counts down from 2:00, once a second
      await receiver.page.waitForFunction(() => {
        const shown = (window as unknown as { __statuses: string[] }).__statuses.filter((s) => s.includes('gives up in'));
        return new Set(shown).size >= 3;
      });
      const statuses = await statusesOf(receiver);
      expect(statuses).toContain('Connection lost. Reconnecting… (gives up in 2:00)');
      const seconds = countdownSeconds(statuses);
      expect(seconds[0]).toBe(120);
      expect(seconds.every((s, i) => i === 0 || s < seconds[i - 1]!)).toBe(true);
      expect(await receiver.page.locator('#cancel-button').isVisible()).toBe(true);

      // WHEN the person presses Cancel during the wait
      await receiver.page.locator('#cancel-button').click();
      // THEN the session ends (not 2 minutes later), the page says it was cancelled, and the countdown stays stopped
      await receiver.page.locator('#status', { hasText: /^Cancelled\.$/ }).waitFor();
      expect(await receiver.page.locator('#again-button').isVisible()).toBe(true);
      expect(await receiver.page.locator('#cancel-button').isVisible()).toBe(false);
      const countAtCancel = (await statusesOf(receiver)).length;
      // Two ticks of the countdown's clock: a countdown still running would draw over "Cancelled." by then.
      await receiver.page.waitForTimeout(2200);
      expect((await statusesOf(receiver)).slice(countAtCancel)).toEqual([]);
      expect(await receiver.page.locator('#status').textContent()).toBe('Cancelled.');
      // Chromium logs each refused reconnection itself; the page logs nothing else.
      expect(receiver.errors.filter((e) => !/WebSocket connection to .* failed/.test(e))).toEqual([]);
    } finally {
      stopSender.abort();
      await receiver.context.close();
      await proxy.close();
    }
  });

  it('CLI to page: a file that changed after the CLI hashed it is refused by the page, and both name it at once', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'banguins-web-damaged-'));
    const receiver = await openWatchedPage(env.browser);
    try {
      // GIVEN `banguins send photo.jpg`, whose file changes after it was hashed (same size)
      const file = path.join(work, 'photo.jpg');
      writeFileSync(file, randomBytes(150_000));
      let gotLink!: (link: string) => void;
      const linked = new Promise<string>((resolve) => (gotLink = resolve));
      const sender = runCliJson(['send', file, '--relay', env.fixture.relay.url, '--page-url', env.fixture.pageUrl, '--json'], (event) => {
        if (event.type === 'link') gotLink(event.link as string);
      });
      const link = await linked;
      writeFileSync(file, randomBytes(150_000));
      let downloads = 0;
      receiver.page.on('download', () => downloads++);

      // WHEN the page receives it
      await receiver.page.goto(link);

      // THEN the page names the file, saves nothing, and the CLI hears at once (its other waits are 2 minutes)
      const alert = receiver.page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      expect(await alert.textContent()).toBe('photo.jpg arrived damaged (its SHA-256 differs from the one announced); nothing was saved; send it again.');
      expect(await receiver.page.locator('#status').textContent()).toBe('The transfer stopped.');
      const sent = await sender.done;
      expect(sent.code).toBe(1);
      expect(sent.stderr).toBe(
        'banguins: photo.jpg arrived damaged at the receiver (its SHA-256 differs from the one announced: did the file change while it was being sent?); the receiver saved nothing; send it again\n',
      );
      expect(downloads).toBe(0);
      expect(receiver.errors).toEqual([]);
    } finally {
      await receiver.context.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
