import type { Catalog, ModelEntry, Tier } from '../../core/catalog/catalog';
import type { RouteDecision } from '../../core/jobs/job-record';
import type { ComplexityRouter, RoutingPolicy } from './';
import type { RoutingGuards } from './guards';
import type { ChatResponse, ReasoningEffort } from '../../core/chat-model';
import { CONTINUE, type PipelineContext, type Stage, type StageOutcome } from '../../core/stage';

export interface RouteStageOptions {
  /** The routing lever; without it "auto" goes to the catalog's auto model. */
  router?: ComplexityRouter;
  /** Per-tenant routing policy ("*" = every tenant without its own). */
  policies?: Record<string, RoutingPolicy>;
  /** Whether a provider has credentials here; routing never picks a provider that cannot be called. */
  isProviderConfigured?: (provider: string) => boolean;
  /** Session floor (a ratchet on escalations) and, after completion, the session's escalation record and shadow launch. Without it: none of these. */
  guards?: RoutingGuards;
}

/**
 * The routing lever's stage: decides the model the rest of the pipeline uses.
 * An explicit catalog model is honoured as asked; "auto" is scored by the
 * learned complexity router, bounded by the caller's hints (task, min/max
 * tier) and the tenant's policy, and the decision and its reason are kept on
 * the job.
 */
export class RouteStage implements Stage {
  readonly name = 'route';

  constructor(
    private readonly catalog: Catalog,
    private readonly options: RouteStageOptions = {},
  ) {}

  async run(ctx: PipelineContext): Promise<StageOutcome> {
    const routed = this.options.router && ctx.job.options.requested_model === 'auto';
    const [floorTier, raises] = routed ? await Promise.all([this.options.guards?.floorFor(ctx), this.options.guards?.raisesFor(ctx)]) : [undefined, undefined];
    const { effort, ...decision } = this.decide(ctx, floorTier, raises);
    ctx.route = decision;
    ctx.model = this.catalog.get(decision.model);
    ctx.request = { ...ctx.request, model: decision.model };
    if (effort) {
      // The effort chosen with the model; the ledger prices the baseline at the frontier's default effort.
      ctx.request.reasoning = { ...ctx.request.reasoning, effort };
      ctx.ledger.routedEffort = effort;
    }
    return CONTINUE;
  }

  /** The session's tier and the shadow sample, once the job's result is stored. */
  async afterComplete(ctx: PipelineContext, _response: ChatResponse): Promise<void> {
    await this.options.guards?.afterComplete(ctx);
  }

  private decide(ctx: PipelineContext, floorTier?: Tier, raises?: Record<string, number>): RouteDecision & { effort?: ReasoningEffort } {
    const { options } = ctx.job;
    const requested = options.requested_model;
    if (requested !== 'auto') return describe(this.catalog.get(requested), 'explicit model requested by the caller: not routed');
    const router = this.options.router;
    if (!router) return describe(this.catalog.defaultAuto, 'model "auto": catalog default (no router configured)');
    const policy = { ...(this.options.policies?.[ctx.job.tenant] ?? this.options.policies?.['*'] ?? {}) };
    policy.provider ??= this.reachableProvider();
    const {
      routed: _routed,
      task,
      reasoning_effort: effort,
      ood: _ood,
      ...decision
    } = router.decide({
      request: ctx.request,
      requestedModel: requested,
      task: options.task,
      minTier: options.min_tier,
      maxTier: options.max_tier,
      floorTier,
      policy,
      raises,
    });
    return { ...decision, ...(task ? { task } : {}), ...(effort ? { effort } : {}) };
  }

  /** The auto model's provider when it can be called here, else the first provider that can. */
  private reachableProvider(): string | undefined {
    const preferred = this.catalog.defaultAuto.provider;
    const configured = this.options.isProviderConfigured;
    if (!configured || configured(preferred)) return undefined;
    return this.catalog.models.map((m) => m.provider).find((p) => configured(p));
  }
}

function describe(model: ModelEntry, reason: string): RouteDecision {
  return { model: model.id, provider: model.provider, tier: model.tier, reason };
}
