import type { DeferralSink } from './deferral-sink';
import { hasBatchApi } from '../../providers/registry';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';
import { DEFAULT_TIER_CONFIG, type TierConfig } from './tier-config';
import { chooseTier, type TierDecision } from './tier-policy';
import type { ModelTierFigures, TierStats } from './tier-stats';

export interface DeferStageOptions {
  /** Where deferred jobs go (the batch-submitter's inbox). Without it no job goes to a provider batch. */
  sink?: DeferralSink;
  /** How budgets are weighed (priors, margins, tenant defaults). Default DEFAULT_TIER_CONFIG. */
  config?: Partial<TierConfig>;
  /** Measured batch turnaround and flex latency / refusals; without it the priors decide. */
  stats?: TierStats;
  /** Whether a provider has a batch API. Default: the batch provider registry. */
  hasBatchApi?: (provider: string) => boolean;
}

/** The annotation a job carries once its tier is chosen (public as `processing_tier`). */
export const TIER_ANNOTATION = 'processing_tier';

/**
 * The batch lever's decision, the last stage before execute (its discount
 * applies to what the other levers left): the job's processing tier from its
 * latency budget (tier-policy.ts). Batch: the job is parked for a provider
 * batch. Flex: the request asks for `service_tier: "flex"` and the execute
 * stage falls back to standard on a refusal (flex-call.ts). Standard: runs
 * now. The choice and its reason are on the job (`processing_tier`, and
 * `route.processing`).
 */
export class DeferStage implements Stage {
  readonly name = 'defer';
  readonly config: TierConfig;
  private readonly hasBatchApi: (provider: string) => boolean;

  constructor(private readonly options: DeferStageOptions = {}) {
    this.config = { ...DEFAULT_TIER_CONFIG, ...options.config };
    this.hasBatchApi = options.hasBatchApi ?? hasBatchApi;
  }

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    if (!ctx.model) return CONTINUE;
    const model = ctx.model;
    const figures = await this.figures(ctx, model.provider, model.id);
    const canBatch = !!this.options.sink && this.hasBatchApi(model.provider);
    const decision = chooseTier({ job: ctx.job, request: ctx.request, model, figures, config: this.config, canBatch, now: Date.now() });
    this.record(ctx, decision);
    if (decision.tier === 'flex') {
      ctx.request = { ...ctx.request, service_tier: 'flex' };
      return CONTINUE;
    }
    // The caller asked for flex on a model without it: the provider would refuse the field.
    if (ctx.request.service_tier === 'flex') ctx.request = { ...ctx.request, service_tier: undefined };
    if (decision.tier !== 'batch') return CONTINUE;
    ctx.annotations.batch = { deferred: true, reason: decision.reason, deferred_at: new Date().toISOString() };
    const parked = await this.options.sink!.park(ctx, decision.reason);
    if (!parked) ctx.log.warn('job was no longer running when deferred; left as it is');
    else ctx.log.info({ model: model.id, reason: decision.reason }, 'job deferred to a provider batch');
    return { kind: 'defer', reason: decision.reason };
  }

  private record(ctx: PipelineContext, decision: TierDecision): void {
    const { flex_until, ...shown } = decision;
    ctx.annotations[TIER_ANNOTATION] = { ...shown, ...(flex_until ? { flex_until: new Date(flex_until).toISOString() } : {}) };
    if (ctx.route) ctx.route = { ...ctx.route, processing: { tier: decision.tier, reason: decision.reason } };
    // Kept for readers of the batch lever's earlier annotation: why a waiting job was not batched.
    if (decision.tier !== 'batch' && decision.budget_s !== undefined) ctx.annotations.batch = { deferred: false, reason: decision.reason };
  }

  private async figures(ctx: PipelineContext, provider: string, model: string): Promise<ModelTierFigures> {
    const c = this.config;
    const priors: ModelTierFigures = {
      batch: { samples: 0, source: 'default', p50_s: c.batchP95PriorSeconds / 2, p95_s: c.batchP95PriorSeconds },
      flex: { samples: 0, source: 'default', p50_s: c.flexP95PriorSeconds / 2, p95_s: c.flexP95PriorSeconds, refusal_rate: c.flexRefusalPrior },
    };
    if (!this.options.stats) return priors;
    try {
      return await this.options.stats.figures(provider, model);
    } catch (err) {
      ctx.log.warn({ err: { message: (err as Error).message } }, 'could not read the tier figures; using the defaults');
      return priors;
    }
  }
}
