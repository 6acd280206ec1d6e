import { isRetryableStatus } from '../../core/errors/provider-error';
import { anthropicMessageToResponse } from './from-anthropic';
import type { AnthropicMessage } from './wire-types';
import { statusForErrorType } from '../error-helpers';
import type { BatchLineResult } from '../../levers/batch/batch-provider';

/** The shape of one results line, as the SDK's JSONL decoder yields it. */
export interface AnthropicResultLine {
  custom_id: string;
  result: { type: 'succeeded'; message: unknown } | { type: 'errored'; error: { error?: { type?: string; message?: string } } } | { type: 'canceled' } | { type: 'expired' };
}

/**
 * Maps one Anthropic batch result: `succeeded` → the response; `errored` →
 * the provider's error, retryable by its type (api_error, overloaded_error,
 * rate_limit_error: yes; invalid_request_error: no); `canceled` and `expired`
 * requests never ran and are worth retrying.
 */
export function parseAnthropicResult(line: AnthropicResultLine): BatchLineResult {
  const customId = line.custom_id;
  const result = line.result;
  if (result.type === 'succeeded') return { customId, kind: 'succeeded', response: anthropicMessageToResponse(result.message as AnthropicMessage) };
  if (result.type === 'errored') {
    const type = result.error?.error?.type ?? 'api_error';
    const status = statusForErrorType(type);
    const message = result.error?.error?.message ?? type;
    return { customId, kind: 'errored', retryable: isRetryableStatus(status), error: { type: 'provider_error', message: `anthropic ${status}: ${message}`, provider_status: status } };
  }
  const message = result.type === 'expired' ? 'the batch expired before this request ran' : 'the batch was canceled before this request ran';
  return { customId, kind: 'errored', retryable: true, error: { type: 'provider_error', message: `anthropic batch ${result.type}: ${message}` } };
}
