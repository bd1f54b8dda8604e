/** A sleep that another part of the program can cut short; a loop waits on it for "something changed". */
export class WakeableSleep {
  private wakeCurrent?: () => void;
  private pending = false;

  /** Resolves true after `ms`, or false as soon as wake() is called (or was called since the last sleep). */
  sleep(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeCurrent = undefined;
        resolve(true);
      }, ms);
      this.wakeCurrent = () => {
        clearTimeout(timer);
        this.wakeCurrent = undefined;
        resolve(false);
      };
    });
  }

  /** Ends the current sleep, or makes the next one return at once. */
  wake(): void {
    if (this.wakeCurrent) this.wakeCurrent();
    else this.pending = true;
  }
}
