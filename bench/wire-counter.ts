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

  /** Zeroes the counts (after a warm-up). */
  reset(): void {
    this.framesIn = this.bytesIn = this.framesOut = this.bytesOut = 0;
  }
}

/**
 * Prints `READY <url>` for the parent, and the counters as one JSON line when the parent sends
 * SIGTERM; SIGUSR2 zeroes them (the parent's warm-up is over) and prints `RESET`.
 */
export function reportToParent(url: string, counter: WireCounter, close: () => Promise<void>): void {
  process.stdout.write(`READY ${url}\n`);
  process.on('SIGUSR2', () => {
    counter.reset();
    process.stdout.write('RESET\n');
  });
  process.once('SIGTERM', () => {
    process.stdout.write(`STATS ${JSON.stringify(counter)}\n`);
    void close().finally(() => process.exit(0));
  });
}
