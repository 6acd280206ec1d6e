import type { Redis } from 'ioredis';
import { CacheStage } from '../../shared/levers/cache/cache-stage';
import { CacheWriter } from '../../shared/levers/cache/cache-writer';
import type { CacheStorePayload } from '../../shared/levers/cache/cache-entry';
import { CacheTenantPolicySchema, type CacheTenantPolicy } from '../../shared/levers/cache/cache-options';
import type { Embedder } from '../../shared/levers/cache/embedders/embedder';
import { SemanticCache } from '../../shared/levers/cache/semantic-cache';
import { EmbeddedVectorStore } from '../../shared/levers/cache/stores/embedded-vector-store';
import type { VectorStore } from '../../shared/levers/cache/stores/vector-store';
import type { ChatResponse } from '../../shared/core/chat-model';
import type { PipelineContext } from '../../shared/core/stage';
import { silentLog, testEmbedder } from './cache-test-helpers';

/**
 * A cache wired the way the spine wires it, with the store queue replaced by
 * a direct call into the writer (what the cache-service worker would do).
 */
export function cacheFixture(redis: Redis, prefix: string, options: { embedder?: Embedder; store?: VectorStore; policies?: Record<string, Partial<CacheTenantPolicy>> } = {}) {
  const embedder = options.embedder ?? testEmbedder();
  const store = options.store ?? new EmbeddedVectorStore({ dims: embedder.dimensions });
  const policies = options.policies ?? {};
  const cache = new SemanticCache({
    redis,
    prefix,
    embedder,
    store,
    policyOf: (tenant) => CacheTenantPolicySchema.parse(policies[tenant] ?? {}),
    singleFlight: { waitTimeoutMs: 5000, pollMs: 10 },
    log: silentLog,
  });
  const writer = new CacheWriter(cache, silentLog);
  const enqueued: CacheStorePayload[] = [];
  const stage = new CacheStage({
    cache,
    enqueueStore: async (payload) => {
      enqueued.push(payload);
      await writer.store(payload);
    },
  });

  /** Runs the stage; on a miss plays the provider (returns `response`) and the afterComplete hook. */
  async function serve(ctx: PipelineContext, response: ChatResponse): Promise<{ fromCache: boolean; response: ChatResponse }> {
    const outcome = await stage.run(ctx);
    if (outcome.kind === 'complete') return { fromCache: true, response: outcome.response };
    await stage.afterComplete(ctx, response);
    return { fromCache: false, response };
  }

  return { cache, writer, stage, store, enqueued, serve, policies };
}
