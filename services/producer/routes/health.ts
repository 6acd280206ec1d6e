import { Router } from 'express';
import type { Platform } from '../../../shared/runtime/platform';

/** GET /healthz (the process answers) and GET /readyz (Redis reachable, workers running). */
export function healthRouter(platform: Platform, localWorkers?: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const redis =
      platform.redis.status === 'ready' &&
      (await platform.redis.ping().then(
        () => true,
        () => false,
      ));
    let workers = 0;
    if (redis) workers = localWorkers?.() ? 1 : await platform.pipelineQueue.getWorkersCount().catch(() => 0);
    const ready = redis && workers > 0;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', redis: redis ? 'ok' : 'unreachable', workers });
  });
  return router;
}
