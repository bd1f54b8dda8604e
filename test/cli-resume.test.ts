import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parsePairingLink } from '../client/crypto/pairing-link';
import { LARGE_CHUNK_PLAINTEXT_BYTES } from '../client/streams/chunking';
import type { LocalRelay } from '../local/local-relay';
import { receiveStatePath } from '../cli/resume-state';
import { runCliJson as runCli, type FinishedCli as Finished } from './support/cli-process';
import { startTestRelay } from './support/start-test-relay';


function events(finished: Finished): Record<string, unknown>[] {
  return finished.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('banguins receive started again after the receiver process was killed', () => {
  let relay: LocalRelay;
  let work: string;

  beforeAll(async () => {
    relay = await startTestRelay();
    work = await mkdtemp(path.join(tmpdir(), 'banguins-resume-'));
  });
  afterAll(async () => {
    await relay?.close();
    await rm(work, { recursive: true, force: true });
  });

  /** Starts `banguins send` of these files; resolves with its link and the running sender. */
  async function startSender(files: readonly string[]): Promise<{ link: string; sender: ReturnType<typeof runCli> }> {
    let gotLink!: (link: string) => void;
    const linkPromise = new Promise<string>((resolve) => (gotLink = resolve));
    const sender = runCli(['send', ...files, '--relay', relay.url, '--json'], (event) => {
      if (event.type === 'link') gotLink(event.link as string);
    });
    return { link: await linkPromise, sender };
  }

  it('goes on from the partial file under the same session: the file arrives whole and is not sent again from zero', async () => {
    // GIVEN a sender of a 12 MB file and a receiver killed with SIGKILL about 30% in
    const size = 12_000_000;
    const file = path.join(work, 'holiday.mov');
    const original = randomBytes(size);
    await writeFile(file, original);
    const out = path.join(work, 'out');
    let gotLink!: (link: string) => void;
    const linkPromise = new Promise<string>((resolve) => (gotLink = resolve));
    const sender = runCli(['send', file, '--relay', relay.url, '--json'], (event) => {
      if (event.type === 'link') gotLink(event.link as string);
    });
    const link = await linkPromise;
    const partial = path.join(out, 'holiday.mov.banguins-partial');
    const first = runCli(['receive', link, '--out', out, '--json']);
    // Watch the partial file itself (progress events come only every 250 ms) and kill at 30%.
    const watcher = setInterval(() => {
      void stat(partial).then(
        (info) => (info.size >= 0.3 * size ? first.child.kill('SIGKILL') : undefined),
        () => undefined,
      );
    }, 5);
    const firstDone = await first.done;
    clearInterval(watcher);
    expect(firstDone.signal).toBe('SIGKILL');
    // The killed process left its partial file and its state (no secret in it) behind.
    const leftBytes = (await stat(partial)).size;
    expect(leftBytes).toBeLessThan(size);
    expect(leftBytes).toBeGreaterThan(0);
    const stateText = await readFile(receiveStatePath(out, parsePairingLink(link)), 'utf8');
    expect(stateText).not.toContain(new URL(link).hash.match(/key=([^&]+)/)![1]!);
    // It kept the sender's session id, with which the next process proves itself from its new connection.
    expect(JSON.parse((JSON.parse(stateText) as { state: string }).state)).toMatchObject({ senderSession: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });

    // WHEN banguins receive runs again with the same link and --out
    const second = await runCli(['receive', link, '--out', out, '--json']).done;
    const sent = await sender.done;

    // THEN both end well, it said where it resumed, and the file is byte-identical
    expect(second.stderr).toBe('');
    expect([sent.code, second.code]).toEqual([0, 0]);
    const notices = events(second).filter((e) => e.type === 'notice').map((e) => e.message as string);
    expect(notices).toEqual([expect.stringMatching(/^Resuming holiday\.mov from \d+(\.\d+)? MB$/)]);
    expect((await readFile(path.join(out, 'holiday.mov'))).equals(original)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['holiday.mov']);
    // The second process's first progress already counts what the first one wrote.
    const firstProgress = events(second).find((e) => e.type === 'progress')!;
    expect(firstProgress.bytes as number).toBeGreaterThanOrEqual(0.25 * size);
    // The sender took it as the same receiver that moved, and sent well under twice the file.
    const senderEvents = events(sent);
    expect(senderEvents.some((e) => e.type === 'resumed')).toBe(true);
    const done = senderEvents.find((e) => e.type === 'done')!;
    // What the killed process had on disk is not sent again: the resends are at most the chunks it
    // lacked (up to a 64-chunk window was in flight to it when it died), plus an eighth for the
    // resends any transfer makes on a loaded machine. (A flat "< 1.5x the file" fails when the whole
    // window dies with the process: 126 chunks, 64 in flight.)
    const chunks = done.chunks as number;
    const framesSent = done.framesSent as number;
    const chunksOnDisk = Math.floor(leftBytes / LARGE_CHUNK_PLAINTEXT_BYTES);
    expect(framesSent - chunks).toBeLessThanOrEqual(chunks - chunksOnDisk + Math.ceil(chunks / 8));
    expect(framesSent).toBeLessThan(2 * chunks);
  });

  it('does not receive again a file the killed process had saved, and goes on with the next one', async () => {
    // GIVEN two files, the receiver killed once the second one's partial file passed 1 MB
    const originals = [randomBytes(2_000_000), randomBytes(6_000_000)];
    const files = [path.join(work, 'first.bin'), path.join(work, 'second.bin')];
    await Promise.all(files.map((f, i) => writeFile(f, originals[i]!)));
    const out = path.join(work, 'out-two');
    let gotLink!: (link: string) => void;
    const linkPromise = new Promise<string>((resolve) => (gotLink = resolve));
    const sender = runCli(['send', ...files, '--relay', relay.url, '--json'], (event) => {
      if (event.type === 'link') gotLink(event.link as string);
    });
    const link = await linkPromise;
    const partial = path.join(out, 'second.bin.banguins-partial');
    const first = runCli(['receive', link, '--out', out, '--json']);
    const watcher = setInterval(() => {
      void stat(partial).then(
        (info) => (info.size >= 1_000_000 ? first.child.kill('SIGKILL') : undefined),
        () => undefined,
      );
    }, 5);
    expect((await first.done).signal).toBe('SIGKILL');
    clearInterval(watcher);
    const savedAt = (await stat(path.join(out, 'first.bin'))).mtimeMs;
    // WHEN receive runs again
    const second = await runCli(['receive', link, '--out', out, '--json']).done;
    const sent = await sender.done;
    // THEN it goes on with the second file only; both arrive whole
    expect([sent.code, second.code]).toEqual([0, 0]);
    const secondEvents = events(second);
    expect(secondEvents.filter((e) => e.type === 'notice').map((e) => e.message)).toEqual([expect.stringMatching(/^Resuming second\.bin from /)]);
    expect(secondEvents.filter((e) => e.type === 'file-done').map((e) => e.name)).toEqual(['second.bin']);
    expect(secondEvents.some((e) => e.type === 'progress' && e.fileIndex === 0)).toBe(false);
    expect((await stat(path.join(out, 'first.bin'))).mtimeMs).toBe(savedAt);
    for (const [i, f] of files.entries()) expect((await readFile(path.join(out, path.basename(f)))).equals(originals[i]!)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['first.bin', 'second.bin']);
  });

  it('does not use a state saved for another link, starts clean, and leaves a partial file it cannot vouch for alone', async () => {
    // GIVEN a state file of another link under this link's state name, and a partial file of garbage beside it
    const file = path.join(work, 'other.bin');
    const original = randomBytes(300_000);
    await writeFile(file, original);
    const out = path.join(work, 'out-other');
    await mkdir(out, { recursive: true });
    const { link, sender } = await startSender([file]);
    const staleState = JSON.stringify({ link: 'f'.repeat(32), session: 'AAAAAAAAAAAAAAAA', manifest: { v: 1, chunkSize: 98304, files: [{ fileid: 'f0', name: 'other.bin', size: 300_000, type: 'application/octet-stream', sha256: 'A'.repeat(43) }] }, manifestChunks: 1, done: 0, started: 0 });
    await writeFile(receiveStatePath(out, parsePairingLink(link)), JSON.stringify({ v: 2, link: 'f'.repeat(32), state: staleState, mac: 'A'.repeat(43) }));
    const garbage = randomBytes(200_000);
    await writeFile(path.join(out, 'other.bin.banguins-partial'), garbage);
    // WHEN banguins receive runs with this link
    const refused = await runCli(['receive', link, '--out', out, '--json']).done;
    await sender.done;
    // THEN it says it does not resume, and refuses to take over the partial file in one line
    expect(events(refused).filter((e) => e.type === 'notice').map((e) => e.message)).toEqual(['Not resuming: the saved state is for another link; starting clean']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`banguins: ${out}/other.bin.banguins-partial already exists and is not from this receive (move it away, or use --force to replace it)\n`);
    expect((await readFile(path.join(out, 'other.bin.banguins-partial'))).equals(garbage)).toBe(true);
    // AND with --force it replaces it, and no wrong byte is kept
    const again = await startSender([file]);
    const received = await runCli(['receive', again.link, '--out', out, '--force', '--json']).done;
    expect([(await again.sender.done).code, received.code]).toEqual([0, 0]);
    expect((await readFile(path.join(out, 'other.bin'))).equals(original)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['other.bin']);
  });
});
