import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import * as path from 'node:path';
import { forEachLine } from './child-processes';
import { CpuWatch, type ProcessUsage } from './process-cpu';

/** What one magic-wormhole transfer through its transit relay took. */
export interface WormholeRun {
  /** From the receiver's "Receiving file" (keys agreed, offer accepted) to its exit. */
  readonly seconds: number;
  /** What each process used over the same span. */
  readonly cpu: { readonly sender: ProcessUsage; readonly receiver: ProcessUsage; readonly transitRelay: ProcessUsage; readonly mailbox: ProcessUsage };
}

/** The Debian packages the comparison needs. */
export const WORMHOLE_PACKAGES = 'magic-wormhole python3-magic-wormhole-mailbox-server magic-wormhole-transit-relay';

/** Whether `wormhole` and `twist3` with both server plugins are installed (Debian's packages). */
export function wormholeInstalled(): boolean {
  const ok = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
  return ok('wormhole', ['--version']) && ok('twist3', ['wormhole-mailbox', '--help']) && ok('twist3', ['transitrelay', '--help']);
}

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts a twisted server plugin on loopback and waits until its port answers. */
async function startTwist(plugin: string, port: number, cwd: string): Promise<ChildProcess> {
  // In `cwd`: the mailbox server keeps its database (relay.sqlite) in the folder it starts in.
  const child = spawn('twist3', ['--log-file=-', plugin, `--port=tcp:${port}:interface=127.0.0.1`], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true))).once('error', () => resolve(false));
    });
    if (open) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`${plugin} did not start on port ${port}`);
}

/**
 * Sends `file` with magic-wormhole 0.12 fully on loopback: its mailbox server and transit relay
 * started here, both sides `--no-listen` so the bytes go through the transit relay (as ours go
 * through the relay). Returns the time and CPU of the transfer itself.
 */
export async function runWormhole(file: string, work: string): Promise<WormholeRun> {
  const [mailboxPort, transitPort] = [await freePort(), await freePort()];
  const mailbox = await startTwist('wormhole-mailbox', mailboxPort, work);
  const transit = await startTwist('transitrelay', transitPort, work);
  // A fresh folder each run: wormhole receive refuses to overwrite the file of an earlier round.
  const out = path.join(work, 'wormhole-out');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const common = ['--relay-url', `ws://127.0.0.1:${mailboxPort}/v1`, '--transit-helper', `tcp:127.0.0.1:${transitPort}`];
  const code = `7-banguins-bench-${process.pid}`;
  try {
    const sender = spawn('wormhole', [...common, 'send', '--no-listen', '--hide-progress', '--code', code, file], { stdio: ['ignore', 'ignore', 'pipe'] });
    const receiver = spawn('wormhole', [...common, 'receive', '--no-listen', '--hide-progress', '--accept-file', code], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
    const watches = { sender: new CpuWatch(sender.pid!), receiver: new CpuWatch(receiver.pid!), transitRelay: new CpuWatch(transit.pid!), mailbox: new CpuWatch(mailbox.pid!) };
    let startedAt = 0;
    const onLine = (line: string) => {
      if (startedAt === 0 && line.startsWith('Receiving file')) {
        startedAt = Date.now();
        for (const watch of Object.values(watches)) watch.mark();
      }
    };
    forEachLine(receiver.stdout!, onLine);
    forEachLine(receiver.stderr!, onLine);
    const exited = (child: ChildProcess) => new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? 1)));
    const [receiverStatus, senderStatus] = await Promise.all([exited(receiver), exited(sender)]);
    const seconds = (Date.now() - startedAt) / 1000;
    if (receiverStatus !== 0 || senderStatus !== 0 || startedAt === 0) throw new Error(`wormhole exited ${senderStatus} (send) and ${receiverStatus} (receive)`);
    return {
      seconds,
      cpu: { sender: watches.sender.sinceMark(), receiver: watches.receiver.sinceMark(), transitRelay: watches.transitRelay.sinceMark(), mailbox: watches.mailbox.sinceMark() },
    };
  } finally {
    mailbox.kill();
    transit.kill();
  }
}
