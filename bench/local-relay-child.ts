import { startLocalRelay } from '../local/local-relay';
import { reportToParent, WireCounter } from './wire-counter';

/**
 * The local relay (`npm start`'s code, DynamoDB Local included) in a child process of its own,
 * counting its traffic. `BENCH_PROFILE=DIR` makes the bench start it with `--cpu-prof` into DIR.
 */
async function main(): Promise<void> {
  const counter = new WireCounter();
  const relay = await startLocalRelay({ port: 0, taps: { frames: (frame) => counter.count(frame.direction, frame.byteLength) } });
  reportToParent(relay.url, counter, () => relay.close());
}

void main();
