import { startRelayProcess } from '../support/fuzz/relay-process';
import { runFuzz } from '../support/fuzz/fuzz-run';

/*
 * `npm run fuzz [-- --frames N --seed S]`: sends generated frames (support/fuzz/fuzz-frames.ts) over
 * every route from several paired connections to one local relay (its own DynamoDB Local) in a child
 * process, and prints crashes, unhandled rejections, frames without the answer docs/protocol.md
 * promises, the relay's RSS before and after, and frames per second.
 */
function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`--${name} takes a whole number`);
  return value;
}

async function main(): Promise<void> {
  const frames = argument('frames', 100_000);
  const seed = argument('seed', 20261201);
  const relay = await startRelayProcess();
  const rssBefore = relay.rssBytes();
  const gcBefore = await relay.memoryAfterGc();
  const report = await runFuzz({
    url: relay.url,
    frames,
    seed,
    onProgress: (sent) => {
      if (sent % 10_000 === 0) process.stderr.write(`fuzz: ${sent} frames\n`);
    },
  });
  const crash = relay.crashed();
  const rssAfter = crash ? 0 : relay.rssBytes();
  const gcAfter = crash ? { rss: 0, heapUsed: 0 } : await relay.memoryAfterGc();
  await relay.stop();
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  console.log(`fuzz: ${report.sent} frames, seed ${seed}, ${(report.sent / report.seconds).toFixed(0)} frames/s over ${report.seconds.toFixed(1)} s`);
  console.log(`  by category (frames, mean ms to the answer): ${Object.entries(report.byCategory).map(([k, v]) => `${k} ${v} (${((report.msByCategory[k] ?? 0) / v).toFixed(1)} ms)`).join(', ')}`);
  console.log(`  refused (Error frame or 1009 due): ${report.refused}`);
  console.log(`  relay crashes: ${crash ? 1 : 0}${crash ? ` (${crash})` : ''}`);
  console.log(`  unhandled rejections: ${relay.unhandled.length}`);
  console.log(`  frames with no answer: ${report.noAnswer}`);
  console.log(`  frames with the wrong answer: ${report.wrongAnswer}`);
  console.log(`  relay RSS: ${mb(rssBefore)} MB before, ${mb(rssAfter)} MB after (growth ${mb(rssAfter - rssBefore)} MB)`);
  console.log(
    `  relay after a full GC: RSS ${mb(gcBefore.rss)} -> ${mb(gcAfter.rss)} MB (growth ${mb(gcAfter.rss - gcBefore.rss)} MB), ` +
      `V8 heap in use ${mb(gcBefore.heapUsed)} -> ${mb(gcAfter.heapUsed)} MB (growth ${mb(gcAfter.heapUsed - gcBefore.heapUsed)} MB)`,
  );
  for (const line of relay.unhandled.slice(0, 5)) console.log(`  unhandled: ${line}`);
  for (const f of report.failures.slice(0, 10)) {
    console.log(`  FAIL [${f.category}] ${f.problem}: expected ${JSON.stringify(f.expected).slice(0, 200)}; frame ${JSON.stringify(f.frame.slice(0, 160))}; got ${JSON.stringify(f.received?.slice(0, 160))}`);
  }
  const ok = !crash && relay.unhandled.length === 0 && report.noAnswer === 0 && report.wrongAnswer === 0;
  process.exitCode = ok ? 0 : 1;
}

void main();
