import type { FileChooser } from 'playwright-core';
import { openWatchedPage } from './support/browser';
import { usePageAndBrowser } from './support/web-page-fixture';

const PHONE = { width: 360, height: 640 };

describe('web page: keyboard and small screens', () => {
  const web = usePageAndBrowser();

  it('reaches every control of the start screen with Tab, and opens the file picker with the keyboard', async () => {
    const watched = await openWatchedPage(web.browser);
    // Listen before anything else: Playwright turns file-chooser interception on asynchronously,
    // and a chooser opened before that is lost.
    const chooser = new Promise<FileChooser>((resolve) => watched.page.once('filechooser', resolve));
    await watched.page.goto(web.fixture.pageUrl);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await watched.page.keyboard.press('Tab');
      order.push(await watched.page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || ''));
    }
    expect(order).toEqual(['file-input', 'scan-button', 'link-input', 'Receive']);

    await watched.page.keyboard.press('Shift+Tab');
    await watched.page.keyboard.press('Shift+Tab');
    await watched.page.keyboard.press('Shift+Tab');
    // The file input is visually hidden: its label shows the focus ring instead.
    const outline = await watched.page.locator('#drop-zone').evaluate((label) => getComputedStyle(label).outlineStyle);
    expect(outline).toBe('solid');
    await watched.page.keyboard.press('Space');
    expect((await chooser).isMultiple()).toBe(true);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('fits a 360 px wide phone screen without sideways scrolling, with the QR code and link visible', async () => {
    const watched = await openWatchedPage(web.browser, { viewport: PHONE });
    await watched.page.goto(web.fixture.pageUrl);
    const overflow = (): Promise<number> => watched.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(await overflow()).toBe(0);

    await watched.page.setInputFiles('#file-input', { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') });
    await watched.page.locator('#pairing-link').waitFor({ state: 'visible' });
    expect(await overflow()).toBe(0);
    const qr = await watched.page.locator('#qr-code').boundingBox();
    expect(qr).not.toBeNull();
    expect(qr!.x).toBeGreaterThanOrEqual(0);
    expect(qr!.x + qr!.width).toBeLessThanOrEqual(PHONE.width);
    expect(qr!.width).toBeGreaterThan(200);
    expect(await watched.page.getByRole('button', { name: 'Copy' }).isVisible()).toBe(true);
    expect(watched.errors).toEqual([]);
    await watched.context.close();
  });

  it('puts the desktop start screen in two columns, send beside receive', async () => {
    const watched = await openWatchedPage(web.browser, { viewport: { width: 1280, height: 800 } });
    await watched.page.goto(web.fixture.pageUrl);
    const send = await watched.page.getByRole('heading', { name: 'Send' }).boundingBox();
    const receive = await watched.page.getByRole('heading', { name: 'Receive', exact: true }).boundingBox();
    expect(send!.y).toBeCloseTo(receive!.y, 0);
    expect(receive!.x).toBeGreaterThan(send!.x + 300);
    await watched.context.close();
  });
});
