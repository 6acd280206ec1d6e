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
    const header = req.headers.authorization;
    const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const apiKey = headerKey(req.headers['x-api-key']);
    const key = bearer ?? apiKey;
    if (!key) return next(ApiError.unauthenticated());
    const tenant = keys.tenantFor(key);
    if (!tenant) return next(ApiError.unauthenticated('Unknown API key.'));
    (req as AuthedRequest).tenant = tenant;
    next();
  };
}

function headerKey(value: string | string[] | undefined): string | undefined {
  const key = (Array.isArray(value) ? value[0] : value)?.trim();
  return key ? key : undefined;
}

export function tenantOf(req: Request): string {
  return (req as AuthedRequest).tenant;
}
