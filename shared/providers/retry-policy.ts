import { ProviderError } from '../core/errors/provider-error';

/**
 * The retry policy for provider calls. Adapters never retry; the synchronous
 * fast path uses `callWithRetries`, the queued path hands `backoffDelayMs` to
 * BullMQ. Only `ProviderError.retryable` failures (408/409/429/5xx, network,
 * timeouts) are retried.
 */

/** First backoff ceiling: 500 ms. Ceilings double per attempt (500, 1000, 2000, …). */
export const RETRY_BASE_DELAY_MS = 500;

/** Largest backoff ceiling: 30 s. A provider's `retry-after` may ask for longer and is honoured. */
export const RETRY_MAX_DELAY_MS = 30_000;

/** Attempts `callWithRetries` makes by default (the first call plus two retries). */
export const DEFAULT_RETRY_ATTEMPTS = 3;

export interface BackoffOptions {
  /** First ceiling in ms. Default RETRY_BASE_DELAY_MS. */
  baseDelayMs?: number;
  /** Largest ceiling in ms. Default RETRY_MAX_DELAY_MS. */
  maxDelayMs?: number;
  /** Source of randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based):
 * exponential backoff with full jitter, i.e. uniform in
 * [0, min(max, base · 2^(attempt-1))), so concurrent callers spread out.
 * When the provider asked for a longer wait (`retryAfterMs`), that wait wins.
 */
export function backoffDelayMs(attempt: number, error?: { retryAfterMs?: number }, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? RETRY_BASE_DELAY_MS;
  const max = options.maxDelayMs ?? RETRY_MAX_DELAY_MS;
  const random = options.random ?? Math.random;
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  // The exponent is capped so a huge attempt number cannot make the power Infinity.
  const ceiling = Math.min(max, base * 2 ** Math.min(exponent, 60));
  const jittered = Math.floor(random() * ceiling);
  const asked = error?.retryAfterMs;
  return asked !== undefined && Number.isFinite(asked) && asked > jittered ? Math.ceil(asked) : jittered;
}

export interface RetryInfo {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** How long the policy waits before the next attempt. */
  delayMs: number;
  error: ProviderError;
}

export interface CallWithRetriesOptions extends BackoffOptions {
  /** Total attempts including the first. Default DEFAULT_RETRY_ATTEMPTS. */
  attempts?: number;
  /** Stops retrying (and waiting) once aborted; the last error is thrown. */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log. */
  onRetry?: (info: RetryInfo) => void;
  /**
   * Longest wait worth making in-process, in ms: when the provider asks for
   * more (a long `retry-after`), the error is thrown at once so the caller can
   * defer the work instead. Default: no limit.
   */
  maxWaitMs?: number;
}

/**
 * Runs `fn` until it succeeds, retrying retryable ProviderErrors with
 * `backoffDelayMs`. Anything else (including non-retryable ProviderErrors) is
 * thrown at once, as is the last error when attempts run out.
 */
export async function callWithRetries<T>(fn: (attempt: number) => Promise<T>, options: CallWithRetriesOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? DEFAULT_RETRY_ATTEMPTS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof ProviderError) || !err.retryable || attempt >= attempts || options.signal?.aborted) throw err;
      const delayMs = backoffDelayMs(attempt, err, options);
      if (options.maxWaitMs !== undefined && delayMs > options.maxWaitMs) throw err;
      options.onRetry?.({ attempt, delayMs, error: err });
      if (!(await sleep(delayMs, options.signal))) throw err;
    }
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
