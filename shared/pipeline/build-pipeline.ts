import type { Catalog } from '../core/catalog/catalog';
import type { ProviderAdapter } from '../providers/provider-adapter';
import type { ProviderError } from '../core/errors/provider-error';
import { Pipeline, type StageCpuObserver, type StageObserver } from './pipeline';
import type { Stage } from '../core/stage';
import { ValidateStage } from './validate-stage';
import { RouteStage } from '../levers/routing/route-stage';
import type { ComplexityRouter, RoutingPolicy } from '../levers/routing';
import { ExecuteStage, type CooldownLookup } from './execute-stage';
import type { Redis } from 'ioredis';
import { ContextCompactionStage } from '../levers/context/compaction-stage';
import type { ContextConfig } from '../levers/context/context-config';
import { smallTierSummarizer } from '../levers/context/summarizer';
import { PromptCompressionStage } from '../levers/compression/compression-stage';
import { VariantRegistry } from '../levers/compression/variant-registry';
import { PromptCacheStage } from '../levers/prompt-cache/prompt-cache-stage';
import { BaselineCacheStage } from '../levers/prompt-cache/baseline-cache-stage';
import { CacheStage } from '../levers/cache/cache-stage';
import type { SemanticCache } from '../levers/cache/semantic-cache';
import type { CacheStorePayload } from '../levers/cache/cache-entry';
import type { CacheCheckLauncher } from '../levers/cache/quality/cache-checks';
import { DeferStage } from '../levers/batch/defer-stage';
import { DeferralSink } from '../levers/batch/deferral-sink';
import { DEFAULT_TIER_CONFIG, type TierConfig } from '../levers/batch/tier-config';
import { TierStats } from '../levers/batch/tier-stats';
import { FlexCall } from '../levers/batch/flex-call';
import { RoutingGuards, type RoutingGuardsConfig } from '../levers/routing/guards/routing-guards';
import { EscalationGuard } from '../levers/routing/guards/escalation';

export interface PipelineDeps {
  catalog: Catalog;
  adapterFor: (provider: string) => ProviderAdapter;
  isProviderConfigured: (provider: string) => boolean;
  /** Attempts per provider call inside the pipeline (fast path > 1, queued path 1). */
  attempts: number;
  /** Per-provider 429 cooldowns the execute stage honours (ExecuteStageOptions.cooldownMs); default none. */
  cooldownMs?: CooldownLookup;
  /** Longest cooldown a call waits out in-process (ExecuteStageOptions.cooldownWaitMs); default 0. */
  cooldownWaitMs?: number;
  /** Starts the shared cooldown after a provider 429 (ExecuteStageOptions.recordRateLimit); default none. */
  recordRateLimit?: (provider: string, retryAfterMs: number | undefined) => Promise<number>;
  timeoutMs: number;
  backoffMs: (attempt: number, error: ProviderError) => number;
  /** The routing lever (learned complexity router); without it "auto" is the catalog's auto model. */
  router?: ComplexityRouter;
  /** Per-tenant routing policies ("*" = default). */
  routingPolicies?: Record<string, RoutingPolicy>;
  observe?: StageObserver;
  /** Per-stage CPU time (Pipeline's StageCpuObserver); none = not measured. */
  observeCpu?: StageCpuObserver;
  /** Redis for the levers' own state (summaries, approved prompt variants). */
  redis: Redis;
  /** Prefix of the levers' Redis keys, e.g. "parsimony". */
  keyPrefix: string;
  /** How the processing tier (standard / flex / batch) is chosen from a job's budget. Default DEFAULT_TIER_CONFIG. */
  tiers?: Partial<TierConfig>;
  /** The semantic cache lever; without it no request is served from cache. */
  cache?: SemanticCache;
  /** Hands a completed response to the cache-service for storing (off the hot path). */
  enqueueCacheStore?: (payload: CacheStorePayload, vector?: Float32Array) => Promise<void>;
  /** The verified cache's check launcher (samples semantic hits for a batch re-answer); none = no checks. */
  cacheChecks?: CacheCheckLauncher;
  /** Context-hygiene policy (window, keep, strategy; per tenant and agent). Default: window 2, keep 1, mask+summarize, cost model on. */
  context?: ContextConfig;
  /** The routing lever's guards: session window, shadow share, and where shadow jobs go. Default: 30-min sessions, no shadows. */
  routingGuards?: RoutingGuardsConfig;
}

/**
 * The one place that orders the levers. Each lever is one stage:
 *
 *   validate → route → cache → compact → compress → prompt-cache → execute | defer-to-batch
 *
 * and pricing (the cost waterfall) happens when a stage completes the job.
 */
export function buildPipeline(deps: PipelineDeps): { pipeline: Pipeline; validate: ValidateStage } {
  const tierConfig: TierConfig = { ...DEFAULT_TIER_CONFIG, ...deps.tiers };
  const tierStats = new TierStats(deps.redis, deps.keyPrefix, tierConfig);
  const validate = new ValidateStage(deps.catalog, deps.isProviderConfigured);
  const stages: Stage[] = [
    validate,
    new RouteStage(deps.catalog, {
      router: deps.router,
      policies: deps.routingPolicies,
      isProviderConfigured: deps.isProviderConfigured,
      guards: new RoutingGuards(deps.redis, deps.keyPrefix, deps.catalog, deps.routingGuards),
    }),
    // On the request as sent: the provider caching it would have had anyway is part of the baseline.
    new BaselineCacheStage(deps.catalog, deps.redis, `${deps.keyPrefix}:`),
    ...(deps.cache && deps.enqueueCacheStore ? [new CacheStage({ cache: deps.cache, enqueueStore: deps.enqueueCacheStore, checks: deps.cacheChecks })] : []),
    new ContextCompactionStage({
      summarizer: smallTierSummarizer(deps.catalog, deps.adapterFor, deps.isProviderConfigured),
      redis: deps.redis,
      keyPrefix: `${deps.keyPrefix}:`,
      config: deps.context,
    }),
    new PromptCompressionStage({ registry: new VariantRegistry(deps.redis, { keyPrefix: `${deps.keyPrefix}:` }) }),
    new PromptCacheStage({ catalog: deps.catalog }),
    // Batch lever last: the tier's discount (batch, flex) applies to what the other levers left.
    new DeferStage({ sink: new DeferralSink(deps.redis, deps.keyPrefix), config: tierConfig, stats: tierStats }),
    new ExecuteStage({
      adapterFor: deps.adapterFor,
      attempts: deps.attempts,
      timeoutMs: deps.timeoutMs,
      backoffMs: deps.backoffMs,
      escalation: new EscalationGuard(deps.catalog, { isProviderConfigured: deps.isProviderConfigured }),
      cooldownMs: deps.cooldownMs,
      cooldownWaitMs: deps.cooldownWaitMs,
      recordRateLimit: deps.recordRateLimit,
      flex: new FlexCall(tierStats, tierConfig.flexTimeoutCapSeconds * 1000),
    }),
  ];
  return { pipeline: new Pipeline(stages, deps.catalog, deps.observe, deps.observeCpu), validate };
}
