import type { Logger } from 'pino';
import { CacheMaintenance, type PurgeFilter } from './cache-maintenance';
import type { SemanticCache, StoreResult } from './semantic-cache';

/**
 * What the cache-service worker calls. `store` takes a cache-store queue
 * payload (CacheStorePayloadSchema — invalid payloads are refused, not
 * thrown); `sweepExpired` is the repeatable job (JOB_NAMES.sweepCache);
 * `invalidate` / `purge` back the invalidation API.
 */
export class CacheWriter {
  private readonly maintenance: CacheMaintenance;

  constructor(
    private readonly cache: SemanticCache,
    private readonly log?: Logger,
  ) {
    this.maintenance = new CacheMaintenance(cache, log);
  }

  async store(payload: unknown): Promise<StoreResult> {
    const result = await this.cache.storeEntry(payload);
    this.log?.debug({ stored: result.stored, reason: result.reason, entryId: result.entryId }, 'cache store');
    return result;
  }

  sweepExpired(now?: number): Promise<{ removed: number; vectors: number }> {
    return this.maintenance.sweepExpired(now);
  }

  invalidate(tenant: string, entryId: string): Promise<boolean> {
    return this.maintenance.invalidate(tenant, entryId);
  }

  purge(tenant: string, filter?: PurgeFilter): Promise<number> {
    return this.maintenance.purge(tenant, filter);
  }
}
