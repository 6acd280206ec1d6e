import type { Logger } from 'pino';
import type { SemanticCache } from './semantic-cache';

export interface PurgeFilter {
  /** Only entries of this scope (the 64-hex scope hash). */
  scope?: string;
  /** Only entries carrying this tag (from job metadata.cache_tags). */
  tag?: string;
  /** Only entries created before this instant (epoch ms or ISO-8601). */
  before?: number | string;
}

/**
 * Upkeep the cache-service owns: expiry sweeps (a repeatable job),
 * invalidation by id and purges by scope / tag / age. Expired entries are
 * never served whether or not a sweep has run — every read checks
 * expires_at; the sweep only reclaims space.
 */
export class CacheMaintenance {
  constructor(
    private readonly cache: SemanticCache,
    private readonly log?: Logger,
  ) {}

  /** Removes expired entries (vectors, records, indexes); returns how many records were removed. */
  async sweepExpired(now = Date.now(), batch = 500): Promise<{ removed: number; vectors: number }> {
    const vectors = await this.cache.store.deleteExpired(now);
    let removed = 0;
    for (;;) {
      const due = await this.cache.repo.expiredBatch(now, batch);
      if (due.length === 0) break;
      for (const { tenant, id } of due) {
        const entry = await this.cache.repo.get(tenant, id);
        if (entry) await this.cache.repo.remove(entry);
        else await this.cache.repo.forget(tenant, id);
        removed++;
      }
      if (due.length < batch) break;
    }
    if (removed > 0) this.log?.info({ removed, vectors }, 'cache sweep');
    return { removed, vectors };
  }

  /** Deletes one entry of a tenant; false when it does not exist (or is another tenant's). */
  async invalidate(tenant: string, entryId: string): Promise<boolean> {
    const entry = await this.cache.repo.get(tenant, entryId);
    if (!entry) return false;
    await this.cache.repo.remove(entry);
    await this.cache.store.delete(tenant, [entryId]);
    return true;
  }

  /** Deletes a tenant's entries matching every given criterion (none: all of the tenant's); returns the count. */
  async purge(tenant: string, filter: PurgeFilter = {}): Promise<number> {
    const before = filter.before === undefined ? undefined : typeof filter.before === 'number' ? filter.before : Date.parse(filter.before);
    if (before !== undefined && Number.isNaN(before)) throw new Error(`purge: "before" is not a date: ${String(filter.before)}`);
    const ids = filter.tag
      ? await this.cache.repo.idsByTag(tenant, filter.tag)
      : filter.scope
        ? await this.cache.repo.idsByScope(tenant, filter.scope)
        : await this.cache.repo.idsCreatedBefore(tenant, before);
    let purged = 0;
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const entries = await this.cache.repo.getMany(tenant, chunk);
      const doomed = entries.filter(
        (e): e is NonNullable<typeof e> =>
          !!e && (filter.scope === undefined || e.scope === filter.scope) && (filter.tag === undefined || e.tags.includes(filter.tag)) && (before === undefined || e.created_at < before),
      );
      for (const e of doomed) await this.cache.repo.remove(e);
      await this.cache.store.delete(
        tenant,
        doomed.map((e) => e.id),
      );
      purged += doomed.length;
    }
    return purged;
  }
}
