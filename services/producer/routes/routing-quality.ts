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
    const feedback = platform.routingFeedback;
    const [report, recent, thresholds, changes] = await Promise.all([
      quality.report(tenant, query.days),
      query.recent ? quality.recent(tenant, query.recent) : [],
      feedback.state(tenant),
      feedback.changes(tenant),
    ]);
    res.json({
      object: 'routing.quality',
      ...report,
      shadow_share: platform.env.PARSIMONY_SHADOW_SHARE,
      shadow_model: platform.catalog.defaultFrontier.id,
      // Production feedback: per task, how far disagreement raised the thresholds, and every change with its evidence.
      feedback: { min_agreement: feedback.minAgreement, min_shadows: feedback.minShadows, thresholds, changes: changes.map((c) => ({ ...c, at: new Date(c.at).toISOString() })) },
      recent: recent.map(({ tenant: _tenant, result, ...shadow }) => ({ ...shadow, ...(result ?? {}) })),
    });
  });
  return router;
}
