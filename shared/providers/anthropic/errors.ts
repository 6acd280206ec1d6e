import { AnthropicError, APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { ProviderError, parseRetryAfter } from '../../core/errors/provider-error';
import { ABORTED_STATUS, describeCause, isAbortError, statusForErrorType } from '../error-helpers';

export const PROVIDER_NAME = 'anthropic';

/**
 * Maps anything the Anthropic SDK throws into a ProviderError: the HTTP status
 * (0 for connection failures and timeouts, 499 for aborts; an `error` event
 * inside a stream gets the status of its error type, e.g. overloaded → 529),
 * Anthropic's own error message from the body, and the `retry-after(-ms)` wait.
 */
export function anthropicErrorToProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError || isAbortError(err)) return new ProviderError(PROVIDER_NAME, ABORTED_STATUS, 'request aborted');
  if (err instanceof APIConnectionTimeoutError) return new ProviderError(PROVIDER_NAME, 0, 'request timed out');
  if (err instanceof APIConnectionError) return new ProviderError(PROVIDER_NAME, 0, `connection failed: ${describeCause(err.cause ?? err)}`);
  if (err instanceof APIError) {
    // SDK 1.x exposes the body's `error.message` / `error.type` as apiMessage / type.
    const message = err.apiMessage || err.message;
    const status = err.status ?? statusForErrorType(err.type);
    return new ProviderError(PROVIDER_NAME, status, message, parseRetryAfter(err.headers));
  }
  // The SDK refused to send the request (e.g. "Streaming is required…"): sending it again fails the same way.
  if (err instanceof AnthropicError) return new ProviderError(PROVIDER_NAME, 400, err.message);
  return new ProviderError(PROVIDER_NAME, 0, describeCause(err));
}
