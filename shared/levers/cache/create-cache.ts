import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Catalog } from '../../core/catalog/catalog';
import type { CacheTenantPolicy } from './cache-options';
import { createEmbedder, embedderConfigFromEnv, type EmbedderConfig } from './embedders/create-embedder';
import type { Embedder } from './embedders/embedder';
import { SemanticCache, type SemanticCacheOptions } from './semantic-cache';
import { EmbeddedVectorStore } from './stores/embedded-vector-store';
import { QdrantVectorStore } from './stores/qdrant-vector-store';
import { collectionName, type VectorStore } from './stores/vector-store';

export interface CreateCacheOptions {
  redis: Redis;
  /** Key prefix (Redis keys under `${prefix}:cache:`, collection `${prefix}_cache_<fingerprint>`). */
  prefix: string;
  /** Default: from the environment (CACHE_EMBEDDER=embedded|openai, …). */
  embedder?: Embedder | EmbedderConfig;
  /** The vector store to use; default Qdrant (qdrantUrl) or the embedded store. Its init() is still called. */
  store?: VectorStore;
  /** Qdrant when set (default: QDRANT_URL); otherwise the embedded store. */
  qdrantUrl?: string;
  qdrantApiKey?: string;
  /** Default PARSIMONY_DATA_DIR or ./data. */
  dataDir?: string;
  catalog?: Catalog;
  policyOf?: (tenant: string) => CacheTenantPolicy | Promise<CacheTenantPolicy>;
  singleFlight?: SemanticCacheOptions['singleFlight'];
  errorBound?: SemanticCacheOptions['errorBound'];
  log?: Logger;
}

/**
 * Builds the cache the way a service wants it: embedder from config, Qdrant
 * when QDRANT_URL is set, else the embedded store persisted under the data
 * dir in a directory named after the embedder's fingerprint. Calls init().
 * One process must own an embedded store (all-in-one); use Qdrant when the
 * stage and the writer run in different processes.
 */
export async function createSemanticCache(o: CreateCacheOptions): Promise<SemanticCache> {
  const dataDir = o.dataDir ?? process.env.PARSIMONY_DATA_DIR ?? './data';
  const embedder =
    o.embedder && 'embed' in o.embedder
      ? o.embedder
      : createEmbedder((o.embedder as EmbedderConfig | undefined) ?? { ...embedderConfigFromEnv(), ...(o.dataDir ? { dataDir: join(dataDir, 'embeddings') } : {}) }, o.catalog);
  const collection = collectionName(o.prefix, embedder.fingerprint);
  const qdrantUrl = o.qdrantUrl ?? process.env.QDRANT_URL;
  const store: VectorStore =
    o.store ??
    (qdrantUrl
      ? new QdrantVectorStore({ url: qdrantUrl, apiKey: o.qdrantApiKey ?? process.env.QDRANT_API_KEY, collection, dims: embedder.dimensions })
      : new EmbeddedVectorStore({ dims: embedder.dimensions, dir: join(dataDir, 'vector-index', collection), log: o.log }));
  await store.init();
  return new SemanticCache({ redis: o.redis, prefix: o.prefix, embedder, store, policyOf: o.policyOf, singleFlight: o.singleFlight, errorBound: o.errorBound, log: o.log });
}
