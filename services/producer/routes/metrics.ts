import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { authorizationMatches } from '../../../shared/platform/metrics/bearer-key';
import { parsimonyMetrics } from '../../../shared/platform/metrics/parsimony-metrics';
import { readQueueDepths } from '../../../shared/platform/metrics/queue-depths';
import type { Platform } from '../../../shared/runtime/platform';

/**
 * GET /metrics: Prometheus text format for this process. Unprotected unless
 * `metricsKey` (PARSIMONY_METRICS_KEY) is set; then scrapes need
 * `Authorization: Bearer <key>`. Queue depths are read from Redis per scrape.
 *
 * GET /v1/queues (tenant key): job counts per queue and state, for the
 * dashboard and operators.
 */
export function metricsRouter(platform: Platform, metricsKey?: string): Router {
  const router = Router();
  const metrics = parsimonyMetrics();
  const queueOf = platform.queue.bind(platform);

  router.get('/metrics', async (req, res) => {
    if (metricsKey && !authorizationMatches(req.headers.authorization, metricsKey)) throw ApiError.unauthenticated('/metrics needs "Authorization: Bearer <PARSIMONY_METRICS_KEY>".');
    metrics.queueJobs.reset();
    try {
      const depths = await readQueueDepths(queueOf);
      for (const [queue, states] of Object.entries(depths)) for (const [state, count] of Object.entries(states)) metrics.queueJobs.set({ queue, state }, count);
    } catch (err) {
      // Redis down: serve the in-process metrics anyway; the queue series are absent rather than stale.
      platform.log.warn({ err: { message: (err as Error).message } }, 'queue depths unavailable for /metrics');
    }
    res.setHeader('content-type', metrics.registry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(await metrics.registry.metrics());
  });

  router.get('/v1/queues', async (_req, res) => {
    res.setHeader('cache-control', 'no-store');
    res.json({ object: 'queues', queues: await readQueueDepths(queueOf) });
  });

  return router;
}
