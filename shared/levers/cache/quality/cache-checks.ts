import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Catalog } from '../../../core/catalog/catalog';
import { priceUsage } from '../../../core/accounting/pricing';
import type { ChatResponse } from '../../../core/chat-model';
import type { JobRecord } from '../../../core/jobs/job-record';
import { JobStore } from '../../../core/jobs/job-store';
import type { PipelineContext } from '../../../core/stage';
import type { ComparableAnswer } from '../../routing/guards/answer-comparison';
import { shadowTenantOf } from '../../routing/guards/shadow-keys';
import type { CacheEntry } from '../cache-entry';
import type { ScopeQuality } from './scope-quality';

/** How long a check's record is kept (a provider batch can take up to a day). */
const CHECK_TTL_SECONDS = 3 * 24 * 3600;

export interface CheckMeta {
  tenant: string;
  scope: string;
  entry_id: string;
  /** The job the cache answered. */
  job_id: string;
  check_job_id: string;
  /** Verifier score the hit was served at, and the threshold configured for the scope without checks. */
  score: number;
  configured: number;
  model: string;
  cached: ComparableAnswer;
  created_at: string;
}

export class CheckKeys {
  constructor(private readonly prefix: string) {}
  check(checkJobId: string): string {
    return `${this.prefix}:cache:check:${checkJobId}`;
  }
  get pending(): string {
    return `${this.prefix}:cache:checks-pending`;
  }
}

/** A hit's position in [0, 1) from its job id: the sample is reproducible and a job never draws twice. */
export function isCheckSampled(jobId: string, share: number): boolean {
  if (!(share > 0)) return false;
  return share >= 1 || createHash('sha256').update(`cache-check\0${jobId}`).digest().readUInt32BE(0) / 2 ** 32 < share;
}

export function comparableOf(r: Pick<ChatResponse, 'content' | 'tool_calls'>): ComparableAnswer {
  return { content: r.content, tool_calls: r.tool_calls.map((c) => ({ name: c.name, arguments: c.arguments })) };
}

export interface CacheCheckLauncherOptions {
  redis: Redis;
  prefix: string;
  catalog: Catalog;
  store: JobStore;
  enqueue: (job: JobRecord) => Promise<void>;
  quality: ScopeQuality;
  /** Share of semantic hits checked, 0–1 (PARSIMONY_CACHE_CHECK_SHARE). */
  share: number;
  firstCheckMs?: number;
}

/**
 * Verified cache, first half: a sampled semantic hit is answered again by
 * the routed model through the batch API (a Parsimony job with latency
 * "batch" and the cache off, in the tenant's `~shadow` pseudo-tenant, as
 * routing shadows are), so its answer can be compared with the cached one.
 * The check's expected price is the cache lever's overhead on the hit.
 */
export class CacheCheckLauncher {
  readonly keys: CheckKeys;

  constructor(readonly o: CacheCheckLauncherOptions) {
    this.keys = new CheckKeys(o.prefix);
  }

  /** Batch price of answering this entry's request again with `model` (what a check costs, expected). */
  expectedCost(model: string, entry: CacheEntry): number {
    const m = this.o.catalog.find(model);
    return m ? priceUsage(m, { ...entry.response.usage, cached_input_tokens: 0, cache_write_tokens: 0 }, { batch: true }) : 0;
  }

  /**
   * Called on every semantic hit, synchronously: whether it is sampled for a
   * check; when it is, the check's expected price is added to the job's
   * overhead now (the cache lever's cost in the waterfall, before the job's
   * cost is settled). `launch` then does the I/O off the hot path.
   */
  plan(ctx: PipelineContext, entry: CacheEntry): { sampled: boolean; model: string } {
    const model = ctx.route?.model ?? entry.model ?? entry.response.model;
    const sampled = isCheckSampled(ctx.job.id, this.o.share);
    if (sampled) ctx.ledger.addOverhead(this.expectedCost(model, entry));
    return { sampled, model };
  }

  /** Counts the hit and, when `plan` sampled it, launches its check. Returns the check job id. */
  async launch(ctx: PipelineContext, entry: CacheEntry, score: number, configured: number, plan: { sampled: boolean; model: string }): Promise<string | undefined> {
    await this.o.quality.recordHit(ctx.job.tenant, entry.scope);
    if (!plan.sampled) return undefined;
    const { model } = plan;
    const now = new Date();
    const check: JobRecord = {
      id: JobStore.newId(),
      tenant: shadowTenantOf(ctx.job.tenant),
      status: 'queued',
      created_at: now.toISOString(),
      options: {
        requested_model: model,
        latency: 'batch',
        cache: { mode: 'off' },
        metadata: { parsimony_cache_check: { of: ctx.job.id, tenant: ctx.job.tenant, entry_id: entry.id } },
      },
      request: { ...ctx.request, model },
      attempts: 0,
    };
    const { job: stored, created } = await this.o.store.create(check, `cache-check:${ctx.job.id}`);
    if (!created) return stored.id;
    const meta: CheckMeta = {
      tenant: ctx.job.tenant,
      scope: entry.scope,
      entry_id: entry.id,
      job_id: ctx.job.id,
      check_job_id: stored.id,
      score,
      configured,
      model,
      cached: comparableOf(entry.response),
      created_at: now.toISOString(),
    };
    await this.o.redis
      .multi()
      .set(this.keys.check(stored.id), JSON.stringify(meta), 'EX', CHECK_TTL_SECONDS)
      .zadd(this.keys.pending, Date.now() + (this.o.firstCheckMs ?? 5_000), stored.id)
      .exec();
    await this.o.enqueue(stored);
    ctx.log.info({ checkJobId: stored.id, entryId: entry.id, model }, 'cache hit check launched (batch)');
    return stored.id;
  }
}
