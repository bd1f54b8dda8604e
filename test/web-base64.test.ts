import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser';

/** protocol/base64.ts as the page bundles it, exposed as `window.base64`. */
async function base64Bundle(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(__dirname, '..', 'protocol', 'base64.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'base64',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

interface Base64Module {
  toBase64(bytes: Uint8Array): string;
  fromBase64(text: string): Uint8Array;
  fromBase64ThenVerify(text: string): Uint8Array;
}

describe("protocol/base64.ts in Chromium (the browsers' own base64)", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.addScriptTag({ content: await base64Bundle() });
  });
  afterAll(async () => browser?.close());

  const inPage = <T, A>(fn: (b64: Base64Module, arg: A) => T, arg: A): Promise<T> =>
    page.evaluate(({ source, arg }) => new Function('b64', 'arg', `return (${source})(b64, arg)`)((window as unknown as { base64: Base64Module }).base64, arg) as T, {
      source: fn.toString(),
      arg,
    });

  it('the page has them, and encodes and decodes as Node does, every length of a chunk\'s tail', async () => {
    expect(await page.evaluate(() => typeof (Uint8Array as { fromBase64?: unknown }).fromBase64)).toBe('function');
    const samples = [0, 1, 2, 3, 4, 5, 31, 32, 33, 24_092].map((n) => randomBytes(n));
    const encoded = await inPage((b64, arrays: number[][]) => arrays.map((a) => b64.toBase64(new Uint8Array(a))), samples.map((s) => [...s]));
    expect(encoded).toEqual(samples.map((s) => s.toString('base64')));
    const decoded = await inPage((b64, texts: string[]) => texts.map((t) => [...b64.fromBase64(t)]), encoded);
    expect(decoded).toEqual(samples.map((s) => [...s]));
  });

  it("fromBase64ThenVerify decodes a chunk with the browser's own decoder, and what it lets through is what the chunk's hash then refuses", async () => {
    const sealed = randomBytes(24_092);
    const text = sealed.toString('base64');
    expect(await inPage((b64, t: string) => [...b64.fromBase64ThenVerify(t)], text)).toEqual([...sealed]);
    // A character outside the alphabet throws (the receiver drops the chunk, as on a hash mismatch).
    const outcome = await inPage((b64, t: string) => {
      try {
        return [...b64.fromBase64ThenVerify(t)].length;
      } catch {
        return 'refused';
      }
    }, `${text.slice(0, 100)}*${text.slice(101)}`);
    expect(outcome).toBe('refused');
  });

  it('decodes base64url and unpadded text too', async () => {
    const bytes = randomBytes(100);
    const url = bytes.toString('base64url');
    expect(await inPage((b64, t: string) => [...b64.fromBase64(t)], url)).toEqual([...bytes]);
  });

  it.each(['QUJD RA==', 'QUJD\nRA==', 'QUJD*A==', 'QUJDR'])('refuses %p, as the loop does', async (text) => {
    expect(await inPage((b64, t: string) => { try { b64.fromBase64(t); return 'decoded'; } catch { return 'refused'; } }, text)).toBe('refused');
  });
});
