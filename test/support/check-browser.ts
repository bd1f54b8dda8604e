/**
 * `npx tsx test/support/check-browser.ts`: launches the browser the tests would use and renders a
 * page; exits 0 when it works, 1 with one line when it does not. `.ci/run` calls it so a machine
 * where the bundled Chromium cannot start falls back to Debian's before the tests run.
 */
import { launchBrowser } from './browser';

async function main(): Promise<void> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setContent('<p id="ok">ok</p>');
    const text = await page.textContent('#ok');
    if (text !== 'ok') throw new Error(`the page rendered "${text}"`);
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.stdout.write('browser: starts and renders a page\n'),
  (error: unknown) => {
    process.stderr.write(`browser: cannot start: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}\n`);
    process.exit(1);
  },
);
