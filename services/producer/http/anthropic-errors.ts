import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError } from '../../../shared/core/errors/api-error';
import { ZodError } from 'zod';
import { apiErrorToAnthropic, formatMessagesZodError, wantsAnthropicErrors } from '../../../shared/surfaces/messages/errors';
import { toApiError } from './error-handler';

/**
 * Errors of the Messages surface (and of any request an Anthropic client
 * sent, `anthropic-version`) in Anthropic's shape — auth failures, bodies
 * that do not parse, unknown routes and rate limits included. Mounted just
 * before the general error handler, which answers everything else.
 */
export function anthropicErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const version = req.headers['anthropic-version'];
    if (!wantsAnthropicErrors(req.path, Array.isArray(version) ? version[0] : version)) return next(err);
    const apiError = (err instanceof ZodError ? ApiError.invalid(formatMessagesZodError(err)) : toApiError(err)) ?? new ApiError(500, 'internal_error', 'internal error; it has been logged');
    if (apiError.status >= 500 && apiError.status !== 503) log.error({ err, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    const { status, body } = apiErrorToAnthropic(apiError);
    if (apiError.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(apiError.retryAfterSeconds));
    res.status(status).json(body);
  };
}
