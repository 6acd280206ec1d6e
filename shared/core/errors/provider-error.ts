import type { JobError } from '../jobs/job-record';
/**
 * A failed provider call, normalised across providers. `retryable` follows the
 * providers' own guidance (408/409/429/5xx and network failures are worth
 * another try; other 4xx are the request's fault and will fail again).
 */
export class ProviderError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly provider: string,
    /** HTTP status, or 0 for a connection failure / timeout. */
    readonly status: number,
    message: string,
    /** Server-requested wait from `retry-after` / `retry-after-ms`, in milliseconds. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
    this.retryable = isRetryableStatus(status);
  }

  /** The `{ type, message }` kept on a failed job. */
  toJobError(): JobError & { type: 'provider_error'; provider_status: number } {
    const kind = this.status === 0 ? 'connection failure' : String(this.status);
    return {
      type: 'provider_error',
      message: `${this.provider} ${kind}: ${this.message}`,
      provider_status: this.status,
      ...(this.retryAfterMs !== undefined ? { retry_after_seconds: Math.ceil(this.retryAfterMs / 1000) } : {}),
    };
  }
}

export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Reads `retry-after-ms` / `retry-after` (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
