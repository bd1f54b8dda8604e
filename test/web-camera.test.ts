import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, openWatchedPage } from './support/browser';
import { startWebPageFixture, type WebPageFixture } from './support/web-page-fixture';
import { qrCodeImage, writeY4m } from './support/y4m';

describe('web page: the receiver scans the QR code with its camera', () => {
  let fixture: WebPageFixture;
  let senderBrowser: Browser;
  let receiverBrowser: Browser | undefined;
  let workDir: string;

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-camera-'));
    [fixture, senderBrowser] = await Promise.all([startWebPageFixture(), launchBrowser()]);
  });

  afterAll(async () => {
    await receiverBrowser?.close();
    await senderBrowser?.close();
    await fixture?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('decodes the sender QR code from the fake camera and receives the file', async () => {
    const sender = await openWatchedPage(senderBrowser);
    const content = randomBytes(70_000);
    await sender.page.goto(fixture.pageUrl);
    await sender.page.setInputFiles('#file-input', { name: 'scanned.bin', mimeType: 'application/octet-stream', buffer: content });
    const linkInput = sender.page.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const link = await linkInput.inputValue();

    // The camera sees the QR code of the link, as it would if pointed at the sender's screen.
    const video = path.join(workDir, 'qr.y4m');
    writeY4m(video, qrCodeImage(link, 640, 480, 6));
    receiverBrowser = await launchBrowser({ fakeCameraFile: video });
    const receiver = await openWatchedPage(receiverBrowser, { camera: true, origin: new URL(fixture.pageUrl).origin, viewport: { width: 390, height: 844 } });
    await receiver.page.goto(fixture.pageUrl);
    const download = receiver.page.waitForEvent('download');
    await receiver.page.getByRole('button', { name: 'Scan QR code' }).click();

    const file = await download;
    expect(file.suggestedFilename()).toBe('scanned.bin');
    expect(fs.readFileSync(await file.path()).equals(content)).toBe(true);
    await receiver.page.getByText('All files received').waitFor();
    await sender.page.getByText('All files sent').waitFor();
    expect(await receiver.page.locator('#camera').evaluate((video: HTMLVideoElement) => video.srcObject)).toBeNull();
    expect(sender.errors).toEqual([]);
    expect(receiver.errors).toEqual([]);
  });
});
