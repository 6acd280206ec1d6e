import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobRecord } from '../../../core/jobs/job-record';
import type { JobStore } from '../../../core/jobs/job-store';
import { compareAnswers, comparableFromCompletion } from './answer-comparison';
import { QualityStore } from './quality-store';
import { ShadowKeys, type ShadowMeta, type ShadowResult } from './shadow-keys';
import type { ThresholdFeedback } from './threshold-feedback';
import { CLAIM_DUE_SCRIPT } from '../../../platform/redis/claim-due';

export interface ShadowComparerOptions {
  redis: Redis;
  /** Deployment key prefix. */
  prefix: string;
  store: JobStore;
  log: Logger;
  /** How often the pending set is looked at, and the first re-check delay of an unfinished shadow, ms. Default 5000 (PARSIMONY_SHADOW_CHECK_MS). */
  checkMs?: number;
  /** Longest wait between two checks of one shadow, ms. Default 600000. */
  maxCheckMs?: number;
  /** Shadows looked at per round. Default 100. */
  batchSize?: number;
  /** Production feedback: each compared shadow counts towards its (tenant, task) threshold judgement. */
  feedback?: ThresholdFeedback;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * Shadow evaluation, second half: waits for each shadow job to finish (a
 * provider batch can take hours, so unfinished shadows are re-checked with a
 * doubling delay up to `maxCheckMs`), then compares its answer with the
 * original job's and records agreement per tenant, task and tier
 * (QualityStore, exactly once). Polls a Redis sorted set rather than holding
 * a queue job per shadow; any number of comparers may run.
 */
export class ShadowComparer {
  private readonly keys: ShadowKeys;
  private readonly quality: QualityStore;
  private readonly checkMs: number;
  private readonly maxCheckMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private running = false;
  private closing = false;

  constructor(private readonly options: ShadowComparerOptions) {
    this.keys = new ShadowKeys(options.prefix);
    this.quality = new QualityStore(options.redis, options.prefix);
    this.checkMs = options.checkMs ?? 5_000;
    this.maxCheckMs = options.maxCheckMs ?? 600_000;
    if (!('parsimonyClaimShadows' in options.redis)) options.redis.defineCommand('parsimonyClaimShadows', { numberOfKeys: 1, lua: CLAIM_DUE_SCRIPT });
  }

  start(): this {
    if (this.running || this.closing) return this;
    this.running = true;
    this.schedule();
    return this;
  }

  /** Stops polling; a round in progress finishes the shadow it is on. */
  async close(): Promise<void> {
    this.closing = true;
    this.running = false;
    clearTimeout(this.timer);
    await this.round;
  }

  /** One round: every due shadow is compared, or re-scheduled when still running. Returns how many were recorded. */
  async runOnce(now = Date.now()): Promise<number> {
    const lease = Math.max(30_000, this.checkMs * 4);
    const ids = await (this.options.redis as unknown as ClaimRedis).parsimonyClaimShadows(this.keys.pending, now, lease, this.options.batchSize ?? 100);
    let recorded = 0;
    for (const id of ids) {
      if (this.closing) break;
      try {
        if (await this.check(id)) recorded++;
      } catch (err) {
        this.options.log.warn({ err: { message: (err as Error).message }, shadowJobId: id }, 'shadow check failed; retried after its lease');
      }
    }
    return recorded;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce()
        .then(() => undefined)
        .catch((err: Error) => this.options.log.warn({ err: { message: err.message } }, 'shadow comparer round failed'))
        .finally(() => this.schedule());
    }, this.checkMs);
    this.timer.unref();
  }

  private async check(shadowId: string): Promise<boolean> {
    const { redis, store } = this.options;
    const rawMeta = await redis.hget(this.keys.shadow(shadowId), 'meta');
    if (!rawMeta) {
      await redis.zrem(this.keys.pending, shadowId);
      return false;
    }
    const meta = JSON.parse(rawMeta) as ShadowMeta;
    const shadow = await store.load(shadowId);
    if (shadow && !FINAL.has(shadow.status)) {
      const checks = await redis.hincrby(this.keys.shadow(shadowId), 'checks', 1);
      const delay = Math.min(this.maxCheckMs, this.checkMs * 2 ** Math.min(checks, 20));
      await redis.zadd(this.keys.pending, Date.now() + delay, shadowId);
      return false;
    }
    const original = await store.load(meta.job_id);
    const result = this.compare(shadow, original);
    const recorded = await this.quality.record(meta, result);
    if (recorded)
      this.options.log.info(
        { shadowJobId: shadowId, jobId: meta.job_id, task: meta.task, tier: meta.tier, status: result.status, agree: result.agree, similarity: result.similarity },
        'routing shadow compared',
      );
    // Counted once (only when this comparer recorded it); a failed shadow is no evidence either way.
    if (recorded && result.status === 'compared') await this.options.feedback?.observe(meta.tenant, meta.task, result.agree, this.options.log);
    return recorded;
  }

  private compare(shadow: JobRecord | undefined, original: JobRecord | undefined): ShadowResult {
    const batch = shadow?.annotations?.batch as { path?: string } | undefined;
    const base = {
      shadow_cost_usd: shadow?.cost?.actual_usd ?? 0,
      shadow_delivered_by: shadow?.delivered_by ?? null,
      shadow_batch_path: batch?.path ?? null,
      compared_at: new Date().toISOString(),
    };
    const failed = (error: string): ShadowResult => ({ status: 'failed', exact: false, json_equal: false, similarity: 0, agree: false, ...base, error });
    if (!shadow) return failed('shadow job expired before it finished');
    if (shadow.status !== 'completed') return failed(`shadow job ${shadow.status}${shadow.error ? `: ${shadow.error.message}` : ''}`);
    const theirs = comparableFromCompletion(shadow.response);
    const ours = comparableFromCompletion(original?.response);
    if (!theirs || !ours) return failed('original job or its answer is gone');
    const comparison = compareAnswers(ours, theirs);
    return { status: 'compared', ...comparison, similarity: Math.round(comparison.similarity * 1e4) / 1e4, ...base };
  }
}

interface ClaimRedis {
  parsimonyClaimShadows(key: string, now: number, lease: number, limit: number): Promise<string[]>;
}
