/** Holds the first fatal error of a session and lets every wait end as soon as it happens. */
export class FailureLatch {
  private error?: Error;
  private readonly listeners = new Set<(error: Error) => void>();

  /** The first error set, if any. */
  get failure(): Error | undefined {
    return this.error;
  }

  /** Records `error` unless one is already recorded, and wakes every race(). */
  fail(error: Error): void {
    if (this.error) return;
    this.error = error;
    for (const listener of this.listeners) listener(error);
    this.listeners.clear();
  }

  /** Resolves like `promise`, or rejects as soon as the latch fails. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.error) return Promise.reject(this.error);
    return new Promise<T>((resolve, reject) => {
      const listener = (error: Error) => reject(error);
      this.listeners.add(listener);
      promise.then(
        (value) => {
          this.listeners.delete(listener);
          resolve(value);
        },
        (error: unknown) => {
          this.listeners.delete(listener);
          reject(error);
        },
      );
    });
  }
}

/** A promise with its resolve function outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A promise that rejects with `makeError()` after `ms` unless cancelled. */
export function timeoutAfter(ms: number, makeError: () => Error): { promise: Promise<never>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(makeError()), ms);
  });
  promise.catch(() => undefined);
  return { promise, cancel: () => clearTimeout(timer) };
}
