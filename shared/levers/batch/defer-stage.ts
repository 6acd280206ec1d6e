import { DEFAULT_DEFER_POLICY, decideDeferral, type DeferPolicy } from './defer-policy';
import type { DeferralSink } from './deferral-sink';
import { hasBatchApi } from '../../providers/registry';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';

export interface DeferStageOptions {
  /** Where deferred jobs go (the batch-submitter's inbox). Without it the stage never defers. */
  sink?: DeferralSink;
  /** When a job is latency-tolerant enough. Default DEFAULT_DEFER_POLICY (async jobs: deadline ≥ 1 h away). */
  policy?: Partial<DeferPolicy>;
  /** Whether a provider has a batch API. Default: the batch provider registry. */
  hasBatchApi?: (provider: string) => boolean;
}

/**
 * The batch lever's decision, the last stage before execute: a
 * latency-tolerant job is parked for a provider batch (half price) instead of
 * a synchronous call. The decision and its reason are recorded as
 * `ctx.annotations.batch`; the batch-submitter completes the job later.
 */
export class DeferStage implements Stage {
  readonly name = 'defer';
  private readonly policy: DeferPolicy;
  private readonly hasBatchApi: (provider: string) => boolean;

  constructor(private readonly options: DeferStageOptions = {}) {
    this.policy = { ...DEFAULT_DEFER_POLICY, ...options.policy };
    this.hasBatchApi = options.hasBatchApi ?? hasBatchApi;
  }

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    if (!this.options.sink || !ctx.model || ctx.onStreamEvent) return CONTINUE;
    const decision = decideDeferral(ctx.job, ctx.model, Date.now(), this.policy, this.hasBatchApi);
    if (!decision.defer) {
      if (decision.reason) ctx.annotations.batch = { deferred: false, reason: decision.reason };
      return CONTINUE;
    }
    ctx.annotations.batch = { deferred: true, reason: decision.reason, deferred_at: new Date().toISOString() };
    const parked = await this.options.sink.park(ctx, decision.reason);
    if (!parked) ctx.log.warn('job was no longer running when deferred; left as it is');
    else ctx.log.info({ model: ctx.model.id, reason: decision.reason }, 'job deferred to a provider batch');
    return { kind: 'defer', reason: decision.reason };
  }
}
