import { Router } from 'express';
import { z } from 'zod';
import { QualityStore } from '../../../shared/levers/routing/guards/quality-store';
import type { Platform } from '../../../shared/runtime/platform';
import { tenantOf } from '../http/authenticate';

const QualityQuery = z
  .object({
    /** UTC days covered, today included. Default 7. */
    days: z.coerce.number().int().min(1).max(90).default(7),
    /** Latest shadows listed in `recent`. Default 10, 0 = none. */
    recent: z.coerce.number().int().min(0).max(50).default(10),
  })
  .strict();

/**
 * GET /v1/routing/quality: how often routed (small/mid) answers agree with
 * the frontier's answer to the same request, measured by shadow evaluation,
 * for the caller's tenant, by task and tier, over a window of days.
 */
export function routingQualityRouter(platform: Platform): Router {
  const router = Router();
  const quality = new QualityStore(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX);
  router.get('/v1/routing/quality', async (req, res) => {
    const query = QualityQuery.parse(req.query);
    const tenant = tenantOf(req);
    const [report, recent] = await Promise.all([quality.report(tenant, query.days), query.recent ? quality.recent(tenant, query.recent) : []]);
    res.json({
      object: 'routing.quality',
      ...report,
      shadow_share: platform.env.PARSIMONY_SHADOW_SHARE,
      shadow_model: platform.catalog.defaultFrontier.id,
      recent: recent.map(({ tenant: _tenant, result, ...shadow }) => ({ ...shadow, ...(result ?? {}) })),
    });
  });
  return router;
}
