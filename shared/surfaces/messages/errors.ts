import type { ZodError } from 'zod';
import type { ApiError } from '../../core/errors/api-error';
import type { JobError } from '../../core/jobs/job-record';

/**
 * Errors on the Messages surface in Anthropic's own shape,
 * `{ "type": "error", "error": { "type", "message" } }`, with Anthropic's
 * status codes, so the Anthropic SDK raises its typed errors
 * (BadRequestError, AuthenticationError, RateLimitError, …) with the right
 * `error.type`. The rest of the API keeps `{ error: { type, message } }`.
 */
export type AnthropicErrorType =
  'invalid_request_error' | 'authentication_error' | 'permission_error' | 'not_found_error' | 'request_too_large' | 'rate_limit_error' | 'api_error' | 'overloaded_error';

export interface AnthropicError {
  status: number;
  body: { type: 'error'; error: { type: AnthropicErrorType; message: string } };
}

function anthropicError(status: number, type: AnthropicErrorType, message: string): AnthropicError {
  return { status, body: { type: 'error', error: { type, message } } };
}

/** Parsimony's ApiError as Anthropic would send it. */
export function apiErrorToAnthropic(error: ApiError): AnthropicError {
  switch (error.type) {
    case 'invalid_request_error':
    case 'conflict_error':
      return anthropicError(error.status === 409 ? 409 : 400, 'invalid_request_error', error.message);
    case 'authentication_error':
      return anthropicError(401, 'authentication_error', error.message);
    case 'permission_error':
      return anthropicError(403, 'permission_error', error.message);
    case 'not_found_error':
      return anthropicError(404, 'not_found_error', error.message);
    case 'request_too_large':
      return anthropicError(413, 'request_too_large', error.message);
    case 'rate_limit_error':
      return anthropicError(429, 'rate_limit_error', error.message);
    case 'service_unavailable':
      return anthropicError(529, 'overloaded_error', error.message);
    default:
      return anthropicError(500, 'api_error', error.message);
  }
}

/**
 * A failed job's error: the provider's own 429 and 529 keep their meaning
 * (the SDK retries both); another provider 4xx is the request's fault (400);
 * every other failure is a 500 api_error.
 */
export function jobErrorToAnthropic(error: JobError | undefined): AnthropicError {
  if (!error) return anthropicError(500, 'api_error', 'job ended without a result');
  if (error.type === 'invalid_request_error') return anthropicError(400, 'invalid_request_error', error.message);
  if (error.type !== 'provider_error') return anthropicError(500, 'api_error', error.message);
  const status = error.provider_status ?? 0;
  if (status === 429) return anthropicError(429, 'rate_limit_error', error.message);
  if (status === 529 || status === 503) return anthropicError(529, 'overloaded_error', error.message);
  if (status === 413) return anthropicError(413, 'request_too_large', error.message);
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) return anthropicError(400, 'invalid_request_error', error.message);
  return anthropicError(500, 'api_error', error.message);
}

/** Requests answered in Anthropic's error shape: the Messages paths, and any request an Anthropic client sent (`anthropic-version`). */
export function wantsAnthropicErrors(path: string, anthropicVersion: string | undefined): boolean {
  return path === '/v1/messages' || path.startsWith('/v1/messages/') || anthropicVersion !== undefined;
}

/** A schema failure as one line, `path: problem`, in the Messages format's terms. */
export function formatMessagesZodError(error: ZodError): string {
  const issue = mostSpecific(error.issues[0]);
  const path = issue.path.length ? issue.path.join('.') : 'body';
  const message = issue.code === 'invalid_union' ? 'has an unexpected shape (check it against the Anthropic Messages format)' : issue.message;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${path}: ${message}${more}`;
}

type Issue = ZodError['issues'][number];

/**
 * For a union (e.g. content: a string or a list of blocks) the alternative
 * that got furthest names the real problem ("document blocks are not
 * supported") rather than "unexpected shape".
 */
function mostSpecific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || !('errors' in issue) || !Array.isArray(issue.errors)) return issue;
  const candidates = (issue.errors as Issue[][]).flat().filter((i) => i.code !== 'invalid_type' || i.path.length > 0);
  if (!candidates.length) return issue;
  const best = candidates.reduce((a, b) => (b.path.length > a.path.length ? b : a));
  return mostSpecific({ ...best, path: [...issue.path, ...best.path] } as Issue);
}
