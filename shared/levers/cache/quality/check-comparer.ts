import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobStore } from '../../../core/jobs/job-store';
import { compareAnswers } from '../../routing/guards/answer-comparison';
import type { CacheMaintenance } from '../cache-maintenance';
import { CheckKeys, comparableOf, type CheckMeta } from './cache-checks';
import type { ScopeQuality } from './scope-quality';
import { CLAIM_DUE_SCRIPT } from '../../../platform/redis/claim-due';

export interface CacheCheckComparerOptions {
  redis: Redis;
  prefix: string;
  store: JobStore;
  quality: ScopeQuality;
  maintenance: CacheMaintenance;
  log: Logger;
  /** Poll period and first re-check delay, ms; default 5000. */
  checkMs?: number;
  maxCheckMs?: number;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Verified cache, second half: once a check job finishes, its answer is
 * compared with the cached one (the routing shadows' comparison: exact, JSON
 * equal, or word cosine ≥ 0.8), the scope's quality and threshold are
 * updated (error-bound.ts), and an entry whose check disagrees is
 * invalidated. A failed check job counts as no check at all.
 */
export class CacheCheckComparer {
  private readonly keys: CheckKeys;
  private readonly checkMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<unknown>;
  private running = false;

  constructor(private readonly o: CacheCheckComparerOptions) {
    this.keys = new CheckKeys(o.prefix);
    this.checkMs = o.checkMs ?? 5_000;
    if (!('parsimonyClaimCacheChecks' in o.redis)) o.redis.defineCommand('parsimonyClaimCacheChecks', { numberOfKeys: 1, lua: CLAIM_DUE_SCRIPT });
  }

  start(): this {
    if (this.running) return this;
    this.running = true;
    this.schedule();
    return this;
  }

  async close(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.round;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce()
        .catch((err: Error) => this.o.log.warn({ err: { message: err.message } }, 'cache check round failed'))
        .finally(() => this.schedule());
    }, this.checkMs);
    this.timer.unref();
  }

  /** One round over the due checks; returns how many were recorded. */
  async runOnce(now = Date.now()): Promise<number> {
    const lease = Math.max(30_000, this.checkMs * 4);
    const ids = await (this.o.redis as unknown as ClaimRedis).parsimonyClaimCacheChecks(this.keys.pending, now, lease, 100);
    let recorded = 0;
    for (const id of ids) {
      try {
        if (await this.check(id)) recorded++;
      } catch (err) {
        this.o.log.warn({ err: { message: (err as Error).message }, checkJobId: id }, 'cache check failed; retried after its lease');
      }
    }
    return recorded;
  }

  private async check(id: string): Promise<boolean> {
    const { redis, store } = this.o;
    const raw = await redis.get(this.keys.check(id));
    if (!raw) {
      await redis.zrem(this.keys.pending, id);
      return false;
    }
    const meta = JSON.parse(raw) as CheckMeta;
    const job = await store.load(id);
    if (job && !FINAL.has(job.status)) {
      const delay = Math.min(this.o.maxCheckMs ?? 600_000, this.checkMs * 2 ** Math.min(await redis.incr(`${this.keys.check(id)}:n`), 20));
      await redis.expire(`${this.keys.check(id)}:n`, 3 * 24 * 3600);
      await redis.zadd(this.keys.pending, Date.now() + delay, id);
      return false;
    }
    // Exactly once: whoever removes the pending member records the check.
    if ((await redis.zrem(this.keys.pending, id)) === 0) return false;
    await redis.del(this.keys.check(id), `${this.keys.check(id)}:n`);
    if (!job || job.status !== 'completed' || !job.result) {
      this.o.log.warn({ checkJobId: id, status: job?.status }, 'cache check job did not complete; not counted');
      return false;
    }
    const comparison = compareAnswers(meta.cached, comparableOf(job.result));
    const invalidated = comparison.agree ? false : await this.o.maintenance.invalidate(meta.tenant, meta.entry_id);
    const threshold = await this.o.quality.recordCheck(meta.tenant, meta.scope, {
      agree: comparison.agree,
      score: meta.score,
      configured: meta.configured,
      costUsd: job.cost?.actual_usd ?? 0,
      invalidated,
    });
    this.o.log.info({ checkJobId: id, entryId: meta.entry_id, agree: comparison.agree, similarity: comparison.similarity, threshold, invalidated }, 'cache hit checked');
    return true;
  }
}

interface ClaimRedis {
  parsimonyClaimCacheChecks(key: string, now: number, lease: number, limit: number): Promise<string[]>;
}
