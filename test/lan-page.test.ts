/**
 * Issue 22: a phone on the same Wi-Fi. The browser opens the page under a name that is not
 * loopback (`laptop.test`, mapped to 127.0.0.1 by --host-resolver-rules, so nothing leaves this
 * machine), where Chromium applies the secure-context rules a phone on the LAN meets; the CLI on
 * the "laptop" is at the other end, with the same name mapped by test/support/map-hosts.cjs.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';
import { localRelayCertificateFiles } from '../cli/config-folder';
import { findFreePort } from '../local/free-port';
import { loadOrCreateRelayCertificate, type RelayCertificate } from '../local/tls-certificate';
import { runCliJson } from './support/cli-process';
import { launchBrowser, openWatchedPage } from './support/browser';
import { startRelayProcess } from './support/local-relay-process';
import { terminalQrImage } from './support/terminal-qr-image';
import { startWebPageFixture, type WebPageFixture } from './support/web-page-fixture';

const LAN_NAME = 'laptop.test';
/** Where the phone's screenshot goes: docs/images/ with UPDATE_SCREENSHOTS=1 (the README's), else test-output/. */
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS ? path.join(__dirname, '..', 'docs', 'images') : path.join(__dirname, '..', 'test-output', 'screenshots');
const MAP_HOSTS = path.join(__dirname, 'support', 'map-hosts.cjs');
const RELAY_KEY = 'lan-test-relay-key';

/** The base64 SHA-256 of a certificate's public key, as Chromium's --ignore-certificate-errors-spki-list takes it. */
function spkiHash(certificate: RelayCertificate): string {
  const der = new X509Certificate(certificate.cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

describe('the local relay from another device on the LAN (npm start --lan)', () => {
  let configHome: string;
  let workDir: string;
  let certificate: RelayCertificate;
  let port: number;
  let fixture: WebPageFixture;
  let browser: Browser;
  /** The CLI on the laptop: trusts the relay's certificate (same config folder) and resolves laptop.test. */
  let cliEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    configHome = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-lan-config-'));
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-lan-'));
    port = await findFreePort();
    certificate = await loadOrCreateRelayCertificate(localRelayCertificateFiles(path.join(configHome, 'banguins')), ['localhost', '127.0.0.1', LAN_NAME]);
    cliEnv = { XDG_CONFIG_HOME: configHome, NODE_OPTIONS: `--require ${MAP_HOSTS}`, BANGUINS_TEST_HOSTS: `${LAN_NAME}=127.0.0.1` };
    [fixture, browser] = await Promise.all([
      startWebPageFixture({ port, tls: certificate, publicUrl: `https://${LAN_NAME}:${port}/`, relayKey: RELAY_KEY }),
      // The phone accepted the relay's certificate once (its warning page): here, by its key's hash.
      launchBrowser({ args: [`--host-resolver-rules=MAP ${LAN_NAME} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spkiHash(certificate)}`] }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await fixture?.close();
    fs.rmSync(configHome, { recursive: true, force: true });
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('sends a page opened over plain http on the LAN name to https, where WebCrypto and the camera exist', async () => {
    const phone = await openWatchedPage(browser);
    await phone.page.goto(`http://${LAN_NAME}:${port}/`);
    expect(phone.page.url()).toBe(`https://${LAN_NAME}:${port}/`);
    expect(await phone.page.evaluate(() => window.isSecureContext && typeof crypto.subtle?.encrypt === 'function' && typeof navigator.mediaDevices?.getUserMedia === 'function')).toBe(true);
    await phone.page.locator('#drop-zone').waitFor({ state: 'visible' });
    expect(await phone.page.locator('#error').isVisible()).toBe(false);
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('plain http on a LAN name is what a phone refuses: the page says to open the https address', async () => {
    // The same page over plain http to a non-loopback name, without the redirect: a file server of our own.
    const phone = await openWatchedPage(browser);
    await phone.page.route(`http://${LAN_NAME}:1/**`, (route) => {
      const pathname = new URL(route.request().url()).pathname;
      if (pathname === '/config.json') return route.fulfill({ json: { relayUrl: `ws://${LAN_NAME}:1` } });
      return route.fulfill({ path: path.join(fixture.distDir, pathname === '/' ? 'index.html' : pathname) });
    });
    await phone.page.goto(`http://${LAN_NAME}:1/`);
    expect(await phone.page.evaluate(() => window.isSecureContext)).toBe(false);
    await phone.page.getByText('npm start -- --lan').waitFor();
    await phone.context.close();
  });

  it('laptop CLI to phone: `banguins send` names the LAN page and relay in its link, and the phone saves the file', async () => {
    const content = randomBytes(150_000);
    const file = path.join(workDir, 'to-phone.bin');
    fs.writeFileSync(file, content);
    let link = '';
    const sender = runCliJson(['send', file, '--relay', fixture.relay.url, '--json'], (event) => {
      if (event.type === 'link') link = String(event.link);
    }, cliEnv);
    const phone = await openWatchedPage(browser);
    while (!link) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(link.startsWith(`https://${LAN_NAME}:${port}/#`)).toBe(true);
    expect(new URLSearchParams(link.split('#')[1]).get('relay')).toBe(`wss://${LAN_NAME}:${port}/?key=${RELAY_KEY}`);

    const download = phone.page.waitForEvent('download');
    await phone.page.goto(link);
    const saved = await download;
    expect(fs.readFileSync(await saved.path()).equals(content)).toBe(true);
    await phone.page.getByText('All files received').waitFor();
    const done = await sender.done;
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('phone to laptop CLI: the page at https://laptop.test sends, and `banguins receive` opens its wss:// link with the relay\'s own certificate', async () => {
    const content = randomBytes(120_000);
    const phone = await openWatchedPage(browser);
    await phone.page.goto(fixture.relay.publicPageUrl!);
    await phone.page.setInputFiles('#file-input', { name: 'from-phone.bin', mimeType: 'application/octet-stream', buffer: content });
    const linkInput = phone.page.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const link = await linkInput.inputValue();
    expect(link.startsWith(`https://${LAN_NAME}:${port}/#`)).toBe(true);
    expect(new URLSearchParams(link.split('#')[1]).get('relay')).toBe(`wss://${LAN_NAME}:${port}/?key=${RELAY_KEY}`);

    const outDir = path.join(workDir, 'from-phone');
    fs.mkdirSync(outDir);
    const receiver = runCliJson(['receive', link, '--out', outDir, '--json'], undefined, cliEnv);
    const done = await receiver.done;
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fs.readFileSync(path.join(outDir, 'from-phone.bin')).equals(content)).toBe(true);
    await phone.page.getByText('All files sent').waitFor();
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('a CLI that does not hold the relay\'s certificate refuses the LAN link rather than trust it', async () => {
    const phone = await openWatchedPage(browser);
    await phone.page.goto(fixture.relay.publicPageUrl!);
    await phone.page.setInputFiles('#file-input', { name: 'x.bin', mimeType: 'application/octet-stream', buffer: randomBytes(1000) });
    const linkInput = phone.page.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const otherConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-lan-other-'));
    const receiver = runCliJson(['receive', await linkInput.inputValue(), '--out', workDir, '--json'], undefined, { ...cliEnv, XDG_CONFIG_HOME: otherConfig });
    const done = await receiver.done;
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/its certificate is not one this computer trusts \(self-signed certificate\)/);
    expect(done.stderr).not.toContain(RELAY_KEY);
    fs.rmSync(otherConfig, { recursive: true, force: true });
    await phone.context.close();
  });

  it('laptop page to phone: the page opened at http://127.0.0.1 makes links that name the LAN page', async () => {
    const content = randomBytes(80_000);
    const laptop = await openWatchedPage(browser);
    await laptop.page.goto(fixture.pageUrl);
    await laptop.page.setInputFiles('#file-input', { name: 'laptop.bin', mimeType: 'application/octet-stream', buffer: content });
    const linkInput = laptop.page.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const link = await linkInput.inputValue();
    expect(link.startsWith(`https://${LAN_NAME}:${port}/#`)).toBe(true);

    const phone = await openWatchedPage(browser, { viewport: { width: 390, height: 844 } });
    const download = phone.page.waitForEvent('download');
    await phone.page.goto(link);
    expect(fs.readFileSync(await (await download).path()).equals(content)).toBe(true);
    await laptop.page.getByText('All files sent').waitFor();
    await phone.page.getByText('All files received').waitFor();
    expect(phone.page.url().startsWith(`https://${LAN_NAME}:${port}/`)).toBe(true);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await phone.page.screenshot({ path: path.join(SCREENSHOT_DIR, 'web-lan-phone.png'), fullPage: true });
    expect([...laptop.errors, ...phone.errors]).toEqual([]);
    await Promise.all([laptop.context.close(), phone.context.close()]);
  });

  it('npm start prints the LAN address and a QR code that decodes to it, and the address opens over https', async () => {
    const relayPort = await findFreePort();
    const url = `https://${LAN_NAME}:${relayPort}/`;
    // A config folder of its own: npm start makes its certificate (and key) there.
    const startConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-lan-start-'));
    const relay = await startRelayProcess(['--port', String(relayPort), '--tls', '--public-url', url, '--require-key'], { XDG_CONFIG_HOME: startConfig });
    try {
      const at = relay.lines.findIndex((line) => line.startsWith('On your network: '));
      expect(at).toBeGreaterThanOrEqual(0);
      const printed = relay.lines[at]!.slice('On your network: '.length);
      expect(printed.startsWith(`${url}#relaykey=`)).toBe(true);
      const afterAddress = relay.lines.slice(at + 1);
      const qrStart = afterAddress.findIndex((line) => /^[█▀▄ ]+$/.test(line));
      const qrLength = afterAddress.slice(qrStart).findIndex((line) => !/^[█▀▄ ]+$/.test(line));
      const decoded = jsQR(...qrImageArgs(afterAddress.slice(qrStart, qrStart + qrLength).join('\n')), { inversionAttempts: 'dontInvert' })?.data;
      expect(decoded).toBe(printed);
      const kept = new X509Certificate(fs.readFileSync(localRelayCertificateFiles(path.join(startConfig, 'banguins')).cert));
      expect(relay.lines.join('\n')).toContain(kept.fingerprint256);
      expect(kept.checkHost(LAN_NAME)).toBe(LAN_NAME);

      // The phone went past the warning for this certificate: here, a context that accepts it.
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const phone = await context.newPage();
      await phone.goto(new URL('config.json', decoded!).toString());
      expect(JSON.parse((await phone.locator('body').textContent()) ?? '')).toMatchObject({ relayUrl: `wss://${LAN_NAME}:${relayPort}`, linkPageUrl: url });
      await context.close();
    } finally {
      await relay.stop();
      fs.rmSync(startConfig, { recursive: true, force: true });
    }
  });
});

describe('npm start --public-url: refused unless an http(s) address with nothing to hide', () => {
  it.each(['javascript:alert(1)', 'https://user:pw@laptop.test/', 'https://laptop.test/?key=x', 'not a url'])('refuses %s with one line naming the option', async (value) => {
    await expect(startRelayProcess(['--public-url', value, '--quiet'])).rejects.toThrow(/--public-url <url>' argument .* is invalid\. expected an http:\/\/ or https:\/\/ URL/);
  });
});

/** jsQR's first three arguments for a QR code as a dark terminal shows it. */
function qrImageArgs(code: string): [Uint8ClampedArray, number, number] {
  const image = terminalQrImage(code);
  return [image.data, image.width, image.height];
}
