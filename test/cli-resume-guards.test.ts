import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parsePairingLink } from '../client/crypto/pairing-link';
import type { LocalRelay } from '../local/local-relay';
import { receiveStatePath } from '../cli/resume-state';
import { runCliJson as runCli, type FinishedCli as Finished } from './support/cli-process';
import { startTestRelay } from './support/start-test-relay';

function events(finished: Finished): Record<string, unknown>[] {
  return finished.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

function notices(finished: Finished): string[] {
  return events(finished).filter((e) => e.type === 'notice').map((e) => e.message as string);
}

/** How a process ended, or 'still running' (then killed) if it had not within `ms`: a stall, not a measure. */
async function endedWithin(run: ReturnType<typeof runCli>, ms: number): Promise<Finished | 'still running'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await Promise.race([run.done, new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)))]);
  clearTimeout(timer);
  if (result === 'still running') {
    run.child.kill('SIGKILL');
    await run.done;
  }
  return result;
}

describe('banguins receive trusts nothing it finds in --out', () => {
  let relay: LocalRelay;
  let work: string;

  beforeAll(async () => {
    relay = await startTestRelay();
    work = await mkdtemp(path.join(tmpdir(), 'banguins-resume-guards-'));
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

  /** Runs `banguins receive` and kills it (SIGKILL) once `partial` holds `bytes` bytes. */
  async function receiveAndKill(link: string, out: string, partial: string, bytes: number): Promise<void> {
    const receiver = runCli(['receive', link, '--out', out, '--json']);
    const watcher = setInterval(() => {
      void stat(partial).then(
        (info) => (info.size >= bytes ? receiver.child.kill('SIGKILL') : undefined),
        () => undefined,
      );
    }, 5);
    const ended = await receiver.done;
    clearInterval(watcher);
    expect(ended.signal).toBe('SIGKILL');
  }

  async function writeFiles(names: readonly string[], sizes: readonly number[]): Promise<{ files: string[]; originals: Buffer[] }> {
    const originals = sizes.map((size) => randomBytes(size));
    const files = names.map((name) => path.join(work, name));
    await Promise.all(files.map((f, i) => writeFile(f, originals[i]!)));
    return { files, originals };
  }

  it('does not write through a link planted at the partial name, and leaves a stray partial file alone', async () => {
    // GIVEN an --out holding <out>/x.txt.banguins-partial -> ../victim.txt, and a user's own y.txt.banguins-partial
    const { files } = await writeFiles(['x.txt', 'y.txt'], [50_000, 60_000]);
    const out = path.join(work, 'out-planted');
    await mkdir(out, { recursive: true });
    const victim = path.join(work, 'victim.txt');
    await writeFile(victim, 'precious');
    await symlink('../victim.txt', path.join(out, 'x.txt.banguins-partial'));
    await writeFile(path.join(out, 'y.txt.banguins-partial'), 'my own notes');
    const { link, sender } = await startSender(files);
    // WHEN it receives x.txt and y.txt without --force
    const received = await runCli(['receive', link, '--out', out, '--json']).done;
    await sender.done;
    // THEN it refuses in one line before writing anything; the victim, the link and the notes are untouched
    expect(received.code).toBe(1);
    expect(received.stderr).toBe(`banguins: ${out}/x.txt.banguins-partial already exists and is not from this receive (move it away, or use --force to replace it)\n`);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readlink(path.join(out, 'x.txt.banguins-partial'))).toBe('../victim.txt');
    expect(await readFile(path.join(out, 'y.txt.banguins-partial'), 'utf8')).toBe('my own notes');
    expect((await readdir(out)).sort()).toEqual(['x.txt.banguins-partial', 'y.txt.banguins-partial']);
  });

  it('with --force replaces the planted link itself, never what it points to', async () => {
    const { files, originals } = await writeFiles(['x.txt'], [50_000]);
    const out = path.join(work, 'out-planted-force');
    await mkdir(out, { recursive: true });
    const victim = path.join(work, 'victim-force.txt');
    await writeFile(victim, 'precious');
    await symlink('../victim-force.txt', path.join(out, 'x.txt.banguins-partial'));
    await symlink('../victim-force.txt', path.join(out, 'x.txt'));
    const { link, sender } = await startSender(files);
    const received = await runCli(['receive', link, '--out', out, '--force', '--json']).done;
    expect([(await sender.done).code, received.code]).toEqual([0, 0]);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect((await readFile(path.join(out, 'x.txt'))).equals(originals[0]!)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['x.txt']);
  });

  it('keeps the received file where its error says when a file took its name while receiving (no --force)', async () => {
    // GIVEN a receive under way, and a file of the user's created under the final name meanwhile
    const { files, originals } = await writeFiles(['late.bin'], [6_000_000]);
    const out = path.join(work, 'out-late');
    const { link, sender } = await startSender(files);
    const receiver = runCli(['receive', link, '--out', out, '--json']);
    const watcher = setInterval(() => {
      void stat(path.join(out, 'late.bin.banguins-partial')).then(
        () => {
          clearInterval(watcher);
          return writeFile(path.join(out, 'late.bin'), 'mine', { flag: 'wx' }).catch(() => undefined);
        },
        () => undefined,
      );
    }, 5);
    const received = await receiver.done;
    clearInterval(watcher);
    // The sender is not told of a failed commit (client/sessions/receive-session.ts sends no cancel then): stop it here.
    sender.child.kill();
    await sender.done;
    // THEN it says what happened, leaves the user's file alone, and the received file is where it says
    expect(received.code).toBe(1);
    expect(received.stderr).toBe(`banguins: ${out}/late.bin appeared while receiving and was left alone; the received file is kept as ${out}/late.bin.banguins-partial\n`);
    expect(await readFile(path.join(out, 'late.bin'), 'utf8')).toBe('mine');
    expect((await readFile(path.join(out, 'late.bin.banguins-partial'))).equals(originals[0]!)).toBe(true);
  });

  it('refuses a second receive of the same link into the same --out in one line, and the first goes on', async () => {
    // GIVEN a receive under way
    const { files, originals } = await writeFiles(['big.bin'], [12_000_000]);
    const out = path.join(work, 'out-twice');
    const { link, sender } = await startSender(files);
    let started!: () => void;
    const firstProgress = new Promise<void>((resolve) => (started = resolve));
    const first = runCli(['receive', link, '--out', out, '--json'], (event) => {
      if (event.type === 'progress') started();
    });
    await firstProgress;
    // The first is paused while the second runs, so that it is still receiving however fast this machine is.
    first.child.kill('SIGSTOP');
    // WHEN a second one starts with the same link and --out
    const second = await endedWithin(runCli(['receive', link, '--out', out, '--json']), 20_000);
    first.child.kill('SIGCONT');
    // THEN it says so at once and exits; the first receives the whole file
    if (second === 'still running') throw new Error('the second receive stalled silently');
    expect(second.code).toBe(1);
    expect(second.stderr).toBe(`banguins: another banguins receive (process ${first.child.pid}) is receiving this link into ${out}; let it finish or stop it first\n`);
    expect([(await sender.done).code, (await first.done).code]).toEqual([0, 0]);
    expect((await readFile(path.join(out, 'big.bin'))).equals(originals[0]!)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['big.bin']);
  });

  it('a lock left by a killed receiver does not stop the next one', async () => {
    const { files, originals } = await writeFiles(['lock.bin'], [8_000_000]);
    const out = path.join(work, 'out-lock');
    const { link, sender } = await startSender(files);
    await receiveAndKill(link, out, path.join(out, 'lock.bin.banguins-partial'), 1_000_000);
    expect((await readdir(out)).some((name) => name.endsWith('.lock'))).toBe(true);
    const second = await runCli(['receive', link, '--out', out, '--json']).done;
    expect([(await sender.done).code, second.code]).toEqual([0, 0]);
    expect((await readFile(path.join(out, 'lock.bin'))).equals(originals[0]!)).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['lock.bin']);
  });

  it('checks the saved files by hash: one swapped for other bytes of its size is not taken as received', async () => {
    // GIVEN a receiver killed during the second file, and the first file swapped (same size) while it was down
    const { files } = await writeFiles(['first.bin', 'second.bin'], [2_000_000, 6_000_000]);
    const out = path.join(work, 'out-swapped');
    const { link, sender } = await startSender(files);
    await receiveAndKill(link, out, path.join(out, 'second.bin.banguins-partial'), 1_000_000);
    await writeFile(path.join(out, 'first.bin'), randomBytes(2_000_000));
    // WHEN receive runs again
    const again = await endedWithin(runCli(['receive', link, '--out', out, '--json']), 30_000);
    sender.child.kill();
    await sender.done;
    // THEN it says why it does not resume, and ends with a word (the sender keeps its receiver's session)
    if (again === 'still running') throw new Error('the resumed receive stalled silently');
    expect(notices(again)).toEqual(['Not resuming: first.bin is gone or changed since it was received; starting clean']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^banguins: .+\n$/);
    expect(events(again).some((e) => e.type === 'file-done')).toBe(false);
  });

  it('checks the saved state: one edited on disk (the chunk size) is refused in one line, not resumed into a stall', async () => {
    // GIVEN a receiver killed at 30% of a file, and the chunk size in its saved manifest halved
    const size = 12_000_000;
    const { files } = await writeFiles(['edited.bin'], [size]);
    const out = path.join(work, 'out-edited');
    const { link, sender } = await startSender(files);
    await receiveAndKill(link, out, path.join(out, 'edited.bin.banguins-partial'), 0.3 * size);
    const stateFile = receiveStatePath(out, parsePairingLink(link));
    const text = await readFile(stateFile, 'utf8');
    const edited = text.replace(/(\\?"chunkSize\\?":)(\d+)/, (_, key: string, value: string) => `${key}${Number(value) / 2}`);
    expect(edited).not.toBe(text);
    await writeFile(stateFile, edited);
    // WHEN receive runs again
    const again = await endedWithin(runCli(['receive', link, '--out', out, '--json']), 30_000);
    sender.child.kill();
    await sender.done;
    // THEN it does not trust the state, says so, and ends with a word
    if (again === 'still running') throw new Error('the resumed receive stalled silently');
    expect(notices(again)).toEqual(['Not resuming: the saved state was changed since this receiver wrote it; starting clean']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^banguins: .+\n$/);
  });
});
