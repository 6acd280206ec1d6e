import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router } from 'express';
import { ApiError } from '../../../shared/errors/api-error';
import { authorizationMatches } from '../../../shared/metrics/bearer-key';
import { QUEUES } from '../../../shared/queues/queue-catalog';
import type { Platform } from '../../../shared/runtime/platform';

export const ADMIN_QUEUES_PATH = '/admin/queues';

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
    if (authorizationMatches(req.headers.authorization, adminKey)) return next();
    res.setHeader('www-authenticate', 'Basic realm="Parsimony admin", charset="UTF-8"');
    next(ApiError.unauthenticated('/admin needs the admin key: "Authorization: Bearer <PARSIMONY_ADMIN_KEY>" (or HTTP Basic with it as password).'));
  });

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
