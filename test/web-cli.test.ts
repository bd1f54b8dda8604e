import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { launchBrowser, openWatchedPage } from './support/browser';
import { startWebPageFixture, type WebPageFixture } from './support/web-page-fixture';
import { cliTestEnv } from './support/cli-process';

const CLI = path.join(__dirname, '..', 'bin', 'banguins.js');

/** A running `banguins` child: its JSON events as they come, and its exit. */
interface CliRun {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first JSON event of this type. */
  event(type: string): Promise<Record<string, unknown>>;
  /** Resolves with the exit code and stderr. */
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

function runCli(args: string[]): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { env: cliTestEnv({ NO_COLOR: '1' }) });
  const events: Record<string, unknown>[] = [];
  const waiters: { type: string; resolve: (event: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    events.push(event);
    for (const waiter of waiters.filter((w) => w.type === event.type)) waiter.resolve(event);
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return {
    child,
    event: (type) =>
      new Promise((resolve, reject) => {
        const seen = events.find((e) => e.type === type);
        if (seen) return resolve(seen);
        waiters.push({ type, resolve });
        void exit.then(({ code, stderr: err }) => reject(new Error(`banguins exited (${code}) before a "${type}" event: ${err}`)));
      }),
    exit,
  };
}

describe('web page and CLI interoperate through the local relay', () => {
  let fixture: WebPageFixture;
  let browser: Browser;
  let workDir: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'banguins-web-cli-'));
    [fixture, browser] = await Promise.all([startWebPageFixture(), launchBrowser()]);
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill();
    await browser?.close();
    await fixture?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('CLI to browser: the page opens the link `banguins send` printed and saves the file', async () => {
    const content = randomBytes(100_000);
    const file = path.join(workDir, 'from-cli.bin');
    fs.writeFileSync(file, content);
    const cli = runCli(['send', file, '--relay', fixture.relay.url, '--page-url', fixture.pageUrl, '--json']);
    children.push(cli.child);
    const link = String((await cli.event('link')).link);
    expect(link.startsWith(`${fixture.pageUrl}#`)).toBe(true);

    const receiver = await openWatchedPage(browser);
    const download = receiver.page.waitForEvent('download');
    await receiver.page.goto(link);
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('from-cli.bin');
    expect(fs.readFileSync(await saved.path()).equals(content)).toBe(true);
    await receiver.page.getByText('All files received').waitFor();
    expect(await cli.exit).toEqual({ code: 0, stderr: '' });
    expect(receiver.errors).toEqual([]);
    await receiver.context.close();
  });

  it('browser to CLI: `banguins receive` takes the link the page shows and writes the file', async () => {
    const content = randomBytes(90_000);
    const sender = await openWatchedPage(browser);
    await sender.page.goto(fixture.pageUrl);
    await sender.page.setInputFiles('#file-input', { name: 'from-page.bin', mimeType: 'application/octet-stream', buffer: content });
    const linkInput = sender.page.locator('#pairing-link');
    await linkInput.waitFor({ state: 'visible' });
    const link = await linkInput.inputValue();

    const outDir = path.join(workDir, 'received');
    fs.mkdirSync(outDir);
    const cli = runCli(['receive', link, '--out', outDir, '--json']);
    children.push(cli.child);
    expect(await cli.exit).toEqual({ code: 0, stderr: '' });
    expect(fs.readdirSync(outDir)).toEqual(['from-page.bin']);
    expect(fs.readFileSync(path.join(outDir, 'from-page.bin')).equals(content)).toBe(true);
    await sender.page.getByText('All files sent').waitFor();
    expect(sender.errors).toEqual([]);
    await sender.context.close();
  });
});
