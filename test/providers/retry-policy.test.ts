import { ProviderError } from '../../shared/core/errors/provider-error';
import { backoffDelayMs, callWithRetries, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS } from '../../shared/providers/retry-policy';

const fixed = (r: number) => () => r;

describe('backoffDelayMs', () => {
  test('full jitter under a doubling ceiling: [0, 500), [0, 1000), [0, 2000), … capped at 30 s', () => {
    expect(backoffDelayMs(1, undefined, { random: fixed(0.999999) })).toBe(RETRY_BASE_DELAY_MS - 1);
    expect(backoffDelayMs(1, undefined, { random: fixed(0) })).toBe(0);
    expect(backoffDelayMs(2, undefined, { random: fixed(0.5) })).toBe(500);
    expect(backoffDelayMs(3, undefined, { random: fixed(0.5) })).toBe(1000);
    expect(backoffDelayMs(10, undefined, { random: fixed(0.5) })).toBe(RETRY_MAX_DELAY_MS / 2);
    expect(backoffDelayMs(5000, undefined, { random: fixed(0.999999) })).toBe(RETRY_MAX_DELAY_MS - 1);
  });

  test('spreads out: many draws for one attempt are not all equal and stay under the ceiling', () => {
    const draws = Array.from({ length: 200 }, () => backoffDelayMs(4));
    expect(new Set(draws).size).toBeGreaterThan(10);
    expect(Math.max(...draws)).toBeLessThan(4000);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
  });

  test('a longer retry-after wins, a shorter one does not, even beyond the cap', () => {
    expect(backoffDelayMs(1, { retryAfterMs: 1000 }, { random: fixed(0.5) })).toBe(1000);
    expect(backoffDelayMs(3, { retryAfterMs: 10 }, { random: fixed(0.5) })).toBe(1000);
    expect(backoffDelayMs(1, new ProviderError('openai', 429, 'slow down', 45_000), { random: fixed(0.5) })).toBe(45_000);
    expect(backoffDelayMs(1, new ProviderError('openai', 429, 'slow down'), { random: fixed(0.5) })).toBe(250);
  });
});

describe('callWithRetries', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 2 };

  test('retries retryable provider errors until success, reporting each retry', async () => {
    const seen: number[] = [];
    const retries: { attempt: number; status: number }[] = [];
    const result = await callWithRetries(
      async (attempt) => {
        seen.push(attempt);
        if (attempt === 1) throw new ProviderError('openai', 500, 'boom');
        if (attempt === 2) throw new ProviderError('openai', 0, 'connection reset');
        return 'ok';
      },
      { ...fast, attempts: 3, onRetry: (i) => retries.push({ attempt: i.attempt, status: i.error.status }) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2, 3]);
    expect(retries).toEqual([
      { attempt: 1, status: 500 },
      { attempt: 2, status: 0 },
    ]);
  });

  test('a non-retryable provider error and a foreign error are thrown at once', async () => {
    let calls = 0;
    const bad = new ProviderError('anthropic', 400, 'max_tokens: must be positive');
    await expect(
      callWithRetries(async () => {
        calls++;
        throw bad;
      }, fast),
    ).rejects.toBe(bad);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      callWithRetries(async () => {
        calls++;
        throw new TypeError('bug');
      }, fast),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
  });

  test('when attempts run out the last error is thrown', async () => {
    let calls = 0;
    const err = await callWithRetries(
      async () => {
        calls++;
        throw new ProviderError('openai', 503, `down ${calls}`);
      },
      { ...fast, attempts: 4 },
    ).catch((e) => e);
    expect(calls).toBe(4);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toBe('down 4');
  });

  test('an abort during the wait stops retrying', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = callWithRetries(
      async () => {
        calls++;
        throw new ProviderError('openai', 429, 'rate limited', 60_000);
      },
      { attempts: 5, signal: controller.signal, onRetry: () => setImmediate(() => controller.abort()) },
    );
    await expect(pending).rejects.toThrow('rate limited');
    expect(calls).toBe(1);
  });

  test('a retry-after longer than maxWaitMs is not waited for', async () => {
    let calls = 0;
    const retried: number[] = [];
    await expect(
      callWithRetries(
        async () => {
          calls++;
          throw new ProviderError('openai', 429, 'rate limited', 120_000);
        },
        { attempts: 3, maxWaitMs: 5_000, onRetry: (i) => retried.push(i.attempt) },
      ),
    ).rejects.toThrow('rate limited');
    expect(calls).toBe(1);
    expect(retried).toEqual([]);
  });
});
