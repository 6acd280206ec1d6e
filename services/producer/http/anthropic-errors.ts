import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { wantsAnthropicErrors } from '../../../shared/surfaces/messages/errors';
import { sendError } from './error-handler';

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
    sendError(res, log, err, { method: req.method, path: req.path, anthropic: true });
  };
}
