/**
 * Errors the simulator answers with, rendered in each provider's exact error
 * body: OpenAI `{ error: { message, type, param, code } }`, Anthropic
 * `{ type: "error", error: { type, message }, request_id }`.
 */

export type Provider = 'openai' | 'anthropic';

export interface SimErrorDetails {
  /** Provider error type; defaults from the status (see defaultErrorType). */
  type?: string;
  /** OpenAI only: the offending parameter. */
  param?: string | null;
  /** OpenAI only: machine-readable code. */
  code?: string | null;
  /** Extra response headers (retry-after, rate-limit headers). */
  headers?: Record<string, string>;
}

/** Thrown by handlers; the router renders it in the provider's shape. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: SimErrorDetails = {},
  ) {
    super(message);
    this.name = 'SimError';
  }
}

/** OpenAI 400 with a param, the common validation failure. */
export function invalidParam(message: string, param: string | null = null, code: string | null = null): SimError {
  return new SimError(400, message, { param, code });
}

export function defaultErrorType(provider: Provider, status: number): string {
  if (provider === 'openai') {
    if (status === 429) return 'requests';
    if (status >= 500) return 'server_error';
    return 'invalid_request_error';
  }
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 409:
      return 'conflict_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function errorBody(provider: Provider, error: SimError, requestId: string): unknown {
  const type = error.details.type ?? defaultErrorType(provider, error.status);
  if (provider === 'anthropic') return { type: 'error', error: { type, message: error.message }, request_id: requestId };
  return { error: { message: error.message, type, param: error.details.param ?? null, code: error.details.code ?? null } };
}

/** The message a real provider sends for an injected status, so logs and retries look familiar. */
export function faultMessage(provider: Provider, status: number, model: string | undefined, retryAfter: number | undefined): string {
  const wait = retryAfter ?? 1;
  if (provider === 'openai') {
    if (status === 429) return `Rate limit reached for ${model ?? 'requests'} in organization org-simulator on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in ${wait}s.`;
    if (status === 500) return 'The server had an error while processing your request. Sorry about that!';
    if (status === 502) return 'Bad gateway.';
    if (status === 503) return 'The server is overloaded or not ready yet.';
    if (status === 401) return 'Incorrect API key provided.';
    return `Simulated error ${status}.`;
  }
  if (status === 429) return 'Number of request tokens has exceeded your per-minute rate limit. Please try again later.';
  if (status === 529) return 'Overloaded';
  if (status === 500) return 'Internal server error';
  if (status === 401) return 'invalid x-api-key';
  return `Simulated error ${status}.`;
}

/** Rate-limit headers the providers attach to a 429. */
export function rateLimitHeaders(provider: Provider, retryAfter: number): Record<string, string> {
  const headers: Record<string, string> = { 'retry-after': String(retryAfter) };
  if (provider === 'openai') {
    headers['x-ratelimit-limit-requests'] = '500';
    headers['x-ratelimit-remaining-requests'] = '0';
    headers['x-ratelimit-reset-requests'] = `${retryAfter}s`;
    headers['x-ratelimit-limit-tokens'] = '200000';
    headers['x-ratelimit-remaining-tokens'] = '0';
    headers['x-ratelimit-reset-tokens'] = `${retryAfter}s`;
  } else {
    const reset = new Date(Date.now() + retryAfter * 1000).toISOString();
    headers['anthropic-ratelimit-requests-limit'] = '50';
    headers['anthropic-ratelimit-requests-remaining'] = '0';
    headers['anthropic-ratelimit-requests-reset'] = reset;
  }
  return headers;
}
