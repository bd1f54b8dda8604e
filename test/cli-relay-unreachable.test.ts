import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from './support/cli-process';

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('banguins send to a relay that is not running', () => {
  let work: string;
  let file: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'banguins-unreachable-'));
    file = path.join(work, 'x.txt');
    writeFileSync(file, 'x');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('says first that the relay is not running, and nothing of an access key', async () => {
    const port = await closedPort();
    const result = await runCli(['send', file, '--relay', `ws://127.0.0.1:${port}`]).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`banguins: cannot reach the relay at ws://127.0.0.1:${port}: it is not running (connect ECONNREFUSED 127.0.0.1:${port})\n`);
  });

  it('says the same for a relay URL with a key, which it keeps hidden', async () => {
    const port = await closedPort();
    const result = await runCli(['send', file, '--relay', `ws://127.0.0.1:${port}/?key=secret-key-0123`]).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^banguins: cannot reach the relay at ws://127\\.0\\.0\\.1:${port}/\\?key=\\S+: it is not running \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\n$`));
    expect(result.stderr).not.toContain('secret-key-0123');
  });
});
