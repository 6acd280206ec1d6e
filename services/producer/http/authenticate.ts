import type { IncomingHttpHeaders } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import type { ApiKeyRing } from '../../../shared/platform/config/api-keys';

/** Requests that passed `authenticate` carry their tenant. */
export interface AuthedRequest extends Request {
  tenant: string;
}

/**
 * The caller's key: `Authorization: Bearer <key>` (OpenAI clients) or
 * `x-api-key: <key>` (Anthropic clients); both name the same keys.
 */
export function authenticate(keys: ApiKeyRing): RequestHandler {
  return (req, _res, next) => {
    try {
      (req as AuthedRequest).tenant = tenantFromHeaders(keys, req.headers);
    } catch (err) {
      return next(err);
    }
    next();
  };
}

/** The tenant whose key the request carries; a 401 ApiError when it carries none or an unknown one. */
export function tenantFromHeaders(keys: ApiKeyRing, headers: IncomingHttpHeaders): string {
  const header = headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  const key = bearer ?? headerKey(headers['x-api-key']);
  if (!key) throw ApiError.unauthenticated();
  const tenant = keys.tenantFor(key);
  if (!tenant) throw ApiError.unauthenticated('Unknown API key.');
  return tenant;
}

function headerKey(value: string | string[] | undefined): string | undefined {
  const key = (Array.isArray(value) ? value[0] : value)?.trim();
  return key ? key : undefined;
}

export function tenantOf(req: Request): string {
  return (req as AuthedRequest).tenant;
}
