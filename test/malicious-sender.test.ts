import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import type { LocalRelay } from '../local/local-relay';
import { MaliciousSender, type HostileManifestFile } from './support/malicious-sender';
import { startTestRelay } from './support/start-test-relay';
import { cliTestEnv } from './support/cli-process';

// A real `banguins receive --out DIR` process against a fake sender that holds the link's secret.
const BIN = path.join(__dirname, '..', 'bin', 'banguins.js');

interface Finished {
  readonly code: number | null;
  readonly stderr: string;
}

function receive(link: string, out: string, extra: string[] = []): Promise<Finished> {
  const child = spawn(process.execPath, [BIN, 'receive', link, '--out', out, ...extra], { stdio: ['ignore', 'ignore', 'pipe'], env: cliTestEnv() });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

const sha = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(bytes).digest());

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      out.push(rel);
      if (entry.isDirectory()) walk(rel);
    }
  };
  walk('');
  return out.sort();
}

describe('banguins receive against a malicious sender', () => {
  let relay: LocalRelay;
  let parent: string;
  let out: string;

  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.close();
  });
  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'banguins-hostile-'));
    out = path.join(parent, 'out');
    mkdirSync(out);
    writeFileSync(path.join(parent, 'keep.txt'), 'mine');
  });
  afterEach(() => {
    rmSync(parent, { recursive: true, force: true });
  });

  /** Pairs a fake sender with a real receiver, sends the manifest, and gives both to `drive`. */
  async function session(files: readonly HostileManifestFile[], drive: (sender: MaliciousSender) => Promise<void>, extra: string[] = []): Promise<Finished> {
    const { sender, link } = await MaliciousSender.start(relay.url);
    try {
      const receiver = receive(link, out, extra);
      await sender.pair();
      await sender.sendManifest(files);
      await drive(sender);
      return await receiver;
    } finally {
      sender.close();
    }
  }

  /** Sends each file in order after the previous success, then bye; stops at a cancel. */
  async function sendAll(sender: MaliciousSender, contents: readonly Uint8Array[]): Promise<string> {
    let answer = await sender.awaitSuccessOrCancel('manifest');
    for (let i = 0; answer === 'success' && i < contents.length; i++) {
      await sender.sendStream(`f${i}`, contents[i]!);
      answer = await sender.awaitSuccessOrCancel(`f${i}`);
    }
    if (answer === 'success') await sender.sendBye();
    return answer;
  }

  /** Nothing was written beside `out`, and no partial file is left in it. */
  function expectConfined(): void {
    expect(readdirSync(parent).sort()).toEqual(['keep.txt', 'out']);
    expect(readFileSync(path.join(parent, 'keep.txt'), 'utf8')).toBe('mine');
    expect(tree(out).filter((p) => p.includes('.banguins-partial'))).toEqual([]);
    expect(tree(out).every((p) => statSync(path.join(out, p)).isFile())).toBe(true);
  }

  function expectOneLine(result: Finished, pattern: RegExp): void {
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(pattern)]);
  }

  it('keeps path-traversal, absolute, NUL, reserved, very long, duplicate and case-only names inside --out', async () => {
    const names = ['../x', '/etc/banguins-x', 'a/../../x', 'C:\\evil\\x.txt', 'nul\u0000byte.txt', 'CON', 'aux.txt', 'lpt1', 'n'.repeat(10_000), 'dup.txt', 'dup.txt', 'Case.txt', 'case.txt', '..', ' . ', 'trail. ', 'sneaky.txt.banguins-partial'];
    const contents = names.map((_, i) => randomBytes(100 + i));
    const result = await session(
      names.map((name, i) => ({ name, size: contents[i]!.length, sha256: sha(contents[i]!) })),
      (sender) => sendAll(sender, contents).then(() => undefined),
    );
    expect(result).toEqual({ code: 0, stderr: '' });
    expectConfined();
    expect(existsSync('/etc/banguins-x')).toBe(false);
    const saved = readdirSync(out);
    expect(saved).toHaveLength(names.length);
    expect(new Set(saved.map((n) => n.normalize('NFC').toLowerCase())).size).toBe(names.length);
    for (const name of saved) {
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
      expect([...name].some((c) => c.charCodeAt(0) < 0x20 || c === '/' || c === '\\')).toBe(false);
      expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
      expect(name).not.toMatch(/[. ]$/);
    }
    // Every file holds exactly the bytes sent for it (none mixed up, none truncated).
    const stored = new Set(saved.map((n) => readFileSync(path.join(out, n)).toString('base64')));
    for (const content of contents) expect(stored.has(Buffer.from(content).toString('base64'))).toBe(true);
  });

  it('does not overwrite an existing file reached through a hostile name without --force', async () => {
    writeFileSync(path.join(out, 'exists.txt'), 'original');
    const content = randomBytes(50);
    const result = await session([{ name: '../out/exists.txt', size: content.length, sha256: sha(content) }], (sender) => sendAll(sender, [content]).then(() => undefined));
    expectOneLine(result, /^banguins: .*exists\.txt already exists \(use --force/);
    expect(readFileSync(path.join(out, 'exists.txt'), 'utf8')).toBe('original');
    expectConfined();
  });

  it('refuses a huge declared size before writing anything', async () => {
    const result = await session([{ name: 'huge.bin', size: Number.MAX_SAFE_INTEGER, sha256: sha(new Uint8Array()) }], async (sender) => {
      expect(await sender.awaitSuccessOrCancel('manifest')).toMatch(/free|space/i);
    });
    expectOneLine(result, /^banguins: .*(free|space)/i);
    expect(readdirSync(out)).toEqual([]);
    expectConfined();
  });

  it('refuses a manifest whose sizes add up past what can be counted', async () => {
    const file = { name: 'a', size: 2 ** 52, sha256: sha(new Uint8Array()) };
    // The receiver stops at the manifest, and tells the sender why
    const result = await session([file, { ...file, name: 'b' }, { ...file, name: 'c' }], async (sender) => {
      expect(await sender.awaitSuccessOrCancel('manifest')).toMatch(/9 PB/);
    });
    expectOneLine(result, /^banguins: .*9 PB/);
    expect(readdirSync(out)).toEqual([]);
    expectConfined();
  });

  it('ignores out-of-range, tampered and replayed chunks, and saves only the real bytes', async () => {
    const content = randomBytes(CHUNK_PLAINTEXT_BYTES + 500); // two chunks
    const other = randomBytes(300);
    const first = content.subarray(0, CHUNK_PLAINTEXT_BYTES);
    const second = content.subarray(CHUNK_PLAINTEXT_BYTES);
    const result = await session(
      [
        { name: 'real.bin', size: content.length, sha256: sha(content) },
        { name: 'other.bin', size: other.length, sha256: sha(other) },
      ],
      async (sender) => {
        expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
        // Out of range for the manifest (the relay itself refuses chunkid >= chunktotal).
        await sender.sendChunk({ fileid: 'f0', chunkid: 5, chunktotal: 9, plaintext: first });
        await sender.sendChunk({ fileid: 'f0', chunkid: 1000, chunktotal: 2, plaintext: first });
        await sender.sendChunk({ fileid: 'f7', chunkid: 0, chunktotal: 1, plaintext: first });
        // Tampered.
        await sender.sendChunk({ fileid: 'f0', chunkid: 0, chunktotal: 2, plaintext: first, tamper: 'bad-hash' });
        await sender.sendChunk({ fileid: 'f0', chunkid: 0, chunktotal: 2, plaintext: first, tamper: 'bad-tag' });
        // Replayed from another position and from another file.
        await sender.sendChunk({ fileid: 'f0', chunkid: 0, chunktotal: 2, plaintext: second, sealedFor: { fileid: 'f0', chunkid: 1, chunktotal: 2 } });
        await sender.sendChunk({ fileid: 'f0', chunkid: 0, chunktotal: 2, plaintext: other, sealedFor: { fileid: 'f1', chunkid: 0, chunktotal: 1 } });
        await sender.sendChunk({ fileid: 'f0', chunkid: 1, chunktotal: 2, plaintext: first, sealedFor: { fileid: 'f0', chunkid: 0, chunktotal: 2 } });
        // A spoofed ack from the sender's side must not confuse the receiver.
        sender.sendAcknowledge({ success: true, missingchunkids: [], fileid: 'f0', receivedthrough: 1 });
        expect(sender.lastAck('f0')?.success ?? false).toBe(false);
        await sender.sendStream('f0', content);
        expect(await sender.awaitSuccessOrCancel('f0')).toBe('success');
        // A replay of f0's chunk as f1, then the real f1.
        await sender.sendChunk({ fileid: 'f1', chunkid: 0, chunktotal: 1, plaintext: second, sealedFor: { fileid: 'f0', chunkid: 1, chunktotal: 2 } });
        await sender.sendStream('f1', other);
        expect(await sender.awaitSuccessOrCancel('f1')).toBe('success');
        await sender.sendBye();
      },
    );
    expect(result).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(path.join(out, 'real.bin')).equals(content)).toBe(true);
    expect(readFileSync(path.join(out, 'other.bin')).equals(other)).toBe(true);
    expectConfined();
  });

  it('fails with one line and keeps no file when the bytes do not match the announced hash or size', async () => {
    const content = randomBytes(1000);
    const result = await session([{ name: 'liar.bin', size: content.length, sha256: sha(randomBytes(10)) }], async (sender) => {
      expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
      await sender.sendStream('f0', content);
    });
    expectOneLine(result, /^banguins: .*SHA-256/);
    expect(readdirSync(out)).toEqual([]);
    expectConfined();

    const short = await session([{ name: 'short.bin', size: 5000, sha256: sha(content) }], async (sender) => {
      expect(await sender.awaitSuccessOrCancel('manifest')).toBe('success');
      await sender.sendStream('f0', content);
    });
    expectOneLine(short, /^banguins: .*(bytes|size)/);
    expect(readdirSync(out)).toEqual([]);
    expectConfined();
  });

  it('refuses a manifest with a bad file list in one line', async () => {
    const { sender, link } = await MaliciousSender.start(relay.url);
    try {
      const receiver = receive(link, out);
      await sender.pair();
      await sender.sendManifest([], { v: 1, chunkSize: CHUNK_PLAINTEXT_BYTES, files: [{ fileid: 'f0', name: 'a', size: -1, type: 'x', sha256: 'AAAA' }] });
      expect(await sender.awaitSuccessOrCancel('manifest')).toMatch(/manifest/);
      expectOneLine(await receiver, /^banguins: .*manifest/);
    } finally {
      sender.close();
    }
    expect(readdirSync(out)).toEqual([]);
    expectConfined();
  });
});
