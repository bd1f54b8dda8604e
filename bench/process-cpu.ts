import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** What a process has used: CPU seconds (user + system), of which system (the kernel's share), and minor page faults. */
export interface ProcessUsage {
  readonly cpuSeconds: number;
  readonly systemSeconds: number;
  /** Pages the kernel had to map in (fresh memory first touched, or memory given back and taken again). */
  readonly minorFaults: number;
}

/** No usage at all: where a sum and a watch start. */
const NO_USAGE: ProcessUsage = { cpuSeconds: 0, systemSeconds: 0, minorFaults: 0 };

/** The sum of several processes' usages (a process tree). */
export function sumUsage(usages: readonly ProcessUsage[]): ProcessUsage {
  return usages.reduce(
    (sum, usage) => ({
      cpuSeconds: sum.cpuSeconds + usage.cpuSeconds,
      systemSeconds: sum.systemSeconds + usage.systemSeconds,
      minorFaults: sum.minorFaults + usage.minorFaults,
    }),
    NO_USAGE,
  );
}

/** A process's usage so far, from /proc/PID/stat; undefined once it is gone. */
function usageOf(pid: number): ProcessUsage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): minflt is the 10th
    // field, utime the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [minflt, utime, stime] = [Number(fields[7]), Number(fields[11]), Number(fields[12])];
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, systemSeconds: stime / TICKS_PER_SECOND, minorFaults: minflt };
  } catch {
    return undefined;
  }
}

/**
 * Watches the usage of a process every 20 ms, so its last value is known even after it exits:
 * `sinceMark()` is what it used since `mark()` (a transfer's share, without start-up).
 */
export class CpuWatch {
  private last: ProcessUsage = NO_USAGE;
  private marked: ProcessUsage = NO_USAGE;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly pid: number) {
    this.poll();
    this.timer = setInterval(() => this.poll(), 20);
  }

  /** Starts counting from now. */
  mark(): void {
    this.poll();
    this.marked = this.last;
  }

  /** Usage since `mark()`, up to now or the process's last sample; stops watching. */
  sinceMark(): ProcessUsage {
    this.poll();
    clearInterval(this.timer);
    return {
      cpuSeconds: this.last.cpuSeconds - this.marked.cpuSeconds,
      systemSeconds: this.last.systemSeconds - this.marked.systemSeconds,
      minorFaults: this.last.minorFaults - this.marked.minorFaults,
    };
  }

  private poll(): void {
    const usage = usageOf(this.pid);
    if (usage !== undefined) this.last = usage;
  }
}
