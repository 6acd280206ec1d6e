import { Router } from 'express';
import { z } from 'zod';
import { CacheWriter } from '../../../shared/levers/cache/cache-writer';
import { ApiError } from '../../../shared/core/errors/api-error';
import type { Platform } from '../../../shared/runtime/platform';
import { tenantOf } from '../http/authenticate';

const PurgeBody = z
  .object({
    /** Only entries of this scope (64-hex scope hash, as shown on cache entries). */
    scope: z
      .string()
      .regex(/^[a-f0-9]{64}$/, 'scope is a 64-hex scope hash')
      .optional(),
    /** Only entries tagged so (from metadata.cache_tags). */
    tag: z.string().min(1).max(200).optional(),
    /** Only entries created before this time (ISO-8601). */
    before: z.iso.datetime({ offset: true, message: 'before must be an ISO-8601 time' }).optional(),
  })
  .strict();

/**
 * Cache invalidation: DELETE /v1/cache/entries/:id and POST /v1/cache/purge.
 * Both act on the caller's own entries only.
 */
export function cacheRouter(platform: Platform): Router {
  const router = Router();
  const writer = () => {
    if (!platform.cache) throw ApiError.notFound('the semantic cache is off on this server (PARSIMONY_CACHE=off); cache');
    return new CacheWriter(platform.cache, platform.log);
  };
  router.delete('/v1/cache/entries/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(id) || !(await writer().invalidate(tenantOf(req), id))) throw ApiError.notFound(`cache entry ${id}`);
    res.json({ id, object: 'cache.entry', deleted: true });
  });
  router.get('/v1/cache/quality', async (req, res) => {
    const cache = platform.cache;
    if (!cache) throw ApiError.notFound('the semantic cache is off on this server (PARSIMONY_CACHE=off); cache');
    const tenant = tenantOf(req);
    const scopes = await cache.quality.report(tenant);
    res.json({
      object: 'cache.quality',
      max_error: cache.quality.bound.maxError,
      confidence: scopes[0]?.estimated_error.confidence ?? 0.95,
      check_share: platform.env.PARSIMONY_CACHE_CHECK_SHARE,
      embedder: cache.embedder.fingerprint,
      verifier: cache.verifier.name,
      default_threshold: cache.defaultThreshold,
      scopes,
    });
  });
  router.post('/v1/cache/purge', async (req, res) => {
    const filter = PurgeBody.parse(req.body ?? {});
    const purged = await writer().purge(tenantOf(req), filter);
    res.json({ object: 'cache.purge', purged });
  });
  return router;
}
