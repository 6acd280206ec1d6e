import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import type { Catalog } from '../core/catalog/catalog';
import type { CommonEnv } from '../platform/config/env';
import { DEFAULT_TENANT_POLICY } from '../levers/cache/cache-options';
import { createSemanticCache } from '../levers/cache/create-cache';
import type { EmbedderConfig } from '../levers/cache/embedders/create-embedder';
import type { SemanticCache } from '../levers/cache/semantic-cache';
import type { VectorStore } from '../levers/cache/stores/vector-store';

/**
 * The process's semantic cache, from the validated environment: the embedded
 * word-vector embedder and in-process index by default, Qdrant when
 * QDRANT_URL is set. Undefined when PARSIMONY_CACHE=off. `store` replaces the
 * vector store (the all-in-one's worker children use the main process's index).
 */
export async function cacheFromEnv(env: CommonEnv, redis: Redis, catalog: Catalog, log: Logger, overrides: { store?: VectorStore } = {}): Promise<SemanticCache | undefined> {
  if (env.PARSIMONY_CACHE === 'off') return undefined;
  const embedder: EmbedderConfig =
    env.CACHE_EMBEDDER === 'embedded'
      ? { kind: 'embedded', dataDir: join(env.PARSIMONY_DATA_DIR, 'embeddings') }
      : {
          kind: 'openai',
          model: env.CACHE_EMBEDDING_MODEL,
          dimensions: env.CACHE_EMBEDDING_DIMENSIONS,
          apiKey: env.CACHE_EMBEDDING_API_KEY ?? env.OPENAI_API_KEY,
          baseURL: env.CACHE_EMBEDDING_BASE_URL,
          pricePerMillionTokens: env.CACHE_EMBEDDING_PRICE,
        };
  const policies = env.PARSIMONY_CACHE_POLICY ?? {};
  return createSemanticCache({
    redis,
    prefix: env.PARSIMONY_QUEUE_PREFIX,
    embedder,
    store: overrides.store,
    qdrantUrl: env.QDRANT_URL,
    qdrantApiKey: env.QDRANT_API_KEY,
    dataDir: env.PARSIMONY_DATA_DIR,
    catalog,
    log: log.child({ component: 'cache' }),
    policyOf: (tenant) => policies[tenant] ?? policies['*'] ?? DEFAULT_TENANT_POLICY,
    errorBound: { maxError: env.PARSIMONY_CACHE_MAX_ERROR },
  });
}
