import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CHUNK_PLAINTEXT_BYTES, LARGE_CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import { parsePairingLink } from '../client/crypto/pairing-link';
import type { LocalRelay } from '../local/local-relay';
import { startTestRelay } from './support/start-test-relay';
import { runCli } from './support/cli-process';


/** Sends `files` with `banguins send --json` and receives them with `banguins receive` into `outDir`. */
async function sendAndReceive(relay: LocalRelay, files: string[], outDir: string, receiveArgs: string[] = [], onSenderEvent?: (event: Record<string, unknown>) => void) {
  let gotLink!: (link: string) => void;
  const link = new Promise<string>((resolve) => (gotLink = resolve));
  const sender = runCli(['send', ...files, '--relay', relay.url, '--json'], (line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    if (event.type === 'link') gotLink(event.link as string);
    onSenderEvent?.(event);
  });
  const receiver = runCli(['receive', await link, '--out', outDir, '--json', ...receiveArgs]);
  const [sent, received] = await Promise.all([sender.done, receiver.done]);
  return { sent, received, link: await link };
}

async function expectSameFiles(files: string[], outDir: string): Promise<void> {
  for (const file of files) {
    const [original, copy] = await Promise.all([readFile(file), readFile(path.join(outDir, path.basename(file)))]);
    expect(copy.length).toBe(original.length);
    expect(copy.equals(original)).toBe(true);
  }
  expect((await readdir(outDir)).filter((name) => name.endsWith('.banguins-partial'))).toEqual([]);
}

describe('banguins CLI to CLI through the local relay', () => {
  let relay: LocalRelay;
  let faultyRelay: LocalRelay;
  let work: string;
  const tapped: string[] = [];

  beforeAll(async () => {
    [relay, faultyRelay] = await Promise.all([
      startTestRelay({ taps: { frames: (frame) => tapped.push(frame.data) } }),
      startTestRelay({ faults: { drop: 0.1, duplicate: 0.05, reorder: 0.05, seed: 7 } }),
    ]);
    work = await mkdtemp(path.join(tmpdir(), 'banguins-cli-'));
  });
  afterAll(async () => {
    await Promise.all([relay?.close(), faultyRelay?.close()]);
    await rm(work, { recursive: true, force: true });
  });

  async function makeFile(name: string, bytes: Uint8Array): Promise<string> {
    const file = path.join(work, 'src', name);
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(file), { recursive: true }));
    await writeFile(file, bytes);
    return file;
  }

  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['exactly one chunk', CHUNK_PLAINTEXT_BYTES],
    ['one chunk and one byte', CHUNK_PLAINTEXT_BYTES + 1],
  ])('delivers a file of %s byte for byte', async (label, size) => {
    const file = await makeFile(`${label.replace(/ /g, '-')}.bin`, randomBytes(size));
    const out = path.join(work, `out-${size}`);
    const { sent, received } = await sendAndReceive(relay, [file], out);
    expect(received.stderr).toBe('');
    expect([sent.code, received.code]).toEqual([0, 0]);
    await expectSameFiles([file], out);
  });

  it('delivers 10 MB of random bytes and three files at once, and the relay never sees plaintext', async () => {
    // GIVEN a 10 MB random file and a text file with a recognisable pattern
    const marker = 'PLAINTEXT-PATTERN-THE-RELAY-MUST-NOT-SEE;';
    const files = [
      await makeFile('ten-mb.bin', randomBytes(10_000_000)),
      await makeFile('pattern.txt', Buffer.from(marker.repeat(3000))),
      await makeFile('tiny.txt', Buffer.from('hi\n')),
    ];
    tapped.length = 0;
    const out = path.join(work, 'out-three');
    // WHEN the three go in one send
    const { sent, received } = await sendAndReceive(relay, files, out);
    // THEN all three arrive identical, the events say so, and no frame carried the pattern or a name
    expect([sent.code, received.code]).toEqual([0, 0]);
    await expectSameFiles(files, out);
    const events = received.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(events.filter((e) => e.type === 'file-done')).toHaveLength(3);
    expect(events.at(-1)!.type).toBe('done');
    // Every Transfer in and out at least (the CLI sends 96 KB chunks, each one 128 KB message).
    expect(tapped.length).toBeGreaterThan(2 * Math.ceil(10_000_000 / LARGE_CHUNK_PLAINTEXT_BYTES));
    for (const frame of tapped) {
      expect(frame).not.toContain(marker);
      expect(frame).not.toContain('pattern.txt');
    }
  });

  it('delivers byte for byte through a relay that drops 10% of Transfer frames and duplicates and reorders some', async () => {
    const files = [await makeFile('faulty-10mb.bin', randomBytes(10_000_000)), await makeFile('faulty-small.bin', randomBytes(CHUNK_PLAINTEXT_BYTES + 1))];
    const out = path.join(work, 'out-faulty');
    const { sent, received } = await sendAndReceive(faultyRelay, files, out);
    expect([sent.code, received.code]).toEqual([0, 0]);
    await expectSameFiles(files, out);
  });

  it('resumes when the relay closes the sender connection mid-transfer (@connections DELETE)', async () => {
    const file = await makeFile('resume.bin', randomBytes(5_000_000));
    const out = path.join(work, 'out-resume');
    let senderId = '';
    let deleted = false;
    const { sent, received } = await sendAndReceive(relay, [file], out, [], (event) => {
      if (event.type === 'link') senderId = parsePairingLink(event.link as string).senderId;
      // The first progress line (--json writes the next ones at most every 250 ms, and a fast
      // transfer of 5 MB may be over by then): the DELETE lands mid-transfer.
      if (!deleted && event.type === 'progress' && (event.bytes as number) > 0) {
        deleted = true;
        void fetch(`${relay.callbackUrl}/@connections/${encodeURIComponent(senderId)}`, { method: 'DELETE' });
      }
    });
    expect(deleted).toBe(true);
    expect([sent.code, received.code]).toEqual([0, 0]);
    expect(sent.stdout).toContain('"type":"resumed"');
    await expectSameFiles([file], out);
  });

  it('does not overwrite an existing file without --force, and does with it', async () => {
    const file = await makeFile('exists.txt', Buffer.from('new content'));
    const out = path.join(work, 'out-exists');
    await import('node:fs/promises').then((fs) => fs.mkdir(out, { recursive: true }));
    await writeFile(path.join(out, 'exists.txt'), 'old content');
    const refused = await sendAndReceive(relay, [file], out);
    expect(refused.received.code).not.toBe(0);
    expect(refused.received.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^banguins: .*exists\.txt already exists \(use --force/)]);
    expect(refused.sent.code).not.toBe(0);
    expect(await readFile(path.join(out, 'exists.txt'), 'utf8')).toBe('old content');
    const forced = await sendAndReceive(relay, [file], out, ['--force']);
    expect([forced.sent.code, forced.received.code]).toEqual([0, 0]);
    expect(await readFile(path.join(out, 'exists.txt'), 'utf8')).toBe('new content');
  });

  it('keeps a hostile file name inside the output folder', async () => {
    // The sender CLI sends base names; a raw client could send anything, so check the receiver's sanitiser directly.
    const { safeFileName } = await import('../client/safe-file-name');
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\win.ini')).toBe('win.ini');
    expect(safeFileName('..')).toBe('received-file');
    expect(safeFileName('a\u0000b')).toBe('a_b');
  });

  it('fails with one line and a non-zero exit for a bad link and an unreachable relay', async () => {
    const bad = await runCli(['receive', 'http://127.0.0.1/#relay=ws%3A%2F%2Fh&id=x&key=abc']).done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("banguins: the link's key has 2 bytes; it must have 32\n");
    const file = await makeFile('unreachable.txt', Buffer.from('x'));
    const unreachable = await runCli(['send', file, '--relay', 'ws://127.0.0.1:1']).done;
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^banguins: cannot reach the relay at ws:\/\/127\.0\.0\.1:1: .*\n$/);
  });
});
