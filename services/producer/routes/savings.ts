import { Router } from 'express';
import { z } from 'zod';
import { ApiError } from '../../../shared/core/errors/api-error';
import { savingsReport } from '../../../shared/core/accounting/savings-report';
import type { Platform } from '../../../shared/runtime/platform';
import { tenantOf } from '../http/authenticate';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-31');
const SavingsQuery = z
  .object({
    from: day.optional(),
    to: day.optional(),
    group_by: z.enum(['day', 'model', 'task']).optional(),
  })
  .strict();

/** GET /v1/savings: the tenant's cost waterfall over a date range (default: the last 30 days). */
export function savingsRouter(platform: Platform): Router {
  const router = Router();
  router.get('/v1/savings', async (req, res) => {
    const query = SavingsQuery.parse(req.query);
    const today = new Date().toISOString().slice(0, 10);
    const to = query.to ?? today;
    const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    try {
      res.json(await savingsReport(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, tenantOf(req), from, to, query.group_by));
    } catch (err) {
      if (err instanceof RangeError) throw ApiError.invalid(err.message);
      throw err;
    }
  });
  return router;
}
