import type { ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { ApiError } from '../../../shared/core/errors/api-error';
import { IdempotencyConflictError } from '../../../shared/core/jobs/job-store';
import { apiErrorToAnthropic, formatMessagesZodError } from '../../../shared/surfaces/messages/errors';
import { sendJson } from './json-reply';

/** Failures to read a JSON body, as both body readers (express.json's errors, the lean ingress's reader) answer them. */
export const BodyErrors = {
  tooLarge: () => ApiError.tooLarge('request body is larger than this server accepts (PARSIMONY_BODY_LIMIT)'),
  notJson: () => ApiError.invalid('request body is not valid JSON'),
  aborted: () => new ApiError(400, 'invalid_request_error', 'request aborted by the client'),
};

/**
 * The one place errors become HTTP responses. Every error body has the shape
 * `{ error: { type, message } }`; unknown errors are logged and answered
 * with a generic 500 that leaks nothing.
 */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return ApiError.invalid(formatZodError(err));
  if (err instanceof IdempotencyConflictError) return ApiError.conflict(`${err.message} (job ${err.existingJobId}); use a new key for a new request`);
  const bodyParserType = (err as { type?: string } | null)?.type;
  if (bodyParserType === 'entity.too.large') return BodyErrors.tooLarge();
  if (bodyParserType === 'entity.parse.failed') return BodyErrors.notJson();
  if (bodyParserType === 'encoding.unsupported' || bodyParserType === 'charset.unsupported') return ApiError.invalid('request body encoding is not supported; send UTF-8 JSON');
  if (bodyParserType === 'request.aborted') return BodyErrors.aborted();
  if (isRedisUnavailable(err)) return ApiError.unavailable('Parsimony cannot reach its Redis right now; retry shortly');
  // Other failures to read the request carry a 4xx status (http-errors from body-parser, e.g. a body that does not
  // decompress; the router's URIError for a malformed percent-encoding): the request's fault, not a 500.
  // Only errors meant for the client (http-errors' `expose`), so a stray 4xx from elsewhere (an SDK call) stays a 500.
  const status = (err as { status?: unknown } | null)?.status;
  const exposed = err instanceof URIError || (err as { expose?: unknown } | null)?.expose === true;
  if (typeof status === 'number' && status >= 400 && status < 500 && exposed) {
    if (err instanceof URIError) return ApiError.invalid('the URL holds a malformed percent-encoding');
    if (typeof (err as { code?: unknown }).code === 'string' && /^Z_/.test((err as { code: string }).code)) return ApiError.invalid('request body could not be decompressed (Content-Encoding)');
    return new ApiError(status, 'invalid_request_error', `request could not be read: ${(err as Error).message}`);
  }
  return undefined;
}

/** Where a failed request came from: what the log line names, and whether it is answered in Anthropic's shape. */
export interface FailedRequest {
  method: string;
  path: string;
  /** The Messages paths and any request with `anthropic-version` (`wantsAnthropicErrors`). */
  anthropic: boolean;
}

/**
 * Answers a failed request in its one error shape — `{ error: { type, message } }`,
 * or Anthropic's `{ type: "error", error }` for Anthropic callers — with
 * retry-after when the error carries one. Unknown errors are logged and
 * answered with a generic 500 that leaks nothing. Shared by express's error
 * handlers and the lean ingress, so both paths answer the same bytes.
 */
export function sendError(res: ServerResponse, log: Logger, err: unknown, req: FailedRequest): void {
  const apiError =
    (req.anthropic && err instanceof ZodError ? ApiError.invalid(formatMessagesZodError(err)) : toApiError(err)) ?? new ApiError(500, 'internal_error', 'internal error; it has been logged');
  if (apiError.status >= 500 && apiError.status !== 503) log.error({ err, method: req.method, path: req.path }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  if (apiError.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(apiError.retryAfterSeconds));
  if (!req.anthropic) return sendJson(res, apiError.status, apiError.toBody());
  const { status, body } = apiErrorToAnthropic(apiError);
  sendJson(res, status, body);
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => sendError(res, log, err, { method: req.method, path: req.path, anthropic: false });
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found_error', `no route for ${req.method} ${req.path}`));
};

export function formatZodError(error: ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length ? issue.path.join('.') : 'body';
  let message = issue.message;
  if (issue.code === 'invalid_union') message = 'has an unexpected shape (check role, content and field names against the OpenAI chat format)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return `${path}: ${message}${more}`;
}

function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return /enableOfflineQueue|Connection is closed|ECONNREFUSED|Stream isn't writeable|max retries per request|Reached the max retries/i.test(err.message) || err.name === 'MaxRetriesPerRequestError';
}
