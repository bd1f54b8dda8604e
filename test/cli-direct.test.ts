import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { LocalRelay } from '../local/local-relay';
import type { TappedFrame } from '../local/relay-taps';
import { runCliJson } from './support/cli-process';
import { startTestRelay } from './support/start-test-relay';

/** The CLI's default (the test support runs it relay-only unless told otherwise). */
const TRY_DIRECT = { BANGUINS_RELAY_ONLY: '' };

describe('banguins send | receive, direct by default', () => {
  let relay: LocalRelay;
  let work: string;
  const tapped: TappedFrame[] = [];

  beforeAll(async () => {
    relay = await startTestRelay({ taps: { frames: (frame) => void (frame.direction === 'in' && tapped.push(frame)) } });
    work = await mkdtemp(path.join(tmpdir(), 'banguins-cli-direct-'));
  });
  afterAll(async () => {
    await relay.close();
    await rm(work, { recursive: true, force: true });
  });

  it('carries the file over a direct WebRTC path: both say so, and the relay sees no chunk', async () => {
    const file = path.join(work, 'direct.bin');
    const content = randomBytes(5_000_000);
    await writeFile(file, content);
    const out = path.join(work, 'out');
    let gotLink!: (link: string) => void;
    const link = new Promise<string>((resolve) => (gotLink = resolve));
    const senderPaths: unknown[] = [];
    const receiverPaths: unknown[] = [];
    const sender = runCliJson(
      ['send', file, '--relay', relay.url, '--json'],
      (event) => {
        if (event.type === 'link') gotLink(event.link as string);
        if (event.type === 'path') senderPaths.push(event.path);
      },
      TRY_DIRECT,
    );
    const receiver = runCliJson(['receive', await link, '--out', out, '--json'], (event) => event.type === 'path' && receiverPaths.push(event.path), TRY_DIRECT);
    const [sent, received] = await Promise.all([sender.done, receiver.done]);
    expect([sent.code, received.code]).toEqual([0, 0]);
    expect((await readFile(path.join(out, 'direct.bin'))).equals(content)).toBe(true);
    expect(senderPaths).toEqual(['direct']);
    expect(receiverPaths).toEqual(['direct']);
    expect(tapped.filter((frame) => frame.data.startsWith('{"action":"Transfer"'))).toEqual([]);
  }, 60_000);
});
