import { Router } from 'express';
import { ApiError } from '../../../shared/core/errors/api-error';
import { RegisterVariantBodySchema, VariantRegistry } from '../../../shared/levers/compression/variant-registry';
import type { Platform } from '../../../shared/runtime/platform';
import { tenantOf } from '../http/authenticate';

/**
 * Approved compressed prompt variants (prompt compression lever, offline half):
 * POST /v1/prompts registers one with its regression report, GET lists them
 * with their measured savings, DELETE withdraws one. Variants are per tenant.
 */
export function promptsRouter(platform: Platform): Router {
  const registry = new VariantRegistry(platform.redis, { keyPrefix: `${platform.env.PARSIMONY_QUEUE_PREFIX}:` });
  const router = Router();
  router.post('/v1/prompts', async (req, res) => {
    const body = RegisterVariantBodySchema.parse(req.body ?? undefined);
    res.status(201).json(await registry.registerFromBody(tenantOf(req), body));
  });
  router.get('/v1/prompts', async (req, res) => {
    res.json({ object: 'list', data: await registry.listVariants(tenantOf(req)) });
  });
  router.delete('/v1/prompts/:sha256', async (req, res) => {
    const sha = String(req.params.sha256);
    if (!/^[a-f0-9]{64}$/.test(sha)) throw ApiError.invalid('the prompt id is the SHA-256 (64 hex characters) of the original prompt');
    if (!(await registry.removeVariant(tenantOf(req), sha))) throw ApiError.notFound(`prompt variant ${sha}`);
    res.json({ id: sha, deleted: true });
  });
  return router;
}
