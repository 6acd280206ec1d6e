import type { Scheduler } from './scheduler';

export interface PacedWork {
  total: number;
  /** Time over which the items are spread. */
  windowMs: number;
  run: (index: number) => void;
  /** Checked between slices: stop early (cancel, expiry, reset). */
  stopped: () => boolean;
  /** Called once with how many items ran. */
  done: (ran: number) => void;
}

const STEPS = 10;
/** Longest the event loop is held by one slice, ms. */
const SLICE_MS = 15;

/**
 * Runs a batch's requests spread over its processing window (so progress is
 * visible and a cancel lands halfway), in time slices that yield to the event
 * loop so a 50,000-request batch never stalls the server's other requests.
 * A batch whose requests cost more than its window (about 0.1–0.7 ms each)
 * finishes late rather than blocking.
 */
export function runPaced(scheduler: Scheduler, work: PacedWork): void {
  const steps = Math.max(1, Math.min(STEPS, work.total));
  const started = Date.now();
  let next = 0;
  const step = (k: number) => {
    if (work.stopped()) return work.done(next);
    const target = Math.round((work.total * k) / steps);
    const slice = () => {
      if (work.stopped()) return work.done(next);
      const sliceEnd = Date.now() + SLICE_MS;
      while (next < target && Date.now() < sliceEnd) work.run(next++);
      if (next < target) return void setImmediate(slice);
      if (k >= steps) return work.done(next);
      scheduler.after(started + (work.windowMs * (k + 1)) / steps - Date.now(), () => step(k + 1));
    };
    slice();
  };
  if (work.total === 0) {
    scheduler.after(work.windowMs, () => work.done(0));
    return;
  }
  scheduler.after(work.windowMs / steps, () => step(1));
}
