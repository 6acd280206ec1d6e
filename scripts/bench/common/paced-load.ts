import { Agent, request } from 'node:http';
import { percentile, round } from './stats';

/** One HTTP target of a load run: where to send and what. */
export interface LoadTarget {
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Body of the i-th request (unique prompts for cache misses, a fixed one for hits). */
  body: (i: number) => string;
}

export interface PacedOptions {
  /** Requests per second, sent at evenly spaced instants (open loop). */
  rate: number;
  /** Seconds of measured load. */
  durationS: number;
  /** Requests in flight at most; past it a due request is counted as dropped (the target is not keeping up). Default 512. */
  maxInFlight?: number;
  /** Called with each response's headers (e.g. to count cache hits). */
  onHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
}

export interface PacedResult {
  rate: number;
  sent: number;
  completed: number;
  errors: number;
  dropped: number;
  /** Completed responses per second over the run. */
  achieved_rps: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
  /** How late the generator dispatched requests (its own event loop): p99, ms. */
  dispatch_lag_p99_ms: number | null;
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate and is
 * dispatched then, whatever earlier requests are doing; latency is measured
 * from dispatch to the last byte of the response (sub-millisecond, hrtime).
 * autocannon's `overallRate` is not this: each connection sends its
 * per-second quota back to back at the top of each second (httpClient.js,
 * `reqsMadeThisSecond`), so its latencies are those of C concurrent bursts.
 */
export async function runPaced(target: LoadTarget, o: PacedOptions): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxInFlight ?? 512, keepAliveMsecs: 10_000 });
  const { hostname, port } = new URL(target.url);
  const maxInFlight = o.maxInFlight ?? 512;
  const total = Math.max(1, Math.round(o.rate * o.durationS));
  const latencies: number[] = [];
  const lags: number[] = [];
  let inFlight = 0;
  let errors = 0;
  let dropped = 0;
  let sent = 0;
  let lastDone = 0;
  const interval = 1000 / o.rate;
  const start = performance.now() + 20;

  const fire = (i: number, due: number) => {
    if (inFlight >= maxInFlight) {
      dropped++;
      return;
    }
    const body = target.body(i);
    inFlight++;
    sent++;
    const t0 = performance.now();
    lags.push(t0 - due);
    const req = request(
      { agent, host: hostname, port, method: 'POST', path: target.path, headers: { ...target.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => {
          const t1 = performance.now();
          inFlight--;
          lastDone = t1;
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
            latencies.push(t1 - t0);
            o.onHeaders?.(res.headers);
          } else errors++;
        });
      },
    );
    req.on('error', () => {
      inFlight--;
      errors++;
    });
    req.end(body);
  };

  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval);
        next++;
      }
      if (next >= total) return resolve();
      // Sleep until the next due instant (timers fire ≥ 1 ms late, so due requests are caught up in the loop above).
      setTimeout(tick, Math.max(0, start + next * interval - performance.now() - 0.5));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  // Let the stragglers finish (bounded).
  const until = performance.now() + 10_000;
  while (inFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
  agent.destroy();
  const elapsedS = (Math.max(lastDone, start + total * interval) - start) / 1000;
  const r3 = (x: number) => round(x, 3);
  return {
    rate: o.rate,
    sent,
    completed: latencies.length,
    errors: errors + inFlight,
    dropped,
    achieved_rps: round(latencies.length / elapsedS, 1),
    p50_ms: r3(percentile(latencies, 50)),
    p90_ms: r3(percentile(latencies, 90)),
    p99_ms: r3(percentile(latencies, 99)),
    max_ms: r3(Math.max(...latencies)),
    dispatch_lag_p99_ms: r3(percentile(lags, 99)),
  };
}
