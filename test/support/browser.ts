import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';

// Which Chromium, and its flags (the WebRTC ones among them, with why): support/browser/launch-browser.ts,
// shared with bench/browser-direct.ts.
export { launchBrowser } from '../../support/browser/launch-browser';

/** A page plus every console error and uncaught exception it produced. */
export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and page errors, as text, in the order they happened. */
  readonly errors: string[];
}

/** Opens a new context and page of `browser` (camera allowed when `camera`), collecting console errors. */
export async function openWatchedPage(
  browser: Browser,
  options: { readonly camera?: boolean; readonly viewport?: { width: number; height: number }; readonly origin?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 900 }, acceptDownloads: true });
  if (options.camera) await context.grantPermissions(['camera'], options.origin ? { origin: options.origin } : undefined);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error: Error) => errors.push(`pageerror: ${error.message}`));
  return { context, page, errors };
}
