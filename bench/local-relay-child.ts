import { startLocalRelay } from '../local/local-relay';
import { reportToParent, WireCounter } from './wire-counter';

/**
 * The local relay (`npm start`'s code, DynamoDB Local included) in a child process of its own,
 * counting its traffic. `BENCH_PROFILE=DIR` makes the bench start it with `--cpu-prof` into DIR.
 * `BENCH_WEB_DIR=DIR` serves the web page built into DIR and prints `PAGE <its url>` before `READY`.
 */
async function main(): Promise<void> {
  const counter = new WireCounter();
  const webDir = process.env.BENCH_WEB_DIR;
  const relay = await startLocalRelay({ port: 0, ...(webDir ? { webDir } : {}), taps: { frames: (frame) => counter.count(frame.direction, frame.byteLength) } });
  if (webDir) process.stdout.write(`PAGE ${relay.pageUrl}\n`);
  reportToParent(relay.url, counter, () => relay.close());
}

void main();
