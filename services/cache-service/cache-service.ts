import { Worker } from 'bullmq';
import type { SemanticCache } from '../../shared/levers/cache/semantic-cache';
import { CacheWriter } from '../../shared/levers/cache/cache-writer';
import { JOB_NAMES, QUEUES } from '../../shared/platform/queues/queue-catalog';
import { queueProcessor } from '../../shared/platform/queues/queue-handlers';
import type { Platform } from '../../shared/runtime/platform';

export interface RunningCacheService {
  close(): Promise<void>;
}

/** How often expired entries are swept from the index (they are never served, but they take room). */
const SWEEP_EVERY_MS = 60_000;

/**
 * The cache-service: owns writes to the semantic cache (embed + upsert,
 * off the hot path) and its upkeep (a repeatable sweep of expired entries).
 * Lookups happen in the pipeline's cache stage, directly against the store.
 */
export async function startCacheService(platform: Platform, cache: SemanticCache): Promise<RunningCacheService> {
  const log = platform.log.child({ component: 'cache-service' });
  const writer = new CacheWriter(cache, log);
  const queue = platform.queue(QUEUES.cacheStore);
  await queue.upsertJobScheduler('sweep-expired-entries', { every: SWEEP_EVERY_MS }, { name: JOB_NAMES.sweepCache, opts: { removeOnComplete: true, removeOnFail: 100 } });

  const worker = new Worker(
    QUEUES.cacheStore,
    queueProcessor(QUEUES.cacheStore, {
      [JOB_NAMES.storeInCache]: (payload) => writer.store(payload),
      [JOB_NAMES.sweepCache]: () => writer.sweepExpired(),
    }),
    { connection: platform.redis, prefix: platform.bullPrefix, concurrency: 8 },
  );
  worker.on('error', (err) => log.warn({ err: { message: err.message } }, 'cache worker error'));
  worker.on('failed', (job, err) => log.warn({ job: job?.name, err: { message: err.message } }, 'cache job failed'));
  return { close: () => worker.close() };
}
