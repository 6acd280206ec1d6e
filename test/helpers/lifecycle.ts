/**
 * Servers and processes a test file starts, stopped at the end of the file
 * whatever happened. A `beforeAll` that times out does not stop its own
 * async work: the start it was awaiting finishes later, after the file's
 * `afterAll` found nothing assigned yet to close, and the server it started
 * then keeps jest alive. Every start helper in test/helpers registers here,
 * and test/helpers/close-started.ts (a setupFilesAfterEnv file) waits for
 * the starts still in flight and closes whatever is still open.
 */

/** Hook timeout for a `beforeAll` that starts servers: a cold ts-jest start on a loaded 2-core machine. */
export const SERVER_HOOK_TIMEOUT_MS = 120_000;

interface Started {
  settled: Promise<unknown>;
  close(): Promise<void>;
}

const started = new Set<Started>();

/**
 * Registers a start: `start` is the promise of the running thing, `close`
 * stops it. Returns the same value with `close` made idempotent, so the
 * file's own `afterAll` and the final sweep may both call it.
 */
export function track<T extends { close(): Promise<void> }>(start: Promise<T>): Promise<T> {
  let stop: (() => Promise<void>) | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    started.delete(entry);
    return (closing ??= stop ? stop() : Promise.resolve());
  };
  const ready = start.then((value) => {
    stop = value.close.bind(value);
    return Object.assign(value, { close });
  });
  const entry: Started = {
    settled: ready.then(
      () => undefined,
      () => undefined,
    ),
    close,
  };
  started.add(entry);
  void ready.catch(() => started.delete(entry));
  return ready;
}

/** Waits for every start still in flight (including ones they trigger), then closes what is still open. */
export async function closeAllStarted(): Promise<void> {
  const errors: unknown[] = [];
  for (;;) {
    const open = [...started];
    if (!open.length) break;
    for (const entry of open) {
      await entry.settled;
      await entry.close().catch((error: unknown) => errors.push(error));
    }
  }
  if (errors.length) throw new AggregateError(errors, 'closing what the test file started');
}
