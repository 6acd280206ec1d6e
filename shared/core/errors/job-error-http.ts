import type { JobError } from '../jobs/job-record';
import { ApiError } from './api-error';

/**
 * The one mapping from a failed job's error to the HTTP error a caller sees,
 * for every way an answer leaves Parsimony (a synchronous response, a stream's
 * error event, a Batch API output line): the caller's own mistakes are 400s,
 * a provider's 429 stays a 429 with its wait, other provider 4xx (the request
 * the provider refused) are 400s, and provider 5xx, timeouts (408) and
 * conflicts (409) are 502s; Parsimony's own failures keep their type.
 */
export function jobErrorToApiError(error: JobError | undefined): ApiError {
  if (!error) return new ApiError(500, 'internal_error', 'job ended without a result');
  if (error.type !== 'provider_error') return new ApiError(statusOfOwnError(error.type), error.type, error.message);
  const status = error.provider_status ?? 0;
  if (status === 429) return ApiError.rateLimited(error.message, error.retry_after_seconds ?? 1);
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) return new ApiError(400, 'invalid_request_error', error.message);
  return new ApiError(502, 'provider_error', error.message);
}

function statusOfOwnError(type: JobError['type']): number {
  if (type === 'invalid_request_error') return 400;
  if (type === 'service_unavailable') return 503;
  return 500;
}
