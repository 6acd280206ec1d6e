import type Redis from 'ioredis';

/** One stored compaction of a conversation prefix. Immutable once written. */
export interface StoredSummary {
  /** The compacted block exactly as inserted into the request (byte-stable reuse). */
  block: string;
  /** Estimated tokens of `block`. */
  block_tokens: number;
  /** The model's prose summary (input to the next incremental summary). */
  summary: string;
  /** Tool cycles the block replaces. */
  cycles: number;
  /** Estimated tokens of the messages the block replaces. */
  replaced_tokens: number;
  /** Model that wrote the prose, if any. */
  model?: string;
  created_at: string;
  /** Set on a cost-model decision record (compaction-decision.ts) instead of a summary. */
  decision?: 'advance' | 'skip';
}

export interface SummaryStore {
  /** Stored summaries for the keys, in order (undefined = none). */
  getMany(keys: string[]): Promise<(StoredSummary | undefined)[]>;
  /**
   * Stores a summary unless one is there already, and returns the one that
   * wins (first writer), so concurrent calls converge on the same bytes.
   */
  putIfAbsent(key: string, summary: StoredSummary): Promise<StoredSummary>;
}

export interface RedisSummaryStoreOptions {
  /** Key prefix, e.g. "parsimony:"; keys are `${prefix}ctx:sum:${hash}`. */
  keyPrefix: string;
  /** Lifetime of a stored summary in seconds; default 86,400 (refreshed on each write only). */
  ttlSeconds?: number;
  /** Entries kept in the in-process LRU in front of Redis; default 2,000 (0 disables it). */
  localEntries?: number;
}

/**
 * Summaries in Redis, with a small in-process LRU in front. Entries never
 * change after the first write (SET NX), so caching them locally is safe and
 * takes the Redis round trip off the hot path for an active conversation.
 */
export class RedisSummaryStore implements SummaryStore {
  private readonly local = new Map<string, StoredSummary>();
  private readonly ttl: number;
  private readonly capacity: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSummaryStoreOptions,
  ) {
    this.ttl = options.ttlSeconds ?? 86_400;
    this.capacity = options.localEntries ?? 2_000;
  }

  key(hash: string): string {
    return `${this.options.keyPrefix}ctx:sum:${hash}`;
  }

  async getMany(keys: string[]): Promise<(StoredSummary | undefined)[]> {
    const out: (StoredSummary | undefined)[] = keys.map((k) => this.fromLocal(k));
    const missing = keys.map((k, i) => (out[i] ? -1 : i)).filter((i) => i >= 0);
    if (missing.length === 0) return out;
    const raw = await this.redis.mget(...missing.map((i) => this.key(keys[i])));
    missing.forEach((i, j) => {
      const value = raw[j];
      if (value) {
        const parsed = JSON.parse(value) as StoredSummary;
        this.remember(keys[i], parsed);
        out[i] = parsed;
      }
    });
    return out;
  }

  async putIfAbsent(key: string, summary: StoredSummary): Promise<StoredSummary> {
    const set = await this.redis.set(this.key(key), JSON.stringify(summary), 'EX', this.ttl, 'NX');
    if (set === 'OK') {
      this.remember(key, summary);
      return summary;
    }
    const existing = await this.redis.get(this.key(key));
    const winner = existing ? (JSON.parse(existing) as StoredSummary) : summary;
    this.remember(key, winner);
    return winner;
  }

  private fromLocal(key: string): StoredSummary | undefined {
    const hit = this.local.get(key);
    if (hit) {
      // Re-insert to mark as most recently used.
      this.local.delete(key);
      this.local.set(key, hit);
    }
    return hit;
  }

  private remember(key: string, value: StoredSummary): void {
    if (this.capacity <= 0) return;
    this.local.delete(key);
    this.local.set(key, value);
    if (this.local.size > this.capacity) this.local.delete(this.local.keys().next().value as string);
  }
}
