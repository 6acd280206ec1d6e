import type { IServerAdapter } from '@bull-board/api/typings/app';
import type { IncomingHttpHeaders } from 'node:http';
import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { authorizationMatches } from '../../../shared/platform/metrics/bearer-key';
import { QUEUES } from '../../../shared/platform/queues/queue-catalog';
import type { Platform } from '../../../shared/runtime/platform';
import type * as BullBoardApi from '@bull-board/api';
import type * as BullBoardBullMQ from '@bull-board/api/bullMQAdapter';
import type * as BullBoardExpress from '@bull-board/express';

export const ADMIN_QUEUES_PATH = '/admin/queues';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * /admin/*: operator tools, behind PARSIMONY_ADMIN_KEY. Without the key set,
 * nothing is mounted and every /admin path answers 404 like any unknown
 * route. With it, requests need `Authorization: Bearer <key>` or HTTP Basic
 * with the key as password (any user name), so a browser's login prompt works.
 *
 * /admin/queues: bull-board over every queue of the queue catalog.
 */
export function adminRouter(platform: Platform, adminKey?: string): Router {
  const router = Router();
  if (!adminKey) return router;

  router.use('/admin', (req, res, next) => {
    if (!authorizationMatches(req.headers.authorization, adminKey)) {
      res.setHeader('www-authenticate', 'Basic realm="Parsimony admin", charset="UTF-8"');
      return next(ApiError.unauthenticated('/admin needs the admin key: "Authorization: Bearer <PARSIMONY_ADMIN_KEY>" (or HTTP Basic with it as password).'));
    }
    // Browsers resend Basic credentials to any request for this origin, so another site could make a logged-in
    // operator's browser retry or delete jobs: changes must come from this origin.
    if (!SAFE_METHODS.has(req.method) && crossSite(req.headers)) return next(ApiError.forbidden('cross-site requests cannot change queues'));
    next();
  });

  // Loaded only when the admin surface is on: bull-board and its view engine are ~3 MB of heap a producer without it never uses.
  /* eslint-disable @typescript-eslint/no-require-imports -- a lazy load: an import statement would load them in every producer */
  const { createBullBoard } = require('@bull-board/api') as typeof BullBoardApi;
  const { BullMQAdapter } = require('@bull-board/api/bullMQAdapter') as typeof BullBoardBullMQ;
  const { ExpressAdapter } = require('@bull-board/express') as typeof BullBoardExpress;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map((name) => new BullMQAdapter(platform.queue(name))),
    // @bull-board/express pins its own copy of @bull-board/api (a patch version apart); same interface.
    serverAdapter: serverAdapter as unknown as IServerAdapter,
    options: { uiConfig: { boardTitle: 'Parsimony queues' } },
  });
  router.use(ADMIN_QUEUES_PATH, serverAdapter.getRouter());
  return router;
}

/** A browser request from another site (Fetch Metadata, or an Origin that is not this host). */
function crossSite(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}
