/**
 * Timers for batch lifecycles and webhook retries, tracked so reset() and
 * close() can cancel them all. Unref'd: a pending batch never keeps a test
 * process alive.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  after(ms: number, fn: () => void): void {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, ms),
    );
    timer.unref();
    this.timers.add(timer);
  }

  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
