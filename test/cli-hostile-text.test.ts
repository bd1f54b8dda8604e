import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import { runCli, type FinishedCli } from './support/cli-process';
import { MaliciousSender } from './support/malicious-sender';
import { startRelayInTheMiddle, type RelayInTheMiddle } from '../support/relay-in-the-middle';
import { startTestRelay } from './support/start-test-relay';

// Text a peer or the relay chose reaches the terminal of a real `banguins` process escaped: no ESC
// (CSI, OSC 52 to the clipboard), no C1 control (0x9b is CSI too), no bidi control, no U+2028.

/** A character that must never reach a terminal raw (a line's own newline is split off first). */
const UNSAFE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]|\p{Cs}/u;

/** What an attacker puts in a cancel reason: write the clipboard, clear the screen, fake a success in red. */
const HOSTILE_REASON = 'bye\u001b]52;c;SGVsbG8=\u0007\u001b[2J\u001b[1;31mFAKE: all good\u009b31m\u202e';

const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

function expectNothingRaw(result: FinishedCli): void {
  for (const line of `${result.stdout}${result.stderr}`.split('\n')) expect(line).not.toMatch(UNSAFE);
}

function stderrLines(result: FinishedCli): string[] {
  return result.stderr.trim().split('\n');
}

describe('banguins prints what a hostile peer or relay says without letting it drive the terminal', () => {
  let relay: LocalRelay;
  let mitm: RelayInTheMiddle;
  let work: string;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.close();
  });
  beforeEach(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'banguins-hostile-text-'));
    mitm = await startRelayInTheMiddle(relay.url);
  });
  afterEach(async () => {
    await mitm.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** A real `banguins receive` paired with a fake sender that has sent a manifest of `names`; `drive` plays the sender. */
  async function receiveFrom(names: readonly string[], drive: (sender: MaliciousSender, contents: Uint8Array[]) => Promise<void>, extra: string[] = []): Promise<FinishedCli> {
    const contents = names.map((_, i) => randomBytes(10 + i));
    const { sender, link } = await MaliciousSender.start(mitm.url);
    try {
      const { done } = runCli(['receive', link, '--out', work, ...extra]);
      await sender.pair();
      await sender.sendManifest(names.map((name, i) => ({ name, size: contents[i]!.length, sha256: sha(contents[i]!) })));
      await drive(sender, contents);
      return await done;
    } finally {
      sender.close();
    }
  }

  async function sendEveryFile(sender: MaliciousSender, contents: readonly Uint8Array[]): Promise<void> {
    expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
    for (const [i, content] of contents.entries()) {
      await sender.sendStream(`f${i}`, content);
      expect(await sender.awaitSuccessOrCancel(`f${i}`)).toBe('success');
    }
    await sender.sendBye();
  }

  const hostileNames = ['a\u001b[31mred.txt', 'invoice\u202etxt.exe', 'csi\u009b31m.txt', 'sep\u2028line.txt'];
  const savedNames = ['a_[31mred.txt', 'invoice_txt.exe', 'csi_31m.txt', 'sep_line.txt'];

  it('names each file as saved on disk in the Receiving and Received lines, never as the sender wrote it', async () => {
    const result = await receiveFrom(hostileNames, sendEveryFile);
    expect(result.code).toBe(0);
    expectNothingRaw(result);
    expect(readdirSync(work).sort()).toEqual([...savedNames].sort());
    const lines = result.stdout.split('\n');
    expect(lines).toContain(`Receiving 4 file(s), 46 B: ${savedNames.join(', ')}`);
    for (const [i, name] of savedNames.entries()) expect(lines).toContain(`Received ${name} (${10 + i} B)`);
  });

  it('with --json keeps the sender names exact but JSON-escaped, with each saved name beside them', async () => {
    const result = await receiveFrom(hostileNames, sendEveryFile, ['--json']);
    expect(result.code).toBe(0);
    expectNothingRaw(result);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const files = events.find((e) => e.type === 'files') as { files: { name: string; savedAs: string }[] };
    expect(files.files.map((f) => f.name)).toEqual(hostileNames);
    expect(files.files.map((f) => f.savedAs)).toEqual(savedNames);
    expect(events.filter((e) => e.type === 'file-done').map((e) => e.savedAs)).toEqual(savedNames);
  });

  it('shows a cancel reason full of escape sequences as visible text, on one line', async () => {
    const result = await receiveFrom(['plain.txt'], async (sender) => {
      expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
      await sender.sendCancel(HOSTILE_REASON);
    });
    expect(result.code).toBe(1);
    expectNothingRaw(result);
    expect(stderrLines(result)).toEqual(['banguins: the sender cancelled: bye\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J\\x1b[1;31mFAKE: all good\\x9b31m\\u202e']);
  });

  it('with --json reports the cancel reason exactly, escaped as JSON', async () => {
    const result = await receiveFrom(
      ['plain.txt'],
      async (sender) => {
        expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
        await sender.sendCancel(HOSTILE_REASON);
      },
      ['--json'],
    );
    expect(result.code).toBe(1);
    expectNothingRaw(result);
    const error = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; message?: string })
      .find((e) => e.type === 'error');
    expect(error?.message).toBe(`the sender cancelled: ${HOSTILE_REASON}`);
  });

  it("escapes a relay Error frame's code and reason when it refuses the sender's Connect", async () => {
    mitm.setRewriter((text, direction) =>
      direction === 'to-client' && text.includes('"action":"Connect"')
        ? { replaceWith: [JSON.stringify({ action: 'Error', message: { code: 'Evil\u001b[2J', reason: '\u001b]52;c;SGVsbG8=\u0007\u009b31mFAKE\u2029', request: 'Connect' } })] }
        : 'pass',
    );
    const file = path.join(work, 'mine.txt');
    writeFileSync(file, 'mine');
    const result = await runCli(['send', file, '--relay', mitm.url]).done;
    expect(result.code).toBe(1);
    expectNothingRaw(result);
    expect(stderrLines(result)).toEqual([expect.stringMatching(/^banguins: .*the relay answered Evil\\x1b\[2J to Connect: \\x1b\]52;c;SGVsbG8=\\x07\\x9b31mFAKE\\u2029$/)]);
  });

  it('escapes a relay Error frame forged in the middle of a session', async () => {
    const result = await receiveFrom(['plain.txt'], async (sender) => {
      expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
      // The receiver's socket is the proxy's second: the sender's came first.
      mitm.connections[1]!.toClient(JSON.stringify({ action: 'Error', message: { code: 'Odd\u009b2J\u001b[0m', reason: 'line\r\nbanguins: all good\u200f', request: 'Acknowledge' } }));
    });
    expect(result.code).toBe(1);
    expectNothingRaw(result);
    expect(stderrLines(result)).toEqual([expect.stringContaining('the relay answered Odd\\x9b2J\\x1b[0m to Acknowledge: line\\x0d')]);
  });
});
