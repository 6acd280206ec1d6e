import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import { ProviderError, parseRetryAfter } from '../../core/errors/provider-error';
import { ABORTED_STATUS, describeCause, isAbortError, statusForErrorType } from '../error-helpers';

export const PROVIDER_NAME = 'openai';

/**
 * Maps anything the OpenAI SDK throws into a ProviderError: the HTTP status
 * (0 for connection failures and timeouts, 499 for aborts), OpenAI's own
 * error message from the body, and the `retry-after(-ms)` wait.
 */
export function openAIErrorToProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError || isAbortError(err)) return new ProviderError(PROVIDER_NAME, ABORTED_STATUS, 'request aborted');
  if (err instanceof APIConnectionTimeoutError) return new ProviderError(PROVIDER_NAME, 0, 'request timed out');
  if (err instanceof APIConnectionError) return new ProviderError(PROVIDER_NAME, 0, `connection failed: ${describeCause(err.cause ?? err)}`);
  if (err instanceof APIError) {
    // `err.error` is the body's `error` object ({ message, type, code, param }).
    const body = (err.error ?? {}) as { message?: unknown; type?: string; code?: string };
    const message = typeof body.message === 'string' && body.message ? body.message : err.message;
    const status = err.status ?? statusForErrorType(body.type ?? body.code);
    return new ProviderError(PROVIDER_NAME, status, message, parseRetryAfter(err.headers));
  }
  // The SDK refused to send the request (bad option or body): sending it again fails the same way.
  if (err instanceof OpenAIError) return new ProviderError(PROVIDER_NAME, 400, err.message);
  return new ProviderError(PROVIDER_NAME, 0, describeCause(err));
}
