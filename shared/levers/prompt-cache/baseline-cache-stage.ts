import type Redis from 'ioredis';
import type { Catalog } from '../../core/catalog/catalog';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';
import { AnywayCacheEstimator } from './anyway-cache';

/**
 * Estimates the provider caching the request as sent would have had anyway
 * (AnywayCacheEstimator) on the baseline model and on the routed model, and
 * records it in the ledger so the cost waterfall's baseline includes it and
 * the prompt_cache lever is credited only beyond it. Runs right after routing,
 * on the job's request exactly as the caller sent it, before any lever
 * changes it. Never fails a job: without Redis the baseline keeps no caching
 * and the annotation says so.
 */
export class BaselineCacheStage implements Stage {
  readonly name = 'baseline_cache';
  private readonly estimator: AnywayCacheEstimator;

  constructor(
    private readonly catalog: Catalog,
    redis: Redis,
    keyPrefix: string,
  ) {
    this.estimator = new AnywayCacheEstimator(redis, keyPrefix);
  }

  /**
   * Starts the estimate and does not wait for it (ctx.pending): its history
   * read leaves in the same round trip as the cache's exact tier (an
   * independent stage); the pipeline waits for it before anything reads the
   * ledger.
   */
  async run(ctx: PipelineContext): Promise<StageOutcome> {
    (ctx.pending ??= []).push(this.estimate(ctx));
    return Promise.resolve(CONTINUE);
  }

  private async estimate(ctx: PipelineContext): Promise<void> {
    const baseline = this.catalog.defaultFrontier;
    const routed = ctx.model ?? this.catalog.find(ctx.request.model) ?? baseline;
    try {
      const [onBaseline, onRouted] = await this.estimator.estimate(ctx.job.tenant, ctx.job.request, [baseline, routed]);
      ctx.ledger.recordProviderCacheAnyway(baseline, onBaseline, routed, onRouted);
      if (onBaseline.cached_input_tokens || onBaseline.cache_write_tokens || onRouted.cached_input_tokens || onRouted.cache_write_tokens)
        ctx.annotations.provider_cache_anyway = { baseline: { model: baseline.id, ...onBaseline }, routed: { model: routed.id, ...onRouted } };
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'provider-cache baseline estimate unavailable; baseline assumes no provider caching');
      ctx.annotations.provider_cache_anyway = { unavailable: true };
    }
  }
}
