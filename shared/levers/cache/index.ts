/** The semantic cache lever: public API for the spine and the cache-service. */
export { CacheStage, cacheHeaders, type CacheAnnotation, type CacheStageOptions } from './cache-stage';
export { CacheWriter } from './cache-writer';
export { CacheMaintenance, type PurgeFilter } from './cache-maintenance';
export { SemanticCache, type SemanticCacheOptions, type LookupResult, type StoreResult } from './semantic-cache';
export { createSemanticCache, type CreateCacheOptions } from './create-cache';
export { CacheStorePayloadSchema, type CacheStorePayload, type CacheEntry, uncacheableReason } from './cache-entry';
export {
  CacheRequestOptionsSchema,
  CacheTenantPolicySchema,
  DEFAULT_TENANT_POLICY,
  TTL_CLASS_SECONDS,
  resolveCacheOptions,
  type CacheRequestOptions,
  type CacheTenantPolicy,
} from './cache-options';
export { responseToStreamEvents, replayStream } from './stream-replay';
export { SingleFlight } from './single-flight';
export { requestKey, type RequestKey } from './request-key';
export { WordVectorEmbedder } from './embedders/word-vector-embedder';
export { OpenAIEmbedder } from './embedders/openai-embedder';
export { createEmbedder, embedderConfigFromEnv, type EmbedderConfig } from './embedders/create-embedder';
export type { Embedder } from './embedders/embedder';
export { EmbeddedVectorStore } from './stores/embedded-vector-store';
export { QdrantVectorStore } from './stores/qdrant-vector-store';
export { collectionName, type VectorStore } from './stores/vector-store';
export { Verifier } from './verifier/verifier';
export { ScopeQuality } from './quality/scope-quality';
export { CacheCheckLauncher } from './quality/cache-checks';
export { CacheCheckComparer } from './quality/check-comparer';
