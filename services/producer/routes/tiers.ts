import { Router } from 'express';
import { hasBatchApi } from '../../../shared/providers/registry';
import type { Platform } from '../../../shared/runtime/platform';

/**
 * GET /v1/tiers: per configured chat model, the processing tiers it offers
 * (standard, flex, provider batch), their discounts, the figures the tier
 * choice uses (measured batch turnaround, flex latency and refusal rate over
 * the rolling window, or the defaults while there is no history) and the
 * shortest budget that lets each tier be chosen. Provider figures, the same
 * for every tenant.
 */
export function tiersRouter(platform: Platform): Router {
  const router = Router();
  const stats = platform.tierStats();
  router.get('/v1/tiers', async (_req, res) => {
    const config = platform.tierConfig();
    const models = platform.catalog.models.filter((m) => platform.providers.has(m.provider));
    const data = await Promise.all(
      models.map(async (m) => {
        const figures = await stats.figures(m.provider, m.id);
        const batchOffered = m.batch_discount > 0 && hasBatchApi(m.provider);
        const flexOffered = (m.flex_discount ?? 0) > 0;
        return {
          model: m.id,
          provider: m.provider,
          standard: { available: true, discount: 0 },
          flex: {
            available: flexOffered,
            discount: m.flex_discount ?? 0,
            ...figures.flex,
            eligible: flexOffered && figures.flex.refusal_rate <= config.flexMaxRefusal,
            min_budget_s: round(figures.flex.p95_s + config.standardP95Seconds + config.marginSeconds),
          },
          batch: { available: batchOffered, discount: m.batch_discount, ...figures.batch, min_budget_s: round(figures.batch.p95_s + config.marginSeconds) },
        };
      }),
    );
    res.json({
      object: 'list',
      rule: {
        margin_s: config.marginSeconds,
        standard_fallback_s: config.standardP95Seconds,
        flex_max_refusal: config.flexMaxRefusal,
        flex_timeout_s: config.flexTimeoutCapSeconds,
        min_samples: config.minSamples,
        window: config.window,
      },
      data,
    });
  });
  return router;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
