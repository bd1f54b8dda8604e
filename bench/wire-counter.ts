/** Counts frames and bytes a relay receives from clients and sends to them. */
export class WireCounter {
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;

  /** Counts one frame of `bytes` bytes. */
  count(direction: 'in' | 'out', bytes: number): void {
    if (direction === 'in') {
      this.framesIn++;
      this.bytesIn += bytes;
    } else {
      this.framesOut++;
      this.bytesOut += bytes;
    }
  }
}

/** Prints `READY <url>` for the parent, and the counters as one JSON line when the parent sends SIGTERM. */
export function reportToParent(url: string, counter: WireCounter, close: () => Promise<void>): void {
  process.stdout.write(`READY ${url}\n`);
  process.once('SIGTERM', () => {
    process.stdout.write(`STATS ${JSON.stringify(counter)}\n`);
    void close().finally(() => process.exit(0));
  });
}
