import { Router } from 'express';
import type { Platform } from '../../../shared/runtime/platform';
import { EmbeddingsCache } from '../../../shared/surfaces/embeddings/embeddings-cache';
import { EmbeddingsPath } from '../../../shared/surfaces/embeddings/embeddings-path';
import { EmbeddingsBodySchema } from '../../../shared/surfaces/embeddings/request-schema';
import { tenantOf } from '../http/authenticate';
import { jobErrorToApiError } from '../../../shared/core/errors/job-error-http';
import { parsimonyHeaders } from './parsimony-headers';

export interface EmbeddingsRouteOptions {
  /** Attempts on retryable provider errors. */
  attempts: number;
  /** How long a stored embeddings answer is served again, seconds; undefined = caching off. */
  cacheTtlSeconds?: number;
}

/**
 * POST /v1/embeddings: OpenAI's embeddings endpoint, answered as a job (see
 * EmbeddingsPath): the job id is in `x-parsimony-job-id`, the body is the
 * provider's list object, a repeated request is served from the tenant's
 * exact cache.
 */
export function embeddingsRouter(platform: Platform, options: EmbeddingsRouteOptions): Router {
  const path = new EmbeddingsPath({
    catalog: platform.catalog,
    store: platform.store,
    outcomes: platform.outcomes,
    cache: options.cacheTtlSeconds === undefined ? undefined : new EmbeddingsCache(platform.redis, platform.env.PARSIMONY_QUEUE_PREFIX, options.cacheTtlSeconds),
    adapterFor: (provider) => platform.providers.get(provider),
    isProviderConfigured: (provider) => platform.providers.has(provider),
    attempts: options.attempts,
    log: platform.log.child({ component: 'embeddings' }),
  });
  const router = Router();
  router.post('/v1/embeddings', async (req, res) => {
    const body = EmbeddingsBodySchema.parse(req.body ?? undefined);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const job = await path.run(tenantOf(req), body, (started) => res.setHeader('x-parsimony-job-id', started.id), abort.signal);
    if (job.status !== 'completed' || !job.response) throw jobErrorToApiError(job.error);
    for (const [name, value] of Object.entries(parsimonyHeaders(job))) res.setHeader(name, value);
    res.status(200).json(job.response);
  });
  return router;
}
