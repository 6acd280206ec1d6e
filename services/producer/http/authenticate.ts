import type { Request, RequestHandler } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import type { ApiKeyRing } from '../../../shared/platform/config/api-keys';

/** Requests that passed `authenticate` carry their tenant. */
export interface AuthedRequest extends Request {
  tenant: string;
}

export function authenticate(keys: ApiKeyRing): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) return next(ApiError.unauthenticated());
    const tenant = keys.tenantFor(match[1]);
    if (!tenant) return next(ApiError.unauthenticated('Unknown API key.'));
    (req as AuthedRequest).tenant = tenant;
    next();
  };
}

export function tenantOf(req: Request): string {
  return (req as AuthedRequest).tenant;
}
