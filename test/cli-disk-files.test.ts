import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CliError } from '../cli/cli-error';
import { identityOf, openPartialFileSink } from '../cli/disk-files';

const bytes = (text: string) => new TextEncoder().encode(text);

/** The stable code of a CliError a promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return `${error.code}: ${error.message}`;
}

describe('the partial file a receive writes, and its move to the final name', () => {
  let root: string;
  let out: string;
  let victim: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'banguins-disk-files-'));
    out = path.join(root, 'out');
    await mkdir(out);
    victim = path.join(root, 'victim.txt');
    await writeFile(victim, 'precious');
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it('never writes through a link planted at the partial name, even with --force', async () => {
    await symlink('../victim.txt', path.join(out, 'x.txt.banguins-partial'));
    expect(await codeOf(openPartialFileSink(path.join(out, 'x.txt'), { force: false }))).toBe(
      `FileExists: ${out}/x.txt.banguins-partial already exists and is not from this receive (move it away, or use --force to replace it)`,
    );
    expect(await readlink(path.join(out, 'x.txt.banguins-partial'))).toBe('../victim.txt');
    // --force replaces the link itself, never what it points to.
    const sink = await openPartialFileSink(path.join(out, 'x.txt'), { force: true });
    await sink.write(bytes('sender bytes'));
    await sink.commit();
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readFile(path.join(out, 'x.txt'), 'utf8')).toBe('sender bytes');
    expect((await lstat(path.join(out, 'x.txt'))).isFile()).toBe(true);
  });

  it("leaves a user's own file with the partial name alone without --force", async () => {
    await writeFile(path.join(out, 'y.txt.banguins-partial'), 'my notes');
    expect(await codeOf(openPartialFileSink(path.join(out, 'y.txt'), { force: false }))).toMatch(/^FileExists: .*y\.txt\.banguins-partial already exists/);
    expect(await readFile(path.join(out, 'y.txt.banguins-partial'), 'utf8')).toBe('my notes');
  });

  it('does not replace a file or a link that appeared at the final name, keeps the received file where the error says', async () => {
    const sink = await openPartialFileSink(path.join(out, 'z.txt'), { force: false });
    await sink.write(bytes('sender bytes'));
    await symlink('../victim.txt', path.join(out, 'z.txt'));
    expect(await codeOf(sink.commit())).toBe(`FileExists: ${out}/z.txt appeared while receiving and was left alone; the received file is kept as ${out}/z.txt.banguins-partial`);
    // The session aborts every open sink after a failure: what the error promised stays.
    await sink.abort();
    expect(await readFile(path.join(out, 'z.txt.banguins-partial'), 'utf8')).toBe('sender bytes');
    expect(await readlink(path.join(out, 'z.txt'))).toBe('../victim.txt');
    expect(await readFile(victim, 'utf8')).toBe('precious');
  });

  it('never moves a link put in place of the partial file while receiving', async () => {
    const sink = await openPartialFileSink(path.join(out, 'w.txt'), { force: true });
    await sink.write(bytes('sender bytes'));
    await unlink(path.join(out, 'w.txt.banguins-partial'));
    await symlink('../victim.txt', path.join(out, 'w.txt.banguins-partial'));
    expect(await codeOf(sink.commit())).toMatch(/^PartialReplaced: /);
    await sink.abort();
    expect(await stat(path.join(out, 'w.txt')).catch(() => 'absent')).toBe('absent');
    expect(await readlink(path.join(out, 'w.txt.banguins-partial'))).toBe('../victim.txt');
    expect(await readFile(victim, 'utf8')).toBe('precious');
  });

  it('goes on only with the very partial file the resume state checked', async () => {
    const partial = path.join(out, 'v.txt.banguins-partial');
    await writeFile(partial, 'first half|torn');
    const checked = identityOf(await lstat(partial));
    const sink = await openPartialFileSink(path.join(out, 'v.txt'), { force: false, resume: { identity: checked, bytes: 11 } });
    await sink.write(bytes('second half'));
    await sink.commit();
    expect(await readFile(path.join(out, 'v.txt'), 'utf8')).toBe('first half|second half');
    // Swapped for another file (or a link) after the check: refused, nothing written.
    await writeFile(path.join(out, 'u.txt.banguins-partial'), 'checked');
    const before = identityOf(await lstat(path.join(out, 'u.txt.banguins-partial')));
    await unlink(path.join(out, 'u.txt.banguins-partial'));
    await symlink('../victim.txt', path.join(out, 'u.txt.banguins-partial'));
    expect(await codeOf(openPartialFileSink(path.join(out, 'u.txt'), { force: false, resume: { identity: before, bytes: 0 } }))).toMatch(/^FileExists: .*symbolic link/);
    expect(await readFile(victim, 'utf8')).toBe('precious');
  });
});
