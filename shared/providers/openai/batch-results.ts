import { isRetryableStatus } from '../../core/errors/provider-error';
import { openAICompletionToResponse, type OpenAICompletionLike } from './completion-to-internal';
import type { BatchLineResult } from '../../levers/batch/batch-provider';

/**
 * One line of an OpenAI batch output or error file:
 * `{id, custom_id, response: {status_code, request_id, body} | null, error: {code, message} | null}`.
 * Requests that never ran (expired, cancelled) have `response: null` and an
 * `error`; they are worth retrying. A non-200 response is retryable when its
 * status is (429, 5xx).
 */
export function parseOpenAIResultLine(line: string): BatchLineResult | undefined {
  let parsed: {
    custom_id?: unknown;
    response?: { status_code?: number; body?: unknown } | null;
    error?: { code?: string | null; message?: string | null } | null;
  };
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed?.custom_id !== 'string') return undefined;
  const customId = parsed.custom_id;
  const response = parsed.response;
  if (response && response.status_code === 200 && response.body && typeof response.body === 'object') {
    return { customId, kind: 'succeeded', response: openAICompletionToResponse(response.body as OpenAICompletionLike) };
  }
  if (response && typeof response.status_code === 'number') {
    const status = response.status_code;
    const body = (response.body ?? {}) as { error?: { message?: string } };
    const message = body.error?.message ?? `status ${status}`;
    return { customId, kind: 'errored', retryable: isRetryableStatus(status), error: { type: 'provider_error', message: `openai ${status}: ${message}`, provider_status: status } };
  }
  const code = parsed.error?.code ?? 'batch_error';
  const message = parsed.error?.message ?? 'the request did not run';
  return { customId, kind: 'errored', retryable: true, error: { type: 'provider_error', message: `openai batch ${code}: ${message}` } };
}
