import type { Redis } from 'ioredis';
import type { Catalog } from '../../../core/catalog/catalog';
import type { JobRecord } from '../../../core/jobs/job-record';
import type { ChatRequest } from '../../../core/chat-model';
import { JobStore } from '../../../core/jobs/job-store';
import type { PipelineContext } from '../../../core/stage';
import { isShadowSampled } from './shadow-sampling';
import { RECENT_SHADOWS, SHADOW_RECORD_TTL_SECONDS, ShadowKeys, isShadowTenant, shadowTenantOf, type ShadowMeta } from './shadow-keys';

export interface ShadowLauncherOptions {
  redis: Redis;
  /** Deployment key prefix, e.g. "parsimony". */
  prefix: string;
  catalog: Catalog;
  /** Stores the shadow job (the platform's job store). */
  store: JobStore;
  /** Puts a stored job on the pipeline queue (idempotent). */
  enqueue: (job: JobRecord) => Promise<void>;
  /** Share of small/mid routed jobs shadowed, 0–1. Default 0.02 (PARSIMONY_SHADOW_SHARE); 0 disables. */
  share: number;
  /** Delay before a shadow is first looked at by the comparer, ms. Default 5000. */
  firstCheckMs?: number;
}

/**
 * Shadow evaluation, first half: a sampled routed job (small or mid tier,
 * answered by a provider, not the cache) is run again on the catalog's
 * default frontier model through the batch lever (latency "batch": half
 * price, no deadline, so never a synchronous fallback), with the cache off.
 *
 * The shadow is a Parsimony job of the pseudo-tenant `<tenant>~shadow`, with
 * `metadata.parsimony_shadow = { of, tenant }`: its spend lands in that
 * pseudo-tenant's savings aggregates, never in the tenant's own (its
 * dashboard, budget and savings report stay the tenant's traffic only), and
 * the tenant cannot see or cancel it. The comparer (shadow-comparer.ts)
 * compares the answers once the shadow finishes.
 */
export class ShadowLauncher {
  private readonly keys: ShadowKeys;

  constructor(private readonly options: ShadowLauncherOptions) {
    this.keys = new ShadowKeys(options.prefix);
  }

  get share(): number {
    return this.options.share;
  }

  /** Whether this completed job is one to shadow (deterministic in its id). */
  wants(ctx: PipelineContext): boolean {
    const { job, route } = ctx;
    if (!route || job.options.requested_model !== 'auto' || route.tier === 'frontier') return false;
    if (isShadowTenant(job.tenant)) return false;
    if ((ctx.annotations.cache as { hit?: boolean } | undefined)?.hit) return false;
    return isShadowSampled(job.id, this.options.share);
  }

  /** Launches the shadow of a completed job; its id, or undefined when the job is not sampled. Idempotent per job. */
  async launch(ctx: PipelineContext): Promise<string | undefined> {
    if (!this.wants(ctx)) return undefined;
    const { job, route } = ctx;
    const frontier = this.options.catalog.defaultFrontier;
    const tenant = shadowTenantOf(job.tenant);
    const now = new Date();
    const shadow: JobRecord = {
      id: JobStore.newId(),
      tenant,
      status: 'queued',
      created_at: now.toISOString(),
      options: {
        requested_model: frontier.id,
        latency: 'batch',
        ...(job.options.task ? { task: job.options.task } : {}),
        cache: { mode: 'off' },
        metadata: { parsimony_shadow: { of: job.id, tenant: job.tenant } },
      },
      // What the routed model saw (as the levers shaped it for this tenant): re-shaping the client's request under the
      // pseudo-tenant would miss the tenant's own context policy and approved prompt variants. Its prompt-cache key was
      // for the routed model; the shadow's pipeline sets its own.
      request: { ...withoutCacheKey(ctx.request), model: frontier.id },
      attempts: 0,
    };
    const { job: stored, created } = await this.options.store.create(shadow, `routing-shadow:${job.id}`);
    if (!created) return stored.id;
    const meta: ShadowMeta = {
      tenant: job.tenant,
      job_id: job.id,
      shadow_job_id: stored.id,
      task: route!.task ?? 'unspecified',
      tier: route!.tier,
      model: route!.model,
      shadow_model: frontier.id,
      created_at: now.toISOString(),
    };
    const shadowKey = this.keys.shadow(stored.id);
    const recent = this.keys.recent(job.tenant);
    // Pending before queued: whatever happens next, the comparer knows the shadow exists.
    await this.options.redis
      .multi()
      .hset(shadowKey, 'meta', JSON.stringify(meta), 'checks', '0')
      .expire(shadowKey, SHADOW_RECORD_TTL_SECONDS)
      .zadd(this.keys.pending, Date.now() + (this.options.firstCheckMs ?? 5_000), stored.id)
      .lpush(recent, stored.id)
      .ltrim(recent, 0, RECENT_SHADOWS - 1)
      .expire(recent, SHADOW_RECORD_TTL_SECONDS)
      .exec();
    await this.options.enqueue(stored);
    ctx.log.info({ shadowJobId: stored.id, tier: route!.tier, model: route!.model, shadowModel: frontier.id }, 'routing shadow launched on the frontier (batch)');
    return stored.id;
  }
}

function withoutCacheKey(request: ChatRequest): ChatRequest {
  const { prompt_cache_key: _key, ...rest } = request;
  return rest;
}
