import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Router } from 'express';
import { tenantOf } from './authenticate';

/** What a hot route reads from its request, whichever ingress (lean or express) read it. */
export interface HotRequest {
  /** The tenant whose key the request carries (authenticated before the handler runs). */
  tenant: string;
  /** The parsed JSON body; undefined when the request had none. */
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** A hot route's handler: answers on `res` or throws (an ApiError, a ZodError) for the caller's error handling. */
export type HotHandler = (req: HotRequest, res: ServerResponse) => Promise<void>;

/**
 * The hot routes by path, all POST: served by the lean ingress, and by express
 * (through `hotRoutesRouter`) for the requests the lean ingress leaves to it
 * (a compressed body, another charset, a trailing slash), so both run one handler.
 */
export type HotRoutes = ReadonlyMap<string, HotHandler>;

export function hotRoutesRouter(routes: HotRoutes): Router {
  const router = Router();
  for (const [path, handler] of routes) router.post(path, (req, res) => handler({ tenant: tenantOf(req), body: req.body as unknown, headers: req.headers }, res));
  return router;
}

/** A request header's first value. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
