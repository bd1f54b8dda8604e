import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far; undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, inside parentheses): utime is the 14th field, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Watches the CPU seconds of a process every 20 ms, so its last value is known even after it
 * exits: `sinceMark()` is the CPU it used since `mark()` (a transfer's share, without start-up).
 */
export class CpuWatch {
  private last = 0;
  private marked = 0;
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

  /** CPU seconds since `mark()`, up to now or the process's last sample; stops watching. */
  sinceMark(): number {
    this.poll();
    clearInterval(this.timer);
    return this.last - this.marked;
  }

  private poll(): void {
    const seconds = cpuSecondsOf(this.pid);
    if (seconds !== undefined) this.last = seconds;
  }
}
